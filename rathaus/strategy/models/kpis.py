"""Key figures (Kennzahlen): manual ones and those Rathaus computes, with targets and history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TranslatedFieldsMixin

from ..constants import KpiDirection, KpiSource, KpiUnit
from .structure import FieldOfAction, Guideline

VALUE = {"max_digits": 16, "decimal_places": 4}


class Kpi(TranslatedFieldsMixin, models.Model):
    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    unit = models.CharField(_("unit"), max_length=8, choices=KpiUnit.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=KpiDirection.choices)
    source = models.CharField(_("source"), max_length=8, choices=KpiSource.choices)
    # key in rathaus.core.kpi_registry for computed figures
    provider_key = models.CharField(_("computed from"), max_length=80, blank=True)
    baseline_value = models.DecimalField(_("baseline"), null=True, blank=True, **VALUE)
    baseline_year = models.PositiveSmallIntegerField(_("baseline year"), null=True, blank=True)
    field_of_action = models.ForeignKey(
        FieldOfAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="kpis",
        verbose_name=_("field of action"),
    )
    guidelines = models.ManyToManyField(
        Guideline, blank=True, related_name="kpis", verbose_name=_("guidelines")
    )
    is_public = models.BooleanField(_("public"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("key figure")
        verbose_name_plural = _("key figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(source=KpiSource.MANUAL, provider_key="")
                | (Q(source=KpiSource.COMPUTED) & ~Q(provider_key="")),
                name="strategy_kpi_source_provider",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class KpiTarget(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.DecimalField(_("target"), **VALUE)

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["kpi", "year"], name="strategy_kpitarget_unique")]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.year}: {self.value}"


class KpiValue(models.Model):
    """A measured value for a period (a day for snapshots; a month, quarter or year when entered)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="values")
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    value = models.DecimalField(_("value"), **VALUE)
    breakdown = models.JSONField(default=dict, blank=True)
    source = models.CharField(_("source"), max_length=8, choices=KpiSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["period_end", "period_start"]
        verbose_name = _("key figure value")
        verbose_name_plural = _("key figure values")
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "period_start", "period_end"], name="strategy_kpivalue_unique"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="strategy_kpivalue_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_id} {self.period_start}–{self.period_end}: {self.value}"
