import datetime as dt
import re
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rathaus.cases.models import Case, DocumentKind
from rathaus.cases.selectors import case_processing_time
from rathaus.cases.services import (
    case_decide,
    case_transition,
    information_request_answer,
    information_request_create,
)

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_information_request_round_trip_excludes_waiting_time(case, caseworker, citizen):
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Meldebescheinigung")
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "information_requested" and stored.waiting_since is not None
    due_before = stored.due_at

    # Pretend the case arrived ten days ago and has waited for the applicant for three days.
    now = timezone.now()
    Case.objects.filter(pk=case.pk).update(
        created_at=now - dt.timedelta(days=10), waiting_since=now - dt.timedelta(days=3)
    )
    upload = SimpleUploadedFile("meldebescheinigung.pdf", PDF, content_type="application/pdf")
    information_request_answer(information_request=info, acting_user=citizen, answer="Anbei", upload=upload)

    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "in_review"
    assert stored.waiting_since is None
    assert abs(stored.waiting_seconds - 3 * 86400) < 60
    assert stored.due_at - due_before >= dt.timedelta(days=3) - dt.timedelta(minutes=1)
    assert stored.documents.filter(kind=DocumentKind.EVIDENCE, content_type="application/pdf").exists()
    info.refresh_from_db()
    assert info.answered_at is not None and info.answer == "Anbei"

    case_decide(case=stored, acting_user=caseworker, outcome="granted", reasoning="Nachweis liegt vor.")
    stored = Case.objects.get(pk=case.pk)
    processing = case_processing_time(stored)
    assert dt.timedelta(days=7) - dt.timedelta(minutes=1) < processing < dt.timedelta(days=7, minutes=1)


def test_only_the_applicant_answers(case, caseworker, other_citizen):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    with pytest.raises(PermissionDenied):
        information_request_answer(information_request=info, acting_user=other_citizen, answer="x")
    with pytest.raises(PermissionDenied):
        information_request_answer(information_request=info, acting_user=caseworker, answer="x")


def test_answer_refuses_unsafe_files(case, caseworker, citizen):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    upload = SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    with pytest.raises(ValidationError):
        information_request_answer(information_request=info, acting_user=citizen, answer="", upload=upload)
    assert Case.objects.get(pk=case.pk).state == "information_requested"


def test_citizen_cannot_request_information(case, citizen):
    with pytest.raises(PermissionDenied):
        information_request_create(case=case, acting_user=citizen, message="x")


def _media_files(settings) -> list:
    root = settings.MEDIA_ROOT
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def test_a_refused_file_keeps_the_typed_answer_and_marks_the_file_input(case, caseworker, citizen_client):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    program = SimpleUploadedFile(
        "nachweis.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf"
    )
    response = citizen_client.post(
        reverse("cases:answer", args=[case.reference, info.pk]),
        {"answer": "Der Mietvertrag liegt bei.", "file": program},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Der Mietvertrag liegt bei.</textarea>" in page
    file_input = re.search(r'<input[^>]*type="file"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in file_input and 'aria-describedby="id_file-error' in file_input
    assert 'id="id_file-error"' in page and "PDF, JPEG" in page
    info.refresh_from_db()
    assert info.answered_at is None and Case.objects.get(pk=case.pk).state == "information_requested"


def test_an_answer_without_text_or_file_is_shown_at_the_form(case, caseworker, citizen_client):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    response = citizen_client.post(reverse("cases:answer", args=[case.reference, info.pk]), {"answer": " "})
    assert response.status_code == 422
    assert "Bitte schreiben Sie eine Antwort oder hängen Sie eine Datei an." in response.content.decode()


def test_an_answered_request_sends_the_person_back_to_the_case(case, caseworker, citizen, citizen_client):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    information_request_answer(information_request=info, acting_user=citizen, answer="Erledigt")
    response = citizen_client.post(
        reverse("cases:answer", args=[case.reference, info.pk]), {"answer": "Nochmal"}
    )
    assert response.status_code == 302


def test_no_evidence_file_stays_behind_when_the_answer_fails_afterwards(case, caseworker, citizen, settings):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    before = _media_files(settings)
    upload = SimpleUploadedFile("nachweis.pdf", PDF, content_type="application/pdf")
    # The step after storing the file fails (the database refuses, the process dies …).
    with (
        mock.patch("rathaus.cases.services._apply", side_effect=ValidationError("kaputt")),
        pytest.raises(ValidationError),
    ):
        information_request_answer(information_request=info, acting_user=citizen, answer="", upload=upload)
    assert _media_files(settings) == before
    assert not case.documents.filter(kind=DocumentKind.EVIDENCE).exists()


def test_an_answer_to_a_case_no_longer_waiting_is_refused_before_its_file_is_stored(
    case, caseworker, citizen, settings
):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    Case.objects.filter(pk=case.pk).update(state="in_review")
    before = _media_files(settings)
    upload = SimpleUploadedFile("nachweis.pdf", PDF, content_type="application/pdf")
    with pytest.raises(ValidationError):
        information_request_answer(information_request=info, acting_user=citizen, answer="", upload=upload)
    assert _media_files(settings) == before
