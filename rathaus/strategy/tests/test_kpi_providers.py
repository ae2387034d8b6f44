"""The figures the apps offer to the cockpit equal what a plain count of the rows gives.

Each provider is checked against the demo city (plus rows added here so that every figure has
something to measure) with an independent count written below — loops over the rows and
``statistics.median`` — and against small hand-made cases. The strategy app itself must not
import the apps it measures: it only knows the registry.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from conftest import make_staff
from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.booking.models import Booking
from rathaus.booking.tests.booking_factories import make_resource
from rathaus.cases.models import Case
from rathaus.cases.tests.factories import make_service, make_submission
from rathaus.catalog.models import Service
from rathaus.catalog.services import service_set_capabilities
from rathaus.core import kpi_registry
from rathaus.demo.loader import load_demo

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
STRATEGY_DIR = Path(__file__).resolve().parents[1]
FOREIGN_APPS = ("catalog", "cases", "booking", "forms", "mailbox")
CHANNELS = ("online", "counter", "post", "phone")

EXPECTED_KEYS = {
    "catalog.share_ozg3": "percent",
    "catalog.share_ozg4": "percent",
    "cases.channel_share_online": "percent",
    "cases.channel_share_counter": "percent",
    "cases.channel_share_post": "percent",
    "cases.channel_share_phone": "percent",
    "cases.median_processing_days": "days",
    "cases.applications_count": "count",
    "booking.share_online_bookings": "percent",
}


# --- independent counts -------------------------------------------------------------------------


def pct(part: int, total: int) -> Decimal | None:
    if total == 0:
        return None
    return (Decimal(100 * part) / Decimal(total)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def local_midnight_after(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=BERLIN) + dt.timedelta(days=1)


def count_ozg(min_level: int) -> tuple[Decimal | None, dict]:
    published = [s for s in Service.objects.select_related("department") if s.is_published]
    reached = [s for s in published if s.ozg_maturity >= min_level]
    per_department = {}
    for name in {s.department.name for s in published}:
        mine = [s for s in published if s.department.name == name]
        per_department[name] = pct(len([s for s in mine if s.ozg_maturity >= min_level]), len(mine))
    return pct(len(reached), len(published)), per_department


def cases_received(as_of: dt.date) -> list[Case]:
    end = local_midnight_after(as_of)
    return [c for c in Case.objects.select_related("service") if c.created_at < end]


def count_channel(channel: str, as_of: dt.date) -> tuple[Decimal | None, dict]:
    cases = cases_received(as_of)
    per_service = {}
    for name in {c.service.name for c in cases}:
        mine = [c for c in cases if c.service.name == name]
        per_service[name] = pct(len([c for c in mine if c.channel == channel]), len(mine))
    return pct(len([c for c in cases if c.channel == channel]), len(cases)), per_service


def count_median_days(as_of: dt.date) -> tuple[Decimal | None, dict]:
    end = local_midnight_after(as_of)
    done = []
    for case in Case.objects.select_related("service"):
        if case.decided_at is not None:
            if case.decided_at < end:
                done.append(case)
        elif case.closed_at is not None and case.closed_at < end and case.state != "withdrawn":
            done.append(case)
    if not done:
        return None, {}

    def median(cases):
        days = [Decimal(c.processing_seconds) / Decimal(86400) for c in cases]
        return Decimal(statistics.median(days)).quantize(Decimal("0.01"))

    per_service = {}
    for name in {c.service.name for c in done}:
        per_service[name] = median([c for c in done if c.service.name == name])
    return median(done), per_service


def count_online_bookings(as_of: dt.date) -> tuple[Decimal | None, dict]:
    end = local_midnight_after(as_of)
    bookings = [
        b for b in Booking.objects.select_related("resource") if b.created_at < end and b.status != "expired"
    ]
    per_resource = {}
    for name in {b.resource.name for b in bookings}:
        mine = [b for b in bookings if b.resource.name == name]
        per_resource[name] = pct(len([b for b in mine if b.channel == "online"]), len(mine))
    return pct(len([b for b in bookings if b.channel == "online"]), len(bookings)), per_resource


# --- rows -------------------------------------------------------------------------------------


@pytest.fixture
def clerk(db):
    department = Department.objects.get_or_create(code="Amt KPI", defaults={"name": "Kennzahlenamt"})[0]
    return make_staff("kpi-counter@stadt.example", StaffRoleKind.CASEWORKER, department)


def days_ago(days: float, hour: int = 10) -> dt.datetime:
    day = timezone.localdate() - dt.timedelta(days=int(days))
    # in UTC, so that adding days adds exactly 24 hours each, also across a change of the clocks
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=BERLIN).astimezone(dt.UTC)


def add_case(
    service, clerk, *, channel="online", created, decided=None, closed=None, waiting=0, state="received"
):
    submission = make_submission(service, channel=channel, entered_by=None if channel == "online" else clerk)
    return Case.objects.create(
        reference=f"KPI-{uuid.uuid4().hex[:10]}",
        service=service,
        submission=submission,
        department=service.department,
        channel=channel,
        state=state,
        created_at=created,
        decided_at=decided,
        closed_at=closed,
        waiting_seconds=waiting,
    )


def kpi_service(department, slug: str, name: str):
    return make_service(department, slug=slug, name=name)


def add_booking(resource, *, channel="online", status="confirmed", created):
    start = timezone.now() + dt.timedelta(days=30, hours=Booking.objects.count())
    return Booking.objects.create(
        resource=resource,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=1),
        status=status,
        channel=channel,
        created_at=created,
    )


@pytest.fixture
def city(clerk):
    """The demo city plus services at every maturity, cases on every channel and bookings."""
    load_demo()
    department = clerk.staff_roles.first().department
    for n, capabilities in enumerate(
        [
            {"offers_online_submission": True, "offers_online_notice": True},
            {"offers_online_submission": True, "offers_online_notice": True, "offers_once_only": True},
            {"offers_form_assistant": True},
        ]
    ):
        service = kpi_service(department, f"kpi-reife-{n}", f"Reifegrad {n}")
        Service.objects.filter(pk=service.pk).update(required_documents="")
        service.refresh_from_db()
        service_set_capabilities(service=service, **capabilities)
    parking = kpi_service(department, "kpi-parken", "Parkausweis")
    dogs = kpi_service(department, "kpi-hund", "Hundesteuer")
    for index, channel in enumerate(["online", "online", "counter", "post", "phone", "online", "counter"]):
        service = parking if index % 2 else dogs
        created = days_ago(20 - index)
        decided = created + dt.timedelta(days=index + 1, hours=index) if index < 5 else None
        add_case(service, clerk, channel=channel, created=created, decided=decided, waiting=3600 * index)
    add_case(dogs, clerk, created=days_ago(3), closed=days_ago(1), state="withdrawn")
    add_case(parking, clerk, channel="post", created=days_ago(4), closed=days_ago(2), state="closed")
    add_case(parking, clerk, created=days_ago(0, hour=8))  # today: not in yesterday's figures
    hall = make_resource(department, "kpi-halle")
    pitch = make_resource(department, "kpi-platz")
    for channel, status, resource in [
        ("online", "confirmed", hall),
        ("online", "cancelled", hall),
        ("phone", "confirmed", hall),
        ("online", "expired", pitch),
        ("counter", "confirmed", pitch),
        ("online", "payment_pending", pitch),
    ]:
        add_booking(resource, channel=channel, status=status, created=days_ago(5))
    add_booking(pitch, channel="phone", created=days_ago(0, hour=8))
    return department


# --- the registry -------------------------------------------------------------------------------


def test_every_agreed_figure_is_registered_with_its_unit():
    registered = kpi_registry.providers()
    for key, unit in EXPECTED_KEYS.items():
        assert key in registered, key
        assert registered[key].unit == unit
        assert registered[key].direction in ("higher", "lower")
    assert registered["cases.median_processing_days"].direction == "lower"
    assert registered["cases.channel_share_online"].direction == "higher"


def test_strategy_app_imports_none_of_the_apps_it_measures():
    apps = "|".join(FOREIGN_APPS)
    pattern = re.compile(
        rf"^\s*(?:from|import)\s+rathaus\.(?:{apps})\b|import_module\(\s*[\"']rathaus\.(?:{apps})\b",
        re.MULTILINE,
    )
    offenders = []
    for path in STRATEGY_DIR.rglob("*.py"):
        relative = path.relative_to(STRATEGY_DIR)
        if relative.parts[0] in ("tests", "migrations"):
            continue
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            offenders.append(f"{relative}: {match.group().strip()}")
    assert not offenders, "the strategy app must learn figures only through the registry:\n" + "\n".join(
        offenders
    )


# --- against the demo city, counted by hand -----------------------------------------------------


@pytest.mark.parametrize("as_of_days", [0, 1, 6, 30])
def test_every_figure_equals_a_direct_count_of_the_demo_city(city, as_of_days):
    as_of = timezone.localdate() - dt.timedelta(days=as_of_days)
    expected = {
        "catalog.share_ozg3": count_ozg(3),
        "catalog.share_ozg4": count_ozg(4),
        "cases.median_processing_days": count_median_days(as_of),
        "booking.share_online_bookings": count_online_bookings(as_of),
    }
    for channel in CHANNELS:
        expected[f"cases.channel_share_{channel}"] = count_channel(channel, as_of)
    received = cases_received(as_of)
    per_service = {}
    for case in received:
        per_service[case.service.name] = per_service.get(case.service.name, 0) + 1
    expected["cases.applications_count"] = (
        Decimal(len(received)),
        {name: Decimal(n) for name, n in per_service.items()},
    )
    for key, (value, breakdown) in expected.items():
        figure = kpi_registry.compute(key, as_of=as_of)
        assert figure.value == value, key
        assert figure.breakdown == breakdown, key
        assert figure.value is None or isinstance(figure.value, Decimal)


def test_demo_city_has_something_to_measure_today(city):
    for key in EXPECTED_KEYS:
        assert kpi_registry.compute(key).value is not None, key


# --- small cases by hand ------------------------------------------------------------------------


def test_demo_season_slots_are_dated_when_granted_not_when_loaded(city):
    """The club's season slots were granted after the application deadline in July; dated with
    the loading time they made the online-booking history jump on the day the demo was loaded."""
    from rathaus.booking.models import Booking, Season

    season = Season.objects.get()
    slots = Booking.objects.filter(season_application__isnull=False)
    assert slots.exists()
    assert not slots.filter(created_at__date__gte=season.first_day).exists()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    before = kpi_registry.compute("booking.share_online_bookings", as_of=yesterday).value
    today = kpi_registry.compute("booking.share_online_bookings").value
    assert abs(today - before) < 5, (before, today)


def test_three_online_and_one_counter_application_are_75_percent_online(department, clerk):
    service = kpi_service(department, "kpi-drei", "Dreimal online")
    for channel in ("online", "online", "online", "counter"):
        add_case(service, clerk, channel=channel, created=days_ago(2))
    assert kpi_registry.compute("cases.channel_share_online").value == Decimal("75.00")
    assert kpi_registry.compute("cases.channel_share_counter").value == Decimal("25.00")
    assert kpi_registry.compute("cases.channel_share_post").value == Decimal("0.00")
    assert kpi_registry.compute("cases.channel_share_online").breakdown == {
        "Dreimal online": Decimal("75.00")
    }
    assert kpi_registry.compute("cases.applications_count").value == 4


def test_a_third_is_rounded_to_two_places(department, clerk):
    service = kpi_service(department, "kpi-drittel", "Drittel")
    for channel in ("online", "post", "phone"):
        add_case(service, clerk, channel=channel, created=days_ago(2))
    assert kpi_registry.compute("cases.channel_share_online").value == Decimal("33.33")


def test_without_applications_the_shares_have_nothing_to_measure(db):
    for channel in CHANNELS:
        assert kpi_registry.compute(f"cases.channel_share_{channel}").value is None
    assert kpi_registry.compute("cases.median_processing_days").value is None
    assert kpi_registry.compute("cases.applications_count").value == 0
    assert kpi_registry.compute("booking.share_online_bookings").value is None
    assert kpi_registry.compute("catalog.share_ozg3").value is None


def test_median_processing_time_leaves_out_waiting_for_the_applicant(department, clerk):
    fast = kpi_service(department, "kpi-schnell", "Schnell")
    slow = kpi_service(department, "kpi-langsam", "Langsam")
    start = days_ago(40)
    # 2 and 4 days for the fast service; 10 days with 3 days of waiting (= 7) for the slow one
    add_case(fast, clerk, created=start, decided=start + dt.timedelta(days=2))
    add_case(fast, clerk, created=start, decided=start + dt.timedelta(days=4))
    add_case(slow, clerk, created=start, decided=start + dt.timedelta(days=10), waiting=3 * 86400)
    add_case(slow, clerk, created=start)  # still open: not decided, not counted
    figure = kpi_registry.compute("cases.median_processing_days")
    assert figure.value == Decimal("4.00")
    assert figure.breakdown == {"Schnell": Decimal("3.00"), "Langsam": Decimal("7.00")}


def test_a_case_closed_without_decision_counts_but_a_withdrawn_one_does_not(department, clerk):
    service = kpi_service(department, "kpi-zu", "Geschlossen")
    start = days_ago(30)
    add_case(service, clerk, created=start, closed=start + dt.timedelta(days=6), state="closed")
    add_case(service, clerk, created=start, closed=start + dt.timedelta(days=1), state="withdrawn")
    assert kpi_registry.compute("cases.median_processing_days").value == Decimal("6.00")


def test_as_of_leaves_out_later_cases_and_later_decisions(department, clerk):
    service = kpi_service(department, "kpi-stichtag", "Stichtag")
    day = timezone.localdate() - dt.timedelta(days=10)
    late_evening = dt.datetime.combine(day, dt.time(23, 30), tzinfo=BERLIN).astimezone(dt.UTC)
    add_case(service, clerk, created=late_evening - dt.timedelta(days=3), decided=late_evening)
    add_case(service, clerk, channel="counter", created=late_evening + dt.timedelta(hours=1))
    decided_later = add_case(
        service,
        clerk,
        created=late_evening - dt.timedelta(days=1),
        decided=late_evening + dt.timedelta(hours=1),
    )
    assert decided_later.decided_at.astimezone(BERLIN).date() == day + dt.timedelta(days=1)
    # as of the day: two cases received (both online), one decided after 3 days
    assert kpi_registry.compute("cases.channel_share_online", as_of=day).value == Decimal("100.00")
    assert kpi_registry.compute("cases.applications_count", as_of=day).value == 2
    assert kpi_registry.compute("cases.median_processing_days", as_of=day).value == Decimal("3.00")
    # a day later the counter case and the second decision are in
    next_day = day + dt.timedelta(days=1)
    assert kpi_registry.compute("cases.channel_share_online", as_of=next_day).value == Decimal("66.67")
    assert kpi_registry.compute("cases.median_processing_days", as_of=next_day).value == Decimal("2.02")
    # nothing existed before
    assert kpi_registry.compute("cases.channel_share_online", as_of=day - dt.timedelta(days=5)).value is None


def test_online_bookings_count_cancelled_ones_but_not_expired_reservations(department):
    hall = make_resource(department, "kpi-halle-hand")
    for channel, status in [
        ("online", "confirmed"),
        ("online", "cancelled"),
        ("online", "expired"),
        ("phone", "confirmed"),
    ]:
        add_booking(hall, channel=channel, status=status, created=days_ago(3))
    add_booking(hall, channel="counter", created=days_ago(0, hour=8))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    figure = kpi_registry.compute("booking.share_online_bookings", as_of=yesterday)
    assert figure.value == Decimal("66.67")  # 2 of 3
    assert figure.breakdown == {"kpi-halle-hand": Decimal("66.67")}
    assert kpi_registry.compute("booking.share_online_bookings").value == Decimal("50.00")  # 2 of 4 today


def test_ozg_shares_count_published_services_only(department):
    levels = []
    for n, capabilities in enumerate(
        [
            {},
            {"offers_online_submission": True, "offers_online_notice": True},
            {"offers_online_submission": True, "offers_online_notice": True, "offers_once_only": True},
            {"offers_online_submission": True, "offers_online_notice": True, "offers_once_only": True},
        ]
    ):
        service = kpi_service(department, f"kpi-ozg-{n}", f"OZG {n}")
        Service.objects.filter(pk=service.pk).update(required_documents="")
        levels.append(service_set_capabilities(service=service, **capabilities).ozg_maturity)
    hidden = kpi_service(department, "kpi-ozg-versteckt", "Versteckt")
    Service.objects.filter(pk=hidden.pk).update(is_published=False)
    assert levels == [1, 3, 4, 4]
    assert kpi_registry.compute("catalog.share_ozg3").value == Decimal("75.00")
    assert kpi_registry.compute("catalog.share_ozg4").value == Decimal("50.00")
    assert kpi_registry.compute("catalog.share_ozg4").breakdown == {department.name: Decimal("50.00")}


def test_end_of_day_is_local_midnight_in_winter_and_summer():
    assert kpi_registry.end_of_day(dt.date(2026, 1, 15)) == dt.datetime(2026, 1, 15, 23, tzinfo=dt.UTC)
    assert kpi_registry.end_of_day(dt.date(2026, 7, 15)) == dt.datetime(2026, 7, 15, 22, tzinfo=dt.UTC)
