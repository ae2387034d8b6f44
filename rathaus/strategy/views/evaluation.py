"""Pages of the utility analysis (Nutzwertanalyse) at /verwaltung/strategie/bewertung/.

Evaluators (strategy.evaluate: strategy office, city leadership, heads of department) score
measures independently and see only their own scores; they read the ranking, its what-if and
its sensitivity. The strategy office (strategy.manage) edits the criteria and their weights and
sees every evaluator's scores of a measure.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.forms import add_service_error
from rathaus.core.permissions import access_object, permission_required

from ..constants import OPEN_MEASURE_STATUSES
from ..forms_evaluation import CriterionForm, ScoreSheetForm, WeightsForm, WhatIfForm, scale_hint
from ..models import Criterion, Measure
from ..selectors import evaluation as selectors
from ..services import evaluation as services

EVALUATE = "strategy.evaluate"
MANAGE = "strategy.manage"
TEMPLATES = "strategy/evaluation/"


def _page(request, template: str, title: str, **context):
    context.update(title=title, can_manage=request.user.has_perm(MANAGE))
    return render(request, TEMPLATES + template, context)


def _measure(request, pk: int) -> Measure:
    return access_object(
        request,
        Measure.objects.select_related("department", "field_of_action"),
        perm="strategy.view_measure",
        pk=pk,
    )


def _criterion_rows(criteria: list[Criterion]) -> list[dict]:
    return [
        {
            "criterion": c,
            "name": c.translated("name"),
            "description": c.translated("description"),
            "hint": scale_hint(c),
        }
        for c in criteria
    ]


def _error_messages(exc: ValidationError) -> list[str]:
    return list(exc.messages)


# --- ranking ----------------------------------------------------------------------------------------


@permission_required(EVALUATE)
def ranking(request):
    """The ranking of the open measures by utility, with the spread between evaluators."""
    criteria = selectors.active_criteria()
    rows = [
        {
            "measure": measure,
            "title": measure.translated("title"),
            "ranked": ranked,
            "large_spread": ranked is not None and ranked.spread >= selectors.SPREAD_HIGHLIGHT,
        }
        for measure, ranked in selectors.ranked_measures()
    ]
    return _page(
        request,
        "ranking.html",
        _("Evaluation and prioritisation"),
        rows=rows,
        criteria=_criterion_rows(criteria),
        total=selectors.weight_total(criteria),
        spread_highlight=selectors.SPREAD_HIGHLIGHT,
        progress=selectors.evaluator_progress(),
        section="ranking",
    )


# --- criteria and weights ---------------------------------------------------------------------------


@permission_required(MANAGE)
def criteria(request):
    """All criteria; the active ones' weights in one form that must add up to exactly 100 %."""
    active = selectors.active_criteria()
    form = WeightsForm(request.POST or None, criteria=active)
    if request.method == "POST" and form.is_valid():
        try:
            services.criteria_weights_set(weights=form.weights(), acting_user=request.user)
        except ValidationError as exc:
            form.add_error(None, _error_messages(exc))
        else:
            messages.success(request, _("The weights have been saved."))
            return redirect("strategy:criteria")
    inactive = list(Criterion.objects.filter(is_active=False).order_by("order", "key"))
    return _page(
        request,
        "criteria.html",
        _("Criteria and weights"),
        form=form,
        active=_criterion_rows(active),
        inactive=_criterion_rows(inactive),
        total=selectors.weight_total(active),
        section="criteria",
    )


def _criterion_form_page(request, form: CriterionForm, criterion: Criterion | None):
    title = _("Edit criterion") if criterion else _("New criterion")
    name = criterion.translated("name") if criterion else ""
    return _page(
        request,
        "criterion_form.html",
        title,
        form=form,
        criterion=criterion,
        criterion_name=name,
        section="criteria",
    )


