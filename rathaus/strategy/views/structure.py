"""Pages of the strategy's structure: guidelines, fields of action, measures (with dependencies),
proposals of the departments and the strategy office's decisions, and versions with their
differences.

Reading needs ``strategy.view_cockpit``; writing ``strategy.manage`` (the strategy office).
Proposals are read by the proposing department and the strategy office (``strategy.view_proposal``,
anything else is a 404); every department role may propose (``strategy.propose_measure``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.forms import add_service_error
from rathaus.core.permissions import access_object, login_required_for, permission_required

from .. import versioning
from ..constants import ProposalStatus
from ..forms_structure import (
    DependenciesForm,
    MeasureFilterForm,
    MeasureForm,
    ProposalAcceptForm,
    ProposalFilterForm,
    ProposalForm,
    ProposalMergeForm,
    ProposalRejectForm,
    VersionForm,
)
from ..models import Measure, StrategyVersion
from ..selectors import structure as selectors
from ..services import structure as services

COCKPIT = "strategy.view_cockpit"
MANAGE = "strategy.manage"
PROPOSE = "strategy.propose_measure"
VIEW_MEASURE = "strategy.view_measure"
VIEW_PROPOSAL = "strategy.view_proposal"


def _shown(objects, *names):
    """Give each object ``<name>_shown``: the text in the reader's language (German as fallback)."""
    for obj in objects:
        for name in names:
            setattr(obj, f"{name}_shown", obj.translated(name))
    return objects


def _shown_measures(measures):
    measures = _shown(list(measures), "title", "description")
    _shown({m.field_of_action for m in measures}, "title")
    _shown({m.field_of_action.area for m in measures}, "name")
    return measures


def _measure(request, pk: int) -> Measure:
    return access_object(request, selectors.measures_for_detail(), perm=VIEW_MEASURE, pk=pk)


def _proposal(request, pk: int):
    return access_object(request, selectors.proposals_for_detail(), perm=VIEW_PROPOSAL, pk=pk)


# --- guidelines and fields of action ---------------------------------------------------------------


@permission_required(COCKPIT)
def guidelines(request):
    """The mission statement and the five areas with their guidelines."""
    strategy = selectors.strategy_or_none()
    areas = _shown(list(selectors.areas_with_guidelines()), "name", "summary")
    for area in areas:
        for guideline in _shown(area.guidelines.all(), "title", "motto", "text"):
            _shown(guideline.fields_of_action.all(), "title")
    context = {
        "strategy": strategy,
        "mission": strategy.translated("mission_statement") if strategy else "",
        "areas": areas,
        "title": _("Guidelines"),
    }
    return render(request, "strategy/structure/guidelines.html", context)


@permission_required(COCKPIT)
def fields(request):
    found = _shown(list(selectors.fields_of_action()), "title")
    _shown({field.area for field in found}, "name")
    context = {"fields": found, "title": _("Fields of action")}
    return render(request, "strategy/structure/fields.html", context)


@permission_required(COCKPIT)
def field_detail(request, pk: int):
    field = access_object(request, selectors.fields_of_action(), perm=COCKPIT, pk=pk)
    _shown([field], "title", "description")
    _shown([field.area], "name")
    _shown(field.guidelines.all(), "title")
    measures = selectors.measures_filtered(field_of_action=field)
    context = {
        "field": field,
        "measures": _shown_measures(measures),
        "totals": selectors.measure_totals(measures),
        "title": f"{field.code} {field.translated('title')}",
    }
    return render(request, "strategy/structure/field_detail.html", context)


# --- measures --------------------------------------------------------------------------------------


@permission_required(COCKPIT)
def measures(request):
    """All measures, filterable, with their costs."""
    filters = MeasureFilterForm(request.GET or None)
    found = selectors.measures_filtered(**filters.filters())
    context = {
        "filters": filters,
        "measures": _shown_measures(found),
        "totals": selectors.measure_totals(found),
        "filtered": bool(request.GET),
        "title": _("Measures"),
    }
    return render(request, "strategy/structure/measures.html", context)


def _project_of(measure: Measure):
    try:
        return measure.project
    except ObjectDoesNotExist:
        return None


@permission_required(COCKPIT)
def measure_detail(request, pk: int):
    measure = _measure(request, pk)
    _shown_measures([measure])
    _shown(measure.guidelines.all(), "title")
    context = {
        "measure": measure,
        "project": _project_of(measure),
        "services": measure.services.all(),
        "proposals": measure.proposals.all(),
        "may_manage": request.user.has_perm(MANAGE),
        "title": f"{measure.code} {measure.translated('title')}",
    }
    return render(request, "strategy/structure/measure_detail.html", context)


