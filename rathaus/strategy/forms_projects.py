"""Forms of multi-project management. They parse input; ``services.projects`` decides."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Department
from rathaus.core.forms import KernForm

from .constants import ProjectPhase, TrafficLight
from .models import Area, FieldOfAction, Project

__all__ = [
    "MilestoneCompleteForm",
    "MilestoneForm",
    "PortfolioFilterForm",
    "ProjectEditForm",
    "ProjectStartForm",
    "staff_users",
]


def staff_users():
    """People who may lead a project: active members of staff."""
    return (
        get_user_model()
        .objects.filter(Q(staff_roles__isnull=False) | Q(is_staff=True), is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "email")
    )


def person_label(user) -> str:
    return user.get_full_name() or user.email


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class TranslatedChoiceField(forms.ModelChoiceField):
    """Shows ``translated(field)`` of the object (German or English name)."""

    def __init__(self, *args, field: str, prefix: str = "", **kwargs):
        self.display_field, self.display_prefix = field, prefix
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj) -> str:
        prefix = getattr(obj, self.display_prefix, "") if self.display_prefix else ""
        return f"{prefix} {obj.translated(self.display_field)}".strip()


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.code} – {obj.display_name}"


# The colour is named in words as well: the traffic light never speaks through colour alone.
TRAFFIC_LIGHT_COLOURS = {
    TrafficLight.GREEN: _("green"),
    TrafficLight.AMBER: _("amber"),
    TrafficLight.RED: _("red"),
}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PortfolioFilterForm(KernForm):
    """Filters of the portfolio (GET; every field optional)."""

    show_optional = False

    area = TranslatedChoiceField(
        queryset=Area.objects.all(),
        required=False,
        label=_("Area"),
        empty_label=_("all"),
        field="name",
        prefix="number",
    )
    field_of_action = TranslatedChoiceField(
        queryset=FieldOfAction.objects.all(),
        required=False,
        label=_("Field of action"),
        empty_label=_("all"),
        field="title",
        prefix="code",
    )
    department = DepartmentChoiceField(
        queryset=Department.objects.filter(strategy_measures__project__isnull=False).distinct(),
        required=False,
        label=_("Department"),
        empty_label=_("all"),
    )
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"), required=False, choices=[("", _("all")), *TrafficLight.choices]
    )
    phase = forms.ChoiceField(
        label=_("Phase"), required=False, choices=[("", _("all")), *ProjectPhase.choices]
    )
    lead = PersonChoiceField(
        queryset=get_user_model()
        .objects.filter(strategy_projects__isnull=False)
        .distinct()
        .order_by("last_name"),
        required=False,
        label=_("Project lead"),
        empty_label=_("all"),
    )
    overdue = forms.BooleanField(label=_("only projects with overdue milestones"), required=False)

    def filters(self) -> dict:
        """The chosen filters (an invalid choice counts as none)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in getattr(self, "cleaned_data", {}).items() if value}


class ProjectStartForm(KernForm):
    """Turn a measure into a project: its lead and the reason for the initial status."""

    lead = PersonChoiceField(queryset=staff_users(), label=_("Project lead"))
    status_reason = forms.CharField(
        label=_("Reason for the status"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why is the project on track? Shown in the portfolio next to the traffic light."),
    )
    budget_planned = forms.DecimalField(
        label=_("Budget planned (EUR)"),
        required=False,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
        help_text=_("Leave empty to take the measure's investment."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = staff_users()


class ProjectEditForm(KernForm):
    """Change a project; ``version`` is the state the form showed (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    lead = PersonChoiceField(queryset=staff_users(), label=_("Project lead"))
    phase = forms.ChoiceField(label=_("Phase"), choices=ProjectPhase.choices)
    traffic_light = forms.ChoiceField(
        label=_("Traffic light"),
        choices=[
            (value, format_lazy("{} ({})", label, TRAFFIC_LIGHT_COLOURS[value]))
            for value, label in TrafficLight.choices
        ],
        widget=forms.RadioSelect(attrs={"class": "kern-form-check__radio"}),
    )
    status_reason = forms.CharField(
        label=_("Reason for the status"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. When the traffic light changes, state the reason for the new status."),
    )
    progress_percent = forms.IntegerField(
        label=_("Progress (%)"), widget=forms.NumberInput(attrs={"min": "0", "max": "100", "step": "1"})
    )
    budget_planned = forms.DecimalField(
        label=_("Budget planned (EUR)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
    )
    budget_spent = forms.DecimalField(
        label=_("Budget spent (EUR)"),
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"min": "0", "step": "0.01"}),
        help_text=_("Spending above the plan is allowed; the portfolio flags it."),
    )
    start_date = forms.DateField(label=_("Start date"), required=False, widget=_date_input())
    end_date = forms.DateField(label=_("Planned end"), required=False, widget=_date_input())
    note = forms.CharField(
        label=_("Note for the change log"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, project: Project, can_manage: bool, **kwargs):
        initial = {
            "version": project.version,
            "lead": project.lead_id,
            "phase": project.phase,
            "traffic_light": project.traffic_light,
            "status_reason": project.status_reason,
            "progress_percent": project.progress_percent,
            "budget_planned": project.budget_planned,
            "budget_spent": project.budget_spent,
            "start_date": project.start_date,
            "end_date": project.end_date,
            **kwargs.pop("initial", {}),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["lead"].queryset = staff_users()
        if not can_manage:  # a lead works within the lead and budget the office set
            del self.fields["lead"]
            del self.fields["budget_planned"]

    def changes(self) -> dict:
        """The cleaned values for ``project_update`` (every field; the service finds the changes)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class MilestoneForm(KernForm):
    title = forms.CharField(label=_("Milestone"), max_length=200)
    due_on = forms.DateField(label=_("Due on"), widget=_date_input())


class MilestoneCompleteForm(KernForm):
    completed_on = forms.DateField(label=_("Reached on"), widget=_date_input())

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"completed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
