"""Cases API: submitting with JSON answers, the applicant's cases, the department inbox.

Strangers (a second citizen, a caseworker of another department, anonymous callers) get
nothing; refusals are audited, staff reads are recorded for the applicant.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from rest_framework.test import APIClient

from conftest import api_token, login
from rathaus.cases.constants import WorkflowRole
from rathaus.cases.models import Case, Document, DocumentKind
from rathaus.cases.services import StaleCaseError
from rathaus.cases.workflow import workflow_for_service
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

SUBMIT = "/api/v1/cases/submissions/"


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def session_client(user) -> APIClient:
    return login(APIClient(), user)


def submit(client, service, answers, key):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(SUBMIT, {"service": service.slug, "answers": answers}, format="json", **headers)


def denials() -> int:
    return AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


@pytest.fixture
def internal_document(case):
    document = Document(case=case, kind=DocumentKind.ATTACHMENT, title="Vermerk", visible_to_applicant=False)
    document.file.save("vermerk.pdf", ContentFile(b"%PDF-1.4 intern"), save=True)
    return document


# --- submitting -------------------------------------------------------------------------------


def test_submission_with_token_opens_a_case_and_a_repeated_key_returns_it(service, citizen):
    client = token_client(citizen)
    key = uuid.uuid4().hex
    first = submit(client, service, {"reason": "Umzug in die Altstadt", "months": 12}, key)
    assert first.status_code == 201, first.content
    case = Case.objects.get(reference=first.json()["reference"])
    assert case.applicant == citizen and case.channel == "online" and case.state == "received"
    assert str(case.submission.data["months"]) == "12"
    again = submit(client, service, {"reason": "anders", "months": 1}, key)
    assert again.status_code == 200 and again.json()["reference"] == case.reference
    assert Case.objects.count() == 1


def test_submission_needs_an_idempotency_key(service, citizen):
    response = submit(token_client(citizen), service, {"reason": "x"}, None)
    assert response.status_code == 400 and "Idempotency-Key" in response.json()["detail"]
    assert not Case.objects.exists()


def test_invalid_answers_get_400_with_field_errors_not_500(service, citizen):
    response = submit(token_client(citizen), service, {"reason": "x", "months": "zwölf"}, "k-invalid")
    assert response.status_code == 400
    assert "months" in response.json()["errors"]
    assert not Case.objects.exists()


def test_answers_that_are_not_an_object_get_400(service, citizen):
    client = token_client(citizen)
    response = client.post(
        SUBMIT, {"service": service.slug, "answers": ["x"]}, format="json", HTTP_IDEMPOTENCY_KEY="k2"
    )
    assert response.status_code == 400


def test_someone_elses_key_is_refused_without_revealing_the_case(service, citizen, other_citizen):
    key = uuid.uuid4().hex
    assert submit(token_client(citizen), service, {"reason": "a"}, key).status_code == 201
    response = submit(token_client(other_citizen), service, {"reason": "b"}, key)
    assert response.status_code == 409
    assert "reference" not in response.json()
    assert Case.objects.count() == 1


def test_anonymous_caller_cannot_submit_and_is_told_how_to_log_in(service):
    response = submit(APIClient(), service, {"reason": "x"}, "k-anon")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert not Case.objects.exists()


def test_service_needing_a_higher_trust_level_refuses_a_token_login(service, citizen):
    service.min_trust_level = "substantial"
    service.save()
    response = submit(token_client(citizen), service, {"reason": "x"}, "k-trust")
    assert response.status_code == 403 and response.json()["detail"]
    assert not Case.objects.exists()


# --- the applicant's cases --------------------------------------------------------------------


def test_applicant_sees_own_cases_with_public_events_and_own_documents(
    case, citizen, caseworker, internal_document
):
    from rathaus.cases.services import case_add_note, case_assign

    case_assign(case=case, acting_user=caseworker, assignee=caseworker)  # an internal event
    case_add_note(case=case, acting_user=caseworker, text="nur intern")
    client = token_client(citizen)
    listing = client.get("/api/v1/cases/mine/").json()
    assert [row["reference"] for row in listing["results"]] == [case.reference]
    detail = client.get(f"/api/v1/cases/mine/{case.reference}/").json()
    assert {event["kind"] for event in detail["events"]} == {"received"}
    assert [doc["kind"] for doc in detail["documents"]] == ["receipt"]
    assert {"label": "Grund des Antrags", "value": "Neuer Wohnsitz Domplatz"} in detail["data"]
    assert "nur intern" not in str(detail) and "webhook" not in str(detail).lower()
    receipt = detail["documents"][0]["id"]
    download = client.get(f"/api/v1/cases/mine/{case.reference}/documents/{receipt}/file/")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    hidden = client.get(f"/api/v1/cases/mine/{case.reference}/documents/{internal_document.pk}/file/")
    assert hidden.status_code == 404


def test_second_citizen_gets_nothing_and_is_audited(case, other_citizen):
    client = token_client(other_citizen)
    before = denials()
    assert client.get("/api/v1/cases/mine/").json()["results"] == []
    assert client.get(f"/api/v1/cases/mine/{case.reference}/").status_code == 404
    receipt = case.documents.get()
    assert client.get(f"/api/v1/cases/mine/{case.reference}/documents/{receipt.pk}/file/").status_code == 404
    assert client.get(f"/api/v1/cases/inbox/{case.reference}/").status_code == 403
    assert denials() >= before + 3


def test_anonymous_gets_nothing(case):
    client = APIClient()
    receipt = case.documents.get()
    for url in (
        "/api/v1/cases/mine/",
        f"/api/v1/cases/mine/{case.reference}/",
        f"/api/v1/cases/mine/{case.reference}/documents/{receipt.pk}/file/",
        "/api/v1/cases/inbox/",
        f"/api/v1/cases/inbox/{case.reference}/",
        f"/api/v1/cases/inbox/{case.reference}/documents/{receipt.pk}/file/",
    ):
        assert client.get(url).status_code in (401, 403), url


# --- the department inbox ---------------------------------------------------------------------


def test_caseworker_lists_department_cases_with_filters(case, service, other_service, citizen, caseworker):
    from .factories import make_case

    make_case(other_service, applicant=citizen)  # another department's case
    client = session_client(caseworker)
    rows = client.get("/api/v1/cases/inbox/").json()["results"]
    assert [row["reference"] for row in rows] == [case.reference]
    assert rows[0]["overdue"] is False and rows[0]["department"] == "Amt 32"
    assert client.get("/api/v1/cases/inbox/", {"state": "in_review"}).json()["count"] == 0
    assert client.get("/api/v1/cases/inbox/", {"service": service.slug}).json()["count"] == 1
    assert client.get("/api/v1/cases/inbox/", {"service": "other"}).json()["count"] == 0
    assert client.get("/api/v1/cases/inbox/", {"overdue": "true"}).json()["count"] == 0
    Case.objects.filter(pk=case.pk).update(due_at="2020-01-01T00:00:00Z")
    assert client.get("/api/v1/cases/inbox/", {"overdue": "true"}).json()["count"] == 1


def test_staff_read_is_recorded_for_the_applicant(case, citizen, caseworker):
    response = token_client(caseworker).get(f"/api/v1/cases/inbox/{case.reference}/")
    assert response.status_code == 200
    body = response.json()
    assert body["applicant"] == citizen.pk and body["version"] == case.version
    assert {t["name"] for t in body["transitions"]} >= {"start_review"}
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_READ, subject_user_id=citizen.pk, actor_id=caseworker.pk
    ).exists()


def test_caseworker_of_another_department_gets_404_everywhere(case, other_caseworker):
    client = token_client(other_caseworker)
    before = denials()
    receipt = case.documents.get()
    base = f"/api/v1/cases/inbox/{case.reference}/"
    assert client.get("/api/v1/cases/inbox/").json()["results"] == []
    assert client.get(base).status_code == 404
    assert client.get(f"{base}documents/{receipt.pk}/file/").status_code == 404
    post = {"transition": "start_review", "expected_version": case.version}
    assert client.post(f"{base}transition/", post, format="json").status_code == 404
    assert client.post(f"{base}claim/", {}, format="json").status_code == 404
    assert client.get(f"/api/v1/cases/mine/{case.reference}/").status_code == 404
    assert denials() >= before + 5
    case.refresh_from_db()
    assert case.state == "received" and case.assigned_to is None


def test_the_administrator_gets_404_on_a_case_and_its_files_too(case, administrator):
    """Logged in with the second factor (an administrator's account never logs in by token)."""
    client = session_client(administrator)
    base = f"/api/v1/cases/inbox/{case.reference}/"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}documents/{case.documents.get().pk}/file/").status_code == 404
    assert client.get(f"/api/v1/cases/mine/{case.reference}/").status_code == 404