@permission_required(MANAGE)
def criterion_create(request):
    form = CriterionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            criterion = services.criterion_create(acting_user=request.user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(
                request,
                _("The criterion „%(criterion)s“ has been added with weight 0. Distribute the weights anew.")
                % {"criterion": criterion.translated("name")},
            )
            return redirect("strategy:criteria")
    return _criterion_form_page(request, form, None)


@permission_required(MANAGE)
def criterion_edit(request, pk: int):
    criterion = access_object(request, Criterion.objects.all(), perm=MANAGE, pk=pk)
    initial = {name: getattr(criterion, name) for name in services.CRITERION_FIELDS}
    form = CriterionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("order") is None:
            data["order"] = criterion.order
        try:
            services.criterion_update(criterion=criterion, acting_user=request.user, **data)
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The criterion has been saved."))
            return redirect("strategy:criteria")
    return _criterion_form_page(request, form, criterion)


@require_POST
@permission_required(MANAGE)
def criterion_active(request, pk: int):
    """Deactivate (``active=0``) or bring back (``active=1``) a criterion."""
    criterion = access_object(request, Criterion.objects.all(), perm=MANAGE, pk=pk)
    try:
        if request.POST.get("active") == "1":
            services.criterion_reactivate(criterion=criterion, acting_user=request.user)
            messages.success(request, _("The criterion is used again, with weight 0."))
        else:
            services.criterion_deactivate(criterion=criterion, acting_user=request.user)
            messages.success(request, _("The criterion is no longer used; its scores are kept."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("strategy:criteria")


# --- scoring ----------------------------------------------------------------------------------------


@permission_required(EVALUATE)
def score_sheet(request, pk: int | None = None):
    """Without ``pk``: the open measures and how far the caller has scored them. With ``pk``: the
    caller's own score sheet of one measure (never another evaluator's scores)."""
    if pk is None:
        rows = [
            {"measure": m, "title": m.translated("title"), "done": done, "total": total}
            for m, done, total in selectors.score_sheet_overview(evaluator=request.user)
        ]
        return _page(request, "score_sheets.html", _("Score measures"), rows=rows, section="score_sheet")
    measure = _measure(request, pk)
    criteria = selectors.active_criteria()
    own = selectors.own_scores(measure=measure, evaluator=request.user)
    initial = {}
    for criterion_id, score in own.items():
        initial[f"score_{criterion_id}"] = score.value
        initial[f"comment_{criterion_id}"] = score.comment
    form = ScoreSheetForm(request.POST or None, criteria=criteria, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.score_set(
                measure=measure,
                evaluator=request.user,
                values=form.cleaned_data["values"],
                comments=form.cleaned_data["comments"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("Your scores for %(measure)s have been saved.") % {"measure": measure.code}
            )
            return redirect("strategy:score_sheet")
    return _page(
        request,
        "score_sheet.html",
        _("Score %(measure)s") % {"measure": measure.code},
        measure=measure,
        measure_title=measure.translated("title"),
        measure_description=measure.translated("description"),
        is_open=measure.status in OPEN_MEASURE_STATUSES,
        form=form,
        criteria=_criterion_rows(criteria),
        section="score_sheet",
    )


@permission_required(MANAGE)
def scores(request, pk: int):
    """Every evaluator's scores of one measure, for the strategy office."""
    measure = _measure(request, pk)
    criteria = selectors.active_criteria()
    ranked = next((r for m, r in selectors.ranked_measures() if m.pk == measure.pk), None)
    rows = []
    for evaluator, by_criterion in selectors.measure_scores(measure):
        rows.append(
            {
                "evaluator": evaluator,
                "cells": [by_criterion.get(c.pk) for c in criteria],
                "comments": [
                    (c.translated("name"), by_criterion[c.pk].comment)
                    for c in criteria
                    if c.pk in by_criterion and by_criterion[c.pk].comment
                ],
                "utility": ranked.evaluator_utilities.get(evaluator.pk) if ranked else None,
            }
        )
    means = [ranked.criterion_means.get(c.key) if ranked else None for c in criteria]
    return _page(
        request,
        "scores.html",
        _("Scores of %(measure)s") % {"measure": measure.code},
        measure=measure,
        measure_title=measure.translated("title"),
        criteria=_criterion_rows(criteria),
        rows=rows,
        means=means,
        ranked=ranked,
        section="ranking",
    )


# --- what-if and sensitivity -----------------------------------------------------------------------


@permission_required(EVALUATE)
def whatif(request):
    """The ranking under other weights (normalised), with each measure's rank change."""
    criteria = selectors.active_criteria()
    asked = any(key.startswith("w_") for key in request.GET)
    form = WhatIfForm(request.GET if asked else None, criteria=criteria)
    current = {m.pk: r.rank for m, r in selectors.ranked_measures() if r is not None}
    weights: dict[str, Decimal] | None = None
    if asked and form.is_valid():
        weights = form.weights()
    rows = []
    shares = []
    if weights is not None:
        total = sum(weights.values(), Decimal(0))
        shares = [
            {
                "name": c.translated("name"),
                "weight": weights[c.key],
                "share": (weights[c.key] * 100 / total).quantize(Decimal("0.1")),
            }
            for c in criteria
        ]
        for measure, ranked in selectors.ranked_measures(weights):
            if ranked is None:
                continue
            before = current.get(measure.pk)
            change = 0 if before is None else before - ranked.rank
            rows.append(
                {
                    "measure": measure,
                    "title": measure.translated("title"),
                    "ranked": ranked,
                    "before": before,
                    "up": max(change, 0),
                    "down": max(-change, 0),
                }
            )
    return _page(
        request,
        "whatif.html",
        _("What if the weights were different?"),
        form=form,
        rows=rows,
        shares=shares,
        asked=weights is not None,
        section="whatif",
    )


@permission_required(EVALUATE)
def sensitivity(request):
    """Per measure: does its rank hold when any single weight moves by ±20 %?"""
    names = {c.key: c.translated("name") for c in selectors.active_criteria()}
    rows = []
    for measure, item in selectors.sensitivity_table():
        rows.append(
            {
                "measure": measure,
                "title": measure.translated("title"),
                "item": item,
                "changes": [
                    {
                        "name": names.get(change.criterion_key, change.criterion_key),
                        "percent": abs(change.percent),
                        "raised": change.percent > 0,
                        "rank": change.rank,
                    }
                    for change in item.changes
                ],
            }
        )
    return _page(
        request,
        "sensitivity.html",
        _("Sensitivity of the ranking"),
        rows=rows,
        stable_count=sum(1 for row in rows if row["item"].stable),
        section="sensitivity",
    )
