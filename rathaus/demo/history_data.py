"""Data of the demo's history (``case_history``, ``booking_history``): the people who applied or
booked, the texts of the records taken over from the predecessor system, when the city's offices
are open, and what applicants filled in on each form.

People, places and texts are invented apart from the public structure of the city.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rathaus.cases.deadlines import is_working_day
from rathaus.cases.models import NoticeOutcome
from rathaus.catalog.constants import Channel

from . import data

BERLIN = ZoneInfo("Europe/Berlin")

# --- people --------------------------------------------------------------------------------------

# People without an account who applied or booked at the counter, by post or by phone.
PEOPLE = [
    ("Anna", "Huber", "1958-03-12", "Dechbettener Straße 14", "93049", "anna.huber@example.net"),
    ("Josef", "Bauer", "1949-07-30", "Prüfeninger Straße 60", "93049", "josef.bauer@example.net"),
    ("Elif", "Yılmaz", "1991-01-08", "Humboldtstraße 22", "93053", "elif.yilmaz@example.com"),
    ("Thomas", "Weber", "1975-10-21", "Landshuter Straße 41", "93053", "t.weber@example.de"),
    ("Irmgard", "Schmid", "1944-05-02", "Hemauerstraße 3", "93047", "i.schmid@example.de"),
    ("Lukas", "Fischer", "1997-12-15", "Ostengasse 9", "93047", "lukas.fischer@example.org"),
    ("Katharina", "Wagner", "1983-08-09", "Kumpfmühler Straße 35", "93051", "k.wagner@example.net"),
    ("Mehmet", "Demir", "1979-02-27", "Isarstraße 18", "93057", "m.demir@example.com"),
    ("Sophie", "Koch", "1988-06-03", "Von-der-Tann-Straße 7", "93047", "sophie.koch@example.com"),
    ("Franz", "Meier", "1952-11-19", "Lappersdorfer Straße 25", "93059", "franz.meier@example.org"),
    ("Olena", "Kovalenko", "1986-04-25", "Guerickestraße 11", "93053", "olena.k@example.org"),
    ("Stefanie", "Hofmann", "1972-09-14", "Amberger Straße 52", "93059", "s.hofmann@example.de"),
]


@dataclass(frozen=True)
class Person:
    """Somebody who applied or booked; ``citizen``: a demo citizen with an account (found by
    e-mail), else a person without one."""

    first_name: str
    last_name: str
    birth_date: str
    street: str
    postal_code: str
    email: str
    citizen: bool = False

    @property
    def address(self) -> dict[str, str]:
        return {"street": self.street, "postal_code": self.postal_code, "city": "Regensburg"}

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


CITIZENS = [
    Person(c["first_name"], c["last_name"], c["birth_date"], c["street"], c["postal_code"], c["email"], True)
    for c in data.CITIZENS
]
OTHERS = [Person(*entry) for entry in PEOPLE]


# --- texts of the records taken over -----------------------------------------------------------

IMPORTED = (
    "Eingegangen im Vorgängersystem der Stadt; der Vorgang wurde mit seinem Verlauf in das "
    "Rathaus-Portal übernommen."
)
IMPORT_NOTE = (
    "Altdatenübernahme am {day:%d.%m.%Y}: Der Vorgang wurde im Vorgängersystem bearbeitet. "
    "Eingangsbestätigung, Nachforderungen und Bescheid wurden dort erstellt und zugestellt; sie "
    "liegen in der Papierakte und werden hier nicht neu erzeugt."
)
DECISIONS = {
    NoticeOutcome.GRANTED: "Dem Antrag wurde stattgegeben.",
    NoticeOutcome.PARTLY_GRANTED: "Dem Antrag wurde teilweise stattgegeben.",
    NoticeOutcome.REFUSED: "Der Antrag wurde abgelehnt.",
}
DECISION_SOURCE = " Der Bescheid wurde im Vorgängersystem erstellt und zugestellt."
REQUESTS = {
    "bauantrag-digital": "Bitte reichen Sie den Stellplatznachweis und die fehlenden Unterschriften nach.",
    "gastschulbeitrag": "Bitte reichen Sie die Aufnahmebestätigung der Gastschule nach.",
    "sondernutzung-strasse": "Bitte reichen Sie einen Lageplan mit der genauen Fläche nach.",
    "bewohnerparkausweis": "Bitte reichen Sie die Zulassungsbescheinigung Teil I nach.",
    "hundesteuer-anmeldung": "Bitte reichen Sie die Abmeldebescheinigung der bisherigen Gemeinde nach.",
}
REQUEST_DEFAULT = "Bitte reichen Sie einen Nachweis zu Ihren Angaben nach."
ANSWER = "Die Unterlagen wurden nachgereicht."


# --- when the offices are open -----------------------------------------------------------------


def at(day: dt.date, minutes: int) -> dt.datetime:
    """``minutes`` after midnight of ``day`` in Regensburg."""
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=BERLIN)


def office_moment(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    """``moment`` if the office is open then (working day, 8 to 16 o'clock), else a moment in the
    first hours of the next working day."""
    local = moment.astimezone(BERLIN)
    if is_working_day(local.date()) and 8 <= local.hour < 16:
        return local.replace(second=0, microsecond=0)
    day = local.date() + dt.timedelta(days=0 if local.hour < 8 else 1)
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return at(day, 8 * 60 + rng.randrange(180))


def working_day_before_today(day: dt.date, today: dt.date) -> dt.date:
    """The first working day from ``day`` on if that is before ``today``, else the last one
    before ``day``: the history has happened by the day it is loaded."""
    forward = day
    while not is_working_day(forward):
        forward += dt.timedelta(days=1)
    if forward < today:
        return forward
    back = day - dt.timedelta(days=1)
    while not is_working_day(back):
        back -= dt.timedelta(days=1)
    return back


def received_at(rng: random.Random, day: dt.date, channel: str, today: dt.date) -> dt.datetime:
    """Online any day from early morning to late evening; counter and phone in office hours;
    post as registered in the morning."""
    if channel == Channel.ONLINE:
        return at(day, rng.choice([7, 9, 11, 12, 14, 17, 19, 20, 21, 22]) * 60 + rng.randrange(60))
    day = working_day_before_today(day, today)
    if channel == Channel.POST:
        return at(day, 9 * 60 + rng.randrange(150))
    return at(day, 8 * 60 + rng.randrange(8 * 60))


# --- answers: what the applicant filled in, per form (without the files) ---------------------------
#
# Each builder takes (random generator, the applicant or None, the day of receipt) and returns the
# answers in the shape the form engine stores them; ``ANSWERS`` names the builder per service.


def _person(person: Person | None) -> dict:
    if person is None:
        return {}
    answers = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "birth_date": person.birth_date,
        "address": person.address,
    }
    return answers | ({"email": person.email} if person.email else {})


def _address(street: str, postal_code: str, city: str = "Regensburg") -> dict[str, str]:
    return {"street": street, "postal_code": postal_code, "city": city}


def _plate(rng: random.Random, person: Person) -> str:
    return f"R-{person.first_name[0]}{person.last_name[0]} {rng.randrange(1, 999)}"


def _parking(rng, person, day) -> dict:
    duration = rng.choice(["1y", "1y", "2y"])
    return _person(person) | {
        "residence_kind": "main",
        "vehicles": [{"plate": _plate(rng, person), "holder": "self"}],
        "valid_from": (day + dt.timedelta(days=rng.randrange(0, 14))).isoformat(),
        "duration": duration,
        "account_holder": person.name,
        "iban": "DE89370400440532013000",
        "sepa_mandate": True,
        "truthful": True,
    }


DEFECTS = [
    ("light", "Straßenlaterne gegenüber Hausnummer 12", "Die Laterne leuchtet seit Tagen nicht."),
    ("road", "Radweg an der Kreuzung", "Ein tiefes Schlagloch auf dem Radweg, gefährlich bei Dunkelheit."),
    ("litter", "Wertstoffinsel am Parkplatz", "Sperrmüll wurde neben den Containern abgestellt."),
    ("graffiti", "Unterführung zum Bahnhof", "Neue Schmierereien an der Wand der Unterführung."),
    ("other", "Spielplatz im Stadtpark", "Die Schaukel ist beschädigt, eine Kette ist gerissen."),
]
STREETS = ["Dr.-Johann-Maier-Straße", "Kumpfmühler Straße", "Am Singrün", "Weichser Weg", "Greflingerstraße"]


def _defect(rng, person, day) -> dict:
    category, place, description = rng.choice(DEFECTS)
    answers = {
        "category": category,
        "location_description": f"{rng.choice(STREETS)}, {place}",
        "description": description,
        "wants_feedback": "yes" if person and person.email else "no",
    }
    return answers | ({"email": person.email} if person and person.email else {})


def _certificate(rng, person, day) -> dict:
    extended = rng.random() < 0.3
    return _person(person) | {
        "certificate_kind": "extended" if extended else "simple",
        "extended_contents": ["marital_status"] if extended else [],
        "purpose": rng.choice(["employer", "authority", "bank", "marriage"]),
        "copies": 1,
        "delivery": "mailbox" if person.citizen else "post",
        "truthful": True,
    }


DOGS = [("Bello", "labrador", "male"), ("Luna", "mixed", "female"), ("Emma", "dachshund", "female")]
DOGS += [("Rocky", "jack_russell", "male"), ("Nala", "golden_retriever", "female"), ("Max", "poodle", "male")]


def _dog_tax(rng, person, day) -> dict:
    name, breed, sex = rng.choice(DOGS)
    debit = rng.random() < 0.7
    answers = _person(person) | {
        "dogs": [{"dog_name": name, "breed": breed, "sex": sex}],
        "holding_start": (day - dt.timedelta(days=rng.randrange(1, 20))).isoformat(),
        "previously_registered": "no",
        "relief": "none",
        "payment_method": "direct_debit" if debit else "transfer",
        "truthful": True,
    }
    if debit:
        answers |= {"account_holder": person.name, "iban": "DE89370400440532013000", "sepa_mandate": True}
    return answers


CENTRES = ["kita-altstadt", "kita-stadtamhof", "kita-kumpfmuehl", "kita-galgenberg", "kita-westpark"]


def _day_care(rng, person, day) -> dict:
    care_type = rng.choice(["creche", "kindergarten", "kindergarten", "after_school"])
    age = {"creche": 1, "kindergarten": 3, "after_school": 6}[care_type]
    return _person(person) | {
        "child_first_name": rng.choice(["Lena", "Paul", "Mia", "Felix", "Hannah", "Noah"]),
        "child_last_name": person.last_name,
        "child_birth_date": (day - dt.timedelta(days=365 * age + rng.randrange(300))).isoformat(),
        "special_needs": "no",
        "care_type": care_type,
        "desired_start": dt.date(day.year + (day.month >= 6), 9, 1).isoformat(),
        "care_hours": rng.choice(["5-6", "6-7", "7-8"]),
        "centres": [{"centre": centre} for centre in rng.sample(CENTRES, 2)],
        "sibling": "no",
        "data_sharing": True,
    }


USES = [("scaffolding", 22), ("skip", 8), ("removal", 15), ("outdoor_dining", 18), ("info_stand", 4)]


def _special_use(rng, person, day) -> dict:
    purpose, metres = rng.choice(USES)
    start = day + dt.timedelta(days=rng.randrange(10, 30))
    days = rng.choice([1, 2, 7, 14])
    return _person(person) | {
        "applicant_kind": "private",
        "phone": "0941 " + str(rng.randrange(200000, 799999)),
        "purpose": purpose,
        "location": _address(f"{rng.choice(STREETS)} {rng.randrange(1, 60)}", "93047"),
        "surfaces": ["pavement"],
        "square_metres": metres,
        "start_date": start.isoformat(),
        "end_date": (start + dt.timedelta(days=days - 1)).isoformat(),
        "liability": True,
    }


def _garden_course(rng, person, day) -> dict:
    answers = {
        "course": rng.choice(["obstbaumschnitt", "stadtgaertnern", "kompost", "wildblumen"]),
        "waiting_list": "yes",
        "regensburg_pass": "no",
        "first_name": person.first_name,
        "last_name": person.last_name,
        "cancellation_terms": True,
    }
    if person.email:
        return answers | {"email": person.email}
    return answers | {"phone": "0941 " + str(rng.randrange(200000, 799999))}


PARTNERS = [("Luca", "Rossi", "1984-09-30", "Verona"), ("Sarah", "Lang", "1990-02-11", "Passau")]
PARTNERS += [("Daniel", "Krüger", "1987-05-23", "Nürnberg"), ("Julia", "Brandl", "1992-12-01", "Regensburg")]


def _partner(first: str, last: str, born: str, place: str, *, here: bool) -> dict:
    return {
        "first_names": first,
        "last_name": last,
        "birth_date": born,
        "birth_place": place,
        "nationality": "german",
        "marital_status": "single",
        "registered_in_regensburg": "yes" if here else "no",
    }


def _wedding(rng, person, day) -> dict:
    first, last, born, place = rng.choice(PARTNERS)
    start = day + dt.timedelta(days=rng.randrange(40, 150))
    return {
        "partners": [
            _partner(person.first_name, person.last_name, person.birth_date, "Regensburg", here=True),
            _partner(first, last, born, place, here=False),
        ],
        "venue": rng.choice(["old_town_hall", "wedding_room", "no_preference"]),
        "desired_from": start.isoformat(),
        "desired_until": (start + dt.timedelta(days=30)).isoformat(),
        "guests": rng.randrange(6, 30),
        "married_name": rng.choice(["keep", "partner_1", "undecided"]),
        "interpreter": "no",
        "previous_marriage": "no",
        "address": person.address,
        "truthful": True,
    } | ({"email": person.email} if person.email else {})


PROJECTS = [
    ("new_building", "Einfamilienhaus mit Garage", 2, 210, 480),
    ("extension", "Anbau eines Wintergartens", 1, 25, 60),
    ("conversion", "Ausbau des Dachgeschosses zu Wohnraum", 1, 60, 120),
    ("garage", "Doppelgarage mit Flachdach", 1, 40, 45),
]


def _building(rng, person, day) -> dict:
    kind, description, storeys, area, cost = rng.choice(PROJECTS)
    return _person(person) | {
        "applicant_kind": "private",
        "designer_name": "Architekturbüro Keplerstraße, Dipl.-Ing. Eva Stein",
        "designer_qualification": "architect",
        "designer_chamber_number": "BYAK 123456",
        "designer_email": "stein@architektur.example",
        "designer_phone": "0941 123456",
        "plot_address": _address(f"Am Brandlberg {rng.randrange(1, 40)}", "93057"),
        "cadastral_district": rng.choice(["Weichs", "Kumpfmühl", "Prüfening", "Burgweinting"]),
        "parcel_numbers": f"{rng.randrange(100, 2999)}/{rng.randrange(1, 20)}",
        "project_kind": kind,
        "procedure": "simplified",
        "project_description": description,
        "storeys": storeys,
        "gross_floor_area": area,
        "construction_cost_thousands": cost,
        "parking_spaces": 2 if kind == "new_building" else 0,
        "neighbours_signed": rng.choice(["all", "some"]),
        "truthful": True,
    }


GUEST_SCHOOLS = [
    ("Grundschule Lappersdorf", "Schulstraße 2", "93138", "Lappersdorf", "grundschule"),
    ("Mittelschule Neutraubling", "Pommernstraße 6", "93073", "Neutraubling", "mittelschule"),
]


def _guest_school(rng, person, day) -> dict:
    school, street, postal, town, kind = rng.choice(GUEST_SCHOOLS)
    start = dt.date(day.year + (day.month >= 8), 9, 15)
    grade = rng.randrange(1, 5) if kind == "grundschule" else rng.randrange(5, 10)
    return _person(person) | {
        "child_first_name": rng.choice(["Paul", "Emilia", "Leon", "Marie"]),
        "child_last_name": person.last_name,
        "child_birth_date": (start - dt.timedelta(days=365 * (grade + 5) + rng.randrange(300))).isoformat(),
        "school_type": kind,
        "guest_school_name": school,
        "guest_school_address": _address(street, postal, town),
        "grade": grade,
        "start_date": start.isoformat(),
        "end_date": dt.date(start.year + 1, 7, 31).isoformat(),
        "reason": "care",
        "reason_details": "Nach der Schule betreuen die Großeltern das Kind, die dort wohnen.",
        "custody": True,
    }


ANSWERS = {
    "meldebescheinigung": _certificate,
    "bewohnerparkausweis": _parking,
    "maengelmelder": _defect,
    "hundesteuer-anmeldung": _dog_tax,
    "kita-platz-voranmelden": _day_care,
    "sondernutzung-strasse": _special_use,
    "gartenkurs-anmelden": _garden_course,
    "trautermin-eheschliessung-anmelden": _wedding,
    "bauantrag-digital": _building,
    "gastschulbeitrag": _guest_school,
}
