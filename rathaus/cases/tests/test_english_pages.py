"""The applicant's pages in English: dates read day, month, year (no 11/29/2026, no "a.m."),
the city's documents are named in English, and the German pages stay as they were. Letters
stay German, also their answers' labels."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from rathaus.cases.models import Case, DocumentKind
from rathaus.cases.services import document_file_ensure, information_request_create
from rathaus.forms.models import FormVersion
from rathaus.mailbox.models import Thread

MOMENT = timezone.make_aware(dt.datetime(2026, 11, 29, 1, 11))
DUE = timezone.make_aware(dt.datetime(2026, 12, 1, 18, 0))

CHOICE_SCHEMA = {
    "title": "Testantrag",
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "fields": [
                {"name": "reason", "type": "text", "label": {"de": "Grund des Antrags", "en": "Reason"}},
                {
                    "name": "colour",
                    "type": "choice",
                    "label": {"de": "Farbe", "en": "Colour"},
                    "options": [{"value": "red", "label": {"de": "Rot", "en": "Red"}}],
                },
            ],
        }
    ],
}


@pytest.fixture
def dated_case(case):
    Case.objects.filter(pk=case.pk).update(created_at=MOMENT, due_at=DUE)
    case.events.update(created_at=MOMENT)
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def english_client(citizen, citizen_client, settings):
    citizen.preferred_language = "en"
    citizen.save()
    citizen_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return citizen_client


def test_english_dates_read_day_month_year(dated_case, english_client):
    listing = english_client.get(reverse("cases:list")).content.decode()
    assert "29 Nov 2026" in listing and "11/29/2026" not in listing
    page = english_client.get(reverse("cases:detail", args=[dated_case.reference])).content.decode()
    assert "29 Nov 2026, 01:11" in page
    assert "a.m." not in page and "Nov. 29" not in page
    assert "1 Dec 2026" in page and "12/01/2026" not in page


def test_german_dates_stay_as_they_were(dated_case, citizen_client):
    listing = citizen_client.get(reverse("cases:list")).content.decode()
    assert "29.11.2026" in listing
    page = citizen_client.get(reverse("cases:detail", args=[dated_case.reference])).content.decode()
    assert "29. November 2026 01:11" in page and "01.12.2026" in page


def test_documents_are_named_in_the_readers_language(case, caseworker, english_client, citizen_client):
    information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    page = english_client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert f"Acknowledgement of receipt {case.reference}" in page
    assert "Eingangsbestätigung" not in page
    thread = Thread.objects.get(case=case)
    conversation = english_client.get(reverse("mailbox:thread", args=[thread.pk])).content.decode()
    assert f"Acknowledgement of receipt {case.reference} (PDF)" in conversation
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", conversation)
    citizen_client.cookies["rathaus_language"] = "de"
    german = citizen_client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert f"Eingangsbestätigung {case.reference}" in german


def test_an_english_application_gets_a_wholly_german_receipt(service, citizen):
    from django.utils import translation

    from .factories import make_case

    FormVersion.objects.filter(definition=service.form_definition).update(schema=CHOICE_SCHEMA)
    with translation.override("en"):
        case = make_case(service, applicant=citizen, data={"reason": "Moving house", "colour": "red"})
    receipt = document_file_ensure(document=case.documents.get(kind=DocumentKind.RECEIPT))
    with receipt.file.open("rb") as handle:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Grund des Antrags" in text and "Farbe" in text and "Rot" in text
    assert "Reason" not in text and "Colour" not in text and "Red" not in text
