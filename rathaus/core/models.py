"""Shared kernel data: branding, legal pages, the audit log, the demo outbox, worker heartbeats."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .audit_actions import audit_action_label
from .constants import LegalPageKind


def validate_raster_image(upload) -> None:
    """Accept PNG or JPEG by their content, whatever the file is called."""
    head = upload.read(8)
    upload.seek(0)
    if not (head.startswith(b"\x89PNG\r\n\x1a\n") or head.startswith(b"\xff\xd8\xff")):
        raise ValidationError(_("The logo must be a PNG or JPEG image."))


hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


class TranslatedFieldsMixin:
    """Pick the ``<field>_en`` variant for English readers, falling back to German."""

    def translated(self, field: str) -> str:
        if (get_language() or "de").startswith("en"):
            value = getattr(self, f"{field}_en", "")
            if value:
                return value
        return getattr(self, field)


def sender_address_lines(city_name: str, postal_address: str) -> list[str]:
    """The postal address for a letter's sender line, without a first line that only repeats
    the city's name (the sender line starts with it already)."""
    lines = [line.strip() for line in (postal_address or "").splitlines() if line.strip()]
    if lines and lines[0] == (city_name or "").strip():
        lines = lines[1:]
    return lines


class SiteBranding(models.Model):
    """The municipality's name, logo and colours; one row, edited by administrators."""

    city_name = models.CharField(_("name of the municipality"), max_length=120, default="Stadt Regensburg")
    portal_name = models.CharField(_("portal name"), max_length=120, default="Rathaus Online")
    logo = models.FileField(
        _("logo (PNG or JPEG)"), upload_to="branding/", blank=True, validators=[validate_raster_image]
    )
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#8a1538", validators=[hex_colour]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True, default="")
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True, default="")
    postal_address = models.TextField(_("postal address"), blank=True, default="")

    class Meta:
        verbose_name = _("branding")
        verbose_name_plural = _("branding")
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="core_branding_singleton")]

    def __str__(self) -> str:
        return self.city_name

    def save(self, *args, **kwargs):
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def current(cls) -> SiteBranding:
        branding, _created = cls.objects.get_or_create(pk=1)
        return branding

    @property
    def sender_address_lines(self) -> list[str]:
        return sender_address_lines(self.city_name, self.postal_address)

    @property
    def fragment_key(self) -> str:
        """Changes whenever something the page frame shows of the branding changes: page
        fragments cached with it (base.html) are never shown with an old name or logo."""
        shown = (self.city_name, self.portal_name, self.logo.name, self.primary_colour)
        return hashlib.sha256(repr((*shown, self.contact_email, self.contact_phone)).encode()).hexdigest()[
            :16
        ]


class LegalPage(TranslatedFieldsMixin, models.Model):
    """Footer pages every public body must publish: Impressum, Datenschutz, Barrierefreiheit."""

    kind = models.CharField(_("page"), max_length=32, choices=LegalPageKind.choices, unique=True)
    title = models.CharField(_("title (German)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    body = models.TextField(_("text (German, Markdown-like paragraphs)"))
    body_en = models.TextField(_("text (English)"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("legal page")
        verbose_name_plural = _("legal pages")

    def __str__(self) -> str:
        return self.title

    @property
    def translated_title(self) -> str:
        return self.translated("title")

    @property
    def translated_paragraphs(self) -> list[str]:
        return [part.strip() for part in self.translated("body").split("\n\n") if part.strip()]


class AuditEntryQuerySet(models.QuerySet):
    def about_subject(self, user_id: int):
        return self.filter(subject_user_id=user_id)

    def unsealed(self):
        """Entries stored but not yet sealed into the hash chain (``audit.audit_seal``)."""
        return self.filter(sequence__isnull=True)

    def staff_reads_of(self, user_id: int):
        """The staff accesses to one person's data, for that person's "who looked at my data"."""
        return self.about_subject(user_id).filter(actor_is_staff=True).exclude(actor_id=user_id)


class AuditEntry(models.Model):
    """One line of the append-only, hash-chained audit log.

    An entry is stored with the change it records, without its place in the chain: taking that
    place would lock the chain's head, which every audited write in the city would wait for
    until its transaction commits. The task worker seals the stored entries a few seconds later
    (``audit.audit_seal``): in the order of their ids it gives each its ``sequence`` and an
    ``entry_hash`` that covers its own content and the previous entry's hash, so removing,
    reordering or changing any sealed entry breaks the chain from there on
    (``manage.py audit_verify``). Until then an entry is already protected by the database,
    which refuses every UPDATE but the sealing one and (on PostgreSQL) every DELETE.
    Actor and subject are plain ids, not foreign keys, so deleting an account never rewrites
    history. Pages list the log by ``id``, which sealed and waiting entries both have.
    """

    # Set when the entry is sealed into the chain; empty until then.
    sequence = models.PositiveBigIntegerField(_("sequence"), unique=True, null=True, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # Actor, action and subject are each the first column of a page index below, which also
    # serves a lookup by the column alone: no index of their own to write with every entry.
    actor_id = models.BigIntegerField(_("actor id"), null=True, blank=True)
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    actor_is_staff = models.BooleanField(_("staff member"), default=False)
    # The values of every app's actions (core.audit_actions), not only core's: no ``choices``.
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    subject_user_id = models.BigIntegerField(_("data subject id"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    previous_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        # The audit log page filters by one of these and pages by id (keyset, newest first):
        # each index serves both the filter and the order, whatever the log's size. The partial
        # index finds the entries the sealer has still to chain.
        indexes = [
            models.Index(fields=["action", "id"], name="core_audit_action_id"),
            models.Index(fields=["actor_id", "id"], name="core_audit_actor_id"),
            models.Index(fields=["subject_user_id", "id"], name="core_audit_subject_id"),
            models.Index(fields=["object_type", "object_id", "id"], name="core_audit_object_id"),
            models.Index(
                fields=["id"], condition=models.Q(sequence__isnull=True), name="core_audit_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence or '-'} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValidationError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("The audit log is append-only.")

    @property
    def sealed(self) -> bool:
        return self.sequence is not None

    @property
    def action_label(self) -> str:
        return audit_action_label(self.action)

    def canonical_payload(self) -> str:
        created = self.created_at.astimezone(UTC).isoformat(timespec="microseconds")
        return json.dumps(
            [
                self.sequence,
                created,
                self.actor_id,
                self.actor_label,
                self.actor_is_staff,
                self.action,
                self.object_type,
                self.object_id,
                self.object_label,
                self.subject_user_id,
                self.ip_address,
                self.details,
                self.previous_hash,
            ],
            sort_keys=True,
            ensure_ascii=True,
            separators=(",", ":"),
        )

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical_payload().encode("ascii")).hexdigest()


class AuditChainHead(models.Model):
    """The tip of the audit chain; its row lock serialises the sealers across processes."""

    sequence = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pk=1), name="core_audit_head_singleton")]

    def __str__(self) -> str:
        return f"audit head #{self.sequence}"


class OutboxMessage(models.Model):
    """An e-mail the embedded default did not send but kept, shown on the demo outbox page."""

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    to = models.TextField()
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html_body = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("demo outbox")

    def __str__(self) -> str:
        return self.subject


class WorkerHeartbeat(models.Model):
    """Last sign of life of a task worker process, for /healthz."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.worker


class PeriodicJob(models.Model):
    """When a recurring job was last started; the conditional update on this row lets exactly one
    of several workers start it per interval."""

    name = models.CharField(max_length=200, unique=True)
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name
