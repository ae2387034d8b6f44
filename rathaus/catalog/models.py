"""The service catalogue (Leistungskatalog): services, life situations, their OZG maturity."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.constants import TrustLevel
from rathaus.accounts.models import Department
from rathaus.core.models import TranslatedFieldsMixin

from .constants import Channel, FeeKind, OzgMaturity

leika_key_validator = RegexValidator(r"^\d{14}$", _("A LeiKa key has exactly 14 digits."))


class LifeSituation(TranslatedFieldsMixin, models.Model):
    """A life event that groups services (Lebenslage): moving house, marriage, building …"""

    slug = models.SlugField(_("short name"), unique=True)
    name = models.CharField(_("name (German)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("life situation")
        verbose_name_plural = _("life situations")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.translated("name")

    @property
    def translated_description(self) -> str:
        return self.translated("description")


class ServiceQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def online(self):
        return self.published().filter(ozg_maturity__gte=OzgMaturity.ONLINE)


class Service(TranslatedFieldsMixin, models.Model):
    """An administrative service a person or company can apply for (Verwaltungsleistung)."""

    leika_key = models.CharField(
        _("LeiKa key"), max_length=14, validators=[leika_key_validator], db_index=True
    )
    slug = models.SlugField(_("address name"), max_length=120, unique=True)
    name = models.CharField(_("name (German)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    summary = models.CharField(_("summary (German)"), max_length=300)
    summary_en = models.CharField(_("summary (English)"), max_length=300, blank=True)
    description = models.TextField(_("description (German)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    easy_language = models.TextField(_("text in Leichte Sprache"), blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("responsible department"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)
    required_documents = models.TextField(_("required documents (German, one per line)"), blank=True)
    required_documents_en = models.TextField(_("required documents (English, one per line)"), blank=True)
    fee_kind = models.CharField(_("fee"), max_length=8, choices=FeeKind.choices, default=FeeKind.NONE)
    fee_amount = models.DecimalField(
        _("fee in euros"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    fee_rule = models.JSONField(
        _("fee rule"),
        default=dict,
        blank=True,
        help_text=_('For computed fees: {"base": "10.00", "per": {"field": "months", "amount": "2.50"}}'),
    )
    fee_note = models.CharField(_("note on the fee"), max_length=300, blank=True)
    fee_note_en = models.CharField(_("note on the fee (English)"), max_length=300, blank=True)
    processing_days = models.PositiveSmallIntegerField(
        _("target processing time (working days)"), null=True, blank=True
    )
    channels = models.JSONField(_("channels offered"), default=list)
    min_trust_level = models.CharField(
        _("minimum trust level"), max_length=16, choices=TrustLevel.choices, default=TrustLevel.BASIC
    )
    allows_anonymous = models.BooleanField(_("may be submitted without an account"), default=False)
    life_situations = models.ManyToManyField(
        LifeSituation, verbose_name=_("life situations"), blank=True, related_name="services"
    )
    keywords = models.CharField(_("keywords and synonyms"), max_length=500, blank=True)
    external_url = models.URLField(_("link to an external online service"), blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    # What Rathaus offers for this service, maintained by the form engine and the case workflow;
    # the OZG maturity is derived from these, never typed in.
    offers_form_assistant = models.BooleanField(default=False, editable=False)
    offers_online_submission = models.BooleanField(default=False, editable=False)
    offers_evidence_upload = models.BooleanField(default=False, editable=False)
    offers_online_notice = models.BooleanField(default=False, editable=False)
    offers_once_only = models.BooleanField(default=False, editable=False)
    ozg_maturity = models.PositiveSmallIntegerField(
        _("OZG maturity"),
        choices=OzgMaturity.choices,
        default=OzgMaturity.OFFLINE,
        editable=False,
        db_index=True,
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ozg_maturity__lte=4), name="catalog_service_maturity_range"
            ),
            models.CheckConstraint(
                condition=~models.Q(fee_kind="fixed") | models.Q(fee_amount__isnull=False),
                name="catalog_service_fixed_fee_has_amount",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.ozg_maturity = self.derive_maturity()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ozg_maturity", "updated_at"}
        super().save(*args, **kwargs)

    def clean(self):
        unknown = set(self.channels or []) - set(Channel.values)
        if unknown:
            raise ValidationError(
                {"channels": _("Unknown channel: %(names)s") % {"names": ", ".join(sorted(unknown))}}
            )

    def derive_maturity(self) -> int:
        """OZG maturity from what is actually offered (see the glossary's definition of 0–4)."""
        if not self.is_published:
            return OzgMaturity.OFFLINE
        needs_evidence = bool(self.required_documents.strip())
        fully_online = (
            self.offers_online_submission
            and self.offers_online_notice
            and (self.offers_evidence_upload or not needs_evidence)
        )
        if fully_online and self.offers_once_only:
            return OzgMaturity.ONCE_ONLY
        if fully_online:
            return OzgMaturity.ONLINE
        if self.offers_form_assistant or self.offers_online_submission:
            return OzgMaturity.FORM_ASSISTANT
        return OzgMaturity.INFORMATION

    @property
    def display_name(self) -> str:
        return self.translated("name")

    @property
    def display_summary(self) -> str:
        return self.translated("summary")

    @property
    def display_fee_note(self) -> str:
        return self.translated("fee_note")

    @property
    def display_description(self) -> str:
        return self.translated("description")

    @property
    def document_list(self) -> list[str]:
        return [
            line.strip("-• ").strip()
            for line in self.translated("required_documents").splitlines()
            if line.strip()
        ]

    @property
    def channel_labels(self) -> list[str]:
        return [Channel(value).label for value in self.channels if value in Channel.values]

    def audit_label(self) -> str:
        return self.slug
