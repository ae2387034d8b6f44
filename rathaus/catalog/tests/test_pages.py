"""Public catalogue pages: index, search (full page and htmx partial), life situations,
departments and the service page (what you need, what it costs, how long it takes)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from rathaus.catalog.constants import OzgMaturity
from rathaus.catalog.models import LifeSituation, Service
from rathaus.catalog.services import service_set_capabilities

pytestmark = pytest.mark.django_db


def german(text: str) -> str:
    with translation.override("de"):
        return gettext(text)


def html(response) -> str:
    return response.content.decode()


def test_index_lists_life_situations_and_all_services(client, demo_catalog):
    response = client.get(reverse("catalog:index"))
    assert response.status_code == 200
    page = html(response)
    assert "<html" in page
    for slug in ("umzug", "heirat-und-partnerschaft", "maengel-melden"):
        assert reverse("catalog:life_situation", args=[slug]) in page
    assert page.count('href="/leistungen/') >= demo_catalog["services"]
    assert reverse("catalog:departments") in page


def test_index_hides_unpublished_services(client, demo_catalog):
    Service.objects.filter(slug="wohngeld").update(is_published=False)
    assert reverse("catalog:service", args=["wohngeld"]) not in html(client.get(reverse("catalog:index")))


def test_search_results_page(client, demo_catalog):
    response = client.get(reverse("catalog:index"), {"q": "parken"})
    assert response.status_code == 200
    page = html(response)
    assert "<html" in page
    assert page.index("/leistungen/bewohnerparkausweis/") < page.index(
        "/leistungen/parkerleichterung-behinderung/"
    )
    assert 'value="parken"' in page


def test_search_htmx_request_gets_only_the_results(client, demo_catalog):
    response = client.get(reverse("catalog:index"), {"q": "Hundesteuer"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = html(response)
    assert "<html" not in page
    assert page.lstrip().startswith('<div id="suchergebnisse"')
    assert "/leistungen/hundesteuer-anmeldung/" in page


def test_search_without_results_offers_other_ways(client, demo_catalog):
    page = html(client.get(reverse("catalog:index"), {"q": "xyzzy"}, HTTP_HX_REQUEST="true"))
    assert (
        german(
            "Try another word, or browse by life situation or department. You can also ask at the counter or by phone."
        )
        in page
    )


@pytest.mark.parametrize("query", ["<script>alert(1)</script>", "x" * 10_000, "' OR 1=1 --", "%00"])
def test_search_page_escapes_and_survives_hostile_queries(client, demo_catalog, query):
    response = client.get(reverse("catalog:index"), {"q": query})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html(response)


def test_life_situation_page_lists_its_published_services(client, demo_catalog):
    Service.objects.filter(slug="sperrmuell-anmelden").update(is_published=False)
    response = client.get(reverse("catalog:life_situation", args=["umzug"]))
    assert response.status_code == 200
    page = html(response)
    assert "Umzug" in page
    assert "/leistungen/wohnsitz-anmelden/" in page
    assert "/leistungen/bewohnerparkausweis/" in page
    assert "/leistungen/sperrmuell-anmelden/" not in page
    assert "/leistungen/bauantrag-digital/" not in page


def test_unknown_life_situation_is_404(client, demo_catalog):
    assert client.get(reverse("catalog:life_situation", args=["gibt-es-nicht"])).status_code == 404


def test_life_situation_in_english(client, demo_catalog):
    client.cookies["rathaus_language"] = "en"
    page = html(client.get(reverse("catalog:life_situation", args=["umzug"]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Moving house" in page
    assert "Registering your address (moving house)" in page


def test_departments_page_groups_services(client, demo_catalog):
    response = client.get(reverse("catalog:departments"))
    assert response.status_code == 200
    page = html(response)
    assert "Standesamt" in page and "Amt 34" in page
    assert page.index("Amt 34") < page.index("/leistungen/trautermin-eheschliessung-anmelden/")
    assert "Amt 11" not in page  # no services, not listed


def test_service_page_shows_what_you_need_cost_time_channels_maturity(client, demo_catalog):
    service = Service.objects.get(slug="meldebescheinigung")
    response = client.get(reverse("catalog:service", args=[service.slug]))
    assert response.status_code == 200
    page = html(response)
    assert german("What you need") in page
    assert "Personalausweis oder Reisepass" in page
    assert german("What it costs") in page
    assert "10,00 €" in page
    with translation.override("de"):
        days = ngettext("about %(days)s working day", "about %(days)s working days", 1) % {"days": 1}
        maturity = str(OzgMaturity(service.ozg_maturity).label)
        channels = [str(label) for label in service.channel_labels]
    assert days in page
    assert ", ".join(channels) in page
    assert maturity in page
    assert "§ 18 BMG" in page
    assert "Amt für Einwohnerwesen und Bürgerservice" in page


def test_service_page_rule_based_fee_says_from_and_depends(client, demo_catalog):
    page = html(client.get(reverse("catalog:service", args=["sondernutzung-strasse"])))
    with translation.override("de"):
        expected = gettext("from %(fee)s €, depending on your answers") % {"fee": "25,00"}
    assert expected in page
    assert "1,50 € je Tag und Quadratmeter" in page


def test_service_page_free_service_and_no_documents(client, demo_catalog):
    page = html(client.get(reverse("catalog:service", args=["maengelmelder"])))
    assert german("free of charge") in page
    assert german("No documents needed.") in page


def test_service_page_unknown_processing_time(client, demo_catalog):
    page = html(client.get(reverse("catalog:service", args=["kita-platz-voranmelden"])))
    assert german("depends on the case") in page


def test_service_page_links_to_external_online_service(client, demo_catalog):
    page = html(client.get(reverse("catalog:service", args=["kfz-zulassung"])))
    assert 'href="https://i-kfz.regensburg.example/"' in page


def test_service_page_shows_easy_language(client, demo_catalog):
    page = html(client.get(reverse("catalog:service", args=["wohnsitz-anmelden"])))
    assert "Sie ziehen um?" in page


def test_service_page_with_online_submission_renders(client, demo_catalog):
    """Even before the form engine routes applications, a fully online service page renders."""
    service = Service.objects.get(slug="bewohnerparkausweis")
    service_set_capabilities(
        service=service, offers_online_submission=True, offers_online_notice=True, offers_evidence_upload=True
    )
    response = client.get(reverse("catalog:service", args=[service.slug]))
    assert response.status_code == 200
    with translation.override("de"):
        label = str(OzgMaturity.ONLINE.label)
    assert label in html(response)


def test_service_page_in_english(client, demo_catalog):
    client.cookies["rathaus_language"] = "en"
    page = html(client.get(reverse("catalog:service", args=["bauantrag-digital"]), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Submitting a building application digitally" in page
    assert "Drawings: floor plans, sections, elevations (PDF)" in page


def test_unpublished_service_page_is_404(client, demo_catalog):
    Service.objects.filter(slug="wohngeld").update(is_published=False)
    assert client.get(reverse("catalog:service", args=["wohngeld"])).status_code == 404


def test_unknown_service_page_is_404(client, demo_catalog):
    assert client.get(reverse("catalog:service", args=["gibt-es-nicht"])).status_code == 404


def test_empty_life_situation_is_not_offered_on_the_index(client, demo_catalog):
    LifeSituation.objects.create(slug="leer", name="Leere Lebenslage")
    assert "/leistungen/lebenslagen/leer/" not in html(client.get(reverse("catalog:index")))
