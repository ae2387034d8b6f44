"""Progress per measure, field of action and area; the public overview's limits."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rathaus.strategy.constants import KpiDirection, KpiSource, KpiUnit, MeasureStatus
from rathaus.strategy.models import Area, Kpi, Project, Strategy
from rathaus.strategy.selectors.progress import (
    area_progress,
    measure_progress,
    overall_progress,
    public_overview,
    status_counts,
)

from .factories import make_field, make_guideline, make_measure

pytestmark = pytest.mark.django_db


def project(measure, percent: int) -> Project:
    return Project.objects.create(measure=measure, status_reason="läuft", progress_percent=percent)


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (MeasureStatus.COMPLETED, Decimal(100)),
        (MeasureStatus.IN_PROGRESS, Decimal(50)),
        (MeasureStatus.PLANNED, Decimal(0)),
        (MeasureStatus.CANDIDATE, Decimal(0)),
        (MeasureStatus.ON_HOLD, Decimal(0)),
        (MeasureStatus.DROPPED, None),
    ],
)
def test_measure_progress_by_status(status, expected):
    assert measure_progress(make_measure(status=status)) == expected


def test_in_progress_measure_takes_its_projects_progress():
    measure = make_measure(status=MeasureStatus.IN_PROGRESS)
    project(measure, 20)
    measure.refresh_from_db()
    assert measure_progress(measure) == Decimal(20)


def test_completed_measure_is_100_whatever_its_project_says():
    measure = make_measure(status=MeasureStatus.COMPLETED)
    project(measure, 80)
    assert measure_progress(measure) == Decimal(100)


def test_field_and_area_average_over_their_measures_dropped_excluded():
    area = Area.objects.create(number=1, name="Interaktion")
    guideline = make_guideline(area)
    first = make_field(area, [guideline], title="Eins")
    second = make_field(area, [guideline], title="Zwei")
    empty = make_field(area, [guideline], title="Leer")
    make_measure(first, status=MeasureStatus.COMPLETED)  # 100
    running = make_measure(first, status=MeasureStatus.IN_PROGRESS)
    project(running, 10)  # 10
    make_measure(first, status=MeasureStatus.DROPPED)  # not counted
    make_measure(second, status=MeasureStatus.PLANNED)  # 0

    (result,) = area_progress()
    by_title = {f.field.title: f.progress for f in result.fields}
    assert by_title["Eins"].percent == Decimal("55.0")
    assert by_title["Eins"].measures == 2
    assert by_title["Eins"].by_status["dropped"] == 1
    assert by_title["Zwei"].percent == Decimal("0.0")
    assert by_title["Leer"].percent is None and by_title["Leer"].measures == 0
    # the area averages its three counted measures, not its fields
    assert result.progress.percent == Decimal("36.7")
    assert [f.field for f in result.fields] == [first, second, empty]
    assert overall_progress().percent == Decimal("36.7")


def test_area_progress_needs_few_queries():
    area = Area.objects.create(number=1, name="Interaktion")
    for _ in range(3):
        field = make_field(area)
        for _ in range(3):
            project(make_measure(field, status=MeasureStatus.IN_PROGRESS), 40)
    with CaptureQueriesContext(connection) as queries:
        result = area_progress()
    assert result[0].progress.percent == Decimal("40.0")
    assert len(queries) <= 3


def test_status_counts_lists_every_status():
    counts = status_counts([make_measure(status=MeasureStatus.PLANNED)])
    assert list(counts) == list(MeasureStatus.values)
    assert counts["planned"] == 1 and counts["completed"] == 0


def test_empty_strategy():
    assert area_progress() == []
    assert overall_progress().percent is None
    overview = public_overview()
    assert overview.measures == [] and overview.kpis == []
    assert not Strategy.objects.exists()  # reading never creates the strategy row


def test_public_overview_only_public_measures_and_kpis():
    area = Area.objects.create(number=1, name="Interaktion")
    field = make_field(area)
    public = make_measure(field, status=MeasureStatus.COMPLETED, is_public=True)
    make_measure(field, status=MeasureStatus.PLANNED, is_public=False)
    make_measure(field, status=MeasureStatus.DROPPED, is_public=True)
    shown = Kpi.objects.create(
        key="a",
        name="Öffentlich",
        unit=KpiUnit.PERCENT,
        direction=KpiDirection.HIGHER_IS_BETTER,
        source=KpiSource.MANUAL,
        is_public=True,
    )
    Kpi.objects.create(
        key="b",
        name="Intern",
        unit=KpiUnit.COUNT,
        direction=KpiDirection.HIGHER_IS_BETTER,
        source=KpiSource.MANUAL,
    )
    overview = public_overview()
    assert overview.measures == [public]
    assert overview.kpis == [shown]
    # public progress comes from the public measures only (the internal planned one would halve it)
    assert overview.areas[0].fields[0].progress.percent == Decimal("100.0")
    assert overview.overall.percent == Decimal("100.0")
    assert overview.guidelines_by_area[0][1] == list(field.guidelines.all())
