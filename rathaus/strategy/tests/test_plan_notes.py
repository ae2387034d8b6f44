"""The notes of the measures plan are written in the reader's language, whatever the language of
whoever let Rathaus suggest the plan: they are stored as message id and parameters."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from rathaus.strategy import notes
from rathaus.strategy.constants import MeasureStatus
from rathaus.strategy.models import MeasureDependency, PlanEntry, PlanExclusion
from rathaus.strategy.services import planning as services

from .factories import make_measure

pytestmark = pytest.mark.django_db


def _plan(actor, first=2027, last=2027, budget="100000"):
    limits = {year: (Decimal(budget), 100) for year in range(first, last + 1)}
    return services.plan_create(name="Plan", first_year=first, last_year=last, limits=limits, actor=actor)


def _in(language, text_of):
    with translation.override(language):
        return text_of()


def test_a_carried_over_measure_is_explained_in_each_readers_language(strategy_officer):
    running = make_measure(
        investment=10000,
        duration=20,
        status=MeasureStatus.IN_PROGRESS,
        planned_start=dt.date(2021, 2, 1),
    )
    plan = _plan(strategy_officer)
    with translation.override("de"):  # a German officer makes the suggestion
        services.plan_suggest(plan=plan, actor=strategy_officer, order=[running])
    entry = PlanEntry.objects.get(plan=plan)
    assert entry.explanation.startswith("In Umsetzung seit Q1 2021")  # as written, for the record
    assert _in("en", lambda: entry.explanation_text) == (
        "In progress since Q1 2021: its remaining quarters and their share of the costs are planned."
    )
    assert _in("de", lambda: entry.explanation_text).startswith("In Umsetzung seit Q1 2021: geplant werden")


def test_numbers_and_measure_names_follow_the_reader(strategy_officer):
    big = make_measure(
        investment=70000, effort=10, duration=4, title="Große Maßnahme", title_en="Big measure"
    )
    other = make_measure(investment=50000, effort=10, duration=4, title="Zweite", title_en="Second")
    after = make_measure(investment=1000, effort=1, duration=1, title="Danach", title_en="Afterwards")
    MeasureDependency.objects.create(measure=after, requires=other)
    plan = _plan(strategy_officer)
    with translation.override("de"):
        services.plan_suggest(plan=plan, actor=strategy_officer, order=[big, other, after])
    budget = PlanExclusion.objects.get(plan=plan, measure=other)
    dependent = PlanExclusion.objects.get(plan=plan, measure=after)
    assert "20.000" in budget.explanation  # written in German when it was made
    english = _in("en", lambda: budget.explanation_text)
    assert "2027: budget 100,000 € is not enough; 20,000 € missing" in english
    assert (
        _in("en", lambda: dependent.explanation_text)
        == f"Requires “{other.code} Second”, which is not in the plan."
    )
    assert (
        _in("de", lambda: dependent.explanation_text)
        == f"Setzt „{other.code} Zweite“ voraus, die nicht im Plan ist."
    )


def test_problems_and_a_removal_are_shown_in_the_readers_language(strategy_client, strategy_officer):
    base = make_measure(investment=10000, duration=1, title="Basis", title_en="Foundation")
    top = make_measure(investment=10000, duration=1, title="Aufbau", title_en="Extension")
    MeasureDependency.objects.create(measure=top, requires=base)
    plan = _plan(strategy_officer, last=2028)
    with translation.override("de"):
        services.plan_suggest(plan=plan, actor=strategy_officer, order=[base, top])
        services.plan_entry_move(plan=plan, measure=top, year=2028, quarter=1, actor=strategy_officer)
        PlanEntry.objects.filter(plan=plan, measure=base).update(
            start_year=2028, start_quarter=2
        )  # by the back door
        services.plan_check(plan=plan)
        services.plan_entry_remove(plan=plan, measure=top, actor=strategy_officer)
    plan.refresh_from_db()
    strategy_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = strategy_client.get(reverse("strategy:plan_detail", args=[plan.pk])).content.decode()
    assert "Taken out of the plan by hand on" in page
    assert "von Hand aus dem Plan genommen" not in page
    strategy_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    page = strategy_client.get(reverse("strategy:plan_detail", args=[plan.pk])).content.decode()
    assert "von Hand aus dem Plan genommen" in page


def test_stored_problems_are_rendered_per_language(strategy_client, strategy_officer):
    law = make_measure(investment=150000, duration=2, mandatory=True, title="Pflicht", title_en="Duty")
    plan = _plan(strategy_officer)
    with translation.override("de"):
        services.plan_suggest(plan=plan, actor=strategy_officer, order=[law])
    strategy_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = strategy_client.get(reverse("strategy:plan_detail", args=[plan.pk])).content.decode()
    assert "The budget 2027 cannot carry the mandatory measures" in page
    assert "50,000 € missing" in page
    assert f"“{law.code} Duty” is a legal obligation and must be in the plan." in page


def test_an_old_note_without_its_message_id_shows_as_written(strategy_officer):
    measure = make_measure()
    plan = _plan(strategy_officer)
    entry = PlanEntry.objects.create(
        plan=plan, measure=measure, start_year=2027, start_quarter=1, explanation="Alt."
    )
    assert entry.explanation_text == "Alt."
    entry.note = {"msgid": "Q%(quarter)s %(year)s", "params": {"quarter": 1}}  # broken: no year
    assert entry.explanation_text == "Alt."


def test_notes_round_trip_through_json():
    with translation.override("de"):
        made = notes.gettext("Earliest start %(start)s: %(reasons)s.") % {
            "start": notes.gettext("Q%(quarter)s %(year)s") % {"quarter": 2, "year": 2027},
            "reasons": notes.join(
                "; ", [notes.Number(Decimal("1234.5"), 2), notes.Date(dt.date(2026, 3, 5))]
            ),
        }
    data = notes.to_data(made)
    with translation.override("en"):
        assert notes.render(data) == "Earliest start Q2 2027: 1,234.50; 5 Mar 2026."
    with translation.override("de"):
        assert notes.render(data) == str(made)
