"""Online forms: versioned declarative definitions, drafts, uploads and submissions.

A form definition is JSON checked against our JSON Schema (``schema.json``) and by the engine's
semantic checks. Editing creates a new ``FormVersion``; a submission keeps the version it was
made with, so a case always shows exactly the form its applicant saw.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Organisation
from rathaus.catalog.constants import Channel
from rathaus.catalog.models import Service


def private_storage():
    """Uploads live outside the web root and are streamed only after a permission check."""
    return storages["default"]


class FormDefinition(models.Model):
    """The online form of one service; its content lives in versions."""

    service = models.OneToOneField(Service, on_delete=models.PROTECT, related_name="form_definition")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("form")
        verbose_name_plural = _("forms")

    def __str__(self) -> str:
        return self.service.name

    def current_version(self) -> FormVersion | None:
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class FormVersion(models.Model):
    definition = models.ForeignKey(FormDefinition, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    schema = models.JSONField(_("definition"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    class Meta:
        ordering = ["definition", "-number"]
        verbose_name = _("form version")
        verbose_name_plural = _("form versions")
        constraints = [models.UniqueConstraint(fields=["definition", "number"], name="forms_version_unique")]

    def __str__(self) -> str:
        return f"{self.definition} v{self.number}"


class Draft(models.Model):
    """Entries not yet submitted, one per application: a logged-in person may keep several of
    one form (two dogs registered separately) and resumes each on any device; an anonymous
    person through a secret key kept in the session. Counter, post and phone drafts of staff
    are one per application, never resumed for somebody else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    form_version = models.ForeignKey(FormVersion, on_delete=models.CASCADE, related_name="drafts")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="form_drafts"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("the person a member of staff enters the application for (counter, post, phone)"),
    )
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    data = models.JSONField(default=dict)
    current_step = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")

    def __str__(self) -> str:
        return str(self.id)


def upload_path(instance, filename: str) -> str:
    # The stored name never contains the original file name (personal data, path tricks).
    return f"uploads/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Upload(models.Model):
    """A file given for a form field; its type is sniffed from the content, not the name."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads"
    )
    draft = models.ForeignKey(Draft, null=True, blank=True, on_delete=models.SET_NULL, related_name="uploads")
    submission = models.ForeignKey(
        "Submission", null=True, blank=True, on_delete=models.PROTECT, related_name="uploads"
    )
    field_name = models.CharField(max_length=200)
    file = models.FileField(upload_to=upload_path, storage=private_storage)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")

    def __str__(self) -> str:
        return self.original_name


class Submission(models.Model):
    """What a person submitted through a form (Antrag): validated data of one form version."""

    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    data = models.JSONField()
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="submissions"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.ONLINE)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("member of staff who entered it for the applicant (counter, post, phone)"),
    )
    contact_email = models.EmailField(blank=True)
    trust_level = models.CharField(max_length=16, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(channel="online") | models.Q(entered_by__isnull=False),
                name="forms_offline_submission_has_staff",
            )
        ]

    def __str__(self) -> str:
        return f"submission {self.pk}"
