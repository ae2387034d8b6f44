"""Versions of the strategy: snapshots keyed by codes, numbered versions, visible differences."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from rathaus.core.models import AuditEntry
from rathaus.strategy import versioning
from rathaus.strategy.models import Measure, MeasureDependency, Strategy, StrategyVersion
from rathaus.strategy.services import structure as services

from .factories import make_area, make_field, make_guideline, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy_data(department):
    Strategy.objects.create(
        pk=1, mission_statement="Regensburg wird digital.", adopted_on=dt.date(2025, 7, 1)
    )
    area = make_area(number=1, name="Interaktion")
    guideline = make_guideline(area, title="Digital zuerst", motto="„Online vor Schalter“")
    field = make_field(area, [guideline], title="Online-Dienste")
    first = make_measure(field, department, investment="12500.5", title="Hochzeitskalender")
    second = make_measure(field, department, investment=0, title="Sportstätten")
    Measure.objects.filter(pk=first.pk).update(code="M-01", planned_start=dt.date(2026, 1, 1))
    Measure.objects.filter(pk=second.pk).update(code="M-02")
    MeasureDependency.objects.create(measure=second, requires=first)
    return {"area": area, "guideline": guideline, "field": field, "first": first, "second": second}


def test_the_snapshot_is_json_keyed_by_codes_and_numbers(strategy_data, department):
    snapshot = versioning.strategy_snapshot()
    assert json.loads(json.dumps(snapshot)) == snapshot  # plain JSON, nothing lost
    guideline, field = strategy_data["guideline"], strategy_data["field"]
    assert snapshot["mission"]["mission_statement"] == "Regensburg wird digital."
    assert snapshot["mission"]["adopted_on"] == "2025-07-01"
    assert snapshot["areas"]["1"]["name"] == "Interaktion 1"
    assert snapshot["guidelines"][str(guideline.number)] == {
        "area": 1,
        "title": "Digital zuerst",
        "motto": "„Online vor Schalter“",
        "text": guideline.text,
    }
    assert snapshot["fields_of_action"][field.code]["guidelines"] == [guideline.number]
    m1, m2 = snapshot["measures"]["M-01"], snapshot["measures"]["M-02"]
    assert m1["investment_cost"] == "12500.50"
    assert m2["investment_cost"] == "0.00"
    assert m1["planned_start"] == "2026-01-01" and m1["planned_end"] is None
    assert m1["department"] == department.code
    assert m1["guidelines"] == [guideline.number]
    assert m2["dependencies"] == ["M-01"]
    assert m1["status"] == "candidate"


def test_the_snapshot_reads_in_a_fixed_number_of_queries(strategy_data, django_assert_max_num_queries):
    for _ in range(5):
        make_measure(strategy_data["field"])
    with django_assert_max_num_queries(9):
        versioning.strategy_snapshot()


def test_versions_are_numbered_one_after_another(strategy_data, strategy_officer):
    assert versioning.current_version() is None
    first = versioning.strategy_version_create("Beschluss 2025", "Stadtratsbeschluss", strategy_officer)
    second = versioning.strategy_version_create("Fortschreibung 2026", "", strategy_officer)
    assert (first.number, second.number) == (1, 2)
    assert versioning.current_version() == second
    assert first.snapshot["measures"]["M-01"]["title"] == "Hochzeitskalender"
    assert first.created_by == strategy_officer
    assert AuditEntry.objects.filter(action=versioning.VERSION_CREATED).count() == 2


def test_a_version_needs_a_label(strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        versioning.strategy_version_create("  ", "Grund", strategy_officer)
    assert "label" in excinfo.value.message_dict
    assert not StrategyVersion.objects.exists()


def test_a_taken_number_is_retried(strategy_officer, monkeypatch):
    """Another process took the number between reading the highest and saving: the next one wins."""
    StrategyVersion.objects.create(number=1, label="alt", snapshot={})
    real_aggregate = StrategyVersion.objects.aggregate
    calls = []

    def stale_then_real(*args, **kwargs):
        calls.append(1)
        return {"n": 0} if len(calls) == 1 else real_aggregate(*args, **kwargs)

    monkeypatch.setattr(StrategyVersion.objects, "aggregate", stale_then_real)
    version = versioning.strategy_version_create("neu", "", strategy_officer)
    assert version.number == 2
    assert len(calls) == 2


def test_the_diff_names_added_removed_and_changed_items(strategy_data, strategy_officer, department):
    old = versioning.strategy_version_create("v1", "", strategy_officer).snapshot
    first, second = strategy_data["first"], strategy_data["second"]
    services.measure_update(
        first, {"investment_cost": Decimal("20000"), "status": "planned"}, strategy_officer
    )
    second.delete()
    third = make_measure(strategy_data["field"], department, title="Kita-App")
    strategy = Strategy.objects.get(pk=1)
    strategy.mission_statement = "Regensburg ist digital."
    strategy.save()

    changes = versioning.strategy_diff(old, versioning.strategy_snapshot())
    found = {(c.section, c.key, c.kind, c.field): c for c in changes}
    cost = found[("measures", "M-01", "changed", "investment_cost")]
    assert (cost.old, cost.new) == ("12500.50", "20000.00")
    status = found[("measures", "M-01", "changed", "status")]
    assert (status.old, status.new) == ("candidate", "planned")
    assert str(status.new_display) == "Planned" or status.new_display == "Geplant"
    assert ("measures", "M-02", "removed", "") in found
    assert ("measures", third.code, "added", "") in found
    mission = found[("mission", "", "changed", "mission_statement")]
    assert (mission.old, mission.new) == ("Regensburg wird digital.", "Regensburg ist digital.")
    # the removed measure no longer counts as a dependency anywhere: nothing else changed
    assert len(changes) == 5


def test_guideline_and_field_changes_show(strategy_data, strategy_officer):
    old = versioning.strategy_snapshot()
    guideline = strategy_data["guideline"]
    guideline.motto = "„Online zuerst“"
    guideline.save()
    new_guideline = make_guideline(strategy_data["area"])
    strategy_data["field"].guidelines.add(new_guideline)
    changes = versioning.strategy_diff(old, versioning.strategy_snapshot())
    kinds = {(c.section, c.kind, c.field) for c in changes}
    assert ("guidelines", "changed", "motto") in kinds
    assert ("guidelines", "added", "") in kinds
    assert ("fields_of_action", "changed", "guidelines") in kinds
    field_change = next(c for c in changes if c.section == "fields_of_action")
    assert field_change.new_display == f"{guideline.number}, {new_guideline.number}"


def test_the_same_state_has_no_differences(strategy_data):
    snapshot = versioning.strategy_snapshot()
    assert versioning.strategy_diff(snapshot, versioning.strategy_snapshot()) == []


def test_an_empty_old_snapshot_shows_everything_as_added(strategy_data):
    changes = versioning.strategy_diff({}, versioning.strategy_snapshot())
    assert {c.kind for c in changes} == {"added", "changed"}  # the mission changed from nothing
    assert sum(1 for c in changes if c.section == "measures") == 2


def test_display_values(settings):
    from django.utils import translation

    with translation.override("de"):
        assert versioning.display_value("investment_cost", "12500.50") == "12.500,50 €"
        assert versioning.display_value("planned_start", "2026-01-31") == "31.01.2026"
        assert versioning.display_value("is_public", True) in ("ja", "yes")
        assert versioning.display_value("guidelines", [1, 4]) == "1, 4"
        assert versioning.display_value("risks", "") == "–"


@pytest.mark.django_db(transaction=True)
def test_concurrent_versions_get_distinct_numbers(strategy_officer):
    """Three reviews saved at once get 1, 2, 3 (on SQLite writers queue, so they run in turn)."""
    import threading

    from django.db import connections

    concurrent = connection.vendor == "postgresql"
    barrier = threading.Barrier(3) if concurrent else None
    numbers: list[int] = []

    def create():
        try:
            if barrier:
                barrier.wait()
            numbers.append(versioning.strategy_version_create("parallel", "", None).number)
        finally:
            if concurrent:
                connections.close_all()

    if concurrent:
        threads = [threading.Thread(target=create) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for _ in range(3):
            create()
    assert sorted(numbers) == [1, 2, 3]
