"""Measures through the services: validation, audit, dependencies without cycles."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import MeasureOrigin, MeasureStatus
from rathaus.strategy.graph import find_cycle
from rathaus.strategy.models import Measure, MeasureDependency
from rathaus.strategy.services import structure as services

from .factories import make_department, make_field, make_guideline, make_measure

pytestmark = pytest.mark.django_db


@pytest.fixture
def field():
    return make_field()


@pytest.fixture
def data(field, department):
    return {
        "code": "M-42",
        "title": "Digitaler Bauantrag",
        "description": "Bauanträge online stellen.",
        "field_of_action": field,
        "department": department,
        "guidelines": list(field.guidelines.all()),
        "investment_cost": Decimal("120000.00"),
        "running_cost": Decimal("8000"),
        "effort_person_days": 120,
        "duration_quarters": 4,
        "planned_start": dt.date(2026, 1, 1),
        "planned_end": dt.date(2026, 12, 31),
        "status": MeasureStatus.CANDIDATE,
        "is_mandatory": True,
        "legal_basis": "OZG",
    }


def with_code(code: str, field=None, department=None) -> Measure:
    """A measure with a chosen code (the factory numbers its own)."""
    measure = make_measure(field, department)
    Measure.objects.filter(pk=measure.pk).update(code=code)
    measure.code = code
    return measure


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


# --- create and update -----------------------------------------------------------------------------


def test_measure_create_stores_the_measure_and_audits_it(data, strategy_officer):
    measure = services.measure_create(data, strategy_officer)
    measure.refresh_from_db()
    assert measure.code == "M-42"
    assert measure.running_cost == Decimal("8000.00")
    assert measure.origin == MeasureOrigin.STRATEGY_OFFICE
    assert list(measure.guidelines.all()) == list(data["field_of_action"].guidelines.all())
    entry = AuditEntry.objects.get(action=services.StructureAuditAction.MEASURE_CREATED)
    assert entry.object_id == str(measure.pk)
    assert entry.actor_id == strategy_officer.pk
    assert entry.details["code"] == "M-42"


def test_measure_create_accepts_ids_for_relations(data, strategy_officer):
    data = {
        **data,
        "field_of_action": data["field_of_action"].pk,
        "department": data["department"].pk,
        "guidelines": [g.pk for g in data["guidelines"]],
    }
    measure = services.measure_create(data, strategy_officer)
    assert measure.field_of_action_id == data["field_of_action"]


@pytest.mark.parametrize("code", ["M-01", "m-01", " M-01 "])
def test_a_code_is_used_once(data, strategy_officer, code):
    with_code("M-01")
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "code": code}, strategy_officer)
    assert "m-01" in " ".join(errors_of(excinfo)["code"]).lower()
    assert Measure.objects.count() == 1


def test_the_planned_end_is_not_before_the_start(data, strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create(
            {**data, "planned_start": dt.date(2027, 1, 1), "planned_end": dt.date(2026, 1, 1)},
            strategy_officer,
        )
    assert "planned_end" in errors_of(excinfo)
    assert not Measure.objects.exists()


@pytest.mark.parametrize("field_name", ["investment_cost", "running_cost"])
def test_costs_are_not_negative(data, strategy_officer, field_name):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, field_name: Decimal("-1")}, strategy_officer)
    assert field_name in errors_of(excinfo)
    assert not Measure.objects.exists()


def test_costs_must_be_amounts(data, strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "investment_cost": "viel"}, strategy_officer)
    assert "investment_cost" in errors_of(excinfo)


def test_a_measure_needs_a_guideline(data, strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "guidelines": []}, strategy_officer)
    assert "guidelines" in errors_of(excinfo)
    assert not Measure.objects.exists()


def test_an_unknown_guideline_is_refused(data, strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "guidelines": [*data["guidelines"], 999999]}, strategy_officer)
    assert "guidelines" in errors_of(excinfo)
    assert not Measure.objects.exists()


def test_unknown_field_of_action_and_department_are_refused(data, strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "field_of_action": 999999}, strategy_officer)
    assert "field_of_action" in errors_of(excinfo)
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "department": None}, strategy_officer)
    assert "department" in errors_of(excinfo)


def test_a_duration_outside_1_to_20_quarters_is_refused(data, strategy_officer):
    with pytest.raises(ValidationError) as excinfo:
        services.measure_create({**data, "duration_quarters": 0}, strategy_officer)
    assert "duration_quarters" in errors_of(excinfo)


def test_measure_update_changes_fields_and_records_what_changed(data, strategy_officer):
    measure = services.measure_create(data, strategy_officer)
    other = make_guideline()
    services.measure_update(
        measure,
        {"investment_cost": Decimal("150000"), "guidelines": [other], "origin": MeasureOrigin.CITIZEN},
        strategy_officer,
    )
    measure.refresh_from_db()
    assert measure.investment_cost == Decimal("150000.00")
    assert list(measure.guidelines.all()) == [other]
    assert measure.origin == MeasureOrigin.STRATEGY_OFFICE  # the origin never changes
    entry = AuditEntry.objects.get(action=services.StructureAuditAction.MEASURE_CHANGED)
    assert entry.details["changed"]["investment_cost"] == ["120000.00", "150000.00"]


def test_measure_update_refuses_a_taken_code_and_keeps_the_measure(data, strategy_officer):
    measure = services.measure_create(data, strategy_officer)
    other = make_measure()
    with pytest.raises(ValidationError):
        services.measure_update(measure, {"code": other.code, "title": "Neu"}, strategy_officer)
    measure.refresh_from_db()
    assert (measure.code, measure.title) == ("M-42", "Digitaler Bauantrag")


def test_measure_update_may_keep_its_own_code(data, strategy_officer):
    measure = services.measure_create(data, strategy_officer)
    services.measure_update(measure, {**data, "title": "Bauantrag digital"}, strategy_officer)
    measure.refresh_from_db()
    assert measure.title == "Bauantrag digital"


def test_measure_status_set(strategy_officer):
    measure = make_measure()
    services.measure_status_set(measure, MeasureStatus.PLANNED, strategy_officer)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.PLANNED
    entry = AuditEntry.objects.get(action=services.StructureAuditAction.MEASURE_STATUS_SET)
    assert (entry.details["old"], entry.details["new"]) == ("candidate", "planned")
    with pytest.raises(ValidationError):
        services.measure_status_set(measure, "finished-ish", strategy_officer)


# --- dependencies ----------------------------------------------------------------------------------


def coded(*codes: str) -> dict[str, Measure]:
    field = make_field()
    department = make_department()
    return {code: with_code(code, field, department) for code in codes}


def test_dependencies_are_set_and_replaced(strategy_officer):
    m = coded("M-01", "M-02", "M-03")
    services.measure_dependencies_set(m["M-03"], [m["M-01"], m["M-02"]], strategy_officer)
    assert set(m["M-03"].dependencies.values_list("code", flat=True)) == {"M-01", "M-02"}
    services.measure_dependencies_set(m["M-03"], [m["M-02"]], strategy_officer)
    assert list(m["M-03"].dependencies.values_list("code", flat=True)) == ["M-02"]
    assert list(m["M-02"].dependents.values_list("code", flat=True)) == ["M-03"]
    services.measure_dependencies_set(m["M-03"], [], strategy_officer)
    assert not MeasureDependency.objects.exists()
    assert AuditEntry.objects.filter(action=services.StructureAuditAction.DEPENDENCIES_SET).count() == 3


def test_a_measure_cannot_depend_on_itself(strategy_officer):
    m = coded("M-01")
    with pytest.raises(ValidationError) as excinfo:
        services.measure_dependencies_set(m["M-01"], [m["M-01"]], strategy_officer)
    assert "sich selbst" in " ".join(errors_of(excinfo)["requires"])
    assert not MeasureDependency.objects.exists()


def test_a_direct_cycle_is_refused_and_named(strategy_officer):
    m = coded("M-03", "M-07")
    services.measure_dependencies_set(m["M-07"], [m["M-03"]], strategy_officer)
    with pytest.raises(ValidationError) as excinfo:
        services.measure_dependencies_set(m["M-03"], [m["M-07"]], strategy_officer)
    message = " ".join(errors_of(excinfo)["requires"])
    assert "M-03 → M-07 → M-03" in message
    assert list(MeasureDependency.objects.values_list("measure__code", "requires__code")) == [
        ("M-07", "M-03")
    ]


def test_a_longer_cycle_is_refused_and_named_by_codes(strategy_officer):
    m = coded("M-01", "M-02", "M-03", "M-04")
    services.measure_dependencies_set(m["M-02"], [m["M-01"]], strategy_officer)
    services.measure_dependencies_set(m["M-03"], [m["M-02"]], strategy_officer)
    services.measure_dependencies_set(m["M-04"], [m["M-03"]], strategy_officer)
    with pytest.raises(ValidationError) as excinfo:
        services.measure_dependencies_set(m["M-01"], [m["M-04"]], strategy_officer)
    assert "M-01 → M-04 → M-03 → M-02 → M-01" in " ".join(errors_of(excinfo)["requires"])
    # the refused change wrote nothing, and the other links stand
    assert not m["M-01"].dependencies.exists()
    assert MeasureDependency.objects.count() == 3


def test_a_diamond_is_no_cycle(strategy_officer):
    m = coded("M-01", "M-02", "M-03", "M-04")
    services.measure_dependencies_set(m["M-02"], [m["M-01"]], strategy_officer)
    services.measure_dependencies_set(m["M-03"], [m["M-01"]], strategy_officer)
    services.measure_dependencies_set(m["M-04"], [m["M-02"], m["M-03"]], strategy_officer)
    assert MeasureDependency.objects.count() == 4


def test_a_stale_measure_object_still_sees_the_current_links(strategy_officer):
    """The check reads the links inside the transaction, not what a page showed earlier."""
    m = coded("M-01", "M-02")
    stale = Measure.objects.get(pk=m["M-01"].pk)
    services.measure_dependencies_set(m["M-02"], [m["M-01"]], strategy_officer)
    with pytest.raises(ValidationError):
        services.measure_dependencies_set(stale, [m["M-02"]], strategy_officer)


def test_an_unknown_required_measure_is_refused(strategy_officer):
    m = coded("M-01")
    with pytest.raises(ValidationError):
        services.measure_dependencies_set(m["M-01"], [999999], strategy_officer)
    assert not MeasureDependency.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_edits_that_close_a_cycle_together_are_not_both_saved(strategy_officer, monkeypatch):
    """A → B and C → D saved at the same moment with B → C and D → A already there: each edit alone
    is fine, together they close a circle. Dependency edits are serialised, so the second sees the
    first and is refused. On SQLite writers queue anyway, so the two edits run one after another."""
    concurrent = connection.vendor == "postgresql"
    m = coded("M-A", "M-B", "M-C", "M-D")
    MeasureDependency.objects.create(measure=m["M-B"], requires=m["M-C"])
    MeasureDependency.objects.create(measure=m["M-D"], requires=m["M-A"])
    barrier = threading.Barrier(2) if concurrent else None
    outcomes: list[str] = []

    def slow_find_cycle(edges):  # widen the window between the check and the commit
        found = find_cycle(edges)
        if concurrent:
            time.sleep(0.5)
        return found

    monkeypatch.setattr(services, "find_cycle", slow_find_cycle)

    def link(measure, requires):
        try:
            if barrier:
                barrier.wait()
            services.measure_dependencies_set(measure, [requires], strategy_officer)
            outcomes.append("saved")
        except ValidationError:
            outcomes.append("refused")
        finally:
            if concurrent:
                connections.close_all()

    pairs = [(m["M-A"], m["M-B"]), (m["M-C"], m["M-D"])]
    if concurrent:
        threads = [threading.Thread(target=link, args=pair) for pair in pairs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    else:
        for pair in pairs:
            link(*pair)
    assert sorted(outcomes) == ["refused", "saved"]
    edges: dict[str, list[str]] = {}
    for code, required in MeasureDependency.objects.values_list("measure__code", "requires__code"):
        edges.setdefault(code, []).append(required)
    assert find_cycle(edges) is None
