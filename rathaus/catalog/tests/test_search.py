"""Search quality on the demo catalogue: what people type must find what they mean."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rathaus.catalog import search
from rathaus.catalog.models import Service
from rathaus.catalog.selectors import services_matching

pytestmark = pytest.mark.django_db


def slugs(query: str) -> list[str]:
    return [service.slug for service in services_matching(query)]


# query → the service that must come first
FIRST = [
    # parking: everyday word, the official compound, a typo, English
    ("parken", "bewohnerparkausweis"),
    ("Parkausweis", "bewohnerparkausweis"),
    ("parkausweiss", "bewohnerparkausweis"),
    ("Anwohnerparken", "bewohnerparkausweis"),
    ("parking", "bewohnerparkausweis"),
    ("residents parking permit", "bewohnerparkausweis"),
    # dogs: split, joined, missing letter, English, a sentence
    ("Hunde steuer", "hundesteuer-anmeldung"),
    ("hundesteuer", "hundesteuer-anmeldung"),
    ("Hundsteuer", "hundesteuer-anmeldung"),
    ("Hundesteuermarke", "hundesteuer-anmeldung"),
    ("dog tax", "hundesteuer-anmeldung"),
    ("Ich möchte meinen Hund anmelden", "hundesteuer-anmeldung"),
    # moving house
    ("Ummeldung", "wohnsitz-anmelden"),
    ("umzug", "wohnsitz-anmelden"),
    ("Wohnsitz", "wohnsitz-anmelden"),
    ("umziehen", "wohnsitz-anmelden"),
    # wedding: ß, ss, verb, noun, English
    ("Eheschließung", "trautermin-eheschliessung-anmelden"),
    ("Eheschliessung", "trautermin-eheschliessung-anmelden"),
    ("EHESCHLIESSUNG", "trautermin-eheschliessung-anmelden"),
    ("heiraten", "trautermin-eheschliessung-anmelden"),
    ("Hochzeit", "trautermin-eheschliessung-anmelden"),
    ("Trautermin", "trautermin-eheschliessung-anmelden"),
    ("wedding", "trautermin-eheschliessung-anmelden"),
    # building
    ("Bauantrag", "bauantrag-digital"),
    ("bauen", "bauantrag-digital"),
    ("Baugenehmigung", "bauantrag-digital"),
    ("Bauantarg", "bauantrag-digital"),
    # day care
    ("kita", "kita-platz-voranmelden"),
    ("Kita", "kita-platz-voranmelden"),
    ("Kindergarten", "kita-platz-voranmelden"),
    ("Krippe", "kita-platz-voranmelden"),
    # leisure, sports, gardens
    ("Grillplatz", "grillplatz-buchen"),
    ("grillen", "grillplatz-buchen"),
    ("Turnhalle", "sportstaette-nutzen"),
    ("Gartenkurs", "gartenkurs-anmelden"),
    # defects: umlaut, its spelling, an example
    ("Mängel", "maengelmelder"),
    ("Maengel", "maengelmelder"),
    ("Schlagloch", "maengelmelder"),
    ("Laterne kaputt", "maengelmelder"),
    # the rest of the must-haves
    ("Meldebescheinigung", "meldebescheinigung"),
    ("Gastschulbeitrag", "gastschulbeitrag"),
    ("Sondernutzung", "sondernutzung-strasse"),
    ("Gerüst", "sondernutzung-strasse"),
    ("Personalausweis", "personalausweis-beantragen"),
    ("Reisepass", "reisepass-beantragen"),
    ("Führungszeugnis", "fuehrungszeugnis"),
    ("Fuehrungszeugnis", "fuehrungszeugnis"),
    ("Gewerbe anmelden", "gewerbeanmeldung"),
    ("Geburtsurkunde", "geburtsurkunde"),
    ("Sperrmüll", "sperrmuell-anmelden"),
    ("Sperrmuell", "sperrmuell-anmelden"),
    ("Fundbüro", "fundsachen"),
    ("Straßenfest", "veranstaltung-anmelden"),
    ("Baum fällen", "baumfaellgenehmigung"),
    ("Wohngeld", "wohngeld"),
    ("Feuerwerk", "feuerwerk-ausnahme"),
    ("Akteneinsicht", "informationszugang"),
    # the LeiKa key itself
    ("99108001001000", "bewohnerparkausweis"),
]


@pytest.mark.parametrize(("query", "expected"), FIRST)
def test_query_finds_the_service_first(demo_catalog, query, expected):
    found = slugs(query)
    assert found, f"{query!r} found nothing"
    assert found[0] == expected, f"{query!r} → {found[:5]}"


@pytest.mark.parametrize("query", ["Auto", "auto", "Pkw", "car"])
def test_auto_finds_the_vehicle_services_first(demo_catalog, query):
    found = slugs(query)
    assert set(found[:2]) == {"kfz-zulassung", "kfz-ausserbetriebsetzung"}


def test_parking_finds_both_parking_permits_residents_first(demo_catalog):
    found = slugs("parken")
    assert found[0] == "bewohnerparkausweis"
    assert "parkerleichterung-behinderung" in found


@pytest.mark.parametrize("query", ["xyzzy", "qwertzuiop", "zzz", "Hund xyzzy quux"])
def test_nonsense_finds_nothing(demo_catalog, query):
    assert slugs(query) == []


def test_nonsense_next_to_a_real_word_still_finds_the_word(demo_catalog):
    assert slugs("Hundesteuer xyzzy")[0] == "hundesteuer-anmeldung"


@pytest.mark.parametrize("query", ["", "   ", "\n\t", "!!!", "?", "a", "–", "ich", "und die"])
def test_empty_or_meaningless_query_returns_nothing(demo_catalog, query):
    assert search.search_service_ids(query) == []
    assert services_matching(query) == []


def test_non_string_query_returns_nothing(demo_catalog):
    assert search.search_service_ids(None) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query",
    [
        "x" * 10_000,
        "parken " * 1500,
        "Hund " + "ä" * 10_000,
        "' OR 1=1; DROP TABLE catalog_service; --",
        "%' UNION SELECT password FROM accounts_user --",
        '<script>alert("x")</script>',
        '"><img src=x onerror=alert(1)>',
        "\x00\x01\x02 parken",
        "😀 🐶 Hundesteuer",
        "{{ 7*7 }} {% debug %}",
        "%%%%____****",
    ],
)
def test_hostile_or_huge_queries_do_not_fail(demo_catalog, query):
    assert isinstance(services_matching(query), list)
    assert Service.objects.count() == demo_catalog["services"]


def test_long_query_only_uses_the_first_words(demo_catalog):
    words = search.query_tokens("Hundesteuer " + "parken " * 2000)
    assert len(words) <= search.MAX_QUERY_TOKENS
    assert words[0] == "hundesteuer"


def test_sql_metacharacters_around_a_word_still_find_it(demo_catalog):
    assert slugs("'parken'; --")[0] == "bewohnerparkausweis"


def test_unpublished_services_are_never_found(demo_catalog):
    Service.objects.filter(slug="bewohnerparkausweis").update(is_published=False)
    search.invalidate()
    assert "bewohnerparkausweis" not in slugs("Bewohnerparkausweis")


def test_new_service_is_found_at_once(demo_catalog, demo_departments):
    service = Service.objects.create(
        leika_key="99999000000001",
        slug="drohne",
        name="Drohnenaufstieg genehmigen",
        summary="Aufstieg einer Drohne über der Altstadt",
        department=demo_departments["Amt 32"],
        channels=["online"],
    )
    assert slugs("Drohne")[0] == service.slug


def test_changes_from_another_process_are_noticed_by_the_signature(demo_catalog, monkeypatch):
    search.search_service_ids("parken")
    # Another process saves a renamed service: no signal in this process, but the signature
    # (latest change, count) moves on.
    Service.objects.filter(slug="wohngeld").update(
        name="Mietzuschuss Zaunkoenig", updated_at=timezone.now() + dt.timedelta(seconds=1)
    )
    monkeypatch.setattr(search._index, "checked_at", 0.0)
    assert slugs("Zaunkönig") == ["wohngeld"]


def test_expansions_are_cached(demo_catalog):
    search.search_service_ids("parken")
    assert "parken" in search._index.expansions
    cached = search._index.expansions["parken"]
    search.search_service_ids("parken")
    assert search._index.expansions["parken"] is cached


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Mängel", "maengel"), ("Straße", "strasse"), ("ÜBER", "ueber"), ("Café", "cafe"), ("Öl", "oel")],
)
def test_normalize_spells_umlauts_out(text, expected):
    assert search.normalize(text) == expected


def test_typo_cutoff_is_stricter_for_short_words():
    assert search.typo_cutoff("hunde") > search.typo_cutoff("hundesteuer")


def test_stopwords_are_dropped():
    assert search.query_tokens("Ich möchte meinen Hund anmelden") == ["hund", "anmelden"]
    assert search.query_tokens("und die") == []


def test_unpublishing_by_another_process_is_noticed(demo_catalog, monkeypatch):
    assert slugs("Wohngeld")[0] == "wohngeld"
    Service.objects.filter(slug="wohngeld").update(is_published=False)  # no save, no signal
    monkeypatch.setattr(search._index, "checked_at", 0.0)
    assert "wohngeld" not in slugs("Wohngeld")


def test_warm_search_needs_no_database_query(demo_catalog, django_assert_num_queries):
    search.search_services("parken")
    with django_assert_num_queries(0):
        found = search.search_services("Hundesteuer")
        assert found[0].department.code == "Amt 20"
        assert [s.slug for s in found[0].life_situations.all()]


def test_department_rename_reaches_the_index(demo_catalog, demo_departments):
    department = demo_departments["Amt 67"]
    department.name = "Amt für Stadtgrün und Zaunkönige"
    department.save()
    assert "gartenkurs-anmelden" in slugs("Zaunkönige")
