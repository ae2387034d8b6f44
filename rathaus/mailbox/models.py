"""Postfach: the secure message box between a person and the city, threaded by case."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.cases.models import Case, Document


class Thread(models.Model):
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mail_threads"
    )
    case = models.OneToOneField(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="thread")
    subject = models.CharField(_("subject"), max_length=200)
    updated_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")

    def __str__(self) -> str:
        return self.subject

    @property
    def display_subject(self) -> str:
        """The subject in the reader's language: a case's conversation is named after its
        service as the catalogue names it now; the stored subject is the German one of the day."""
        if self.case_id is None:
            return self.subject
        return f"{self.case.service.display_name} – {self.case.reference}"


class Message(models.Model):
    class Sender(models.TextChoices):
        CITY = "city", _("City administration")
        PERSON = "person", _("You")

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="messages")
    sender = models.CharField(max_length=8, choices=Sender.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    body = models.TextField(_("message"))
    documents = models.ManyToManyField(Document, blank=True, related_name="messages")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail notice that a message of the city is waiting: the message itself is the
    # outbox. The task worker's sweep (``services.notices_send``) sends one e-mail per person
    # for all their messages due, and retries at growing pauses (``notice_next_at``).
    notice_pending = models.BooleanField(default=False)
    notice_attempts = models.PositiveSmallIntegerField(default=0)
    notice_next_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(
                fields=["notice_next_at"],
                name="mailbox_notice_due_idx",
                condition=models.Q(notice_pending=True),
            )
        ]

    def __str__(self) -> str:
        return f"message {self.pk}"
