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
    case_withdraw,
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


def _waited(case, days: float) -> None:
    """Pretend the case has been waiting for the applicant for ``days``."""
    Case.objects.filter(pk=case.pk).update(waiting_since=timezone.now() - dt.timedelta(days=days))


def test_staff_resume_withdraws_the_open_request_and_a_new_one_can_follow(case, caseworker, citizen):
    """Staff resume the review while a request is open: the request is withdrawn (the applicant is
    no longer asked), the waiting time counts, and information can be requested again (this gave
    an IntegrityError on cases_one_open_request)."""
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    first = information_request_create(case=case, acting_user=caseworker, message="Bitte Meldebescheinigung")
    due_before = Case.objects.get(pk=case.pk).due_at
    _waited(case, 2)
    case_transition(case=Case.objects.get(pk=case.pk), acting_user=caseworker, transition="resume")

    first.refresh_from_db()
    assert first.withdrawn_at is not None and first.withdrawn_by == caseworker
    assert first.answered_at is None and not first.is_open
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "in_review" and stored.waiting_since is None
    assert abs(stored.waiting_seconds - 2 * 86400) < 60
    assert stored.due_at - due_before >= dt.timedelta(days=2) - dt.timedelta(minutes=1)

    second = information_request_create(case=stored, acting_user=caseworker, message="Bitte Ausweiskopie")
    assert list(stored.information_requests.open()) == [second]
    _waited(case, 1)
    information_request_answer(information_request=second, acting_user=citizen, answer="Anbei")
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "in_review" and stored.waiting_since is None
    assert abs(stored.waiting_seconds - 3 * 86400) < 120

    # The withdrawn request cannot be answered any more (a form left open in another tab).
    with pytest.raises(ValidationError, match="zurückgezogen"):
        information_request_answer(information_request=first, acting_user=citizen, answer="Spät")


def test_applicant_withdrawing_the_application_withdraws_the_open_request(case, caseworker, citizen):
    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    case_withdraw(case=Case.objects.get(pk=case.pk), acting_user=citizen, reason="Umzug abgesagt")
    info.refresh_from_db()
    assert info.withdrawn_at is not None and info.withdrawn_by == citizen
    assert not Case.objects.get(pk=case.pk).information_requests.open().exists()


def test_a_new_request_is_refused_while_one_is_still_open(case, caseworker):
    """An open request on a case that no longer waits (left behind before this fix): a new request
    is refused with a message, not an IntegrityError, and nothing is written."""
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    Case.objects.filter(pk=case.pk).update(state="in_review", waiting_since=None)
    stored = Case.objects.get(pk=case.pk)
    with pytest.raises(ValidationError, match="noch offen") as refused:
        information_request_create(case=stored, acting_user=caseworker, message="Noch etwas")
    assert refused.value.code == "request_open"
    after = Case.objects.get(pk=case.pk)
    assert after.state == "in_review" and after.version == stored.version
    assert after.information_requests.count() == 1


def test_migration_withdraws_requests_left_open_on_resumed_cases(case, service, citizen, caseworker):
    """Cases resumed before this fix kept their request open; the migration withdraws those (at
    the moment the case left the waiting state) and leaves requests of waiting cases alone."""
    from importlib import import_module

    from django.apps import apps

    from rathaus.cases.models import InformationRequest

    from .factories import make_case

    migration = import_module("rathaus.cases.migrations.0007_information_request_withdrawn")
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    orphan = information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    case_transition(case=Case.objects.get(pk=case.pk), acting_user=caseworker, transition="resume")
    InformationRequest.objects.filter(pk=orphan.pk).update(withdrawn_at=None, withdrawn_by=None)
    waiting_case = make_case(service, applicant=citizen)
    waiting = information_request_create(case=waiting_case, acting_user=caseworker, message="Bitte Foto")

    migration.withdraw_orphaned_requests(apps, None)

    orphan.refresh_from_db()
    waiting.refresh_from_db()
    resumed = case.events.get(kind="transition", from_state="information_requested")
    assert orphan.withdrawn_at == resumed.created_at and orphan.withdrawn_by == caseworker
    assert waiting.is_open


def test_request_resume_request_through_the_pages(case, caseworker, caseworker_client, citizen_client):
    """The QA steps: request, resume, request again. No error page; the applicant sees the
    second request only, and the first one no longer asks for an answer."""
    from django.urls import reverse

    case_transition(case=case, acting_user=caseworker, transition="start_review")
    request_url = reverse("backoffice:information_request", args=[case.reference])
    stored = Case.objects.get(pk=case.pk)
    caseworker_client.post(request_url, {"message": "Bitte Meldebescheinigung", "version": stored.version})
    first = stored.information_requests.get()
    citizen_page = reverse("cases:detail", args=[case.reference])
    assert "Bitte Meldebescheinigung" in citizen_client.get(citizen_page).content.decode()

    stored = Case.objects.get(pk=case.pk)
    caseworker_client.post(
        reverse("backoffice:transition", args=[case.reference]),
        {"transition_name": "resume", "resume-transition": "resume", "resume-version": stored.version},
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "in_review"
    html = citizen_client.get(citizen_page).content.decode()
    assert "Bitte Meldebescheinigung" not in html and 'name="answer"' not in html
    staff_html = caseworker_client.get(reverse("backoffice:detail", args=[case.reference])).content.decode()
    assert "ohne Antwort zurückgezogen" in staff_html

    response = caseworker_client.post(
        request_url, {"message": "Bitte Ausweiskopie", "version": stored.version}
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == "information_requested"
    html = citizen_client.get(citizen_page).content.decode()
    assert "Bitte Ausweiskopie" in html and 'name="answer"' in html

    # An answer to the withdrawn first request (a tab left open) is refused with a message.
    late = citizen_client.post(
        reverse("cases:answer", args=[case.reference, first.pk]), {"answer": "Spät"}, follow=True
    )
    assert late.status_code == 200 and "zurückgezogen" in late.content.decode()
    first.refresh_from_db()
    assert first.answered_at is None
    assert Case.objects.get(pk=case.pk).state == "information_requested"


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
