"""The demo's history (rathaus/demo/case_history.py, booking_history.py): applications taken over
from the predecessor system and bookings taken by phone or at the counter, so the cockpit's
figures about applications and bookings, and their monthly history, come from real rows.

The demo is loaded once for the module inside a transaction that is rolled back afterwards; each
test runs in its own savepoint.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from conftest import login
from rathaus.accounts.models import StaffRole, User
from rathaus.booking.models import Booking, Occupancy
from rathaus.cases.constants import CaseState, EventKind
from rathaus.cases.models import (
    Case,
    CaseEvent,
    CaseNote,
    Document,
    InformationRequest,
    Notice,
)
from rathaus.cases.references import reference_last_number
from rathaus.catalog.constants import Channel
from rathaus.core import kpi_registry
from rathaus.demo import data
from rathaus.demo.booking_history import booking_plans
from rathaus.demo.case_history import KEY_PREFIX, case_plans, load_case_history
from rathaus.demo.loader import load_demo
from rathaus.forms.engine import FillContext, FormSpec, FormValidationError, validate_all
from rathaus.forms.models import Submission
from rathaus.strategy.models import KpiValue

BERLIN = ZoneInfo("Europe/Berlin")
OPEN_STATES = {CaseState.RECEIVED, CaseState.IN_REVIEW, CaseState.INFORMATION_REQUESTED}
CHANNEL_FIGURES = [f"cases.channel_share_{channel}" for channel in Channel.values]

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole Regensburg demo, loaded once for the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        created = load_demo()
        yield created
        transaction.set_rollback(True)


def history():
    return Case.objects.filter(submission__idempotency_key__startswith=KEY_PREFIX)


def start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=BERLIN)


# --- the applications ---------------------------------------------------------------------------


def test_about_200_applications_over_thirteen_months_on_every_channel(demo):
    cases = list(history().select_related("service", "submission__form_version__definition"))
    assert demo["history_cases"] == len(cases)
    assert 150 <= len(cases) <= 250
    counts = Counter(case.channel for case in cases)
    assert set(counts) == set(Channel.values)
    assert all(count > 0 for count in counts.values())
    today = timezone.localdate()
    assert min(c.created_at for c in cases) < start_of(today - dt.timedelta(days=390))
    assert max(c.created_at for c in cases) < start_of(today)
    for case in cases:
        # through a channel the service offers, on the service's published form
        assert case.channel in case.service.channels, case.reference
        assert case.submission.form_version.definition.service_id == case.service_id
        assert case.submission.form_version.published_at is not None
        assert case.submission.created_at == case.created_at
    assert len({case.service_id for case in cases}) >= 8


def test_offline_applications_were_entered_by_staff_and_online_ones_by_the_applicant(demo):
    staff = set(StaffRole.objects.values_list("user_id", flat=True))
    citizens = set(
        User.objects.filter(email__in=[c["email"] for c in data.CITIZENS]).values_list("pk", flat=True)
    )
    without_account = Counter()
    for submission in Submission.objects.filter(idempotency_key__startswith=KEY_PREFIX).select_related(
        "form_version__definition__service"
    ):
        if submission.channel == Channel.ONLINE:
            assert submission.entered_by_id is None
            # an online application without an account is an anonymous defect report
            if submission.applicant_id is None:
                assert submission.form_version.definition.service.allows_anonymous
            else:
                assert submission.applicant_id in citizens
        else:
            assert submission.entered_by_id in staff
            without_account[submission.applicant_id is None] += 1
    assert without_account[True] > without_account[False] > 0


def test_the_online_share_rises_over_the_year(demo):
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=365)
    then = kpi_registry.compute("cases.channel_share_online", as_of=year_ago).value
    now = kpi_registry.compute("cases.channel_share_online").value
    assert 30 <= then <= 50
    assert now >= then + 8
    # the shares of the four channels add up to the whole, then and now
    for day in (year_ago, today):
        shares = [kpi_registry.compute(key, as_of=day).value for key in CHANNEL_FIGURES]
        assert abs(sum(shares) - 100) <= 1
    # month by month the mix moves from about 40 % online to about 65 %
    first = history().filter(created_at__lt=start_of(today - dt.timedelta(days=320)))
    last = history().filter(created_at__gte=start_of(today - dt.timedelta(days=90)))
    assert first.filter(channel=Channel.ONLINE).count() / first.count() <= 0.5
    assert last.filter(channel=Channel.ONLINE).count() / last.count() >= 0.58


def test_every_case_has_a_processing_time_and_consistent_clocks(demo):
    requests = defaultdict(list)
    for request in InformationRequest.objects.filter(case__in=history()):
        requests[request.case_id].append(request)
    for case in history():
        assert case.processing_seconds >= 0, case.reference
        if case.decided_at is not None:
            assert case.created_at < case.decided_at <= timezone.now()
        if case.closed_at is not None:
            assert case.state in (CaseState.CLOSED, CaseState.WITHDRAWN)
            assert case.closed_at > (case.decided_at or case.created_at)
        if case.state in (CaseState.DECIDED, CaseState.CLOSED):
            assert case.decided_at is not None
        if case.state in OPEN_STATES | {CaseState.WITHDRAWN}:
            assert case.decided_at is None
        waiting = [r for r in requests[case.pk] if r.answered_at is None]
        # the clock stops exactly while a request waits for the applicant
        assert (
            (case.waiting_since is not None)
            == (case.state == CaseState.INFORMATION_REQUESTED)
            == bool(waiting)
        )
        if waiting:
            assert case.waiting_since == waiting[0].requested_at
        answered = [r for r in requests[case.pk] if r.answered_at is not None]
        assert case.waiting_seconds == sum(
            int((r.answered_at - r.requested_at).total_seconds()) for r in answered
        )


def test_waiting_for_the_applicant_does_not_count_as_processing_time(demo):
    waited = [case for case in history().filter(waiting_seconds__gt=0) if case.decided_at is not None]
    assert len(waited) >= 5
    for case in waited:
        total = int((case.decided_at - case.created_at).total_seconds())
        assert case.processing_seconds == total - case.waiting_seconds > 0
        # the deadline moved by the time waited
        if case.due_at is not None:
            assert case.due_at > case.created_at + dt.timedelta(seconds=case.waiting_seconds)


def test_older_cases_are_decided_and_the_newest_still_in_progress(demo):
    today = timezone.localdate()
    old = history().filter(created_at__lt=start_of(today - dt.timedelta(days=120)))
    assert old.count() >= 100
    assert not old.filter(state__in=OPEN_STATES).exists()
    assert old.filter(state=CaseState.CLOSED).count() >= 0.9 * old.count()
    recent = history().filter(created_at__gte=start_of(today - dt.timedelta(days=30)))
    assert recent.filter(state__in=OPEN_STATES).exists()
    assert history().filter(state=CaseState.WITHDRAWN).exists()
    times = [case.processing_seconds / 86400 for case in history().filter(decided_at__isnull=False)]
    assert min(times) < 2 and max(times) > 30


def test_records_say_they_were_taken_over_and_carry_no_rendered_letters(demo):
    cases = history()
    assert not Document.objects.filter(case__in=cases).exists()
    assert not Notice.objects.filter(case__in=cases).exists()
    assert CaseNote.objects.filter(case__in=cases, text__contains="Vorgängersystem").count() == cases.count()
    received = CaseEvent.objects.filter(case__in=cases, kind=EventKind.RECEIVED)
    assert received.count() == cases.count()
    assert not received.exclude(message__contains="Vorgängersystem").exists()
    decided = CaseEvent.objects.filter(case__in=cases, kind=EventKind.DECIDED)
    assert decided.count() == cases.filter(decided_at__isnull=False).count()
    assert not decided.exclude(message__contains="Vorgängersystem").exists()
    for case in cases.filter(state=CaseState.CLOSED)[:20]:
        assert list(case.events.values_list("to_state", flat=True))[-2:] == ["decided", "closed"]
        assert case.version == case.events.exclude(kind=EventKind.RECEIVED).count()


def test_answers_fit_the_form_but_for_the_files_and_the_dates_bounded_by_today(demo):
    """The records hold what the applicant filled in on the service's form; the files stayed in
    the predecessor system, and date bounds such as "from today" were kept on the day of receipt."""
    submissions = Submission.objects.filter(idempotency_key__startswith=KEY_PREFIX).select_related(
        "form_version"
    )
    for submission in submissions:
        spec = FormSpec.from_json(submission.form_version.schema)
        context = FillContext(user=None, trust_level="", language="de", draft=None)
        try:
            validate_all(spec, submission.data, context=context)
        except FormValidationError as exc:
            types = {spec.top_fields[key.split(".")[0]].type for key in exc.errors}
            assert types <= {"file", "date"}, (submission.idempotency_key, exc.errors)


def test_references_come_from_the_counter_in_the_order_of_receipt(demo):
    by_year = defaultdict(list)
    for reference, created_at in (
        history().order_by("created_at", "pk").values_list("reference", "created_at")
    ):
        prefix, year, number = re.fullmatch(r"([A-Z]+)-(\d{4})-(\d{6})", reference).groups()
        assert int(year) == created_at.astimezone(BERLIN).year
        by_year[(prefix, int(year))].append(int(number))
    for (prefix, year), numbers in by_year.items():
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        assert reference_last_number(prefix, year) >= numbers[-1]


def test_a_month_end_counts_only_the_cases_received_and_decided_by_then(demo):
    today = timezone.localdate()
    # the end of the month before last: a month-end with cases received after it
    month_end = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1) - dt.timedelta(days=1)
    end = start_of(month_end + dt.timedelta(days=1))
    count = kpi_registry.compute("cases.applications_count", as_of=month_end).value
    assert count == Case.objects.filter(created_at__lt=end).count() < Case.objects.count()
    online = kpi_registry.compute("cases.channel_share_online", as_of=month_end).value
    received = Case.objects.filter(created_at__lt=end)
    assert online == kpi_registry.percent(received.filter(channel=Channel.ONLINE).count(), received.count())


# --- the bookings -------------------------------------------------------------------------------------


def test_bookings_taken_by_phone_or_at_the_counter_bring_the_online_share_below_100(demo):
    offline = Booking.objects.exclude(channel=Channel.ONLINE)
    assert demo["history_bookings"] >= 50
    assert 25 <= offline.count() <= 45
    assert {Channel.PHONE, Channel.COUNTER} <= set(offline.values_list("channel", flat=True))
    staff = set(StaffRole.objects.values_list("user_id", flat=True))
    now = timezone.now()
    for booking in offline:
        assert booking.entered_by_id in staff
        assert booking.created_at < booking.starts_at < booking.ends_at <= now
    share = kpi_registry.compute("booking.share_online_bookings").value
    assert 50 < share < 100
    half_a_year_ago = kpi_registry.compute(
        "booking.share_online_bookings", as_of=timezone.localdate() - dt.timedelta(days=180)
    ).value
    assert 25 < half_a_year_ago < 60
    # a private person's name never appears in the public occupancy plan
    names = {f"{c['first_name']} {c['last_name']}" for c in data.CITIZENS}
    assert not Booking.objects.filter(public_label__in=names).exists()


def test_no_unit_is_held_twice_at_the_same_time(demo):
    held = defaultdict(list)
    for unit_id, starts, ends in Occupancy.objects.filter(active=True).values_list(
        "unit_id", "starts_at", "ends_at"
    ):
        held[unit_id].append((starts, ends))
    for ranges in held.values():
        ranges.sort()
        for (_s1, e1), (s2, _e2) in pairwise(ranges):
            assert e1 <= s2


# --- idempotency, determinism, the cockpit ------------------------------------------------------------


def _history_rows() -> dict[str, int]:
    return {
        "cases": Case.objects.count(),
        "submissions": Submission.objects.count(),
        "events": CaseEvent.objects.count(),
        "notes": CaseNote.objects.count(),
        "requests": InformationRequest.objects.count(),
        "bookings": Booking.objects.count(),
        "occupancies": Occupancy.objects.count(),
        "counted": sum(
            reference_last_number(prefix, year)
            for prefix, year in {
                (r.split("-")[0], int(r.split("-")[1]))
                for r in Case.objects.values_list("reference", flat=True)
            }
        ),
    }


def test_second_run_creates_nothing(demo):
    before = _history_rows()
    assert load_case_history() == {"history_cases": 0, "history_bookings": 0}
    created = load_demo()
    assert created["history_cases"] == created["history_bookings"] == 0
    assert _history_rows() == before


def test_plans_are_the_same_for_the_same_day():
    channels = {"meldebescheinigung": ["online", "counter", "post"], "maengelmelder": ["online", "phone"]}
    today = dt.date(2026, 11, 28)
    assert case_plans(channels=channels, today=today) == case_plans(channels=channels, today=today)
    assert booking_plans(today=today) == booking_plans(today=today)
    keys = [plan.key for plan in case_plans(channels=channels, today=today)]
    assert len(set(keys)) == len(keys) and all(key.startswith(KEY_PREFIX) for key in keys)


def test_the_cockpit_history_has_values_for_the_application_figures(demo):
    series = defaultdict(list)
    values = KpiValue.objects.filter(kpi__provider_key__startswith="cases.").order_by("period_end")
    for provider, value in values.values_list("kpi__provider_key", "value"):
        series[provider].append(value)
    for key in [*CHANNEL_FIGURES, "cases.median_processing_days"]:
        assert len(series[key]) == 13, key  # twelve month-ends and today
    online = series["cases.channel_share_online"]
    assert online[-1] >= online[0] + 8
    days = series["cases.median_processing_days"]
    assert all(1 <= d <= 40 for d in days)
    assert days[-1] < max(days)  # faster now than at the slowest time of the year


def test_pages_of_taken_over_cases_open_for_applicant_and_caseworker(demo):
    maria = User.objects.get(email="maria.muster@example.org")
    case = history().filter(applicant=maria, state=CaseState.CLOSED).first()
    citizen = login(Client(), maria)
    assert citizen.get("/konto/antraege/").status_code == 200
    page = citizen.get(f"/konto/antraege/{case.reference}/")
    assert page.status_code == 200 and case.reference in page.content.decode()
    caseworker = User.objects.get(email=data.STAFF[0][0])
    staff = login(Client(), caseworker)
    assert staff.get("/verwaltung/vorgaenge/").status_code == 200
    own = history().filter(department__code="Amt 32").exclude(state=CaseState.RECEIVED).first()
    page = staff.get(f"/verwaltung/vorgaenge/{own.reference}/")
    assert page.status_code == 200 and "Vorgängersystem" in page.content.decode()
