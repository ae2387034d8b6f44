"""The measures plan: years with budget and staff capacity, the measures placed in quarters."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from ..constants import ExclusionReason, PlanStatus
from ..notes import render
from .structure import MONEY, Measure


class Plan(models.Model):
    name = models.CharField(_("name"), max_length=200)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # when the schedule was last suggested or checked, and whether the check found problems
    checked_at = models.DateTimeField(null=True, blank=True)
    problems = models.JSONField(default=list, blank=True)
    # the creating form's one-time value: the same form sent twice (a double click) is one plan
    request_token = models.CharField(max_length=64, blank=True, default="", editable=False)

    class Meta:
        ordering = ["-first_year", "name"]
        verbose_name = _("measures plan")
        verbose_name_plural = _("measures plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=F("first_year")) & Q(last_year__lte=F("first_year") + 9),
                name="strategy_plan_period",
            ),
            # one plan of a name per period (whatever the case of the letters): a second one of
            # the same name would be a duplicate nobody could tell apart in the list
            models.UniqueConstraint(
                Lower("name"), "first_year", "last_year", name="strategy_plan_name_period_unique"
            ),
            models.UniqueConstraint(
                fields=["request_token"],
                condition=~Q(request_token=""),
                name="strategy_plan_request_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PlanYear(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.DecimalField(_("budget (EUR)"), validators=[MinValueValidator(0)], **MONEY)
    capacity_person_days = models.PositiveIntegerField(_("staff capacity (person-days)"))

    class Meta:
        ordering = ["year"]
        constraints = [models.UniqueConstraint(fields=["plan", "year"], name="strategy_planyear_unique")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.year}"


class PlanEntry(models.Model):
    """A measure placed in the plan: it starts in ``start_year`` / ``start_quarter`` and runs for
    the measure's ``duration_quarters``."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="entries")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="plan_entries")
    start_year = models.PositiveSmallIntegerField(_("start year"))
    start_quarter = models.PositiveSmallIntegerField(
        _("start quarter"), validators=[MinValueValidator(1), MaxValueValidator(4)]
    )
    is_manual = models.BooleanField(_("placed by hand"), default=False)
    # the explanation as written when it was made, and how to write it again (notes.as_data),
    # so that every reader gets it in their language
    explanation = models.CharField(_("explanation"), max_length=500, blank=True)
    note = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["start_year", "start_quarter", "measure__code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure"], name="strategy_planentry_unique"),
            models.CheckConstraint(
                condition=Q(start_quarter__gte=1) & Q(start_quarter__lte=4), name="strategy_planentry_quarter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} {self.start_year}/Q{self.start_quarter}"

    @property
    def explanation_text(self) -> str:
        """The explanation in the reader's language."""
        return render(self.note, self.explanation)


class PlanExclusion(models.Model):
    """A measure the suggested schedule left out, and why."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="exclusions")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=ExclusionReason.choices)
    explanation = models.CharField(_("explanation"), max_length=500)
    note = models.JSONField(null=True, blank=True, editable=False)  # as PlanEntry.note

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "measure"], name="strategy_planexclusion_unique")
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}: {self.reason}"

    @property
    def explanation_text(self) -> str:
        """The explanation in the reader's language."""
        return render(self.note, self.explanation)
