"""Utility analysis (Nutzwertanalyse): weighted criteria and the evaluators' scores."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TranslatedFieldsMixin

from ..constants import CriterionDirection
from .structure import Measure


class Criterion(TranslatedFieldsMixin, models.Model):
    """A criterion with its weight in percent. Active weights must add up to 100 (refused otherwise)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    weight = models.DecimalField(
        _("weight (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    scale_min = models.SmallIntegerField(_("lowest score"), default=0)
    scale_max = models.SmallIntegerField(_("highest score"), default=5)
    direction = models.CharField(
        _("direction"),
        max_length=8,
        choices=CriterionDirection.choices,
        default=CriterionDirection.HIGHER_IS_BETTER,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=F("scale_min")), name="strategy_criterion_scale"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0) & Q(weight__lte=100), name="strategy_criterion_weight"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Score(models.Model):
    """One evaluator's score of one measure on one criterion (independent of the other evaluators)."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_scores"
    )
    value = models.SmallIntegerField(_("score"))
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["measure", "criterion", "evaluator"], name="strategy_score_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.criterion_id}/{self.evaluator_id}: {self.value}"
