"""Multi-project management: starting projects, editing with optimistic locking and a change log,
milestones, and the portfolio reads."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import make_staff
from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import MeasureStatus, ProjectPhase, TrafficLight
from rathaus.strategy.models import Measure, Milestone, Project, ProjectLogEntry
from rathaus.strategy.selectors.projects import overdue_milestones, portfolio, portfolio_summary
from rathaus.strategy.services.projects import (
    StaleProjectError,
    milestone_add,
    milestone_complete,
    milestone_delete,
    milestone_reopen,
    project_start,
    project_update,
)

from .factories import make_area, make_department, make_field, make_measure

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _english():
    """Messages are checked in English (the msgids), whatever the German catalogue says."""
    with translation.override("en"):
        yield


@pytest.fixture
def measure(db):
    return make_measure(
        investment="48000.00",
        status=MeasureStatus.PLANNED,
        planned_start=dt.date(2026, 1, 1),
        planned_end=dt.date(2026, 12, 31),
    )


@pytest.fixture
def project(measure, strategy_officer, caseworker):
    return project_start(measure, lead=caseworker, status_reason="Kick-off erfolgt.", actor=strategy_officer)


def _fields(project: Project) -> list[str]:
    return sorted(ProjectLogEntry.objects.filter(project=project).values_list("field", flat=True))


def _message(exc_info) -> str:
    return " ".join(exc_info.value.messages)


# --- starting -----------------------------------------------------------------------------------


def test_start_puts_the_measure_in_progress_and_takes_its_investment(measure, strategy_officer, caseworker):
    project = project_start(measure, lead=caseworker, status_reason="Auftrag erteilt", actor=strategy_officer)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS
    assert project.budget_planned == Decimal("48000.00")
    assert project.lead == caseworker
    assert project.phase == ProjectPhase.RUNNING
    assert (project.start_date, project.end_date) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    created = ProjectLogEntry.objects.get(project=project, field="created")
    assert created.actor == strategy_officer
    assert created.note == "Auftrag erteilt"
    assert "measure_status" in _fields(project)
    assert AuditEntry.objects.filter(action="strategy_project_started", object_id=str(project.pk)).exists()


def test_start_takes_a_given_budget(measure, strategy_officer, caseworker):
    project = project_start(
        measure, lead=caseworker, status_reason="ok", budget_planned=Decimal("1000"), actor=strategy_officer
    )
    assert project.budget_planned == Decimal("1000.00")


@pytest.mark.parametrize("status", [MeasureStatus.CANDIDATE, MeasureStatus.DROPPED, MeasureStatus.COMPLETED])
def test_start_is_refused_for_a_measure_not_planned(status, strategy_officer, caseworker):
    measure = make_measure(status=status)
    with pytest.raises(ValidationError) as exc_info:
        project_start(measure, lead=caseworker, status_reason="x", actor=strategy_officer)
    assert "planned measure" in _message(exc_info)
    assert not Project.objects.exists()
    measure.refresh_from_db()
    assert measure.status == status


def test_second_start_of_one_measure_says_it_exists(
    project, measure, strategy_officer, second_strategy_officer
):
    with pytest.raises(ValidationError) as exc_info:
        project_start(measure, lead=strategy_officer, status_reason="doppelt", actor=second_strategy_officer)
    assert "already exists" in _message(exc_info)
    assert Project.objects.filter(measure=measure).count() == 1
    assert ProjectLogEntry.objects.filter(field="created").count() == 1


@pytest.mark.django_db(transaction=True)
def test_parallel_starts_make_exactly_one_project():
    """Two officers press "start" at once. On PostgreSQL the threads race for real (each with its
    own connection); SQLite serialises writers, so there they run one after the other."""
    officer = make_staff("a@stadt.example", "strategy_office")
    lead = make_staff("b@stadt.example", "caseworker", make_department())
    measure = make_measure(status=MeasureStatus.PLANNED)
    count = 4
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(count) if connection.vendor == "postgresql" else None

    def start():
        try:
            if barrier is not None:
                barrier.wait(timeout=10)
            with translation.override("en"):  # a new thread starts in the default language
                project_start(
                    Measure.objects.get(pk=measure.pk), lead=lead, status_reason="los", actor=officer
                )
            result = "created"
        except ValidationError as exc:
            result = " ".join(exc.messages)
        except BaseException as exc:  # anything else fails the test below
            result = repr(exc)
        finally:
            if barrier is not None:
                connections.close_all()
        with lock:
            outcomes.append(result)

    if barrier is not None:
        threads = [threading.Thread(target=start) for _ in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    else:
        for _ in range(count):
            start()
    assert outcomes.count("created") == 1, outcomes
    assert all("already exists" in o for o in outcomes if o != "created"), outcomes
    assert Project.objects.filter(measure=measure).count() == 1


def test_start_needs_a_reason_and_a_staff_lead(measure, strategy_officer, citizen):
    with pytest.raises(ValidationError) as exc_info:
        project_start(measure, lead=citizen, status_reason="   ", actor=strategy_officer)
    errors = exc_info.value.message_dict
    assert "status_reason" in errors
    assert "lead" in errors
    assert not Project.objects.exists()


def test_only_the_strategy_office_starts_projects(measure, caseworker, leadership):
    for actor in (caseworker, leadership):
        with pytest.raises(PermissionDenied):
            project_start(measure, lead=caseworker, status_reason="x", actor=actor)
    assert not Project.objects.exists()


# --- updating -----------------------------------------------------------------------------------


def test_each_changed_field_gets_a_log_entry_and_the_version_rises(project, strategy_officer):
    ProjectLogEntry.objects.all().delete()
    project_update(
        project,
        expected_version=1,
        actor=strategy_officer,
        traffic_light=TrafficLight.AMBER,
        status_reason="Lieferant verspätet sich",
        progress_percent=30,
        budget_spent=Decimal("1200.50"),
        phase=ProjectPhase.RUNNING,  # unchanged: no entry
        note="Lenkungskreis 12.3.",
    )
    assert project.version == 2
    assert project.traffic_light == TrafficLight.AMBER
    entries = {e.field: e for e in ProjectLogEntry.objects.filter(project=project)}
    assert set(entries) == {"traffic_light", "status_reason", "progress_percent", "budget_spent"}
    assert (entries["traffic_light"].old_value, entries["traffic_light"].new_value) == ("green", "amber")
    assert (entries["progress_percent"].old_value, entries["progress_percent"].new_value) == ("0", "30")
    assert (entries["budget_spent"].old_value, entries["budget_spent"].new_value) == ("0.00", "1200.50")
    assert entries["status_reason"].old_value == "Kick-off erfolgt."
    assert all(e.actor == strategy_officer and e.note == "Lenkungskreis 12.3." for e in entries.values())
    assert project.status_updated_at is not None
    audit = AuditEntry.objects.filter(action="strategy_project_changed").get()
    assert audit.details["fields"] == ["budget_spent", "progress_percent", "status_reason", "traffic_light"]


def test_changing_the_traffic_light_needs_a_new_reason(project, strategy_officer):
    before = ProjectLogEntry.objects.count()
    with pytest.raises(ValidationError) as exc_info:
        project_update(
            project,
            expected_version=1,
            actor=strategy_officer,
            traffic_light=TrafficLight.RED,
            status_reason="Kick-off erfolgt.",  # the old reason, not restated
            progress_percent=50,
        )
    assert "status_reason" in exc_info.value.message_dict
    assert "new status" in _message(exc_info)
    project.refresh_from_db()
    assert (project.traffic_light, project.progress_percent, project.version) == ("green", 0, 1)
    assert ProjectLogEntry.objects.count() == before


def test_the_reason_can_never_be_emptied(project, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        project_update(project, expected_version=1, actor=strategy_officer, status_reason="  ")
    assert "status_reason" in exc_info.value.message_dict


def test_a_stale_edit_is_refused_and_nothing_is_written(project, strategy_officer, second_strategy_officer):
    stale_copy = Project.objects.get(pk=project.pk)
    project_update(project, expected_version=1, actor=strategy_officer, progress_percent=10)
    before = ProjectLogEntry.objects.count()
    with pytest.raises(StaleProjectError) as exc_info:
        project_update(stale_copy, expected_version=1, actor=second_strategy_officer, progress_percent=90)
    assert "in the meantime" in _message(exc_info)
    project.refresh_from_db()
    assert (project.progress_percent, project.version) == (10, 2)
    assert ProjectLogEntry.objects.count() == before


def test_negative_spend_is_refused_spending_above_plan_is_allowed(project, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        project_update(project, expected_version=1, actor=strategy_officer, budget_spent=Decimal("-1"))
    assert "negative" in " ".join(exc_info.value.message_dict["budget_spent"])
    project_update(project, expected_version=1, actor=strategy_officer, budget_spent=Decimal("50000"))
    assert project.budget_spent > project.budget_planned
    assert portfolio().get(pk=project.pk).over_budget is True


def test_end_before_start_is_refused(project, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        project_update(
            project,
            expected_version=1,
            actor=strategy_officer,
            start_date=dt.date(2026, 6, 1),
            end_date=dt.date(2026, 5, 31),
        )
    assert "before the start" in " ".join(exc_info.value.message_dict["end_date"])
    # against the stored start as well
    with pytest.raises(ValidationError):
        project_update(project, expected_version=1, actor=strategy_officer, end_date=dt.date(2025, 12, 31))
    project.refresh_from_db()
    assert project.end_date == dt.date(2026, 12, 31)


@pytest.mark.parametrize("value", [-1, 101, "viel"])
def test_progress_outside_0_to_100_is_refused(project, strategy_officer, value):
    with pytest.raises(ValidationError) as exc_info:
        project_update(project, expected_version=1, actor=strategy_officer, progress_percent=value)
    assert "progress_percent" in exc_info.value.message_dict


def test_completing_the_project_completes_the_measure(project, measure, strategy_officer):
    project_update(project, expected_version=1, actor=strategy_officer, phase=ProjectPhase.COMPLETED)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.COMPLETED
    assert project.progress_percent == 100
    entry = ProjectLogEntry.objects.filter(project=project, field="measure_status").first()
    assert (entry.old_value, entry.new_value) == ("in_progress", "completed")


def test_cancelling_the_project_drops_the_measure(project, measure, strategy_officer):
    project_update(
        project,
        expected_version=1,
        actor=strategy_officer,
        phase=ProjectPhase.CANCELLED,
        traffic_light=TrafficLight.RED,
        status_reason="Gesetzesgrundlage entfallen",
    )
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DROPPED


def test_the_lead_updates_their_project_but_cannot_hand_it_on(project, caseworker, other_caseworker):
    project_update(project, expected_version=1, actor=caseworker, progress_percent=40, note="Test läuft")
    assert project.progress_percent == 40
    with pytest.raises(PermissionDenied):
        project_update(project, expected_version=2, actor=caseworker, lead=other_caseworker)
    with pytest.raises(PermissionDenied):
        project_update(project, expected_version=2, actor=caseworker, budget_planned=Decimal("99999"))
    # restating the unchanged lead is no change and therefore allowed
    project_update(project, expected_version=2, actor=caseworker, lead=caseworker, progress_percent=41)
    project.refresh_from_db()
    assert project.lead == caseworker
    assert project.version == 3


def test_others_may_not_update_a_project(project, other_caseworker, leadership, citizen):
    for actor in (other_caseworker, leadership, citizen):
        with pytest.raises(PermissionDenied):
            project_update(project, expected_version=1, actor=actor, progress_percent=5)
    project.refresh_from_db()
    assert project.version == 1


def test_the_office_hands_a_project_to_another_lead(project, strategy_officer, other_caseworker, citizen):
    with pytest.raises(ValidationError):
        project_update(project, expected_version=1, actor=strategy_officer, lead=citizen)
    project_update(project, expected_version=1, actor=strategy_officer, lead=other_caseworker)
    entry = ProjectLogEntry.objects.get(project=project, field="lead")
    assert entry.new_value == str(other_caseworker)


def test_an_edit_without_changes_writes_nothing(project, strategy_officer):
    before = ProjectLogEntry.objects.count()
    project_update(project, expected_version=1, actor=strategy_officer, progress_percent=0, phase="running")
    project.refresh_from_db()
    assert project.version == 1
    assert ProjectLogEntry.objects.count() == before


def test_a_note_alone_is_logged(project, caseworker):
    project_update(project, expected_version=1, actor=caseworker, note="Abstimmung mit Amt 10")
    assert ProjectLogEntry.objects.filter(
        project=project, field="note", note="Abstimmung mit Amt 10"
    ).exists()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    progress=st.integers(min_value=0, max_value=100),
    spent=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
)
def test_the_log_names_exactly_the_changed_fields(project, strategy_officer, progress, spent):
    stored = Project.objects.get(pk=project.pk)
    expected = {
        name
        for name, old, new in [
            ("progress_percent", stored.progress_percent, progress),
            ("budget_spent", stored.budget_spent, spent),
        ]
        if old != new
    }
    count_before, version_before = ProjectLogEntry.objects.count(), stored.version
    project_update(
        stored,
        expected_version=stored.version,
        actor=strategy_officer,
        progress_percent=progress,
        budget_spent=spent,
    )
    new_entries = ProjectLogEntry.objects.order_by("-id")[: ProjectLogEntry.objects.count() - count_before]
    assert {e.field for e in new_entries} == expected
    assert stored.version == version_before + (1 if expected else 0)
    assert stored.progress_percent == progress
    assert stored.budget_spent == spent


# --- milestones ---------------------------------------------------------------------------------


def test_milestones_are_added_completed_reopened_and_deleted_with_log(project, caseworker):
    milestone = milestone_add(project, "Ausschreibung", dt.date(2026, 3, 31), caseworker)
    milestone_complete(milestone, TODAY, caseworker)
    milestone.refresh_from_db()
    assert milestone.completed_on == TODAY
    milestone_reopen(milestone, caseworker)
    milestone.refresh_from_db()
    assert milestone.completed_on is None
    milestone_delete(milestone, caseworker)
    assert not Milestone.objects.exists()
    fields = _fields(project)
    for field in ("milestone_added", "milestone_completed", "milestone_reopened", "milestone_deleted"):
        assert field in fields
    added = ProjectLogEntry.objects.get(field="milestone_added")
    assert added.new_value == "Ausschreibung (2026-03-31)"  # ISO; the page writes it per language
    assert AuditEntry.objects.filter(action__startswith="strategy_milestone_").count() == 4


def test_a_milestone_is_completed_once_and_not_in_the_future(project, strategy_officer):
    milestone = milestone_add(project, "Abnahme", TODAY, strategy_officer)
    with pytest.raises(ValidationError) as exc_info:
        milestone_complete(milestone, TODAY + dt.timedelta(days=1), strategy_officer)
    assert "future" in _message(exc_info)
    milestone_complete(milestone, TODAY, strategy_officer)
    with pytest.raises(ValidationError) as exc_info:
        milestone_complete(milestone, TODAY, strategy_officer)
    assert "already" in _message(exc_info)
    assert ProjectLogEntry.objects.filter(field="milestone_completed").count() == 1


def test_a_milestone_needs_a_title(project, strategy_officer):
    with pytest.raises(ValidationError) as exc_info:
        milestone_add(project, " ", TODAY, strategy_officer)
    assert "title" in exc_info.value.message_dict
    assert not Milestone.objects.exists()


def test_strangers_may_not_touch_milestones(project, caseworker, other_caseworker):
    milestone = milestone_add(project, "Go-live", TODAY, caseworker)
    with pytest.raises(PermissionDenied):
        milestone_add(project, "fremd", TODAY, other_caseworker)
    for action in (
        lambda: milestone_complete(milestone, TODAY, other_caseworker),
        lambda: milestone_delete(milestone, other_caseworker),
    ):
        with pytest.raises(PermissionDenied):
            action()
    milestone.refresh_from_db()
    assert milestone.completed_on is None


# --- selectors ----------------------------------------------------------------------------------


@pytest.fixture
def two_projects(project, strategy_officer, other_caseworker):
    """``project`` (green, area A) and a second one (red, other area and department, overdue)."""
    area = make_area()
    other = make_measure(field=make_field(area), department=make_department(), status=MeasureStatus.PLANNED)
    second = project_start(other, lead=other_caseworker, status_reason="x", actor=strategy_officer)
    project_update(
        second,
        expected_version=1,
        actor=strategy_officer,
        traffic_light=TrafficLight.RED,
        status_reason="Verzug",
        budget_spent=Decimal("20000"),
    )
    milestone_add(second, "überfällig", TODAY - dt.timedelta(days=3), strategy_officer)
    milestone_add(second, "später", TODAY + dt.timedelta(days=30), strategy_officer)
    done = milestone_add(project, "erledigt", TODAY - dt.timedelta(days=10), strategy_officer)
    milestone_complete(done, TODAY, strategy_officer)
    return project, second


def test_portfolio_filters(two_projects, caseworker):
    first, second = two_projects
    assert set(portfolio()) == {first, second}
    area = second.measure.field_of_action.area
    assert list(portfolio({"area": area})) == [second]
    assert list(portfolio({"area": area.pk})) == [second]
    assert list(portfolio({"field_of_action": first.measure.field_of_action})) == [first]
    assert list(portfolio({"department": second.measure.department_id})) == [second]
    assert list(portfolio({"traffic_light": "red"})) == [second]
    assert list(portfolio({"phase": "running", "lead": caseworker})) == [first]
    assert list(portfolio({"overdue": True})) == [second]
    assert set(portfolio({"overdue": False, "traffic_light": ""})) == {first, second}


def test_portfolio_rows_carry_next_milestone_and_overdue_count(two_projects):
    _first, second = two_projects
    row = portfolio().get(pk=second.pk)
    assert row.overdue_count == 1
    assert (row.next_milestone_title, row.next_milestone_due) == ("überfällig", TODAY - dt.timedelta(days=3))
    assert row.over_budget is True  # 20 000 spent of 10 000 planned


def test_portfolio_summary_counts(two_projects):
    summary = portfolio_summary()
    assert summary["total"] == 2
    assert summary["by_traffic_light"] == {"green": 1, "amber": 0, "red": 1}
    assert summary["by_phase"]["running"] == 2
    assert summary["budget_planned"] == Decimal("58000.00")
    assert summary["budget_spent"] == Decimal("20000.00")
    assert summary["over_budget"] == 1
    assert summary["overdue_milestones"] == 1
    filtered = portfolio_summary(portfolio({"traffic_light": "green"}))
    assert (filtered["total"], filtered["overdue_milestones"]) == (1, 0)


def test_overdue_milestones_leave_out_reached_ones_and_finished_projects(two_projects, strategy_officer):
    _first, second = two_projects
    assert [m.title for m in overdue_milestones()] == ["überfällig"]
    assert list(overdue_milestones(today=TODAY - dt.timedelta(days=5))) == []
    project_update(
        second,
        expected_version=second.version,
        actor=strategy_officer,
        phase=ProjectPhase.CANCELLED,
    )
    assert list(overdue_milestones()) == []
