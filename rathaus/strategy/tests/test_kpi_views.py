"""The key-figure pages: who may see and change what, forms that keep what was typed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.core.models import AuditEntry
from rathaus.strategy.models import Kpi, KpiValue
from rathaus.strategy.services.kpis import kpi_create, kpi_value_record

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


@pytest.fixture
def survey(strategy_officer) -> Kpi:
    kpi = kpi_create(
        acting_user=strategy_officer,
        name="Zufriedenheit Bürgerservice",
        unit="percent",
        direction="higher",
        source="manual",
        baseline_value="35",
        baseline_year=2024,
        targets={TODAY.year: "60", TODAY.year + 1: "70"},
    )
    kpi_value_record(kpi, period=str(LAST_YEAR), value="48,5 %", actor=strategy_officer, note="Bürgerumfrage")
    return kpi


@pytest.fixture
def median_days(strategy_officer) -> Kpi:
    kpi = kpi_create(
        acting_user=strategy_officer,
        name="Bearbeitungsdauer",
        unit="days",
        direction="lower",
        source="computed",
        provider_key="cases.median_processing_days",
    )
    KpiValue.objects.create(
        kpi=kpi,
        period_start=TODAY,
        period_end=TODAY,
        value=Decimal("7.5"),
        source="computed",
        breakdown={"Bewohnerparkausweis": "4.25", "Hundesteuer": "11"},
    )
    return kpi


def url(name, kpi=None):
    return reverse(f"strategy:{name}", args=[kpi.pk] if kpi else [])


def page_urls(kpi):
    return [url("kpis"), url("kpi_detail", kpi)]


def manage_urls(kpi):
    return [url("kpi_new"), url("kpi_edit", kpi), url("kpi_record", kpi)]


# --- who may ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["strategy_client", "leadership_client", "department_head_client"])
def test_cockpit_readers_see_the_list_and_the_detail(request, reader, survey, median_days):
    client = request.getfixturevalue(reader)
    listing = client.get(url("kpis"))
    assert listing.status_code == 200
    text = listing.content.decode()
    assert "Zufriedenheit Bürgerservice" in text and "Bearbeitungsdauer" in text
    assert "48,5" in text
    detail = client.get(url("kpi_detail", survey))
    assert detail.status_code == 200
    assert "Bürgerumfrage" in detail.content.decode()


def test_only_the_strategy_office_sees_the_buttons_that_change(strategy_client, leadership_client, survey):
    assert url("kpi_record", survey) in strategy_client.get(url("kpi_detail", survey)).content.decode()
    assert url("kpi_record", survey) not in leadership_client.get(url("kpi_detail", survey)).content.decode()
    assert url("kpi_new") not in leadership_client.get(url("kpis")).content.decode()


@pytest.mark.parametrize("outsider", ["caseworker_client", "citizen_client"])
def test_caseworkers_and_citizens_are_refused_everywhere(request, outsider, survey):
    client = request.getfixturevalue(outsider)
    for path in page_urls(survey) + manage_urls(survey):
        status = client.get(path).status_code
        assert status in (403, 404), path
    assert client.post(url("kpi_snapshot_now")).status_code == 403
    response = client.post(url("kpi_record", survey), {"period": "2025", "value": "99"})
    assert response.status_code == 403
    assert survey.values.count() == 1
    assert AuditEntry.objects.filter(action="permission_denied").exists()


def test_leadership_may_read_but_not_write(leadership_client, survey):
    for path in manage_urls(survey):
        assert leadership_client.get(path).status_code == 403, path
    assert leadership_client.post(url("kpi_snapshot_now")).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login(client, survey):
    for path in page_urls(survey) + manage_urls(survey):
        response = client.get(path)
        assert response.status_code == 302, path
        assert reverse("accounts:login") in response["Location"]
    assert client.post(url("kpi_snapshot_now")).status_code == 302


def test_a_forged_id_is_not_found(strategy_client, survey):
    missing = Kpi.objects.order_by("-pk").first().pk + 100
    for name in ("kpi_detail", "kpi_record", "kpi_edit"):
        assert strategy_client.get(reverse(f"strategy:{name}", args=[missing])).status_code == 404


def test_snapshot_needs_post(strategy_client):
    assert strategy_client.get(url("kpi_snapshot_now")).status_code == 405


# --- the list and the detail ------------------------------------------------------------------------


def test_list_shows_unit_source_target_and_assessment(strategy_client, survey, median_days):
    text = strategy_client.get(url("kpis")).content.decode()
    assert "60\u00a0%" in text  # this year's target
    assert "Manual entry" in text or "Manuelle" in text or "manuell" in text.lower()
    assert "<caption" in text and 'scope="col"' in text


def test_detail_shows_chart_table_history_and_who_recorded(strategy_client, survey, strategy_officer):
    kpi_value_record(survey, period=f"Q1 {TODAY.year}", value="52", actor=strategy_officer)
    text = strategy_client.get(url("kpi_detail", survey)).content.decode()
    assert 'role="img"' in text and "<title" in text and "<desc" in text
    assert strategy_officer.get_full_name() in text
    assert f"Q1 {TODAY.year}" in text and str(LAST_YEAR) in text
    assert "70\u00a0%" in text  # next year's target in the targets table
    assert "35\u00a0%" in text  # baseline


def test_detail_of_a_computed_kpi_shows_the_breakdown(strategy_client, median_days):
    text = strategy_client.get(url("kpi_detail", median_days)).content.decode()
    assert "Bewohnerparkausweis" in text and "Hundesteuer" in text
    assert "4,25" in text
    assert url("kpi_record", median_days) not in text


# --- recording values ------------------------------------------------------------------------------


def test_recording_a_value(strategy_client, survey, strategy_officer):
    period = f"Q1 {TODAY.year}"
    response = strategy_client.post(
        url("kpi_record", survey), {"period": period, "value": "52,5 %", "note": ""}
    )
    assert response.status_code == 302
    stored = survey.values.get(period_start=dt.date(TODAY.year, 1, 1))
    assert stored.value == Decimal("52.5")
    assert stored.recorded_by == strategy_officer
    page = strategy_client.get(response["Location"]).content.decode()
    assert "52,5" in page


def test_recording_a_period_again_says_the_old_value_was_replaced(strategy_client, survey):
    response = strategy_client.post(
        url("kpi_record", survey), {"period": str(LAST_YEAR), "value": "50"}, follow=True
    )
    text = response.content.decode()
    assert "48,5" in text and "50" in text
    assert survey.values.get().value == Decimal("50")


@pytest.mark.parametrize(
    ("period", "value", "field", "fragment"),
    [
        (str(LAST_YEAR), "12 Tage", "value", "Percent|Prozent"),
        (f"{LAST_YEAR}-Q5", "45", "period", "5"),
        ("30.02.2025", "45", "period", "30.02.2025"),
        (str(TODAY.year + 1), "45", "period", str(TODAY.year + 1)),
        (str(LAST_YEAR), "145 %", "value", "100"),
    ],
)
def test_a_wrong_unit_or_period_is_shown_in_the_form_with_the_input_kept(
    strategy_client, survey, period, value, field, fragment
):
    response = strategy_client.post(
        url("kpi_record", survey), {"period": period, "value": value, "note": "Notiz"}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert any(part in " ".join(form.errors[field]) for part in fragment.split("|"))
    text = response.content.decode()
    assert f'value="{period}"' in text and f'value="{value}"' in text and "Notiz" in text
    assert 'aria-invalid="true"' in text or "kern-form-input--error" in text
    assert survey.values.count() == 1


def test_a_computed_kpi_has_no_entry_form(strategy_client, median_days):
    response = strategy_client.get(url("kpi_record", median_days))
    assert response.status_code == 302
    assert response["Location"] == url("kpi_detail", median_days)


# --- defining key figures --------------------------------------------------------------------------


def kpi_post(**overrides):
    data = {
        "name": "Digitale Bauanträge",
        "name_en": "",
        "key": "",
        "description": "",
        "description_en": "",
        "source": "manual",
        "provider_key": "",
        "unit": "percent",
        "direction": "higher",
        "baseline_value": "",
        "baseline_year": "",
        "field_of_action": "",
        "order": "0",
        "targets-TOTAL_FORMS": "3",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "60",
        "targets-0-year": str(TODAY.year),
        "targets-0-value": "30 %",
        "targets-1-year": str(TODAY.year + 1),
        "targets-1-value": "45,5",
        "targets-2-year": "",
        "targets-2-value": "",
    }
    data.update(overrides)
    return data


def test_creating_a_kpi_with_targets(strategy_client):
    response = strategy_client.post(url("kpi_new"), kpi_post())
    assert response.status_code == 302
    kpi = Kpi.objects.get(name="Digitale Bauanträge")
    assert response["Location"] == url("kpi_detail", kpi)
    assert dict(kpi.targets.values_list("year", "value")) == {
        TODAY.year: Decimal("30"),
        TODAY.year + 1: Decimal("45.5"),
    }


def test_new_form_lists_the_registered_figures(strategy_client):
    text = strategy_client.get(url("kpi_new")).content.decode()
    assert "cases.median_processing_days" in text and "booking.share_online_bookings" in text


def test_a_computed_kpi_in_the_wrong_unit_is_refused_in_the_form(strategy_client):
    response = strategy_client.post(
        url("kpi_new"),
        kpi_post(source="computed", provider_key="cases.median_processing_days", unit="percent"),
    )
    assert response.status_code == 200
    assert "unit" in response.context["form"].errors
    assert "Digitale Bauanträge" in response.content.decode()
    assert not Kpi.objects.exists()


def test_a_bad_target_is_refused_in_the_form(strategy_client):
    response = strategy_client.post(url("kpi_new"), kpi_post(**{"targets-0-value": "120 %"}))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'value="120 %"' in response.content.decode()
    assert not Kpi.objects.exists()


def test_a_target_without_year_or_a_year_twice_is_refused(strategy_client):
    response = strategy_client.post(
        url("kpi_new"), kpi_post(**{"targets-1-year": str(TODAY.year), "targets-2-value": "50"})
    )
    assert response.status_code == 200
    errors = [form.errors for form in response.context["targets"].forms]
    assert "year" in errors[1] and "year" in errors[2]
    assert not Kpi.objects.exists()


def test_editing_keeps_the_form_filled_and_saves(strategy_client, survey):
    page = strategy_client.get(url("kpi_edit", survey)).content.decode()
    assert 'value="Zufriedenheit Bürgerservice"' in page
    assert 'value="60"' in page and 'value="35"' in page
    response = strategy_client.post(
        url("kpi_edit", survey),
        kpi_post(
            name="Zufriedenheit",
            key=survey.key,
            baseline_value="35",
            baseline_year="2024",
            **{"targets-0-value": "65 %", "targets-1-value": ""},
        ),
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.name == "Zufriedenheit"
    assert dict(survey.targets.values_list("year", "value")) == {TODAY.year: Decimal("65")}


def test_snapshot_now_records_todays_values(strategy_client, median_days):
    kpi_create(
        acting_user=None,
        name="Anträge",
        unit="count",
        direction="higher",
        source="computed",
        provider_key="cases.applications_count",
    )
    response = strategy_client.post(url("kpi_snapshot_now"), follow=True)
    assert response.redirect_chain[-1][0] == url("kpis")
    counted = Kpi.objects.get(name="Anträge")
    assert counted.values.get(period_end=TODAY).value == 0
    # the median has nothing to measure without decided cases: today's value stays as it was
    assert median_days.values.get().value == Decimal("7.5")
    assert "1" in response.content.decode()


def test_a_kpi_is_linked_to_its_field_of_action_and_guidelines(strategy_client):
    from rathaus.strategy.tests.factories import make_field

    field = make_field()
    guideline = field.guidelines.get()
    page = strategy_client.get(url("kpi_new")).content.decode()
    assert field.title in page and guideline.title in page
    response = strategy_client.post(
        url("kpi_new"),
        kpi_post(field_of_action=str(field.pk), guidelines=[str(guideline.pk)], is_public="on"),
    )
    assert response.status_code == 302
    kpi = Kpi.objects.get()
    assert kpi.field_of_action == field
    assert list(kpi.guidelines.all()) == [guideline]
    assert kpi.is_public