@permission_required(MANAGE)
def measure_new(request):
    form = MeasureForm(
        request.POST or None, initial={"code": selectors.suggest_measure_code(), "status": "candidate"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.measure_create(form.cleaned_data, request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The measure %(code)s has been created.") % {"code": measure.code})
            return redirect("strategy:measure_detail", pk=measure.pk)
    context = {"form": form, "title": _("New measure"), "cancel_url": "strategy:measures"}
    return render(request, "strategy/structure/measure_form.html", context)


@permission_required(MANAGE)
def measure_edit(request, pk: int):
    measure = _measure(request, pk)
    form = MeasureForm(request.POST or None, initial=MeasureForm.initial_from(measure))
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_update(measure, form.cleaned_data, request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The measure has been saved."))
            return redirect("strategy:measure_detail", pk=measure.pk)
    context = {
        "form": form,
        "measure": measure,
        "title": _("Edit %(code)s") % {"code": measure.code},
    }
    return render(request, "strategy/structure/measure_form.html", context)


@permission_required(MANAGE)
def measure_dependencies(request, pk: int):
    """What a measure requires before it can start; cycles are refused and named."""
    measure = _measure(request, pk)
    initial = {"requires": [m.pk for m in measure.dependencies.all()]}
    form = DependenciesForm(request.POST or None, initial=initial, measure=measure)
    if request.method == "POST" and form.is_valid():
        try:
            services.measure_dependencies_set(measure, form.cleaned_data["requires"], request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The dependencies have been saved."))
            return redirect("strategy:measure_detail", pk=measure.pk)
    context = {
        "form": form,
        "measure": measure,
        "title": _("Dependencies of %(code)s") % {"code": measure.code},
    }
    return render(request, "strategy/structure/measure_dependencies.html", context)


# --- proposals -------------------------------------------------------------------------------------


@permission_required(PROPOSE)
def proposals(request):
    """A department's own proposals and its form; for the strategy office every proposal."""
    filters = ProposalFilterForm(request.GET or None)
    status = filters.cleaned_data.get("status", "") if filters.is_valid() else ""
    context = {
        "filters": filters,
        "proposals": selectors.proposals_visible_to(request.user, status=status),
        "may_manage": request.user.has_perm(MANAGE),
        "counts": selectors.proposal_counts() if request.user.has_perm(MANAGE) else None,
        "title": _("Proposals for measures"),
    }
    return render(request, "strategy/structure/proposals.html", context)


@permission_required(PROPOSE)
def proposal_new(request):
    departments = list(selectors.proposal_departments(request.user))
    if not departments:
        raise Http404
    form = ProposalForm(request.POST or None, departments=selectors.proposal_departments(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_submit(data, data["department"], request.user)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Thank you. Your proposal has been sent to the strategy office."))
            return redirect("strategy:proposal_detail", pk=proposal.pk)
    return render(
        request, "strategy/structure/proposal_form.html", {"form": form, "title": _("Propose a measure")}
    )


def _proposal_page(request, proposal, *, merge_form=None, reject_form=None, status=200):
    may_decide = request.user.has_perm(MANAGE) and proposal.status == ProposalStatus.SUBMITTED
    context = {
        "proposal": proposal,
        "may_decide": may_decide,
        "merge_form": merge_form or ProposalMergeForm(),
        "reject_form": reject_form or ProposalRejectForm(),
        "title": proposal.title,
    }
    return render(request, "strategy/structure/proposal_detail.html", context, status=status)


@login_required_for(VIEW_PROPOSAL)
def proposal_detail(request, pk: int):
    return _proposal_page(request, _proposal(request, pk))


def _already_decided(request, proposal) -> bool:
    if proposal.status == ProposalStatus.SUBMITTED:
        return False
    messages.error(
        request,
        _("This proposal has already been decided (%(status)s).") % {"status": proposal.get_status_display()},
    )
    return True


def _accept_initial(proposal) -> dict:
    return {
        "code": selectors.suggest_measure_code(),
        "title": proposal.title,
        "description": proposal.description,
        "expected_benefit": proposal.expected_benefit,
        "investment_cost": proposal.estimated_cost or 0,
        "running_cost": 0,
        "effort_person_days": proposal.estimated_effort_person_days or 0,
        "duration_quarters": 4,
        "status": "candidate",
        "is_mandatory": proposal.is_legal_obligation,
        "legal_basis": proposal.legal_basis,
        "field_of_action": proposal.field_of_action_id,
        "department": proposal.department_id,
        "guidelines": [g.pk for g in proposal.guidelines.all()],
    }


@permission_required(MANAGE)
def proposal_accept(request, pk: int):
    """Accept a proposal: the measure form, prefilled from the proposal."""
    proposal = _proposal(request, pk)
    if _already_decided(request, proposal):
        return redirect("strategy:proposal_detail", pk=proposal.pk)
    form = ProposalAcceptForm(request.POST or None, initial=_accept_initial(proposal))
    if request.method == "POST" and form.is_valid():
        try:
            measure = services.proposal_accept(
                proposal, form.cleaned_data, request.user, reason=form.cleaned_data.get("reason", "")
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request, _("The proposal has been accepted as measure %(code)s.") % {"code": measure.code}
            )
            return redirect("strategy:measure_detail", pk=measure.pk)
    context = {
        "form": form,
        "proposal": proposal,
        "title": _("Accept the proposal “%(title)s”") % {"title": proposal.title},
    }
    return render(request, "strategy/structure/measure_form.html", context)


@require_POST
@permission_required(MANAGE)
def proposal_merge(request, pk: int):
    proposal = _proposal(request, pk)
    if _already_decided(request, proposal):
        return redirect("strategy:proposal_detail", pk=proposal.pk)
    form = ProposalMergeForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_merge(
                proposal, form.cleaned_data["into"], form.cleaned_data["reason"], request.user
            )
        except ValidationError as exc:
            if _decided_meanwhile(request, proposal):
                return redirect("strategy:proposal_detail", pk=proposal.pk)
            add_service_error(form, exc)
        else:
            messages.success(request, _("The proposal has been merged into the measure."))
            return redirect("strategy:proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, merge_form=form, status=400)


@require_POST
@permission_required(MANAGE)
def proposal_reject(request, pk: int):
    proposal = _proposal(request, pk)
    if _already_decided(request, proposal):
        return redirect("strategy:proposal_detail", pk=proposal.pk)
    form = ProposalRejectForm(request.POST)
    if form.is_valid():
        try:
            services.proposal_reject(proposal, form.cleaned_data["reason"], request.user)
        except ValidationError as exc:
            if _decided_meanwhile(request, proposal):
                return redirect("strategy:proposal_detail", pk=proposal.pk)
            add_service_error(form, exc)
        else:
            messages.success(request, _("The proposal has been rejected."))
            return redirect("strategy:proposal_detail", pk=proposal.pk)
    return _proposal_page(request, proposal, reject_form=form, status=400)


def _decided_meanwhile(request, proposal) -> bool:
    proposal.refresh_from_db()
    return _already_decided(request, proposal)


# --- versions --------------------------------------------------------------------------------------


def _versions_page(request, form, *, status=200):
    listed = list(selectors.versions())
    rows = [(version, listed[i + 1] if i + 1 < len(listed) else None) for i, version in enumerate(listed)]
    context = {
        "rows": rows,
        "form": form if request.user.has_perm(MANAGE) else None,
        "title": _("Strategy versions"),
    }
    return render(request, "strategy/structure/versions.html", context, status=status)


@permission_required(COCKPIT)
def versions(request):
    return _versions_page(request, VersionForm())


@require_POST
@permission_required(MANAGE)
def version_new(request):
    """ "Neue Version festschreiben": freeze the strategy as it stands, with a label and a reason."""
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            version = versioning.strategy_version_create(
                form.cleaned_data["label"], form.cleaned_data["reason"], request.user
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("Version %(number)s has been saved.") % {"number": version.number})
            return redirect("strategy:versions")
    return _versions_page(request, form, status=400)


def _version(number: int) -> StrategyVersion:
    version = StrategyVersion.objects.filter(number=number).first()
    if version is None:
        raise Http404
    return version


def _diff_page(request, old_label: str, new_label: str, old: dict, new: dict, *, old_version, new_version):
    changes = versioning.strategy_diff(old, new)
    sections = []
    for key, label in versioning.SECTIONS.items():
        rows = [change for change in changes if change.section == key]
        if rows:
            sections.append({"key": key, "label": label, "changes": rows})
    context = {
        "sections": sections,
        "count": len(changes),
        "old_label": old_label,
        "new_label": new_label,
        "old_version": old_version,
        "new_version": new_version,
        "title": _("Changes from %(old)s to %(new)s") % {"old": old_label, "new": new_label},
    }
    return render(request, "strategy/structure/version_diff.html", context)


def _version_label(version: StrategyVersion) -> str:
    return _("version %(number)s") % {"number": version.number}


@permission_required(COCKPIT)
def version_diff(request, a: int, b: int):
    old, new = _version(a), _version(b)
    return _diff_page(
        request,
        _version_label(old),
        _version_label(new),
        old.snapshot,
        new.snapshot,
        old_version=old,
        new_version=new,
    )


@permission_required(COCKPIT)
def version_diff_current(request, a: int):
    old = _version(a)
    return _diff_page(
        request,
        _version_label(old),
        _("the current working state"),
        old.snapshot,
        versioning.strategy_snapshot(),
        old_version=old,
        new_version=None,
    )
