"""Pages of the measures plan: who sees what, who may change it, and what the pages say."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import PlanStatus
from rathaus.strategy.models import MeasureDependency, Plan, PlanEntry, PlanExclusion
from rathaus.strategy.services import planning as services

from .factories import make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def measures(db):
    base = make_measure(investment=20000, effort=10, duration=2, title="Basis")
    top = make_measure(investment=20000, effort=10, duration=1, title="Aufbau")
    law = make_measure(investment=5000, effort=5, duration=1, mandatory=True, title="Pflicht")
    huge = make_measure(investment=900000, effort=10, duration=4, title="Riesig")
    MeasureDependency.objects.create(measure=top, requires=base)
    return {"base": base, "top": top, "law": law, "huge": huge}


@pytest.fixture
def plan(strategy_officer, measures):
    plan = services.plan_create(
        name="Maßnahmenplan 2027–2028",
        first_year=2027,
        last_year=2028,
        limits={2027: (Decimal(100000), 100), 2028: (Decimal(100000), 100)},
        actor=strategy_officer,
    )
    services.plan_suggest(
        plan=plan,
        actor=strategy_officer,
        order=[measures["huge"], measures["top"], measures["base"], measures["law"]],
    )
    return plan


def urls(plan, measure):
    return [
        reverse("strategy:plans"),
        reverse("strategy:plan_detail", args=[plan.pk]),
        reverse("strategy:plan_limits", args=[plan.pk]),
        reverse("strategy:plan_entry", args=[plan.pk, measure.pk]),
        reverse("strategy:plan_export", args=[plan.pk]),
    ]


def test_every_page_opens_for_the_strategy_office_and_the_leadership(
    strategy_client, leadership_client, department_head_client, plan, measures
):
    for client in (strategy_client, leadership_client, department_head_client):
        for url in urls(plan, measures["top"]):
            assert client.get(url).status_code == 200, url


def test_caseworkers_and_citizens_are_refused(caseworker_client, citizen_client, plan, measures):
    for client in (caseworker_client, citizen_client):
        assert client.get(reverse("strategy:plans")).status_code == 403
        for url in urls(plan, measures["top"])[1:]:
            assert client.get(url).status_code == 404, url
        response = client.post(reverse("strategy:plan_suggest", args=[plan.pk]))
        assert response.status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count() >= 12


def test_anonymous_visitors_are_sent_to_the_login(plan, measures):
    login = reverse("accounts:login")
    client = Client()
    for url in [*urls(plan, measures["top"]), reverse("strategy:plan_suggest", args=[plan.pk])]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login), url


def test_a_forged_plan_or_measure_id_is_not_found(strategy_client, plan, measures):
    missing = Plan.objects.order_by("-pk").first().pk + 100
    assert strategy_client.get(reverse("strategy:plan_detail", args=[missing])).status_code == 404
    assert strategy_client.post(reverse("strategy:plan_suggest", args=[missing])).status_code == 404
    assert strategy_client.get(reverse("strategy:plan_export", args=[missing])).status_code == 404
    url = reverse("strategy:plan_entry", args=[plan.pk, measures["top"].pk + 1000])
    assert strategy_client.get(url).status_code == 404


# --- list and create ----------------------------------------------------------------------------------


def test_strategy_office_creates_a_plan(strategy_client):
    response = strategy_client.post(
        reverse("strategy:plans"),
        {
            "name": "Plan 2027",
            "first_year": "2027",
            "last_year": "2029",
            "budget": "1.200.000,50",
            "capacity": "300",
        },
    )
    plan = Plan.objects.get(name="Plan 2027")
    assert response.status_code == 302
    assert response.url == reverse("strategy:plan_detail", args=[plan.pk])
    assert list(plan.years.values_list("year", "budget")) == [
        (2027, Decimal("1200000.50")),
        (2028, Decimal("1200000.50")),
        (2029, Decimal("1200000.50")),
    ]


def test_the_create_form_sent_three_times_makes_one_plan(strategy_client):
    page = strategy_client.get(reverse("strategy:plans"))
    token = page.context["form"].initial["token"]
    assert f'value="{token}"' in page.content.decode()
    data = {
        "name": "Plan 2030",
        "first_year": "2030",
        "last_year": "2031",
        "budget": "1000",
        "capacity": "10",
    }
    responses = [strategy_client.post(reverse("strategy:plans"), {**data, "token": token}) for _ in range(3)]
    plan = Plan.objects.get()
    assert [r.status_code for r in responses] == [302, 302, 302]
    assert {r.url for r in responses} == {reverse("strategy:plan_detail", args=[plan.pk])}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "There is already a plan called “Plan 2030” for 2030–2031."),
        ("de", "Es gibt bereits einen Plan „Plan 2030“ für 2030–2031."),
    ],
)
def test_a_second_plan_of_the_same_name_and_period_is_refused_with_a_message(
    strategy_client, language, message
):
    strategy_client.cookies["rathaus_language"] = language
    data = {
        "name": "Plan 2030",
        "first_year": "2030",
        "last_year": "2031",
        "budget": "1000",
        "capacity": "10",
    }
    assert strategy_client.post(reverse("strategy:plans"), {**data, "token": "one"}).status_code == 302
    response = strategy_client.post(reverse("strategy:plans"), {**data, "token": "two"})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Plan.objects.count() == 1


def test_a_plan_longer_than_ten_years_is_refused_on_the_form(strategy_client):
    response = strategy_client.post(
        reverse("strategy:plans"),
        {"name": "Zu lang", "first_year": "2027", "last_year": "2040", "budget": "1000", "capacity": "10"},
    )
    assert response.status_code == 200
    assert (
        "höchstens 10 Jahre" in response.content.decode() or "at most 10 years" in response.content.decode()
    )
    assert not Plan.objects.filter(name="Zu lang").exists()


def test_readers_see_no_create_form_and_cannot_post(leadership_client, plan):
    page = leadership_client.get(reverse("strategy:plans")).content.decode()
    assert plan.name in page
    assert 'name="first_year"' not in page
    response = leadership_client.post(
        reverse("strategy:plans"),
        {"name": "X", "first_year": "2027", "last_year": "2027", "budget": "1", "capacity": "1"},
    )
    assert response.status_code == 403
    assert not Plan.objects.filter(name="X").exists()


# --- the plan page ------------------------------------------------------------------------------------


def test_plan_page_shows_timeline_usage_and_what_was_left_out(strategy_client, plan, measures):
    page = strategy_client.get(reverse("strategy:plan_detail", args=[plan.pk])).content.decode()
    assert f"{measures['base'].code} Basis" in page
    assert 'scope="colgroup" colspan="4">2027' in page
    assert '<span aria-hidden="true">■</span><span class="kern-sr-only">' in page  # not colour alone
    assert f'id="massnahme-{measures["huge"].pk}"' in page  # in the list of measures left out
    assert PlanExclusion.objects.get(plan=plan).explanation in page
    assert reverse("strategy:plan_suggest", args=[plan.pk]) in page
    assert reverse("strategy:plan_adopt", args=[plan.pk]) in page


def test_leadership_reads_the_plan_without_write_buttons_and_cannot_post(leadership_client, plan, measures):
    page = leadership_client.get(reverse("strategy:plan_detail", args=[plan.pk])).content.decode()
    assert f"{measures['base'].code} Basis" in page
    assert reverse("strategy:plan_suggest", args=[plan.pk]) not in page
    assert reverse("strategy:plan_adopt", args=[plan.pk]) not in page
    entry_page = leadership_client.get(reverse("strategy:plan_entry", args=[plan.pk, measures["top"].pk]))
    assert 'name="quarter"' not in entry_page.content.decode()
    limits_page = leadership_client.get(reverse("strategy:plan_limits", args=[plan.pk]))
    assert 'name="budget_2027"' not in limits_page.content.decode()
    before = dict(PlanEntry.objects.filter(plan=plan).values_list("measure_id", "start_quarter"))
    for name, args, data in [
        ("strategy:plan_suggest", [plan.pk], {}),
        ("strategy:plan_adopt", [plan.pk], {}),
        ("strategy:plan_limits", [plan.pk], {"budget_2027": "1", "capacity_2027": "1"}),
        ("strategy:plan_entry", [plan.pk, measures["top"].pk], {"year": "2028", "quarter": "1"}),
        ("strategy:plan_entry_remove", [plan.pk, measures["top"].pk], {}),
    ]:
        assert leadership_client.post(reverse(name, args=args), data).status_code == 403, name
    assert dict(PlanEntry.objects.filter(plan=plan).values_list("measure_id", "start_quarter")) == before
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT


def test_suggest_twice_is_harmless(strategy_client, plan):
    url = reverse("strategy:plan_suggest", args=[plan.pk])

    def state():
        entries = PlanEntry.objects.filter(plan=plan).values_list("measure_id", "start_year", "start_quarter")
        exclusions = PlanExclusion.objects.filter(plan=plan).values_list(
            "measure_id", "reason", "explanation"
        )
        return sorted(entries), sorted(exclusions)

    assert strategy_client.post(url).status_code == 302
    first = state()
    assert strategy_client.post(url).status_code == 302
    assert state() == first
    assert first[0]  # the mandatory measure at least
    assert strategy_client.get(url).status_code == 405


def test_suggest_with_an_unbearable_mandatory_measure_says_so(strategy_client, strategy_officer):
    make_measure(investment=500000, duration=1, mandatory=True)
    plan = services.plan_create(
        name="Knapp",
        first_year=2027,
        last_year=2027,
        limits={2027: (Decimal(1000), 10)},
        actor=strategy_officer,
    )
    response = strategy_client.post(reverse("strategy:plan_suggest", args=[plan.pk]), follow=True)
    page = response.content.decode()
    assert "2027" in page
    assert "499.000" in page  # what is missing, in German format
    plan.refresh_from_db()
    assert plan.problems[0]["kind"] == "infeasible"


def test_limits_page_saves_and_checks_again(strategy_client, plan):
    url = reverse("strategy:plan_limits", args=[plan.pk])
    page = strategy_client.get(url).content.decode()
    assert 'name="budget_2027"' in page and 'name="capacity_2028"' in page
    response = strategy_client.post(
        url,
        {"budget_2027": "10.000", "capacity_2027": "100", "budget_2028": "100.000", "capacity_2028": "100"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.years.get(year=2027).budget == Decimal(10000)
    assert any(p["kind"] == "budget" for p in plan.problems)
    detail = strategy_client.get(reverse("strategy:plan_detail", args=[plan.pk])).content.decode()
    assert "kern-alert--danger" in detail
    assert reverse("strategy:plan_adopt", args=[plan.pk]) not in detail


def test_limits_page_refuses_a_negative_budget(strategy_client, plan):
    response = strategy_client.post(
        reverse("strategy:plan_limits", args=[plan.pk]),
        {"budget_2027": "-5", "capacity_2027": "100", "budget_2028": "100", "capacity_2028": "100"},
    )
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode() or "kern-error" in response.content.decode()
    assert plan.years.get(year=2027).budget == Decimal(100000)


@pytest.mark.parametrize(
    ("typed", "language", "amount"),
    [
        ("1.200.000,50", "de", Decimal("1200000.50")),
        ("1200000,5", "de", Decimal("1200000.5")),
        ("1.200.000 €", "de", Decimal("1200000")),
        ("1200.50", "de", Decimal("1200.50")),
        ("1,200,000.50", "en", Decimal("1200000.50")),
    ],
)
def test_amounts_are_read_as_people_type_them(typed, language, amount):
    from django.utils import translation

    from rathaus.strategy.forms_planning import EuroField

    with translation.override(language):
        assert EuroField(localize=True).clean(typed) == amount


def test_irregular_grouping_is_refused():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from rathaus.strategy.forms_planning import EuroField

    with translation.override("de"), pytest.raises(ValidationError):
        EuroField(localize=True).clean("1.20.000")


# --- one measure ----------------------------------------------------------------------------------------


def test_move_by_form_places_the_measure_by_hand(strategy_client, plan, measures):
    top = measures["top"]
    url = reverse("strategy:plan_entry", args=[plan.pk, top.pk])
    assert 'name="quarter"' in strategy_client.get(url).content.decode()
    response = strategy_client.post(url, {"year": "2028", "quarter": "2"})
    assert response.status_code == 302
    assert response.url.endswith(f"#massnahme-{top.pk}")
    entry = PlanEntry.objects.get(plan=plan, measure=top)
    assert (entry.start_year, entry.start_quarter, entry.is_manual) == (2028, 2, True)


def test_a_refused_move_shows_the_reason_and_keeps_the_placement(strategy_client, plan, measures):
    top = measures["top"]
    before = PlanEntry.objects.get(plan=plan, measure=top)
    url = reverse("strategy:plan_entry", args=[plan.pk, top.pk])
    response = strategy_client.post(url, {"year": "2027", "quarter": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert measures["base"].code in page and 'role="alert"' in page
    after = PlanEntry.objects.get(plan=plan, measure=top)
    assert (after.start_year, after.start_quarter, after.is_manual) == (
        before.start_year,
        before.start_quarter,
        False,
    )


def test_an_invalid_quarter_is_a_form_error(strategy_client, plan, measures):
    url = reverse("strategy:plan_entry", args=[plan.pk, measures["top"].pk])
    response = strategy_client.post(url, {"year": "2035", "quarter": "7"})
    assert response.status_code == 200
    assert "kern-error" in response.content.decode()


def test_remove_by_form_and_mandatory_refusal(strategy_client, plan, measures):
    law = measures["law"]
    page = strategy_client.get(reverse("strategy:plan_entry", args=[plan.pk, law.pk])).content.decode()
    assert reverse("strategy:plan_entry_remove", args=[plan.pk, law.pk]) not in page
    response = strategy_client.post(reverse("strategy:plan_entry_remove", args=[plan.pk, law.pk]))
    assert response.status_code == 302
    assert PlanEntry.objects.filter(plan=plan, measure=law).exists()
    response = strategy_client.post(reverse("strategy:plan_entry_remove", args=[plan.pk, measures["top"].pk]))
    assert response.url == reverse("strategy:plan_detail", args=[plan.pk])
    assert not PlanEntry.objects.filter(plan=plan, measure=measures["top"]).exists()


def test_adopt_by_button(strategy_client, plan, measures):
    response = strategy_client.post(reverse("strategy:plan_adopt", args=[plan.pk]))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ADOPTED
    measures["base"].refresh_from_db()
    assert measures["base"].planned_start is not None


# --- export -----------------------------------------------------------------------------------------------


def test_csv_export_lists_placed_and_left_out_measures(leadership_client, plan, measures):
    response = leadership_client.get(reverse("strategy:plan_export", args=[plan.pk]))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert len(rows) == 1 + 4
    codes = [row[0] for row in rows[1:]]
    assert set(codes) == {m.code for m in measures.values()}
    huge = next(row for row in rows if row[0] == measures["huge"].code)
    assert huge[4] == "" and huge[7] == "900000,00"


def test_csv_export_defuses_formulas(strategy_client, strategy_officer, plan):
    sneaky = make_measure(title="=HYPERLINK(1)")
    services.plan_entry_move(plan=plan, measure=sneaky, year=2028, quarter=3, actor=strategy_officer)
    text = strategy_client.get(reverse("strategy:plan_export", args=[plan.pk])).content.decode()
    assert "'=HYPERLINK(1)" in text
