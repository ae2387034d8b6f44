"""Defining key figures, targets and manual values; snapshots of computed figures; assessments."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rathaus.core import kpi_registry
from rathaus.core.kpi_registry import KpiFigure
from rathaus.core.models import AuditEntry
from rathaus.strategy.models import Kpi, KpiValue
from rathaus.strategy.selectors.kpis import (
    kpi_assessment,
    kpi_latest,
    kpi_series,
    kpi_target_for,
    kpi_value_display,
    kpis_overview,
)
from rathaus.strategy.services.kpis import (
    kpi_create,
    kpi_snapshot_all,
    kpi_target_set,
    kpi_update,
    kpi_value_parse,
    kpi_value_record,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def manual(officer, unit="percent", direction="higher", **fields) -> Kpi:
    fields.setdefault("name", f"Zufriedenheit {unit}")
    return kpi_create(acting_user=officer, unit=unit, direction=direction, source="manual", **fields)


def computed(officer, provider_key, unit, **fields) -> Kpi:
    fields.setdefault("name", provider_key)
    return kpi_create(
        acting_user=officer,
        unit=unit,
        direction="higher",
        source="computed",
        provider_key=provider_key,
        **fields,
    )


def value(kpi, day, amount) -> KpiValue:
    return KpiValue.objects.create(
        kpi=kpi, period_start=day, period_end=day, value=Decimal(amount), source=kpi.source
    )


@pytest.fixture
def temporary_providers():
    """Providers registered only for one test: a broken one, an empty one, a steady one."""

    def broken(as_of=None):
        raise RuntimeError("the figure's database is away")

    keys = {
        "test.broken": broken,
        "test.empty": lambda as_of=None: KpiFigure(None),
        "test.steady": lambda as_of=None: KpiFigure(Decimal("42.123456"), {"Amt 1": Decimal("40")}),
    }
    for key, func in keys.items():
        kpi_registry.register(key, label=key, unit="percent", direction="higher")(func)
    yield keys
    for key in keys:
        kpi_registry._providers.pop(key, None)


# --- defining key figures ------------------------------------------------------------------------


def test_a_manual_kpi_gets_a_key_from_its_name_and_an_audit_entry(strategy_officer):
    kpi = manual(strategy_officer, name="Zufriedenheit mit dem Bürgerservice")
    assert kpi.key == "zufriedenheit-mit-dem-burgerservice"
    assert kpi.provider_key == ""
    assert AuditEntry.objects.filter(action="strategy_kpi_created", object_id=str(kpi.pk)).exists()
    again = manual(strategy_officer, name="Zufriedenheit mit dem Bürgerservice")
    assert again.key == "zufriedenheit-mit-dem-burgerservice-2"


def test_a_computed_kpi_needs_a_registered_figure(strategy_officer):
    with pytest.raises(ValidationError) as refused:
        computed(strategy_officer, "cases.does_not_exist", "percent")
    assert "provider_key" in refused.value.message_dict
    assert "cases.does_not_exist" in refused.value.message_dict["provider_key"][0]
    with pytest.raises(ValidationError) as refused:
        computed(strategy_officer, "", "percent")
    assert "provider_key" in refused.value.message_dict
    assert not Kpi.objects.exists()


def test_a_computed_kpi_must_have_its_figures_unit(strategy_officer):
    with pytest.raises(ValidationError) as refused:
        computed(strategy_officer, "cases.median_processing_days", "percent")
    message = refused.value.message_dict["unit"][0]
    assert "Days" in message or "Tage" in message
    assert "Percent" in message or "Prozent" in message
    kpi = computed(strategy_officer, "cases.median_processing_days", "days")
    assert kpi.source == "computed"


def test_a_manual_kpi_forgets_a_stray_provider_key(strategy_officer):
    kpi = manual(strategy_officer, provider_key="cases.applications_count")
    assert kpi.provider_key == ""


def test_baseline_is_parsed_in_the_kpis_unit_and_needs_its_year(strategy_officer):
    kpi = manual(strategy_officer, unit="days", baseline_value="12,5 Tage", baseline_year=2024)
    assert kpi.baseline_value == Decimal("12.5")
    with pytest.raises(ValidationError) as refused:
        manual(strategy_officer, name="Ohne Jahr", baseline_value="10")
    assert "baseline_year" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        manual(
            strategy_officer, name="Falsche Einheit", baseline_value="10 %", baseline_year=2024, unit="days"
        )
    assert "baseline_value" in refused.value.message_dict


def test_a_duplicate_key_is_refused_with_a_message(strategy_officer):
    manual(strategy_officer, key="quote")
    with pytest.raises(ValidationError) as refused:
        manual(strategy_officer, key="quote", name="Andere")
    assert "key" in refused.value.message_dict


def test_targets_are_set_with_the_kpi_and_replaced_on_update(strategy_officer):
    kpi = manual(strategy_officer, targets={2026: "50 %", 2027: "60,5"})
    assert dict(kpi.targets.values_list("year", "value")) == {2026: Decimal("50"), 2027: Decimal("60.5")}
    kpi_update(kpi=kpi, acting_user=strategy_officer, name="Neu", targets={2027: "65", 2028: Decimal(70)})
    kpi.refresh_from_db()
    assert kpi.name == "Neu"
    assert dict(kpi.targets.values_list("year", "value")) == {2027: Decimal("65"), 2028: Decimal("70")}


def test_a_bad_target_refuses_the_whole_change(strategy_officer):
    kpi = manual(strategy_officer, targets={2026: "50"})
    with pytest.raises(ValidationError) as refused:
        kpi_update(kpi=kpi, acting_user=strategy_officer, name="Kaputt", targets={2026: "150 %"})
    assert "2026" in refused.value.message_dict["targets"][0]
    kpi.refresh_from_db()
    assert kpi.name != "Kaputt"
    assert kpi.targets.get().value == Decimal("50")


def test_the_unit_stays_once_values_exist(strategy_officer):
    kpi = manual(strategy_officer)
    kpi_value_record(kpi, period="2025", value="40", actor=strategy_officer)
    with pytest.raises(ValidationError) as refused:
        kpi_update(kpi=kpi, acting_user=strategy_officer, unit="days")
    assert "unit" in refused.value.message_dict
    kpi.refresh_from_db()
    assert kpi.unit == "percent"


def test_kpi_target_set_sets_changes_and_removes(strategy_officer):
    kpi = manual(strategy_officer)
    kpi_target_set(kpi, 2026, "55 %")
    kpi_target_set(kpi, 2026, Decimal("57.5"))
    assert kpi_target_for(kpi, 2026) == Decimal("57.5")
    assert kpi_target_set(kpi, 2026, None) is None
    assert kpi_target_for(kpi, 2026) is None
    with pytest.raises(ValidationError):
        kpi_target_set(kpi, 2026, "101")
    with pytest.raises(ValidationError):
        kpi_target_set(kpi, 1850, "10")
    with pytest.raises(ValidationError):
        kpi_target_set(kpi, 2026, "3 Tage")


# --- values as typed ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("45 %", "percent", "45"),
        ("45,5 Prozent", "percent", "45.5"),
        ("45,5", "percent", "45.5"),
        ("100 %", "percent", "100"),
        ("0", "percent", "0"),
        ("12 Tage", "days", "12"),
        ("1 Tag", "days", "1"),
        ("2,25 d", "days", "2.25"),
        ("1.200 €", "euro", "1200"),
        ("1.200,50 EUR", "euro", "1200.50"),
        ("€ 3.000.000", "euro", "3000000"),
        ("3 h", "hours", "3"),
        ("1,5 Stunden", "hours", "1.5"),
        ("1.200", "count", "1200"),
        ("1 200 Stück", "count", "1200"),
        ("7", "count", "7"),
    ],
)
def test_values_are_read_as_germans_write_them(text, unit, expected):
    assert kpi_value_parse(text, unit=unit) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "unit", "code"),
    [
        ("45 Tage", "percent", "wrong_unit"),
        ("12 %", "days", "wrong_unit"),
        ("1.200 €", "count", "wrong_unit"),
        ("3 h", "days", "wrong_unit"),
        ("100,5 %", "percent", "percent_range"),
        ("-1", "percent", "negative"),
        ("−3 Tage", "days", "negative"),
        ("-5", "count", "negative"),
        ("2,5", "count", "whole"),
        ("viel", "count", "invalid"),
        ("12 5", "count", "invalid"),
        ("1.20.0", "count", "invalid"),
        ("12 Äpfel", "count", "unknown_unit"),
        ("", "count", "required"),
    ],
)
def test_values_that_do_not_fit_are_refused(text, unit, code):
    with pytest.raises(ValidationError) as refused:
        kpi_value_parse(text, unit=unit, kpi_name="Testzahl")
    assert refused.value.code == code


def test_a_wrong_unit_message_names_both_units(strategy_officer):
    kpi = manual(strategy_officer, name="Online-Quote")
    with pytest.raises(ValidationError) as refused:
        kpi_value_record(kpi, period="2025", value="12 Tage", actor=strategy_officer)
    message = refused.value.message_dict["value"][0]
    assert ("Days" in message or "Tage" in message) and ("Percent" in message or "Prozent" in message)
    assert "Online-Quote" in message
    assert not KpiValue.objects.exists()


# --- recording manual values ----------------------------------------------------------------------


def test_recording_a_value_keeps_who_and_when_and_audits_it(strategy_officer):
    kpi = manual(strategy_officer)
    record = kpi_value_record(kpi, period="Q3 2025", value="45,5 %", actor=strategy_officer, note="Umfrage")
    record.refresh_from_db()
    assert (record.period_start, record.period_end) == (dt.date(2025, 7, 1), dt.date(2025, 9, 30))
    assert record.value == Decimal("45.5")
    assert record.recorded_by == strategy_officer
    assert record.recorded_at is not None
    assert record.source == "manual"
    assert record.note == "Umfrage"
    entry = AuditEntry.objects.get(action="strategy_kpi_value_recorded")
    assert entry.actor_id == strategy_officer.pk
    assert entry.details["period"] == "Q3 2025"


def test_recording_the_same_period_again_replaces_the_value_and_says_so(
    strategy_officer, second_strategy_officer
):
    kpi = manual(strategy_officer)
    first = kpi_value_record(kpi, period="2025-Q3", value="40", actor=strategy_officer)
    assert first.previous_value is None
    second = kpi_value_record(kpi, period="Q3 2025", value="45", actor=second_strategy_officer)
    assert second.previous_value == Decimal("40")
    assert KpiValue.objects.count() == 1
    stored = KpiValue.objects.get()
    assert stored.value == Decimal("45")
    assert stored.recorded_by == second_strategy_officer
    assert AuditEntry.objects.filter(action="strategy_kpi_value_replaced").exists()


def test_a_period_that_does_not_exist_or_lies_ahead_is_refused_with_the_value_checked_too(strategy_officer):
    kpi = manual(strategy_officer)
    with pytest.raises(ValidationError) as refused:
        kpi_value_record(kpi, period="2026-Q5", value="120 %", actor=strategy_officer)
    assert set(refused.value.message_dict) == {"period", "value"}
    with pytest.raises(ValidationError) as refused:
        kpi_value_record(kpi, period=str(TODAY.year + 1), value="20", actor=strategy_officer)
    assert "period" in refused.value.message_dict
    assert not KpiValue.objects.exists()


def test_values_of_computed_kpis_cannot_be_entered(strategy_officer):
    kpi = computed(strategy_officer, "cases.applications_count", "count")
    with pytest.raises(ValidationError):
        kpi_value_record(kpi, period="2025", value="12", actor=strategy_officer)


# --- snapshots -----------------------------------------------------------------------------------


def test_snapshot_records_one_value_per_computed_kpi_and_day_and_refreshes_it(
    strategy_officer, temporary_providers, caplog
):
    steady = computed(strategy_officer, "test.steady", "percent")
    broken = computed(strategy_officer, "test.broken", "percent")
    empty = computed(strategy_officer, "test.empty", "percent")
    hand = manual(strategy_officer)
    with caplog.at_level(logging.ERROR, logger="rathaus.strategy.services.kpis"):
        recorded = kpi_snapshot_all(as_of=TODAY)
    assert [v.kpi for v in recorded] == [steady]
    assert "test.broken" in caplog.text
    stored = KpiValue.objects.get(kpi=steady)
    assert (stored.period_start, stored.period_end) == (TODAY, TODAY)
    assert stored.value == Decimal("42.1235")
    assert stored.breakdown == {"Amt 1": "40"}
    assert stored.source == "computed"
    assert stored.recorded_by is None
    # the hourly job runs again the same day: the value is refreshed, not duplicated
    temporary_providers["test.steady"] = lambda as_of=None: KpiFigure(Decimal("43"))
    kpi_registry.register("test.steady", label="x", unit="percent", direction="higher")(
        temporary_providers["test.steady"]
    )
    kpi_snapshot_all()
    assert KpiValue.objects.filter(kpi=steady).count() == 1
    assert KpiValue.objects.get(kpi=steady).value == Decimal("43")
    assert not KpiValue.objects.filter(kpi__in=[broken, empty, hand]).exists()


def test_snapshot_of_another_day_adds_a_value_and_passes_the_day_to_the_figure(
    strategy_officer, temporary_providers
):
    days = []

    def remember(as_of=None):
        days.append(as_of)
        return KpiFigure(Decimal(len(days)))

    kpi_registry.register("test.steady", label="x", unit="percent", direction="higher")(remember)
    kpi = computed(strategy_officer, "test.steady", "percent")
    yesterday = TODAY - dt.timedelta(days=1)
    kpi_snapshot_all(as_of=yesterday)
    kpi_snapshot_all(as_of=TODAY, acting_user=strategy_officer)
    assert days == [yesterday, TODAY]
    assert kpi_series(kpi) == [(yesterday, Decimal("1")), (TODAY, Decimal("2"))]
    assert AuditEntry.objects.filter(action="strategy_kpi_snapshot", actor_id=strategy_officer.pk).exists()


def test_a_registered_figure_that_disappears_is_skipped(strategy_officer, temporary_providers):
    kpi = computed(strategy_officer, "test.steady", "percent")
    kpi_registry._providers.pop("test.steady")
    assert kpi_snapshot_all() == []
    assert not kpi.values.exists()


def test_the_real_figures_can_be_snapshot(strategy_officer, department):
    kpi = computed(strategy_officer, "cases.applications_count", "count")
    share = computed(strategy_officer, "cases.channel_share_online", "percent")
    recorded = kpi_snapshot_all()
    assert [v.kpi for v in recorded] == [kpi]  # no applications: a count of 0, a share of nothing
    assert recorded[0].value == 0
    assert not share.values.exists()


# --- reading and assessing ------------------------------------------------------------------------


def test_latest_series_and_targets(strategy_officer):
    kpi = manual(strategy_officer)
    kpi_value_record(kpi, period="2024", value="30", actor=strategy_officer)
    kpi_value_record(kpi, period="Q2 2025", value="38", actor=strategy_officer)
    kpi_value_record(kpi, period="06/2025", value="39", actor=strategy_officer)
    assert kpi_series(kpi) == [
        (dt.date(2024, 12, 31), Decimal("30")),
        (dt.date(2025, 6, 30), Decimal("38")),
        (dt.date(2025, 6, 30), Decimal("39")),
    ]
    assert kpi_latest(kpi).value == Decimal("39")  # the month is more recent than its quarter


@pytest.mark.parametrize(
    ("direction", "values", "target", "on_track", "trend", "improving"),
    [
        ("higher", ["40", "45"], "45", True, "up", True),
        ("higher", ["50", "44"], "45", False, "down", False),
        ("lower", ["12", "9"], "10", True, "down", True),
        ("lower", ["9", "11"], "10", False, "up", False),
        ("lower", ["9", "9"], "10", True, "flat", None),
        ("higher", ["40"], None, None, None, None),
    ],
)
def test_assessment_knows_which_way_is_better(
    strategy_officer, direction, values, target, on_track, trend, improving
):
    kpi = manual(strategy_officer, unit="days", direction=direction)
    for offset, amount in enumerate(values):
        value(kpi, dt.date(LAST_YEAR, 1, 1) + dt.timedelta(days=offset), amount)
    if target:
        kpi_target_set(kpi, LAST_YEAR, target)
    assessment = kpi_assessment(kpi, LAST_YEAR)
    assert assessment.value == Decimal(values[-1])
    assert assessment.target == (Decimal(target) if target else None)
    assert (assessment.on_track, assessment.trend, assessment.improving) == (on_track, trend, improving)
    assert kpis_overview(LAST_YEAR) == [assessment]


def test_assessment_without_values(strategy_officer):
    kpi = manual(strategy_officer, baseline_value="20", baseline_year=2023, targets={TODAY.year: "50"})
    assessment = kpi_assessment(kpi)
    assert assessment.latest is None
    assert assessment.on_track is None
    assert assessment.baseline == Decimal("20")
    assert assessment.target == Decimal("50")
    assert assessment.year == TODAY.year


def test_overview_of_many_kpis_takes_a_fixed_number_of_queries(
    strategy_officer, django_assert_max_num_queries
):
    for n in range(6):
        kpi = manual(strategy_officer, name=f"Kennzahl {n}", targets={TODAY.year: "50"})
        for day in range(4):
            value(kpi, dt.date(LAST_YEAR, 3, 1) + dt.timedelta(days=day), 40 + n + day)
    with django_assert_max_num_queries(4):
        rows = kpis_overview()
    assert [r.value for r in rows] == [Decimal(43 + n) for n in range(6)]
    assert all(r.trend == "up" and r.on_track is False for r in rows)


def test_values_are_shown_with_their_unit_in_german():
    from django.utils import translation

    with translation.override("de"):
        assert kpi_value_display(Decimal("45.5000"), "percent") == "45,5\u00a0%"
        assert kpi_value_display(Decimal("1200"), "euro") == "1.200,00\u00a0€"
        assert kpi_value_display(Decimal("12"), "count") == "12"
        assert kpi_value_display(Decimal("1234567"), "count") == "1.234.567"
        assert kpi_value_display(None, "percent") == "–"
        assert "2,25" in kpi_value_display(Decimal("2.25"), "days")
