"""Cases without an account (entered at the counter, from a letter or a call): the city's
letters go to the person named in the application, on paper, and their answer comes back on
paper, which staff record so the case never waits for ever."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from rathaus.cases.models import Case, DocumentKind, InformationRequest
from rathaus.cases.services import (
    case_create,
    case_decide,
    case_transition,
    document_file_ensure,
    information_request_create,
    information_request_record_reply,
    letters_by_post,
)
from rathaus.catalog.constants import Channel
from rathaus.forms.models import FormVersion, Submission
from rathaus.mailbox.models import Message

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

PERSON_SCHEMA = {
    "title": "Antrag mit Anschrift",
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "fields": [
                {"name": "vorname", "type": "text", "label": "Vorname", "prefill": "first_name"},
                {"name": "nachname", "type": "text", "label": "Nachname", "prefill": "last_name"},
                {"name": "anschrift", "type": "address", "label": "Anschrift", "prefill": "address"},
                {"name": "reason", "type": "text", "label": "Grund des Antrags"},
            ],
        }
    ],
}
ANSWERS = {
    "vorname": "Erika",
    "nachname": "Beispiel",
    "anschrift": {"street": "Keplerstraße 7", "postal_code": "93047", "city": "Regensburg"},
    "reason": "Umzug",
}


def _text(document) -> str:
    document = document_file_ensure(document=document)
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


@pytest.fixture
def posted_case(service, caseworker):
    version = FormVersion.objects.create(
        definition=service.form_definition, number=2, schema=PERSON_SCHEMA, published_at=timezone.now()
    )
    submission = Submission.objects.create(
        form_version=version,
        data=ANSWERS,
        applicant=None,
        channel=Channel.POST,
        entered_by=caseworker,
        idempotency_key=uuid.uuid4().hex,
    )
    case = case_create(submission=submission, acting_user=caseworker)
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    return Case.objects.get(pk=case.pk)


def test_a_case_without_account_gets_its_letters_by_post(posted_case, case, citizen):
    assert letters_by_post(posted_case)
    assert not letters_by_post(case)
    citizen.preferred_channel = "post"
    citizen.save()
    assert letters_by_post(Case.objects.get(pk=case.pk))


def test_the_receipt_is_addressed_to_the_person_and_names_no_account(posted_case):
    text = _text(posted_case.documents.get(kind=DocumentKind.RECEIPT))
    assert "Erika Beispiel" in text and "Keplerstraße 7" in text and "93047 Regensburg" in text
    assert "Meine Anträge" not in text


def test_an_information_request_becomes_a_letter_to_the_person(posted_case, caseworker):
    info = information_request_create(
        case=posted_case, acting_user=caseworker, message="Bitte Meldebescheinigung nachreichen."
    )
    letter = posted_case.documents.get(kind=DocumentKind.REQUEST)
    assert letter.title == f"Nachforderung {posted_case.reference}" and letter.visible_to_applicant
    text = _text(letter)
    assert "Sehr geehrte/r Erika Beispiel" in text
    assert "Keplerstraße 7" in text and "93047 Regensburg" in text
    assert "Bitte Meldebescheinigung nachreichen." in text and posted_case.reference in text
    assert info.answered_at is None
    assert not Message.objects.filter(thread__case=posted_case).exists()


def test_an_online_information_request_makes_no_letter(case, caseworker):
    information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    assert not case.documents.filter(kind=DocumentKind.REQUEST).exists()


def test_staff_record_the_answer_by_post_and_the_case_resumes(posted_case, caseworker):
    info = information_request_create(case=posted_case, acting_user=caseworker, message="Bitte Nachweis")
    scan = SimpleUploadedFile("brief.pdf", PDF, content_type="application/pdf")
    information_request_record_reply(
        information_request=info, acting_user=caseworker, answer="Brief vom 3. Mai mit Nachweis", upload=scan
    )
    stored = Case.objects.get(pk=posted_case.pk)
    assert stored.state == "in_review" and stored.waiting_since is None
    info.refresh_from_db()
    assert info.answer == "Brief vom 3. Mai mit Nachweis" and info.answered_at is not None
    assert stored.documents.filter(kind=DocumentKind.EVIDENCE).count() == 1
    # A second request is possible afterwards (only one may be open at a time).
    information_request_create(case=stored, acting_user=caseworker, message="Noch etwas")
    assert InformationRequest.objects.filter(case=stored, answered_at__isnull=True).count() == 1


def test_recording_an_answer_is_for_staff_and_only_once(posted_case, caseworker, citizen):
    info = information_request_create(case=posted_case, acting_user=caseworker, message="Bitte Nachweis")
    with pytest.raises(PermissionDenied):
        information_request_record_reply(information_request=info, acting_user=citizen, answer="x")
    with pytest.raises(ValidationError):
        information_request_record_reply(information_request=info, acting_user=caseworker, answer="  ")
    information_request_record_reply(information_request=info, acting_user=caseworker, answer="per Telefon")
    with pytest.raises(ValidationError):
        information_request_record_reply(information_request=info, acting_user=caseworker, answer="nochmal")


def test_the_notice_is_addressed_to_the_person_named_in_the_application(posted_case, caseworker):
    notice = case_decide(case=posted_case, acting_user=caseworker, outcome="granted", reasoning="Alles da.")
    text = _text(notice.document)
    assert "Sehr geehrte/r Erika Beispiel" in text and "Sehr geehrte Damen und Herren" not in text
    assert "Keplerstraße 7" in text and "93047 Regensburg" in text


def test_back_office_says_to_post_the_letters_and_records_the_answer(posted_case, caseworker_client):
    page = reverse("backoffice:detail", args=[posted_case.reference])
    body = caseworker_client.get(page).content.decode()
    assert "Briefe per Post" in body
    response = caseworker_client.post(
        reverse("backoffice:information_request", args=[posted_case.reference]),
        {"message": "Bitte Nachweis", "version": posted_case.version},
        follow=True,
    )
    body = response.content.decode()
    assert "Drucken Sie das Schreiben „Nachforderung“" in body and "zugestellt" not in body
    assert "ausdrucken und per Post versenden" in body
    info = InformationRequest.objects.get(case=posted_case)
    response = caseworker_client.post(
        reverse("backoffice:information_reply", args=[posted_case.reference, info.pk]),
        {"answer": "Brief mit Nachweis erhalten"},
        follow=True,
    )
    assert "Die Antwort wurde erfasst" in response.content.decode()
    stored = Case.objects.get(pk=posted_case.pk)
    assert stored.state == "in_review"
    response = caseworker_client.post(
        reverse("backoffice:decide", args=[posted_case.reference]),
        {"outcome": "granted", "reasoning": "Alles da.", "version": stored.version},
        follow=True,
    )
    body = response.content.decode()
    assert "Drucken Sie den Bescheid" in body and "erlassen und zugestellt" not in body


def test_online_cases_keep_their_messages(case, caseworker, caseworker_client):
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    stored = Case.objects.get(pk=case.pk)
    response = caseworker_client.post(
        reverse("backoffice:decide", args=[case.reference]),
        {"outcome": "granted", "reasoning": "Alles da.", "version": stored.version},
        follow=True,
    )
    assert "erlassen und zugestellt" in response.content.decode()
