"""Season allocation: applications, conflicts, granting into weekly bookings, exceptions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone, translation
from icalendar import Calendar

from conftest import make_staff, make_user
from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department
from rathaus.booking import services
from rathaus.booking.availability import BERLIN, is_public_holiday
from rathaus.booking.constants import BookingStatus, SeasonApplicationStatus
from rathaus.booking.errors import BookingError
from rathaus.booking.ical import calendar_for_bookings
from rathaus.booking.models import Booking, SchoolHolidayPeriod, Season, SeasonApplication

from .booking_factories import divisible_hall, local, make_club

pytestmark = pytest.mark.django_db

T19, T21 = dt.time(19), dt.time(21)
TUESDAY = 1


@pytest.fixture
def sports_office(db):
    return Department.objects.create(code="Amt 52", name="Sportamt", name_en="Sports Office")


@pytest.fixture
def sports_staff(sports_office):
    return make_staff("sportamt@stadt.example", StaffRoleKind.CASEWORKER, sports_office)


@pytest.fixture
def hall(sports_office):
    return divisible_hall(sports_office, max_minutes=240, audience="organisations")


@pytest.fixture
def member(db):
    return make_user("trainerin@example.org", first_name="Tina", last_name="Trainer")


@pytest.fixture
def club(member):
    return make_club(member, name="SV Regensburg-Süd e.V.")


@pytest.fixture
def season(db):
    """Ten months from the coming Monday: always crosses a change of summer time."""
    today = timezone.localdate()
    first = today + dt.timedelta(days=7 - today.weekday())
    return Season.objects.create(name="Saison", first_day=first, last_day=first + dt.timedelta(days=300))


def _apply(season, club, resource, member, *, weekday=TUESDAY, starts=T19, ends=T21):
    return services.season_apply(
        season=season,
        organisation=club,
        resource=resource,
        weekday=weekday,
        starts=starts,
        ends=ends,
        acting_user=member,
    )


def _tuesdays(season):
    day = season.first_day + dt.timedelta(days=(TUESDAY - season.first_day.weekday()) % 7)
    while day <= season.last_day:
        yield day
        day += dt.timedelta(days=7)


def test_grant_books_every_tuesday_except_school_and_public_holidays(
    season, club, hall, member, sports_staff
):
    tuesdays = list(_tuesdays(season))
    holiday_week = tuesdays[3]
    SchoolHolidayPeriod.objects.create(
        name="Herbstferien",
        first_day=holiday_week - dt.timedelta(days=1),
        last_day=holiday_week + dt.timedelta(days=3),
    )
    application = _apply(season, club, hall["third1"], member)

    services.season_application_decide(application=application, acting_user=sports_staff, decision="grant")

    bookings = list(Booking.objects.filter(season_application=application).order_by("starts_at"))
    dates = [b.starts_at.astimezone(BERLIN).date() for b in bookings]
    expected = [d for d in tuesdays if d != holiday_week and not is_public_holiday(d)]
    assert dates == expected
    assert holiday_week not in dates
    assert all(b.status == BookingStatus.CONFIRMED for b in bookings)
    assert {b.public_label for b in bookings} == {"SV Regensburg-Süd e.V."}
    assert {b.organisation_id for b in bookings} == {club.pk}
    application.refresh_from_db()
    assert application.status == SeasonApplicationStatus.GRANTED


def test_season_dates_skip_bavarian_public_holidays(db):
    season = Season.objects.create(
        name="2026/27", first_day=dt.date(2026, 9, 14), last_day=dt.date(2027, 6, 30)
    )
    thursdays = services.season_dates(season=season, weekday=3)
    mondays = services.season_dates(season=season, weekday=0)
    assert dt.date(2027, 5, 6) not in thursdays  # Christi Himmelfahrt
    assert dt.date(2027, 5, 27) not in thursdays  # Fronleichnam
    assert dt.date(2027, 3, 29) not in mondays  # Ostermontag
    assert dt.date(2027, 5, 17) not in mondays  # Pfingstmontag
    assert dt.date(2026, 9, 21) in mondays


def test_weekly_slot_stays_at_19_local_in_winter_and_summer(season, club, hall, member, sports_staff):
    application = _apply(season, club, hall["third1"], member)
    services.season_application_decide(application=application, acting_user=sports_staff, decision="grant")
    bookings = list(Booking.objects.filter(season_application=application))
    winter = [b for b in bookings if b.starts_at.astimezone(BERLIN).utcoffset() == dt.timedelta(hours=1)]
    summer = [b for b in bookings if b.starts_at.astimezone(BERLIN).utcoffset() == dt.timedelta(hours=2)]
    assert winter and summer
    assert {b.starts_at.astimezone(BERLIN).time() for b in bookings} == {T19}
    assert {b.starts_at.astimezone(dt.UTC).hour for b in winter} == {18}
    assert {b.starts_at.astimezone(dt.UTC).hour for b in summer} == {17}

    parsed = Calendar.from_ical(calendar_for_bookings([winter[0], summer[0]], name="Plan"))
    starts = [event.decoded("dtstart") for event in parsed.walk("VEVENT")]
    assert [s.astimezone(BERLIN).time() for s in starts] == [T19, T19]
    assert sorted(s.utcoffset() for s in starts) == [dt.timedelta(hours=1), dt.timedelta(hours=2)]


def test_conflicts_pair_whole_hall_with_its_third_and_same_third(season, hall, sports_staff):
    people = [make_user(f"m{n}@example.org") for n in range(3)]
    clubs = [make_club(person, name=f"Verein {n}") for n, person in enumerate(people)]
    whole = _apply(season, clubs[0], hall["whole"], people[0])
    third = _apply(season, clubs[1], hall["third2"], people[1], starts=dt.time(20), ends=dt.time(22))
    other_day = _apply(season, clubs[2], hall["third2"], people[2], weekday=3)
    later = _apply(season, clubs[2], hall["third3"], people[2], starts=T21, ends=dt.time(22))

    pairs = {(a.pk, b.pk) for a, b in services.season_conflicts(season=season)}

    assert pairs == {(whole.pk, third.pk)}
    assert other_day.pk not in {pk for pair in pairs for pk in pair}
    assert later.pk not in {pk for pair in pairs for pk in pair}  # 21:00 touches 21:00: no overlap
    assert services.season_conflicts(season=season, resource=hall["third1"]) == []
    assert len(services.season_conflicts(season=season, resource=hall["third2"])) == 1


def test_two_clubs_on_the_same_third_conflict(season, hall):
    a, b = make_user("a@example.org"), make_user("b@example.org")
    first = _apply(season, make_club(a, name="A"), hall["third1"], a)
    second = _apply(season, make_club(b, name="B"), hall["third1"], b, starts=dt.time(20), ends=dt.time(22))
    assert [(x.pk, y.pk) for x, y in services.season_conflicts(season=season)] == [(first.pk, second.pk)]


def test_application_overlapping_the_clubs_own_application_is_refused(season, club, hall, member):
    _apply(season, club, hall["third1"], member)
    with translation.override("en"), pytest.raises(BookingError) as same:
        _apply(season, club, hall["third1"], member, starts=dt.time(20), ends=dt.time(22))
    assert "overlaps itself" in str(same.value)
    with pytest.raises(BookingError):
        _apply(season, club, hall["whole"], member, starts=dt.time(18), ends=dt.time(20))
    assert SeasonApplication.objects.count() == 1
    # Another weekday, or adjacent times, are fine.
    _apply(season, club, hall["third1"], member, weekday=3)
    _apply(season, club, hall["third1"], member, starts=T21, ends=dt.time(22))


def test_only_members_may_apply_for_a_club(season, club, hall):
    stranger = make_user("fremd@example.org")
    with pytest.raises(BookingError):
        _apply(season, club, hall["third1"], stranger)
    assert not SeasonApplication.objects.exists()


def test_grant_with_a_conflicting_booking_writes_nothing_and_names_the_date(
    season, club, hall, member, sports_staff
):
    tuesdays = [d for d in _tuesdays(season) if not is_public_holiday(d)]
    blocked_day = tuesdays[5]
    existing = services.booking_create(
        resource=hall["third1"],
        starts_at=local(blocked_day, 20),
        ends_at=local(blocked_day, 21),
        acting_user=sports_staff,
        status=BookingStatus.CONFIRMED,
    )
    application = _apply(season, club, hall["whole"], member)
    before = Booking.objects.count()

    with pytest.raises(BookingError) as refused:
        services.season_application_decide(
            application=application, acting_user=sports_staff, decision="grant"
        )

    assert refused.value.code == "taken"
    assert blocked_day.strftime("%d.%m.%Y") in str(refused.value)
    assert Booking.objects.count() == before
    application.refresh_from_db()
    assert application.status == SeasonApplicationStatus.SUBMITTED
    existing.refresh_from_db()
    assert existing.status == BookingStatus.CONFIRMED


def test_move_books_the_new_slot_and_refuse_needs_a_reason(season, club, hall, member, sports_staff):
    moved = _apply(season, club, hall["third1"], member)
    refused = _apply(season, club, hall["third2"], member, weekday=3)
    with pytest.raises(BookingError):
        services.season_application_decide(application=refused, acting_user=sports_staff, decision="refuse")
    services.season_application_decide(
        application=refused, acting_user=sports_staff, decision="refuse", reason="Halle voll belegt"
    )
    services.season_application_decide(
        application=moved,
        acting_user=sports_staff,
        decision="move",
        reason="Dienstag ist vergeben",
        moved_to=(2, dt.time(18), dt.time(20)),
    )
    moved.refresh_from_db()
    refused.refresh_from_db()
    assert refused.status == SeasonApplicationStatus.REFUSED
    assert not refused.bookings.exists()
    assert moved.status == SeasonApplicationStatus.MOVED
    starts = {b.starts_at.astimezone(BERLIN) for b in moved.bookings.all()}
    assert starts and {s.weekday() for s in starts} == {2} and {s.time() for s in starts} == {dt.time(18)}


def test_staff_of_another_department_cannot_decide(season, club, hall, member, other_caseworker):
    application = _apply(season, club, hall["third1"], member)
    with pytest.raises(PermissionDenied):
        services.season_application_decide(
            application=application, acting_user=other_caseworker, decision="grant"
        )
    assert not Booking.objects.exists()


@pytest.fixture
def granted(season, club, hall, member, sports_staff):
    application = _apply(season, club, hall["third1"], member)
    services.season_application_decide(application=application, acting_user=sports_staff, decision="grant")
    return application


def test_cancelling_one_date_keeps_the_others(granted, sports_staff):
    first, second = granted.bookings.order_by("starts_at")[:2]
    total = granted.bookings.count()
    services.season_date_cancel(booking=first, acting_user=sports_staff, reason="Turnier")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == BookingStatus.CANCELLED
    assert second.status == BookingStatus.CONFIRMED
    assert granted.bookings.filter(status=BookingStatus.CONFIRMED).count() == total - 1


def test_swapping_one_date_moves_it_and_frees_the_old_time(granted, hall, sports_staff):
    booking = granted.bookings.order_by("starts_at").first()
    day = booking.starts_at.astimezone(BERLIN).date()
    new = services.season_date_swap(
        booking=booking,
        new_starts_at=local(day + dt.timedelta(days=1), 18),
        new_ends_at=local(day + dt.timedelta(days=1), 20),
        acting_user=sports_staff,
    )
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert new.status == BookingStatus.CONFIRMED
    assert new.season_application_id == granted.pk
    assert new.public_label == "SV Regensburg-Süd e.V."
    # The old time is free again for someone else.
    services.booking_create(
        resource=hall["third1"],
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        acting_user=sports_staff,
    )


def test_swap_onto_a_taken_time_changes_nothing(granted, sports_staff):
    first, second = granted.bookings.order_by("starts_at")[:2]
    with pytest.raises(BookingError):
        services.season_date_swap(
            booking=first,
            new_starts_at=second.starts_at,
            new_ends_at=second.ends_at,
            acting_user=sports_staff,
        )
    first.refresh_from_db()
    assert first.status == BookingStatus.CONFIRMED
