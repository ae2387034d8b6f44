"""Drafts: started, saved step by step (also automatically through htmx), resumed on another
device, and invisible to everyone else."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login
from rathaus.core.models import AuditEntry
from rathaus.forms import services
from rathaus.forms.constants import FormAuditAction
from rathaus.forms.models import Draft, Upload

from .helpers import pdf_file

pytestmark = pytest.mark.django_db


def start(client, service):
    response = client.post(reverse("forms:start", args=[service.slug]))
    assert response.status_code == 302, response
    return Draft.objects.order_by("-created_at").first(), response["Location"]


def test_start_page_requires_login_for_a_service_without_anonymous_use(
    client, parking_version, parking_service
):
    response = client.get(reverse("forms:start", args=[parking_service.slug]))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_start_page_and_first_step_render_for_a_citizen(citizen_client, parking_version, parking_service):
    page = citizen_client.get(reverse("forms:start", args=[parking_service.slug]))
    assert page.status_code == 200
    draft, location = start(citizen_client, parking_service)
    assert location == reverse("forms:step", args=[draft.pk, "person"])
    html = citizen_client.get(location).content.decode()
    assert 'aria-current="step"' in html
    assert 'name="first_name" value="Maria"' in html  # prefilled from the account
    assert 'hx-trigger="change delay:1s"' in html
    assert reverse("forms:autosave", args=[draft.pk, "person"]) in html


def test_service_needing_a_higher_trust_level_sends_to_the_trust_page(
    citizen_client, parking_service, parking_version
):
    parking_service.min_trust_level = "substantial"
    parking_service.save()
    response = citizen_client.get(reverse("forms:start", args=[parking_service.slug]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:trust_level"))
    assert "required=substantial" in response["Location"]


def test_autosave_keeps_entries_even_when_invalid(citizen_client, parking_version, parking_service):
    draft, _location = start(citizen_client, parking_service)
    response = citizen_client.post(
        reverse("forms:autosave", args=[draft.pk, "person"]),
        {
            "first_name": "Maria",
            "last_name": "Muster",
            "birth_date": "kein Datum",
            "email": "maria@example.org",
            "extra": "x",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "1" in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["birth_date"] == "kein Datum"
    assert draft.data["first_name"] == "Maria"
    assert "extra" not in draft.data


def test_step_post_shows_error_summary_linked_to_fields(citizen_client, parking_version, parking_service):
    _draft, location = start(citizen_client, parking_service)
    response = citizen_client.post(location, {"first_name": "", "last_name": "Muster", "_action": "next"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#f-first-name"' in html
    assert 'id="f-first-name-error"' in html
    assert 'aria-describedby="f-first-name-error"' in html
    assert 'aria-invalid="true"' in html


def test_a_wrong_postal_code_is_marked_and_linked_on_its_own_input(
    citizen_client, parking_version, parking_service
):
    draft, _location = start(citizen_client, parking_service)
    url = reverse("forms:step", args=[draft.pk, "residence"])
    given = {"address.street": "Domplatz 1", "address.postal_code": "930", "address.city": "Regensburg"}
    html = citizen_client.post(url, {**given, "residence_kind": "main", "_action": "next"}).content.decode()
    assert 'href="#f-address-postal_code"' in html
    invalid = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', html)
    assert len(invalid) == 1 and 'id="f-address-postal_code"' in invalid[0]
    assert 'aria-describedby="f-address-error"' in invalid[0]
    summary = citizen_client.get(reverse("forms:summary", args=[draft.pk])).content.decode()
    assert reverse("forms:step", args=[draft.pk, "residence"]) + "#f-address-postal_code" in summary


def test_a_missing_town_is_marked_alone(citizen_client, parking_version, parking_service):
    draft, _location = start(citizen_client, parking_service)
    url = reverse("forms:step", args=[draft.pk, "residence"])
    given = {"address.street": "Domplatz 1", "address.postal_code": "93047", "address.city": " "}
    html = citizen_client.post(url, {**given, "_action": "next"}).content.decode()
    assert 'href="#f-address-city"' in html
    invalid = re.findall(r'<input[^>]*aria-invalid="true"[^>]*>', html)
    assert len(invalid) == 1 and 'id="f-address-city"' in invalid[0]


def test_valid_step_moves_to_the_next_one(citizen_client, parking_version, parking_service):
    draft, location = start(citizen_client, parking_service)
    response = citizen_client.post(
        location,
        {
            "first_name": "Maria",
            "last_name": "Muster",
            "birth_date": "01.02.1980",
            "email": "maria@example.org",
            "_action": "next",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("forms:step", args=[draft.pk, "residence"])
    draft.refresh_from_db()
    assert draft.data["birth_date"] == "1980-02-01"


def test_resume_on_another_device(citizen, citizen_client, parking_version, parking_service):
    draft, location = start(citizen_client, parking_service)
    citizen_client.post(
        reverse("forms:autosave", args=[draft.pk, "person"]),
        {"first_name": "Maria", "last_name": "Neu"},
        HTTP_HX_REQUEST="true",
    )
    other_device = login(Client(), citizen)
    start_page = other_device.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    assert reverse("forms:resume", args=[draft.pk]) in start_page
    page = other_device.get(location)
    assert page.status_code == 200
    assert 'value="Neu"' in page.content.decode()


def test_starting_a_new_application_keeps_the_draft_already_begun(
    citizen, citizen_client, parking_version, parking_service
):
    """ "Start a new application" next to "Draft from …" does what it says: a second application
    of the same form (a second dog, another course place), the first draft kept and listed."""
    first, _location = start(citizen_client, parking_service)
    citizen_client.post(
        reverse("forms:autosave", args=[first.pk, "person"]),
        {"first_name": "Maria", "last_name": "Erster Antrag"},
        HTTP_HX_REQUEST="true",
    )
    Draft.objects.filter(pk=first.pk).update(current_step="residence")
    page = citizen_client.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    assert "Neuen Antrag beginnen" in page and "Ihre oben aufgeführten Entwürfe bleiben erhalten" in page
    second, location = start(citizen_client, parking_service)
    assert second.pk != first.pk
    assert location == reverse("forms:step", args=[second.pk, "person"])  # from the beginning
    assert second.data.get("last_name") == citizen.last_name  # prefilled, not the first draft's
    first.refresh_from_db()
    assert first.data["last_name"] == "Erster Antrag" and first.current_step == "residence"
    page = citizen_client.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    assert reverse("forms:resume", args=[first.pk]) in page
    assert reverse("forms:resume", args=[second.pk]) in page


def test_the_first_start_page_offers_to_start_the_application(
    citizen_client, parking_version, parking_service
):
    page = citizen_client.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    assert "Antrag starten" in page or "Antrag beginnen" in page
    assert "Neuen Antrag beginnen" not in page and "Weiterer Antrag" not in page


def test_another_citizen_cannot_open_or_save_the_draft(
    citizen_client, other_citizen_client, parking_version, parking_service
):
    draft, location = start(citizen_client, parking_service)
    assert other_citizen_client.get(location).status_code == 404
    response = other_citizen_client.post(
        reverse("forms:autosave", args=[draft.pk, "person"]), {"first_name": "Evil"}
    )
    assert response.status_code == 404
    assert other_citizen_client.get(reverse("forms:summary", args=[draft.pk])).status_code == 404
    draft.refresh_from_db()
    assert draft.data.get("first_name") == "Maria"


def test_anonymous_draft_lives_in_the_session(client, defect_version, defect_service):
    draft, location = start(client, defect_service)
    assert draft.owner is None
    assert client.session["anonymous_drafts"] == [str(draft.pk)]
    assert client.get(location).status_code == 200
    assert Client().get(location).status_code == 404


def test_adding_a_group_row_without_javascript(citizen_client, parking_version, parking_service):
    draft, _location = start(citizen_client, parking_service)
    url = reverse("forms:step", args=[draft.pk, "vehicles"])
    draft.data.update({"address": {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"}})
    draft.save()
    response = citizen_client.post(
        url, {"vehicles.0.plate": "R-AB 1", "vehicles.0.holder": "self", "_action": "add:vehicles"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="vehicles.1.plate"' in html
    assert 'name="vehicles.2.plate"' not in html


def test_caseworker_starts_separate_counter_drafts_for_two_people(
    caseworker, citizen, other_citizen, parking_version
):
    from rathaus.forms.services import draft_start

    first = draft_start(
        user=caseworker, form_version=parking_version, session={}, channel="counter", applicant=citizen
    )
    second = draft_start(
        user=caseworker, form_version=parking_version, session={}, channel="counter", applicant=other_citizen
    )
    assert first.pk != second.pk
    assert (first.applicant, second.applicant) == (citizen, other_citizen)
    assert first.data.get("first_name") == "Maria" and second.data.get("first_name") == "Jonas"
    # Without ``new`` the caseworker's own online draft is resumed (the forms API's uploads).
    own = draft_start(user=caseworker, form_version=parking_version, session={})
    assert draft_start(user=caseworker, form_version=parking_version, session={}) == own
    assert own.pk not in (first.pk, second.pk)
    Draft.objects.filter(pk=own.pk).update(data={"first_name": "Sabine"})  # begun, not a double click
    newer = draft_start(user=caseworker, form_version=parking_version, session={}, new=True)
    assert newer.pk != own.pk
    assert draft_start(user=caseworker, form_version=parking_version, session={}) == own


def test_an_error_in_a_repeating_group_names_the_entry(citizen_client, parking_version, parking_service):
    """The error summary says which entry an error is in, as the row's heading and the summary
    page do ("Fahrzeug 2: Amtliches Kennzeichen"), not just the question."""
    draft, _location = start(citizen_client, parking_service)
    url = reverse("forms:step", args=[draft.pk, "vehicles"])
    response = citizen_client.post(
        url,
        {
            "vehicles.0.plate": "R-AB 1",
            "vehicles.0.holder": "self",
            "vehicles.1.plate": "",
            "vehicles.1.holder": "self",
            "_action": "next",
        },
    )
    html = response.content.decode()
    assert 'href="#f-vehicles-1-plate">Fahrzeug 2: Amtliches Kennzeichen: Bitte füllen Sie' in html
    summary = citizen_client.get(reverse("forms:summary", args=[draft.pk])).content.decode()
    assert "Fahrzeug 2: Amtliches Kennzeichen: Bitte füllen Sie" in summary


@pytest.mark.parametrize(
    ("key", "language", "text"),
    [
        ("vehicles.1.plate", "en", "Vehicle 2: Licence plate: wrong"),
        ("vehicles.0.holder", "de", "Fahrzeug 1: Halter/in des Fahrzeugs: wrong"),
        ("vehicles", "en", "Vehicle: wrong"),  # the group as a whole (too few entries)
        ("valid_from", "en", "Valid from: wrong"),
    ],
)
def test_error_summary_labels(parking_spec, key, language, text):
    from rathaus.forms.rendering import error_links

    links = error_links(parking_spec, None, {key: ["wrong"]}, same_page=True, language=language)
    assert [link["text"] for link in links] == [text]


@pytest.mark.parametrize("language", ["de", "en"])
def test_the_start_page_dates_drafts_in_the_language(
    citizen_client, parking_version, parking_service, language
):
    from django.utils import formats, timezone, translation

    draft, _location = start(citizen_client, parking_service)
    citizen_client.cookies["rathaus_language"] = language
    html = citizen_client.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    with translation.override(language):
        when = formats.date_format(timezone.localtime(draft.updated_at), "DATETIME_FORMAT")
    assert {"de": f"Entwurf vom {when}", "en": f"Draft from {when}"}[language] in html


# --- a second click on "start", and deleting a draft -------------------------------------------


def test_a_double_click_on_start_opens_one_draft(citizen_client, parking_version, parking_service):
    first, first_location = start(citizen_client, parking_service)
    second, second_location = start(citizen_client, parking_service)
    assert first == second and first_location == second_location
    assert Draft.objects.count() == 1


def test_start_after_entering_something_begins_another_draft(
    citizen_client, parking_version, parking_service
):
    first, _location = start(citizen_client, parking_service)
    citizen_client.post(
        reverse("forms:autosave", args=[first.pk, "person"]), {"first_name": "Maria"}, HTTP_HX_REQUEST="true"
    )
    second, _location = start(citizen_client, parking_service)
    assert second != first and Draft.objects.count() == 2


def test_deleting_a_draft_asks_first_then_removes_it_with_its_files(
    citizen, citizen_client, parking_version, parking_service, django_capture_on_commit_callbacks
):
    draft, _location = start(citizen_client, parking_service)
    upload = services.upload_accept(
        draft=draft, field_name="residence_proof", file=pdf_file(), acting_user=citizen
    )
    stored = Path(upload.file.path)
    url = reverse("forms:discard", args=[draft.pk])
    assert url in citizen_client.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    assert citizen_client.get(url).status_code == 200 and Draft.objects.filter(pk=draft.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = citizen_client.post(url)
    assert response.status_code == 302
    assert not Draft.objects.filter(pk=draft.pk).exists() and not Upload.objects.exists()
    assert not stored.exists()
    assert AuditEntry.objects.filter(action=FormAuditAction.DRAFT_DISCARDED).exists()
    assert citizen_client.post(url).status_code == 404  # a second click


def test_nobody_else_deletes_a_draft(citizen_client, other_citizen_client, parking_version, parking_service):
    draft, _location = start(citizen_client, parking_service)
    url = reverse("forms:discard", args=[draft.pk])
    assert other_citizen_client.get(url).status_code == 404
    assert other_citizen_client.post(url).status_code == 404
    assert Client().post(url).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()
