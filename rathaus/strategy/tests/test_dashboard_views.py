"""The dashboard and the status-report pages: who may see them, what they show, bad input."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext as _

from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from rathaus.strategy.constants import TrafficLight
from rathaus.strategy.models import Project, StatusReport
from rathaus.strategy.services import reports as report_service
from rathaus.strategy.services.reports import status_report_create

from .test_reports import build_strategy

pytestmark = pytest.mark.django_db


@pytest.fixture
def sample(db):
    return build_strategy()


@pytest.fixture
def report(strategy_officer, sample):
    return status_report_create(actor=strategy_officer)


def assert_login_redirect(response):
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


# --- dashboard ----------------------------------------------------------------------------------


def test_dashboard_renders_with_empty_data(strategy_client):
    response = strategy_client.get(reverse("strategy:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="img"' in html  # the (empty) area chart
    assert _("No key figures have been defined yet.") in html
    assert _("No status report has been made yet.") in html


def test_dashboard_with_data(strategy_client, sample, report):
    response = strategy_client.get(reverse("strategy:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Beteiligung" in html and "Online-Dienste" in html
    assert "Anteil Online-Anträge" in html
    assert html.count('class="strategy-chart"') == 1  # one KPI chart …
    assert _("Data as a table") in html  # … with its data
    assert report.title in html
    assert str(TrafficLight.GREEN.label) in html


@pytest.mark.parametrize("client_fixture", ["strategy_client", "leadership_client", "department_head_client"])
def test_dashboard_for_cockpit_readers(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("strategy:dashboard")).status_code == 200


@pytest.mark.parametrize("client_fixture", ["caseworker_client", "citizen_client"])
def test_dashboard_refused(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("strategy:dashboard")).status_code == 403
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).exists()


def test_dashboard_anonymous_goes_to_login():
    assert_login_redirect(Client().get(reverse("strategy:dashboard")))


# --- report list and creation -------------------------------------------------------------------


def test_report_list_offers_creation_to_the_strategy_office(strategy_client, report):
    response = strategy_client.get(reverse("strategy:reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert _("Create status report") in html and 'name="token"' in html
    assert report.title in html
    assert reverse("strategy:report_pdf", args=[report.pk]) in html


def test_leadership_reads_reports_but_cannot_create(leadership_client, report):
    response = leadership_client.get(reverse("strategy:reports"))
    assert response.status_code == 200
    assert _("Create status report") not in response.content.decode()
    response = leadership_client.post(reverse("strategy:reports"), {"token": "x"})
    assert response.status_code == 403
    assert StatusReport.objects.count() == 1


@pytest.mark.parametrize("client_fixture", ["caseworker_client", "citizen_client"])
def test_report_list_refused(request, client_fixture):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("strategy:reports")).status_code == 403
    assert client.post(reverse("strategy:reports"), {"token": "x"}).status_code == 403
    assert not StatusReport.objects.exists()


def test_report_list_anonymous_goes_to_login():
    assert_login_redirect(Client().get(reverse("strategy:reports")))
    assert_login_redirect(Client().post(reverse("strategy:reports"), {"token": "x"}))


def test_create_report_and_double_post_makes_one(strategy_client, sample):
    data = {"token": "f00d" * 8, "title": "Bericht an den Ausschuss", "as_of": ""}
    first = strategy_client.post(reverse("strategy:reports"), data)
    assert first.status_code == 302
    report = StatusReport.objects.get()
    assert first["Location"] == reverse("strategy:report_detail", args=[report.pk])
    second = strategy_client.post(reverse("strategy:reports"), data)
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert StatusReport.objects.count() == 1
    assert report.title == "Bericht an den Ausschuss"


def test_create_report_bad_input_is_shown_with_the_form(strategy_client, sample):
    response = strategy_client.post(reverse("strategy:reports"), {"token": "t1", "as_of": "2999-01-01"})
    assert response.status_code == 400
    assert _("A status report cannot be dated in the future.") in response.content.decode()
    response = strategy_client.post(reverse("strategy:reports"), {"token": "t2", "as_of": "31.02.2026"})
    assert response.status_code == 400
    assert not StatusReport.objects.exists()


def test_pdf_failure_tells_the_user_and_saves_nothing(strategy_client, sample, monkeypatch):
    def broken(html):
        raise OSError("no fonts")

    monkeypatch.setattr(report_service, "render_pdf", broken)
    response = strategy_client.post(reverse("strategy:reports"), {"token": "t3"})
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        _(
            "The PDF of the status report could not be produced, so no report was saved. Please try again later."
        )
        in html
    )
    assert not StatusReport.objects.exists()
    assert 'value="t3"' not in html  # a fresh token for the next try


# --- report detail and PDF ----------------------------------------------------------------------


def test_report_detail_shows_the_stored_body(strategy_client, leadership_client, report):
    for client in (strategy_client, leadership_client):
        response = client.get(reverse("strategy:report_detail", args=[report.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert "1 Zusammenfassung" in html and "6 Ausblick und Maßnahmenplan" in html
        assert "<style>" not in html.split('class="strategy-report-body"')[1]
        assert html.count("<h1") == 1


@pytest.mark.parametrize("client_fixture", ["caseworker_client", "citizen_client"])
def test_report_detail_and_pdf_hidden_from_others(request, client_fixture, report):
    client = request.getfixturevalue(client_fixture)
    assert client.get(reverse("strategy:report_detail", args=[report.pk])).status_code == 404
    assert client.get(reverse("strategy:report_pdf", args=[report.pk])).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED, object_id=str(report.pk)).exists()


def test_report_detail_and_pdf_anonymous(report):
    assert_login_redirect(Client().get(reverse("strategy:report_detail", args=[report.pk])))
    assert_login_redirect(Client().get(reverse("strategy:report_pdf", args=[report.pk])))


def test_missing_report_is_404(strategy_client):
    assert strategy_client.get(reverse("strategy:report_detail", args=[999])).status_code == 404
    assert strategy_client.get(reverse("strategy:report_pdf", args=[999])).status_code == 404


def test_report_pdf_streams_the_stored_file(leadership_client, report):
    response = leadership_client.get(reverse("strategy:report_pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF")
    report.pdf.open("rb")
    assert body == report.pdf.read()


def test_the_pdf_is_not_under_a_public_url(report, settings):
    assert not settings.MEDIA_URL or settings.MEDIA_URL in ("/", "")
    assert not report.pdf.name.startswith("/")
    assert Client().get("/" + report.pdf.name).status_code == 404


# --- comparison ---------------------------------------------------------------------------------


def test_compare_shows_a_changed_traffic_light(strategy_officer, strategy_client, sample, report):
    Project.objects.filter(pk=sample["project"].pk).update(traffic_light=TrafficLight.RED)
    later = status_report_create(actor=strategy_officer)
    response = strategy_client.get(reverse("strategy:report_compare"), {"a": report.pk, "b": later.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert f"■ {TrafficLight.RED.label}" in html and f"● {TrafficLight.GREEN.label}" in html
    assert "<caption>" in html


def test_compare_form_without_choice(strategy_client, report):
    response = strategy_client.get(reverse("strategy:report_compare"))
    assert response.status_code == 200
    assert _("At least two status reports are needed for a comparison.") in response.content.decode()


def test_compare_bad_ids(strategy_officer, strategy_client, report):
    later = status_report_create(actor=strategy_officer)
    response = strategy_client.get(reverse("strategy:report_compare"), {"a": "abc", "b": later.pk})
    assert response.status_code == 400
    assert _("Please choose two status reports from the lists.") in response.content.decode()
    response = strategy_client.get(reverse("strategy:report_compare"), {"a": report.pk})
    assert response.status_code == 400
    response = strategy_client.get(reverse("strategy:report_compare"), {"a": report.pk, "b": 99999})
    assert response.status_code == 404


@pytest.mark.parametrize("client_fixture", ["caseworker_client", "citizen_client"])
def test_compare_refused(request, client_fixture, report):
    client = request.getfixturevalue(client_fixture)
    response = client.get(reverse("strategy:report_compare"), {"a": report.pk, "b": report.pk})
    assert response.status_code == 403


def test_compare_anonymous(report):
    assert_login_redirect(Client().get(reverse("strategy:report_compare"), {"a": report.pk, "b": report.pk}))


def test_a_report_dated_1900_is_refused_with_a_message(strategy_client, sample):
    strategy_client.cookies["rathaus_language"] = "en"
    page = strategy_client.get(reverse("strategy:reports")).content.decode()
    assert 'min="2000-01-01"' in page
    response = strategy_client.post(reverse("strategy:reports"), {"as_of": "1900-01-01", "token": "t1900"})
    assert response.status_code == 400
    assert "A status report cannot be dated before 1 Jan 2000." in response.content.decode()
    assert not StatusReport.objects.exists()
