"""Demo bookings of Regensburg: a triple sports hall with its thirds, the wedding room of the Old
Town Hall with two registrars, two barbecue areas, a youth centre room, the season 2026/27 with
the Bavarian school holidays and granted club slots, and two garden courses.

Everything is found by slug, code or name; a second run finds everything and writes nothing.
Buildings, addresses and people are invented apart from the public structure of the city.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import transaction

BERLIN = ZoneInfo("Europe/Berlin")
MON_FRI, MON_SAT, ALL_WEEK = range(5), range(6), range(7)

# (code, name)
UNITS = [
    ("koenigswiesen-drittel-a", "Königswiesen, Hallendrittel A"),
    ("koenigswiesen-drittel-b", "Königswiesen, Hallendrittel B"),
    ("koenigswiesen-drittel-c", "Königswiesen, Hallendrittel C"),
    ("trauzimmer-altes-rathaus", "Trauzimmer im Alten Rathaus"),
    ("standesbeamtin-huber", "Standesbeamtin Huber"),
    ("standesbeamter-wagner", "Standesbeamter Wagner"),
    ("grillplatz-westbad", "Grillplatz Westbad"),
    ("grillplatz-donaupark", "Grillplatz Donaupark"),
    ("jugendzentrum-arena-raum", "Jugendzentrum Arena, Gruppenraum"),
]

_HALL = {
    "kind": "facility",
    "department": "Amt 52",
    "service": "sportstaette-nutzen",
    "location": "Königswiesenweg 12, 93051 Regensburg",
    "audience": "organisations",
    "min_minutes": 60,
    "max_minutes": 240,
    "horizon_days": 365,
    "cancel_hours": 48,
    "hours": [(MON_FRI, "08:00", "22:00"), ([5], "09:00", "18:00")],
}
_LEISURE = {
    "kind": "leisure",
    "department": "Amt 67",
    "service": "grillplatz-buchen",
    "audience": "public",
    "min_minutes": 120,
    "max_minutes": 360,
    "horizon_days": 120,
    "payment_minutes": 30,
    "cancel_hours": 48,
    "closed_on_public_holidays": False,
    "hours": [(ALL_WEEK, "10:00", "22:00")],
}

# One dict per resource; "units" are codes from UNITS, "hours" (weekdays, opens, closes).
RESOURCES: list[dict] = [
    {
        **_HALL,
        "slug": "dreifachturnhalle-koenigswiesen",
        "name": "Dreifachturnhalle Königswiesen – ganze Halle",
        "name_en": "Königswiesen triple sports hall – whole hall",
        "description": "Die ganze Halle mit allen drei Hallendritteln, für Spiele und Turniere.",
        "description_en": "The whole hall with all three thirds, for matches and tournaments.",
        "units": ["koenigswiesen-drittel-a", "koenigswiesen-drittel-b", "koenigswiesen-drittel-c"],
        "fee_per_hour": "37.50",
    },
    *[
        {
            **_HALL,
            "slug": f"dreifachturnhalle-koenigswiesen-drittel-{part.lower()}",
            "name": f"Dreifachturnhalle Königswiesen – Hallendrittel {part}",
            "name_en": f"Königswiesen triple sports hall – third {part}",
            "description": "Ein Hallendrittel, abgetrennt durch Trennvorhänge.",
            "description_en": "One third of the hall, separated by dividing curtains.",
            "units": [f"koenigswiesen-drittel-{part.lower()}"],
            "fee_per_hour": "12.50",
        }
        for part in "ABC"
    ],
    {
        "slug": "trauzimmer-altes-rathaus",
        "kind": "room",
        "department": "Amt 34",
        "service": "trautermin-eheschliessung-anmelden",
        "name": "Trauzimmer im Alten Rathaus",
        "name_en": "Wedding room in the Old Town Hall",
        "description": "Das Trauzimmer im Alten Rathaus am Rathausplatz, für bis zu 30 Gäste.",
        "description_en": "The wedding room of the Old Town Hall on Rathausplatz, for up to 30 guests.",
        "location": "Altes Rathaus, Rathausplatz 1, 93047 Regensburg",
        "audience": "public",
        "units": ["trauzimmer-altes-rathaus"],
        "slot_minutes": 45,
        "buffer_minutes": 15,
        "horizon_days": 180,
        "min_lead_hours": 72,
        "needs_confirmation": True,
        "fee_flat": "0.00",
        "hours": [(range(1, 5), "09:00", "15:00"), ([5], "10:00", "13:00")],
    },
    *[
        {
            "slug": slug,
            "kind": "staff",
            "department": "Amt 34",
            "name": name,
            "name_en": name,
            "audience": "staff",
            "units": [slug],
            "slot_minutes": 45,
            "horizon_days": 180,
            "hours": hours,
        }
        for slug, name, hours in (
            ("standesbeamtin-huber", "Standesbeamtin Huber", [(range(1, 5), "08:00", "16:00")]),
            (
                "standesbeamter-wagner",
                "Standesbeamter Wagner",
                [(range(1, 5), "08:00", "16:00"), ([5], "09:00", "14:00")],
            ),
        )
    ],
    {
        **_LEISURE,
        "slug": "grillplatz-westbad",
        "name": "Grillplatz Westbad",
        "name_en": "Westbad barbecue area",
        "description": "Überdachter Grillplatz am Westbad mit Tischen für 25 Personen und Stromanschluss.",
        "description_en": "Covered barbecue area by the Westbad with tables for 25 and a power supply.",
        "location": "Messerschmittstraße 4, 93049 Regensburg",
        "units": ["grillplatz-westbad"],
        "fee_flat": "15.00",
    },
    {
        **_LEISURE,
        "slug": "grillplatz-donaupark",
        "name": "Grillplatz Donaupark",
        "name_en": "Donaupark barbecue area",
        "description": "Grillplatz an der Donau mit Feuerstelle und Wiese; Gebühr je angefangene Stunde.",
        "description_en": "Barbecue area on the Danube with a fire pit and a meadow; fee per hour.",
        "location": "Donaupark, Am Protzenweiher, 93059 Regensburg",
        "units": ["grillplatz-donaupark"],
        "fee_per_hour": "2.50",
    },
    {
        "slug": "jugendzentrum-arena-raum",
        "kind": "room",
        "department": "Amt 51",
        "name": "Raum im Jugendzentrum Arena",
        "name_en": "Room in the Arena youth centre",
        "description": "Gruppenraum für Jugendgruppen und Initiativen, mit Beamer und Küche.",
        "description_en": "Group room for youth groups and initiatives, with a projector and a kitchen.",
        "location": "Jugendzentrum Arena, Regensburg",
        "audience": "public",
        "units": ["jugendzentrum-arena-raum"],
        "min_minutes": 60,
        "max_minutes": 240,
        "horizon_days": 60,
        "hours": [(MON_SAT, "14:00", "22:00")],
    },
]

SEASON = {
    "name": "Hallensaison 2026/27",
    "first_day": dt.date(2026, 9, 14),
    "last_day": dt.date(2027, 6, 30),
    "applications_close": dt.date(2026, 7, 15),
}

# Bavarian school holidays touching the season (Kultusministerium). The summer holidays 2026 end
# on 14 September, so the season's first Monday is still a holiday; Buß- und Bettag is a school
# holiday in Bavaria though not a public holiday.
SCHOOL_HOLIDAYS = [
    ("Sommerferien 2026", dt.date(2026, 8, 3), dt.date(2026, 9, 14)),
    ("Herbstferien 2026", dt.date(2026, 11, 2), dt.date(2026, 11, 6)),
    ("Buß- und Bettag 2026", dt.date(2026, 11, 18), dt.date(2026, 11, 18)),
    ("Weihnachtsferien 2026/27", dt.date(2026, 12, 24), dt.date(2027, 1, 8)),
    ("Winterferien 2027", dt.date(2027, 2, 8), dt.date(2027, 2, 12)),
    ("Osterferien 2027", dt.date(2027, 3, 22), dt.date(2027, 4, 2)),
    ("Pfingstferien 2027", dt.date(2027, 5, 18), dt.date(2027, 5, 28)),
]

# Granted weekly slots of the demo club: (resource slug, weekday, from, until, purpose)
CLUB_SLOTS = [
    ("dreifachturnhalle-koenigswiesen-drittel-a", 1, "19:00", "21:00", "Volleyball Damen"),
    ("dreifachturnhalle-koenigswiesen-drittel-b", 3, "17:00", "18:30", "Kinderturnen"),
    ("dreifachturnhalle-koenigswiesen", 4, "19:00", "22:00", "Handball Herren, Punktspiele"),
]

SPORTS_OFFICE_STAFF = ("sportamt@regensburg.example", "Simon", "Sport", "caseworker", "Amt 52")
PARKS_OFFICE_STAFF = ("gartenamt@regensburg.example", "Gerda", "Garten", "caseworker", "Amt 67")

# (slug, name, name_en, description, capacity, fee, sessions as (date, from, until))
COURSES = [
    (
        "obstbaumschnitt-fruehjahr-2027",
        "Obstbaumschnitt für Einsteiger",
        "Fruit tree pruning for beginners",
        "Theorie in der Lehrgärtnerei und Praxis auf der Streuobstwiese; bitte Gartenschere mitbringen.",
        12,
        "15.00",
        [(dt.date(2027, 3, 6), "10:00", "13:00"), (dt.date(2027, 3, 13), "10:00", "13:00")],
    ),
    (
        "kompost-werkstatt-2027",
        "Kompost-Werkstatt im Stadtpark",
        "Compost workshop in the city park",
        "Kleine Runde am Komposthaufen: Wurmkiste, Thermokomposter und Bokashi im Vergleich.",
        2,
        "5.00",
        [(dt.date(2027, 4, 17), "14:00", "16:00")],
    ),
]


def _time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


def _local(day: dt.date, value: str) -> dt.datetime:
    return dt.datetime.combine(day, _time(value), tzinfo=BERLIN)


def _staff_user(entry, created: dict[str, int]):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from rathaus.accounts.models import Department, StaffRole

    from .loader import _user, demo_totp_key

    email, first, last, role, department_code = entry
    user, was_created = _user(email, first_name=first, last_name=last)
    created["booking_staff"] += was_created
    department = Department.objects.get(code=department_code)
    _role, role_created = StaffRole.objects.get_or_create(user=user, kind=role, department=department)
    created["booking_staff"] += role_created
    if not TOTPDevice.objects.filter(user=user).exists():
        TOTPDevice.objects.create(user=user, name="Demo", key=demo_totp_key(email), confirmed=True)
    return user


def _resources(created: dict[str, int]) -> dict:
    from rathaus.accounts.models import Department
    from rathaus.booking.models import OpeningHours, Resource, Unit
    from rathaus.catalog.models import Service

    units = {}
    for code, name in UNITS:
        units[code], was_created = Unit.objects.get_or_create(code=code, defaults={"name": name})
        created["booking_units"] += was_created
    departments = {d.code: d for d in Department.objects.all()}
    resources = {}
    for entry in RESOURCES:
        fields = dict(entry)
        slug, unit_codes, hours = fields.pop("slug"), fields.pop("units"), fields.pop("hours")
        fields["department"] = departments[fields["department"]]
        service_slug = fields.pop("service", None)
        fields["service"] = Service.objects.filter(slug=service_slug).first() if service_slug else None
        for money in ("fee_flat", "fee_per_hour"):
            if money in fields:
                fields[money] = Decimal(fields[money])
        resource, was_created = Resource.objects.get_or_create(slug=slug, defaults=fields)
        if was_created:
            resource.units.set([units[code] for code in unit_codes])
            OpeningHours.objects.bulk_create(
                OpeningHours(resource=resource, weekday=day, opens=_time(opens), closes=_time(closes))
                for days, opens, closes in hours
                for day in days
            )
        resources[slug] = resource
        created["booking_resources"] += was_created
    return resources


def _season(resources: dict, sports_staff, created: dict[str, int]) -> None:
    from rathaus.accounts.models import Organisation
    from rathaus.booking import services
    from rathaus.booking.models import SchoolHolidayPeriod, Season, SeasonApplication

    from . import data

    for name, first, last in SCHOOL_HOLIDAYS:
        _period, was_created = SchoolHolidayPeriod.objects.get_or_create(
            name=name, defaults={"first_day": first, "last_day": last}
        )
        created["booking_holidays"] += was_created
    season, was_created = Season.objects.get_or_create(
        name=SEASON["name"], defaults={k: v for k, v in SEASON.items() if k != "name"}
    )
    created["booking_seasons"] += was_created
    club = Organisation.objects.get(name=data.ORGANISATION["name"])
    club_admin = club.memberships.filter(is_admin=True).select_related("user").first().user
    for slug, weekday, starts, ends, purpose in CLUB_SLOTS:
        resource = resources[slug]
        if SeasonApplication.objects.filter(
            season=season, organisation=club, resource=resource, weekday=weekday
        ).exists():
            continue
        # The demo's applications were filed before the deadline and are decided right away.
        application = SeasonApplication.objects.create(
            season=season,
            organisation=club,
            resource=resource,
            weekday=weekday,
            starts=_time(starts),
            ends=_time(ends),
            purpose=purpose,
            applied_by=club_admin,
        )
        services.season_application_decide(
            application=application, acting_user=sports_staff, decision="grant"
        )
        _date_season_application(season, application)
        created["booking_season_applications"] += 1


def _date_season_application(season, application) -> None:
    """Give a demo application and its granted slots the dates they would have had: filed before
    the deadline, granted two weeks after it. Stamped with the loading time, the season's slots
    made the key figure "bookings made online" jump on the day the demo was loaded."""
    from django.utils import timezone

    from rathaus.booking.models import Booking, SeasonApplication

    if season.applications_close is None:
        return
    filed = _local(season.applications_close - dt.timedelta(days=10), "09:00")
    granted = _local(season.applications_close + dt.timedelta(days=14), "10:00")
    if granted >= timezone.now():
        return
    SeasonApplication.objects.filter(pk=application.pk).update(created_at=filed)
    Booking.objects.filter(season_application=application).update(created_at=granted)


def _courses(created: dict[str, int]) -> None:
    from rathaus.accounts.models import Department
    from rathaus.booking.models import Course, CourseSession
    from rathaus.catalog.models import Service

    department = Department.objects.get(code="Amt 67")
    service = Service.objects.filter(slug="gartenkurs-anmelden").first()
    for slug, name, name_en, description, capacity, fee, sessions in COURSES:
        first_day = sessions[0][0]
        course, was_created = Course.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_en": name_en,
                "description": description,
                "service": service,
                "department": department,
                "capacity": capacity,
                "fee": Decimal(fee),
                "registration_opens_at": _local(dt.date(2026, 11, 1), "08:00"),
                "registration_closes_at": _local(first_day - dt.timedelta(days=3), "23:59"),
            },
        )
        created["booking_courses"] += was_created
        if was_created:
            CourseSession.objects.bulk_create(
                CourseSession(course=course, starts_at=_local(day, starts), ends_at=_local(day, ends))
                for day, starts, ends in sessions
            )


@transaction.atomic
def load_booking() -> dict[str, int]:
    """Create the demo's bookable resources, season and courses that are missing."""
    created = dict.fromkeys(
        [
            "booking_staff",
            "booking_units",
            "booking_resources",
            "booking_holidays",
            "booking_seasons",
            "booking_season_applications",
            "booking_courses",
        ],
        0,
    )
    sports_staff = _staff_user(SPORTS_OFFICE_STAFF, created)
    _staff_user(PARKS_OFFICE_STAFF, created)
    resources = _resources(created)
    _season(resources, sports_staff, created)
    _courses(created)
    return created