def test_staff_session_without_second_factor_is_refused(case, caseworker):
    client = APIClient()
    client.force_login(caseworker, backend="rathaus.accounts.backends.EmailBackend")
    assert client.get("/api/v1/cases/inbox/").status_code == 403


def test_transition_with_current_version_changes_the_state(case, caseworker):
    client = token_client(caseworker)
    response = client.post(
        f"/api/v1/cases/inbox/{case.reference}/transition/",
        {"transition": "start_review", "expected_version": case.version, "message": "Prüfung beginnt"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "in_review"
    case.refresh_from_db()
    assert case.state == "in_review"


def test_stale_expected_version_gets_409_with_message(case, caseworker):
    response = token_client(caseworker).post(
        f"/api/v1/cases/inbox/{case.reference}/transition/",
        {"transition": "start_review", "expected_version": case.version + 5},
        format="json",
    )
    assert response.status_code == 409
    with translation.override("de"):  # the API speaks the German default
        assert response.json()["detail"] == StaleCaseError().messages[0]
    case.refresh_from_db()
    assert case.state == "received"


def test_role_that_may_not_take_the_step_gets_403_with_message(case, caseworker):
    response = token_client(caseworker).post(
        f"/api/v1/cases/inbox/{case.reference}/transition/",
        {"transition": "withdraw", "expected_version": case.version},
        format="json",
    )
    assert response.status_code == 403
    with translation.override("de"):
        step = workflow_for_service(case.service).transitions["withdraw"].label
        role = str(WorkflowRole.APPLICANT.label)
    assert step in response.json()["detail"] and role in response.json()["detail"]
    case.refresh_from_db()
    assert case.state == "received"


def test_unknown_step_gets_400(case, caseworker):
    response = token_client(caseworker).post(
        f"/api/v1/cases/inbox/{case.reference}/transition/",
        {"transition": "nonsense", "expected_version": case.version},
        format="json",
    )
    assert response.status_code == 400 and response.json()["detail"]


def test_claim_and_assign(case, caseworker, colleague, other_caseworker):
    client = token_client(caseworker)
    base = f"/api/v1/cases/inbox/{case.reference}/"
    claimed = client.post(f"{base}claim/", {"expected_version": case.version}, format="json")
    assert claimed.status_code == 200 and claimed.json()["assigned_to"] == caseworker.pk
    version = claimed.json()["version"]
    outsider = client.post(
        f"{base}assign/", {"assignee": other_caseworker.pk, "expected_version": version}, format="json"
    )
    assert outsider.status_code == 400
    given = client.post(
        f"{base}assign/", {"assignee": colleague.pk, "expected_version": version}, format="json"
    )
    assert given.status_code == 200 and given.json()["assigned_to"] == colleague.pk
    stale = client.post(f"{base}assign/", {"assignee": None, "expected_version": version}, format="json")
    assert stale.status_code == 409


def test_staff_document_download_is_streamed_and_recorded(case, citizen, caseworker, internal_document):
    client = token_client(caseworker)
    response = client.get(f"/api/v1/cases/inbox/{case.reference}/documents/{internal_document.pk}/file/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"%PDF-1.4 intern"
    assert AuditEntry.objects.filter(
        action=AuditAction.PERSONAL_DATA_READ,
        subject_user_id=citizen.pk,
        details__purpose__endswith="Dokument",
    ).exists()


# --- schema -----------------------------------------------------------------------------------


def test_schema_lists_the_case_and_form_endpoints(db):
    response = APIClient().get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    for path in (
        "/api/v1/cases/submissions/",
        "/api/v1/cases/mine/",
        "/api/v1/cases/mine/{reference}/",
        "/api/v1/cases/mine/{reference}/documents/{id}/file/",
        "/api/v1/cases/inbox/",
        "/api/v1/cases/inbox/{reference}/",
        "/api/v1/cases/inbox/{reference}/transition/",
        "/api/v1/cases/inbox/{reference}/claim/",
        "/api/v1/cases/inbox/{reference}/assign/",
        "/api/v1/cases/inbox/{reference}/documents/{id}/file/",
        "/api/v1/forms/services/{slug}/",
        "/api/v1/forms/services/{slug}/uploads/",
    ):
        assert path in schema["paths"], path
    submit_op = schema["paths"]["/api/v1/cases/submissions/"]["post"]
    assert submit_op["tags"] == ["cases"]
    assert any(p["name"] == "Idempotency-Key" and p["in"] == "header" for p in submit_op["parameters"])
    assert "tokenAuth" in schema["components"]["securitySchemes"]


# --- uploads and submission together ----------------------------------------------------------


@pytest.fixture
def evidence_service(department):
    from rathaus.forms.tests.helpers import publish
    from rathaus.forms.tests.test_api import EVIDENCE_SCHEMA

    from .factories import make_service

    service = make_service(department, slug="nachweis")
    publish(service, EVIDENCE_SCHEMA)
    return service


def _upload(client, service) -> str:
    from rathaus.forms.tests.helpers import pdf_file

    response = client.post(
        f"/api/v1/forms/services/{service.slug}/uploads/",
        {"field_name": "evidence", "file": pdf_file()},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_uploaded_file_joins_the_submitted_case(evidence_service, citizen, caseworker):
    client = token_client(citizen)
    upload_id = _upload(client, evidence_service)
    response = submit(client, evidence_service, {"reason": "Nachweis anbei", "evidence": [upload_id]}, "k-up")
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert [str(u.pk) for u in case.submission.uploads.all()] == [upload_id]
    rows = token_client(caseworker).get(f"/api/v1/cases/inbox/{case.reference}/").json()["data"]
    assert any(row["value"] == "nachweis.pdf" for row in rows)


def test_second_citizen_cannot_submit_someone_elses_upload(evidence_service, citizen, other_citizen):
    upload_id = _upload(token_client(citizen), evidence_service)
    response = submit(
        token_client(other_citizen), evidence_service, {"reason": "fremd", "evidence": [upload_id]}, "k-steal"
    )
    assert response.status_code == 400 and "evidence" in response.json()["errors"]
    assert not Case.objects.exists()
    from rathaus.forms.models import Upload

    assert Upload.objects.get(pk=upload_id).submission is None


@pytest.mark.parametrize("language", ["de", "en"])
def test_written_out_case_representation_equals_the_declared_fields(case, caseworker, language):
    """``ApplicantCaseSerializer.to_representation`` is written out for speed; it must say what
    the declared fields say, for a new case and for a decided and closed one."""
    from rest_framework import serializers

    from rathaus.cases.api import ApplicantCaseSerializer

    def both(target: Case) -> tuple[dict, dict]:
        written = ApplicantCaseSerializer(target).data
        by_fields = serializers.ModelSerializer.to_representation(ApplicantCaseSerializer(), target)
        return dict(written), dict(by_fields)

    with translation.override(language):
        written, by_fields = both(case)
        assert written == by_fields
        assert written["created_at"] and written["state_label"]
        Case.objects.filter(pk=case.pk).update(
            decided_at=case.created_at, closed_at=case.created_at, due_at=None, state="closed"
        )
        written, by_fields = both(Case.objects.get(pk=case.pk))
        assert written == by_fields
        assert written["closed_at"] and written["due_at"] is None
