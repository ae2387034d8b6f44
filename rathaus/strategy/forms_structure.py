"""Forms of the strategy's structure (measures, dependencies, proposals, versions, filters).

They parse input; the services in ``services/structure.py`` and ``versioning.py`` decide.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rathaus.accounts.models import Department
from rathaus.core.forms import KernForm

from .constants import MeasureStatus, ProposalStatus
from .models import Area, FieldOfAction, Guideline, Measure

__all__ = [
    "DependenciesForm",
    "MeasureFilterForm",
    "MeasureForm",
    "ProposalAcceptForm",
    "ProposalFilterForm",
    "ProposalForm",
    "ProposalMergeForm",
    "ProposalRejectForm",
    "VersionForm",
]

MONEY = {"max_digits": 14, "decimal_places": 2}
YES_NO = [("", _("all")), ("ja", _("yes")), ("nein", _("no"))]
DATE_WIDGET = {"attrs": {"type": "date"}, "format": "%Y-%m-%d"}


class Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes in KERN's look (the form mixin leaves multiple choices unstyled)."""

    def __init__(self, attrs=None):
        super().__init__({"class": "kern-form-check__checkbox", **(attrs or {})})


CHECKBOXES = Checkboxes


class GuidelineChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Guideline) -> str:
        return f"{obj.number}. {obj.translated('title')}"


class AreaChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Area) -> str:
        return f"{obj.number}. {obj.translated('name')}"


class FieldChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: FieldOfAction) -> str:
        return f"{obj.code} {obj.translated('title')}"


class DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.code} – {obj.display_name}"


class MeasureChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        return f"{obj.code} {obj.translated('title')}"


class MeasureChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        return f"{obj.code} {obj.translated('title')}"


def _services_queryset():
    # the catalogue through the lazy relation: the strategy app never imports it
    return Measure._meta.get_field("services").related_model.objects.order_by("name")


