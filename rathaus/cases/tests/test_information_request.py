import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
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
