"""Dates and times shown to readers: local time, in the format of the reader's language."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from rathaus.strategy.constants import MeasureStatus
from rathaus.strategy.models import ProjectLogEntry, StatusReport
from rathaus.strategy.services.projects import milestone_add, project_start

from .factories import make_measure

pytestmark = pytest.mark.django_db


def _in(client, language):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def two_reports(strategy_officer):
    made = []
    # 00:49 UTC is 01:49 in Berlin in winter
    for title, at in (
        ("Bericht Januar", dt.datetime(2026, 1, 14, 9, 5, tzinfo=dt.UTC)),
        ("Bericht März", dt.datetime(2026, 3, 5, 0, 49, tzinfo=dt.UTC)),
    ):
        report = StatusReport.objects.create(
            title=title, as_of=at.date(), created_by=strategy_officer, data={}, html=""
        )
        StatusReport.objects.filter(pk=report.pk).update(created_at=at)
        made.append(report)
    return made


@pytest.mark.parametrize(
    ("language", "shown"),
    [("de", "Bericht März (05.03.2026 01:49)"), ("en", "Bericht März (5 Mar 2026, 01:49)")],
)
def test_compare_choices_show_local_time_in_the_readers_format(strategy_client, two_reports, language, shown):
    for url, form in (
        (reverse("strategy:reports"), "compare_form"),
        (reverse("strategy:report_compare"), "form"),
    ):
        response = _in(strategy_client, language).get(url)
        labels = [label for _pk, label in response.context[form].fields["b"].choices]
        assert shown in labels
        assert "00:49" not in response.content.decode()


@pytest.mark.parametrize(
    ("language", "shown"), [("de", "Ausschreibung (31.03.2026)"), ("en", "Ausschreibung (31 Mar 2026)")]
)
def test_milestones_in_the_change_log_are_dated_in_the_readers_format(
    strategy_client, strategy_officer, caseworker, language, shown
):
    measure = make_measure(
        status=MeasureStatus.PLANNED, planned_start=dt.date(2026, 1, 1), planned_end=dt.date(2026, 12, 31)
    )
    project = project_start(measure, lead=caseworker, status_reason="Start", actor=strategy_officer)
    milestone_add(project, "Ausschreibung", dt.date(2026, 3, 31), strategy_officer)
    # a log entry written before the dates were stored as ISO dates reads the same
    ProjectLogEntry.objects.create(
        project=project, field="milestone_deleted", old_value="Abnahme (30.06.2026)", new_value=""
    )
    html = (
        _in(strategy_client, language)
        .get(reverse("strategy:project_detail", args=[project.pk]))
        .content.decode()
    )
    assert shown in html
    assert ("Abnahme (30.06.2026)" if language == "de" else "Abnahme (30 Jun 2026)") in html
    assert "2026-03-31" not in html