class MeasureForm(KernForm):
    """A measure with all its attributes (not its dependencies: they have their own page)."""

    code = forms.CharField(label=_("Code"), max_length=12, help_text=_("Unique, for example M-07."))
    title = forms.CharField(label=_("Title"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    field_of_action = FieldChoice(label=_("Field of action"), queryset=FieldOfAction.objects.none())
    department = DepartmentChoice(label=_("Owning department"), queryset=Department.objects.none())
    guidelines = GuidelineChoices(
        label=_("Guidelines the measure implements"),
        queryset=Guideline.objects.none(),
        widget=CHECKBOXES,
        error_messages={"required": _("Please link the measure to at least one guideline.")},
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Catalogue services it concerns"),
        queryset=Measure.objects.none(),
        required=False,
        widget=CHECKBOXES,
    )
    investment_cost = forms.DecimalField(label=_("Investment (EUR)"), min_value=0, **MONEY)
    running_cost = forms.DecimalField(label=_("Running costs per year (EUR)"), min_value=0, **MONEY)
    expected_benefit = forms.CharField(
        label=_("Expected benefit"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    effort_person_days = forms.IntegerField(label=_("Effort (person-days)"), min_value=0)
    duration_quarters = forms.IntegerField(label=_("Duration (quarters)"), min_value=1, max_value=20)
    planned_start = forms.DateField(
        label=_("Planned start"), required=False, widget=forms.DateInput(**DATE_WIDGET)
    )
    planned_end = forms.DateField(
        label=_("Planned end"), required=False, widget=forms.DateInput(**DATE_WIDGET)
    )
    status = forms.ChoiceField(label=_("Status"), choices=MeasureStatus.choices)
    is_mandatory = forms.BooleanField(label=_("Legal obligation (always planned)"), required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200, required=False)
    risks = forms.CharField(label=_("Risks"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_public = forms.BooleanField(label=_("Show on the public transparency page"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field_of_action"].queryset = FieldOfAction.objects.order_by("code")
        self.fields["department"].queryset = Department.objects.order_by("code")
        self.fields["guidelines"].queryset = Guideline.objects.order_by("number")
        self.fields["services"].queryset = _services_queryset()
        self.fields["services"].label_from_instance = lambda s: getattr(s, "display_name", str(s))

    def clean(self):
        data = super().clean()
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and end < start:
            self.add_error("planned_end", _("The planned end cannot be before the planned start."))
        return data

    @staticmethod
    def initial_from(measure: Measure) -> dict:
        initial = {name: getattr(measure, name) for name in MEASURE_FORM_FIELDS}
        initial["field_of_action"] = measure.field_of_action_id
        initial["department"] = measure.department_id
        initial["guidelines"] = list(measure.guidelines.values_list("pk", flat=True))
        initial["services"] = list(measure.services.values_list("pk", flat=True))
        return initial


MEASURE_FORM_FIELDS = (
    "code",
    "title",
    "title_en",
    "description",
    "investment_cost",
    "running_cost",
    "expected_benefit",
    "effort_person_days",
    "duration_quarters",
    "planned_start",
    "planned_end",
    "status",
    "is_mandatory",
    "legal_basis",
    "risks",
    "is_public",
)


class ProposalAcceptForm(MeasureForm):
    """Accepting a proposal: the new measure, prefilled from the proposal, and a note."""

    reason = forms.CharField(
        label=_("Note to the proposer"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DependenciesForm(KernForm):
    requires = MeasureChoices(
        label=_("This measure can start only when these measures are finished"),
        queryset=Measure.objects.none(),
        required=False,
        widget=CHECKBOXES,
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requires"].queryset = Measure.objects.exclude(pk=measure.pk).order_by("code")


class ProposalForm(KernForm):
    """ "Maßnahme vorschlagen": a department proposes a measure to the strategy office."""

    department = DepartmentChoice(label=_("Proposing department"), queryset=Department.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What should be done, for whom, and why?"),
    )
    expected_benefit = forms.CharField(
        label=_("Expected benefit"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    estimated_cost = forms.DecimalField(
        label=_("Estimated investment (EUR)"), required=False, min_value=0, **MONEY
    )
    estimated_effort_person_days = forms.IntegerField(
        label=_("Estimated effort (person-days)"), required=False, min_value=0
    )
    is_legal_obligation = forms.BooleanField(label=_("Required by law"), required=False)
    legal_basis = forms.CharField(label=_("Legal basis"), max_length=200, required=False)
    field_of_action = FieldChoice(
        label=_("Field of action"), queryset=FieldOfAction.objects.none(), required=False
    )
    guidelines = GuidelineChoices(
        label=_("Guidelines it serves"),
        queryset=Guideline.objects.none(),
        required=False,
        widget=CHECKBOXES,
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["field_of_action"].queryset = FieldOfAction.objects.order_by("code")
        self.fields["guidelines"].queryset = Guideline.objects.order_by("number")
        if len(departments) == 1 and not self.is_bound:
            self.initial.setdefault("department", departments[0].pk)


class ProposalMergeForm(KernForm):
    into = MeasureChoice(label=_("Merge into the measure"), queryset=Measure.objects.none())
    reason = forms.CharField(
        label=_("Reason (the proposer reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason the proposer can read.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "merge")
        super().__init__(*args, **kwargs)
        self.fields["into"].queryset = Measure.objects.order_by("code")


class ProposalRejectForm(KernForm):
    reason = forms.CharField(
        label=_("Reason (the proposer reads it)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Please give a reason the proposer can read.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "reject")
        super().__init__(*args, **kwargs)


class VersionForm(KernForm):
    label = forms.CharField(
        label=_("Label"),
        max_length=200,
        help_text=_("For example “Review 2026” or “Council resolution of 12 May”."),
    )
    reason = forms.CharField(
        label=_("Reason for the review"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


def _yes_no(value: str) -> bool | None:
    return {"ja": True, "nein": False}.get(value)


class MeasureFilterForm(KernForm):
    """The filters of the measures table (GET)."""

    show_optional = False

    area = AreaChoice(label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("all"))
    field_of_action = FieldChoice(
        label=_("Field of action"),
        queryset=FieldOfAction.objects.none(),
        required=False,
        empty_label=_("all"),
    )
    department = DepartmentChoice(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label=_("all")
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("all")), *MeasureStatus.choices], required=False
    )
    mandatory = forms.ChoiceField(label=_("Legal obligation"), choices=YES_NO, required=False)
    public = forms.ChoiceField(label=_("Public"), choices=YES_NO, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Area.objects.order_by("number")
        self.fields["field_of_action"].queryset = FieldOfAction.objects.order_by("code")
        self.fields["department"].queryset = Department.objects.filter(
            strategy_measures__isnull=False
        ).distinct()

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "area": data.get("area"),
            "field_of_action": data.get("field_of_action"),
            "department": data.get("department"),
            "status": data.get("status") or "",
            "mandatory": _yes_no(data.get("mandatory", "")),
            "public": _yes_no(data.get("public", "")),
        }


class ProposalFilterForm(KernForm):
    show_optional = False
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("all")), *ProposalStatus.choices], required=False
    )
