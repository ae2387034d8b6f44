"""Multi-project management: accepted measures become projects with milestones and a traffic light."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ..constants import ProjectPhase, TrafficLight
from .structure import MONEY, Measure


class Project(models.Model):
    measure = models.OneToOneField(
        Measure, on_delete=models.PROTECT, related_name="project", verbose_name=_("measure")
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="strategy_projects",
        verbose_name=_("project lead"),
    )
    phase = models.CharField(
        _("phase"), max_length=12, choices=ProjectPhase.choices, default=ProjectPhase.NOT_STARTED
    )
    traffic_light = models.CharField(
        _("status"), max_length=6, choices=TrafficLight.choices, default=TrafficLight.GREEN
    )
    status_reason = models.TextField(_("reason for the status"))
    progress_percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    budget_planned = models.DecimalField(
        _("budget planned (EUR)"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    budget_spent = models.DecimalField(
        _("budget spent (EUR)"), default=0, validators=[MinValueValidator(0)], **MONEY
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    end_date = models.DateField(_("planned end"), null=True, blank=True)
    status_updated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # optimistic locking: two people editing one project never overwrite each other silently
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["measure__code"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [
            models.CheckConstraint(condition=~Q(status_reason=""), name="strategy_project_status_reason"),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0) & Q(progress_percent__lte=100),
                name="strategy_project_progress",
            ),
        ]

    def __str__(self) -> str:
        return str(self.measure)


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=200)
    due_on = models.DateField(_("due on"))
    completed_on = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class ProjectLogEntry(models.Model):
    """The project's change log: who changed what, from which value to which, and why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    field = models.CharField(max_length=60)
    old_value = models.CharField(max_length=500, blank=True)
    new_value = models.CharField(max_length=500, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.field}"
