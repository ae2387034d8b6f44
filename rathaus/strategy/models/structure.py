"""The strategy itself: mission, areas, guidelines, fields of action, measures, proposals, versions."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from rathaus.core.models import TranslatedFieldsMixin

from ..constants import MeasureOrigin, MeasureStatus, ProposalStatus

MONEY = {"max_digits": 14, "decimal_places": 2}


class Strategy(TranslatedFieldsMixin, models.Model):
    """The municipality's E-Government strategy (one row): its mission and council resolution."""

    title = models.CharField(_("title"), max_length=200, default="E-Government-Strategie")
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    mission_statement = models.TextField(_("mission statement"), blank=True)
    mission_statement_en = models.TextField(_("mission statement (English)"), blank=True)
    council_reference = models.CharField(_("council paper"), max_length=60, blank=True)
    adopted_on = models.DateField(_("adopted by the council on"), null=True, blank=True)

    class Meta:
        verbose_name = _("strategy")
        verbose_name_plural = _("strategy")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="strategy_strategy_singleton")]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def load(cls) -> Strategy:
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class StrategyVersion(models.Model):
    """A frozen state of the strategy, made at each review; the differences between versions show."""

    number = models.PositiveIntegerField(_("version"), unique=True)
    label = models.CharField(_("label"), max_length=200)
    reason = models.TextField(_("reason for the review"), blank=True)
    created_at = models.DateTimeField(_("created on"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # guidelines, fields of action and measures as they stood, keyed by their stable codes
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("strategy version")
        verbose_name_plural = _("strategy versions")

    def __str__(self) -> str:
        return f"{self.number} – {self.label}"


class Area(TranslatedFieldsMixin, models.Model):
    """Handlungsbereich: one of the five areas the guidelines are grouped in."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("area")
        verbose_name_plural = _("areas")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Guideline(TranslatedFieldsMixin, models.Model):
    """Leitsatz: a strategic guideline with its motto and text."""

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="guidelines", verbose_name=_("area")
    )
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    motto = models.CharField(_("motto"), max_length=200)
    motto_en = models.CharField(_("motto (English)"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    text_en = models.TextField(_("text (English)"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("guideline")
        verbose_name_plural = _("guidelines")

    def __str__(self) -> str:
        return self.title


class FieldOfAction(TranslatedFieldsMixin, models.Model):
    """Handlungsfeld: derived from one or more guidelines; groups measures."""

    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("e.g. 'HF-03'"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="fields_of_action", verbose_name=_("area")
    )
    guidelines = models.ManyToManyField(
        Guideline, related_name="fields_of_action", verbose_name=_("guidelines")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("field of action")
        verbose_name_plural = _("fields of action")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Measure(TranslatedFieldsMixin, models.Model):
    """Maßnahme: a concrete measure that implements guidelines; may become a project."""

    code = models.CharField(_("code"), max_length=12, unique=True, help_text=_("e.g. 'M-07'"))
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    description_en = models.TextField(_("description (English)"), blank=True)
    field_of_action = models.ForeignKey(
        FieldOfAction, on_delete=models.PROTECT, related_name="measures", verbose_name=_("field of action")
    )
    department = models.ForeignKey(
        "accounts.Department",
        on_delete=models.PROTECT,
        related_name="strategy_measures",
        verbose_name=_("owning department"),
    )
    guidelines = models.ManyToManyField(Guideline, related_name="measures", verbose_name=_("guidelines"))
    # A lazy reference: the strategy app never imports the catalogue.
    services = models.ManyToManyField(
        "catalog.Service", blank=True, related_name="strategy_measures", verbose_name=_("catalogue services")
    )
    investment_cost = models.DecimalField(
        _("investment (EUR)"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    running_cost = models.DecimalField(
        _("running costs per year (EUR)"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    expected_benefit = models.TextField(_("expected benefit"), blank=True)
    effort_person_days = models.PositiveIntegerField(_("effort (person-days)"), default=0)
    duration_quarters = models.PositiveSmallIntegerField(
        _("duration (quarters)"), default=4, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=MeasureStatus.choices, default=MeasureStatus.CANDIDATE
    )
    is_mandatory = models.BooleanField(
        _("legal obligation"), default=False, help_text=_("Always planned, whatever its score.")
    )
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    risks = models.TextField(_("risks"), blank=True)
    is_public = models.BooleanField(
        _("public"), default=False, help_text=_("Shown on the public transparency page.")
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=MeasureOrigin.choices, default=MeasureOrigin.STRATEGY_OFFICE
    )
    dependencies = models.ManyToManyField(
        "self",
        through="MeasureDependency",
        symmetrical=False,
        related_name="dependents",
        blank=True,
        verbose_name=_("depends on"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=F("planned_start")),
                name="strategy_measure_end_after_start",
            ),
            models.CheckConstraint(
                condition=Q(duration_quarters__gte=1), name="strategy_measure_duration_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class MeasureDependency(models.Model):
    """``measure`` can start only when ``requires`` is finished. Cycles are refused by the service."""

    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="dependency_links")
    requires = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="dependent_links")

    class Meta:
        verbose_name = _("dependency")
        verbose_name_plural = _("dependencies")
        constraints = [
            models.UniqueConstraint(fields=["measure", "requires"], name="strategy_dependency_unique"),
            models.CheckConstraint(condition=~Q(measure=F("requires")), name="strategy_dependency_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id} → {self.requires_id}"


class MeasureProposal(models.Model):
    """A measure proposed by a department (or, through the participation seam, by citizens/staff).

    The strategy office accepts it as a new measure, merges it into an existing one or rejects it,
    always with a reason the proposer can read.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    expected_benefit = models.TextField(_("expected benefit"), blank=True)
    estimated_cost = models.DecimalField(
        _("estimated investment (EUR)"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    estimated_effort_person_days = models.PositiveIntegerField(
        _("estimated effort (person-days)"), null=True, blank=True
    )
    is_legal_obligation = models.BooleanField(_("legal obligation"), default=False)
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    guidelines = models.ManyToManyField(
        Guideline, blank=True, related_name="proposals", verbose_name=_("guidelines")
    )
    field_of_action = models.ForeignKey(
        FieldOfAction,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("field of action"),
    )
    origin = models.CharField(
        _("origin"), max_length=16, choices=MeasureOrigin.choices, default=MeasureOrigin.DEPARTMENT
    )
    department = models.ForeignKey(
        "accounts.Department",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="strategy_proposals",
        verbose_name=_("proposing department"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Where an idea from another module came from (e.g. "participation:idea:42"); opaque here.
    external_reference = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ProposalStatus.choices, default=ProposalStatus.SUBMITTED
    )
    decision_reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("measure"),
        help_text=_("The measure it became or was merged into."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("measure proposal")
        verbose_name_plural = _("measure proposals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=[ProposalStatus.REJECTED, ProposalStatus.MERGED])
                | ~Q(decision_reason=""),
                name="strategy_proposal_refusal_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ProposalStatus.ACCEPTED, ProposalStatus.MERGED])
                | Q(measure__isnull=False),
                name="strategy_proposal_accepted_has_measure",
            ),
            # an idea handed over twice by another module stays one proposal
            models.UniqueConstraint(
                fields=["external_reference"],
                condition=~Q(external_reference=""),
                name="strategy_proposal_external_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.title
