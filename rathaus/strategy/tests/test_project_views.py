"""Project pages: the portfolio and its CSV, a project, editing, milestones, starting a project.

Every page is tried with the right role, roles that must not, and anonymously. Messages are
checked in English (the language cookie), so the test does not depend on the German catalogue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import MeasureStatus, ProjectPhase, TrafficLight
from rathaus.strategy.models import Measure, Milestone, Project, ProjectLogEntry
from rathaus.strategy.services.projects import milestone_add, project_start, project_update

from .factories import make_measure

TODAY = timezone.localdate()


def english(client):
    client.cookies["rathaus_language"] = "en"
    return client


@pytest.fixture
def measure(db):
    return make_measure(
        title="Digitaler Bauantrag",
        investment="48000.00",
        status=MeasureStatus.PLANNED,
        planned_start=dt.date(2026, 1, 1),
        planned_end=dt.date(2026, 12, 31),
    )


@pytest.fixture
def project(measure, strategy_officer, caseworker):
    """Led by the caseworker (who reads no cockpit)."""
    return project_start(measure, lead=caseworker, status_reason="Kick-off erfolgt", actor=strategy_officer)


@pytest.fixture
def milestone(project, strategy_officer):
    return milestone_add(project, "Ausschreibung", TODAY - dt.timedelta(days=2), strategy_officer)


def detail_url(project):
    return reverse("strategy:project_detail", kwargs={"pk": project.pk})


def edit_url(project):
    return reverse("strategy:project_edit", kwargs={"pk": project.pk})


def edit_data(project, **changes):
    data = {
        "version": project.version,
        "lead": project.lead_id,
        "phase": project.phase,
        "traffic_light": project.traffic_light,
        "status_reason": project.status_reason,
        "progress_percent": project.progress_percent,
        "budget_planned": project.budget_planned,
        "budget_spent": project.budget_spent,
        "start_date": project.start_date.isoformat() if project.start_date else "",
        "end_date": project.end_date.isoformat() if project.end_date else "",
        "note": "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def assert_login_redirect(response):
    assert response.status_code == 302
    assert "/konto/anmelden/" in response["Location"]


# --- portfolio ----------------------------------------------------------------------------------


def test_portfolio_lists_projects_with_traffic_light_text(strategy_client, project, milestone):
    response = english(strategy_client).get(reverse("strategy:portfolio"))
    assert response.status_code == 200
    html = response.content.decode()
    assert project.measure.code in html
    assert "On track (green)" in html
    assert "kern-icon--success" in html
    assert "1 overdue" in html
    assert "Ausschreibung" in html
    assert "<caption" in html and 'scope="col"' in html
    assert "Total (1 project)" in html


def test_portfolio_is_for_cockpit_readers(leadership_client, department_head_client, project):
    for client in (leadership_client, department_head_client):
        assert client.get(reverse("strategy:portfolio")).status_code == 200


def test_portfolio_is_refused_to_others(caseworker_client, citizen_client, client, project):
    # the caseworker leads a project but does not read the cockpit
    assert caseworker_client.get(reverse("strategy:portfolio")).status_code == 403
    assert citizen_client.get(reverse("strategy:portfolio")).status_code == 403
    assert caseworker_client.get(reverse("strategy:portfolio_export")).status_code == 403
    assert_login_redirect(client.get(reverse("strategy:portfolio")))
    assert_login_redirect(client.get(reverse("strategy:portfolio_export")))
    assert AuditEntry.objects.filter(action="permission_denied").count() >= 3


def test_portfolio_filters_by_traffic_light(strategy_client, strategy_officer, project):
    other = project_start(
        make_measure(title="Kita-App", status=MeasureStatus.PLANNED),
        lead=strategy_officer,
        status_reason="x",
        actor=strategy_officer,
    )
    project_update(
        other, expected_version=1, actor=strategy_officer, traffic_light="red", status_reason="Verzug"
    )
    response = strategy_client.get(reverse("strategy:portfolio"), {"traffic_light": "red"})
    html = response.content.decode()
    assert "Kita-App" in html
    assert "Digitaler Bauantrag" not in html
    response = strategy_client.get(reverse("strategy:portfolio"), {"area": "99999"})  # forged: ignored
    assert response.status_code == 200


def test_portfolio_export_is_csv(strategy_client, caseworker, project, milestone):
    project_update(project, expected_version=1, actor=caseworker, budget_spent=Decimal("1234.5"))
    response = english(strategy_client).get(reverse("strategy:portfolio_export"), {"phase": "running"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines[0].split(";")[:3] == ["Code", "Measure", "Area"]
    row = lines[1].split(";")
    assert row[0] == project.measure.code
    assert "1,234.50" in row or "1.234,50" in row


def test_csv_cells_do_not_start_formulas(strategy_client, strategy_officer, project):
    project_update(project, expected_version=1, actor=strategy_officer, status_reason="=HYPERLINK(1)")
    text = strategy_client.get(reverse("strategy:portfolio_export")).content.decode()
    assert "'=HYPERLINK(1)" in text


def test_a_lead_sees_their_projects_under_my_projects(caseworker_client, other_caseworker_client, project):
    response = caseworker_client.get(reverse("strategy:my_projects"))
    assert response.status_code == 200
    assert project.measure.code in response.content.decode()
    response = other_caseworker_client.get(reverse("strategy:my_projects"))
    assert project.measure.code not in response.content.decode()


def test_my_projects_is_not_for_citizens(citizen_client, client):
    assert citizen_client.get(reverse("strategy:my_projects")).status_code == 403
    assert_login_redirect(client.get(reverse("strategy:my_projects")))


# --- one project --------------------------------------------------------------------------------


def test_project_page_shows_data_milestones_and_log(strategy_client, project, milestone):
    response = english(strategy_client).get(detail_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Kick-off erfolgt", "Ausschreibung", "overdue", "Project started", "Edit the project"):
        assert text in html
    assert "48,000.00" in html or "48.000,00" in html


def test_readers_and_the_lead_see_the_project(
    leadership_client, department_head_client, caseworker_client, project
):
    response = leadership_client.get(detail_url(project))
    assert response.status_code == 200
    assert edit_url(project) not in response.content.decode()  # reading is not changing
    assert department_head_client.get(detail_url(project)).status_code == 200
    response = caseworker_client.get(detail_url(project))
    assert response.status_code == 200
    assert edit_url(project) in response.content.decode()


def test_others_get_404_for_a_project(other_caseworker_client, citizen_client, client, project):
    assert other_caseworker_client.get(detail_url(project)).status_code == 404
    assert citizen_client.get(detail_url(project)).status_code == 404
    assert_login_redirect(client.get(detail_url(project)))
    assert AuditEntry.objects.filter(action="permission_denied", object_id=str(project.pk)).count() == 2


def test_a_forged_project_id_is_404(strategy_client, project):
    assert strategy_client.get(reverse("strategy:project_detail", kwargs={"pk": 999999})).status_code == 404
    assert strategy_client.get(reverse("strategy:project_edit", kwargs={"pk": 999999})).status_code == 404


# --- editing ------------------------------------------------------------------------------------


def test_office_sets_a_project_to_amber_with_a_reason(strategy_client, strategy_officer, project):
    response = strategy_client.get(edit_url(project))
    assert response.status_code == 200
    assert 'name="version"' in response.content.decode()
    response = strategy_client.post(
        edit_url(project),
        edit_data(
            project, traffic_light="amber", status_reason="Schnittstelle verzögert", note="Lenkungskreis"
        ),
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert (project.traffic_light, project.version) == (TrafficLight.AMBER, 2)
    entries = {e.field: e for e in ProjectLogEntry.objects.filter(project=project, note="Lenkungskreis")}
    assert set(entries) == {"traffic_light", "status_reason"}
    assert entries["traffic_light"].actor == strategy_officer


def test_changing_the_light_without_a_new_reason_keeps_the_input(strategy_client, project):
    response = english(strategy_client).post(
        edit_url(project), edit_data(project, traffic_light="red", progress_percent=70)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "state the reason for the new status" in html
    assert 'value="70"' in html  # the input is kept
    project.refresh_from_db()
    assert (project.traffic_light, project.progress_percent, project.version) == ("green", 0, 1)


def test_a_stale_edit_is_refused_with_the_input_kept(strategy_client, second_strategy_officer, project):
    shown = edit_data(project, progress_percent=55, status_reason="Meine Fassung")
    project_update(project, expected_version=1, actor=second_strategy_officer, progress_percent=20)
    response = english(strategy_client).post(edit_url(project), shown)
    assert response.status_code == 409
    html = response.content.decode()
    assert "in the meantime" in html
    assert 'value="55"' in html and "Meine Fassung" in html
    assert 'name="version" value="2"' in html  # saving again applies the input to the new state
    project.refresh_from_db()
    assert (project.progress_percent, project.status_reason, project.version) == (20, "Kick-off erfolgt", 2)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"budget_spent": "-5"}, "budget_spent", "cannot be negative"),
        ({"start_date": "2026-06-01", "end_date": "2026-05-01"}, "end_date", "cannot be before the start"),
        ({"progress_percent": "120"}, "progress_percent", "between 0 and 100"),
        ({"status_reason": ""}, "status_reason", "required"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(strategy_client, project, changes, field, message):
    response = english(strategy_client).post(edit_url(project), edit_data(project, **changes))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'id="id_{field}-error"' in html
    project.refresh_from_db()
    assert project.version == 1
    assert not ProjectLogEntry.objects.exclude(field__in=["created", "measure_status"]).exists()


def test_spending_above_plan_is_saved_and_flagged(strategy_client, project):
    response = english(strategy_client).post(
        edit_url(project), edit_data(project, budget_spent="60000"), follow=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "more than its planned budget" in html
    assert "over budget" in html


def test_the_lead_edits_without_the_lead_and_budget_fields(caseworker_client, caseworker, project):
    response = caseworker_client.get(edit_url(project))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="lead"' not in html and 'name="budget_planned"' not in html
    data = edit_data(project, progress_percent=35, lead=None, budget_planned=None)
    response = caseworker_client.post(edit_url(project), data)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.progress_percent == 35
    assert ProjectLogEntry.objects.get(field="progress_percent").actor == caseworker


def test_the_lead_cannot_smuggle_a_new_lead(caseworker_client, other_caseworker, project):
    data = edit_data(project, lead=other_caseworker.pk, budget_planned="1")
    caseworker_client.post(edit_url(project), data)
    project.refresh_from_db()
    assert project.lead_id != other_caseworker.pk
    assert project.budget_planned == Decimal("48000.00")


def test_editing_is_refused_to_others(
    leadership_client, other_caseworker_client, citizen_client, client, project
):
    for c in (leadership_client, other_caseworker_client, citizen_client):
        assert c.get(edit_url(project)).status_code == 404
        assert c.post(edit_url(project), edit_data(project, progress_percent=99)).status_code == 404
    assert_login_redirect(client.post(edit_url(project), edit_data(project, progress_percent=99)))
    project.refresh_from_db()
    assert project.version == 1


def test_completing_the_project_completes_the_measure(strategy_client, project):
    strategy_client.post(edit_url(project), edit_data(project, phase=ProjectPhase.COMPLETED))
    project.refresh_from_db()
    project.measure.refresh_from_db()
    assert project.measure.status == MeasureStatus.COMPLETED
    assert project.progress_percent == 100


# --- milestones ---------------------------------------------------------------------------------


def test_milestones_by_form(caseworker_client, project):
    url = reverse("strategy:milestone_add", kwargs={"pk": project.pk})
    response = caseworker_client.post(
        url, {"milestone-title": "Pilotbetrieb", "milestone-due_on": "2026-09-30"}
    )
    assert response.status_code == 302
    milestone = Milestone.objects.get(title="Pilotbetrieb")
    complete = reverse("strategy:milestone_complete", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    response = caseworker_client.post(complete, {f"m{milestone.pk}-completed_on": TODAY.isoformat()})
    assert response.status_code == 302
    milestone.refresh_from_db()
    assert milestone.completed_on == TODAY
    # a second click says so and changes nothing
    response = english(caseworker_client).post(
        complete, {f"m{milestone.pk}-completed_on": TODAY.isoformat()}, follow=True
    )
    assert "already been completed" in response.content.decode()
    reopen = reverse("strategy:milestone_reopen", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    caseworker_client.post(reopen)
    milestone.refresh_from_db()
    assert milestone.completed_on is None
    delete = reverse("strategy:milestone_delete", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    caseworker_client.post(delete)
    assert not Milestone.objects.exists()
    fields = set(ProjectLogEntry.objects.values_list("field", flat=True))
    assert {"milestone_added", "milestone_completed", "milestone_reopened", "milestone_deleted"} <= fields


def test_a_milestone_with_bad_input_keeps_the_input(strategy_client, project):
    url = reverse("strategy:milestone_add", kwargs={"pk": project.pk})
    response = strategy_client.post(url, {"milestone-title": "Ohne Datum", "milestone-due_on": ""})
    assert response.status_code == 200
    assert 'value="Ohne Datum"' in response.content.decode()
    assert not Milestone.objects.exists()


def test_a_future_completion_date_is_refused(strategy_client, milestone, project):
    url = reverse("strategy:milestone_complete", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = english(strategy_client).post(url, {f"m{milestone.pk}-completed_on": tomorrow})
    assert response.status_code == 200
    assert "cannot be in the future" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.completed_on is None


def test_milestones_are_refused_to_others_and_forged_ids(
    leadership_client, other_caseworker_client, strategy_client, client, strategy_officer, milestone, project
):
    complete = reverse("strategy:milestone_complete", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
    data = {f"m{milestone.pk}-completed_on": TODAY.isoformat()}
    for c in (leadership_client, other_caseworker_client):
        assert c.post(complete, data).status_code == 404
        assert (
            c.post(
                reverse("strategy:milestone_delete", kwargs={"pk": project.pk, "milestone_pk": milestone.pk})
            )
        ).status_code == 404
    assert_login_redirect(client.post(complete, data))
    # a milestone of another project under this project's address
    other = project_start(
        make_measure(status=MeasureStatus.PLANNED),
        lead=strategy_officer,
        status_reason="x",
        actor=strategy_officer,
    )
    foreign = milestone_add(other, "fremd", TODAY, strategy_officer)
    url = reverse("strategy:milestone_complete", kwargs={"pk": project.pk, "milestone_pk": foreign.pk})
    assert strategy_client.post(url, {f"m{foreign.pk}-completed_on": TODAY.isoformat()}).status_code == 404
    milestone.refresh_from_db()
    foreign.refresh_from_db()
    assert milestone.completed_on is None and foreign.completed_on is None


# --- starting a project -------------------------------------------------------------------------


def start_url(measure):
    return reverse("strategy:project_start", kwargs={"measure_pk": measure.pk})


def test_the_office_starts_a_project_from_its_own_page(strategy_client, caseworker, measure):
    response = strategy_client.get(start_url(measure))
    assert response.status_code == 200
    assert 'name="lead"' in response.content.decode()
    response = strategy_client.post(start_url(measure), {"lead": caseworker.pk, "status_reason": "Auftrag"})
    project = Project.objects.get(measure=measure)
    assert response.status_code == 302
    assert response["Location"] == detail_url(project)
    assert project.budget_planned == Decimal("48000.00")
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.IN_PROGRESS


def test_the_measure_page_may_post_reason(strategy_client, caseworker, measure):
    strategy_client.post(start_url(measure), {"lead": caseworker.pk, "reason": "vom Maßnahmenblatt"})
    assert Project.objects.get(measure=measure).status_reason == "vom Maßnahmenblatt"


def test_a_double_start_gives_one_project(strategy_client, caseworker, measure):
    data = {"lead": caseworker.pk, "status_reason": "Auftrag"}
    strategy_client.post(start_url(measure), data)
    response = english(strategy_client).post(start_url(measure), data)
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Project.objects.filter(measure=measure).count() == 1


def test_a_start_without_reason_or_for_a_candidate_is_refused(strategy_client, caseworker, measure):
    response = english(strategy_client).post(start_url(measure), {"lead": caseworker.pk, "status_reason": ""})
    assert response.status_code == 200
    assert not Project.objects.exists()
    candidate = make_measure(status=MeasureStatus.CANDIDATE)
    response = english(strategy_client).post(
        start_url(candidate), {"lead": caseworker.pk, "status_reason": "x"}
    )
    assert "planned measure" in response.content.decode()
    assert not Project.objects.exists()
    assert Measure.objects.get(pk=candidate.pk).status == MeasureStatus.CANDIDATE


def test_starting_is_for_the_office_only(
    leadership_client, caseworker_client, citizen_client, client, caseworker, measure
):
    data = {"lead": caseworker.pk, "status_reason": "x"}
    for c in (leadership_client, caseworker_client, citizen_client):
        assert c.get(start_url(measure)).status_code == 403
        assert c.post(start_url(measure), data).status_code == 403
    assert_login_redirect(client.post(start_url(measure), data))
    assert not Project.objects.exists()


def test_starting_a_forged_measure_is_404(strategy_client, caseworker):
    url = reverse("strategy:project_start", kwargs={"measure_pk": 999999})
    assert strategy_client.post(url, {"lead": caseworker.pk, "status_reason": "x"}).status_code == 404


def test_the_portfolio_reads_a_fixed_number_of_queries(strategy_client, strategy_officer, project, milestone):
    """No query per project: the rows come with measure, department, area, lead and milestones."""

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert strategy_client.get(reverse("strategy:portfolio")).status_code == 200
        return len(queries)

    count()  # the first request also fills caches (branding, session)
    few = count()
    for _ in range(4):
        other = project_start(
            make_measure(status=MeasureStatus.PLANNED),
            lead=strategy_officer,
            status_reason="x",
            actor=strategy_officer,
        )
        milestone_add(other, "Meilenstein", TODAY, strategy_officer)
    assert count() == few
