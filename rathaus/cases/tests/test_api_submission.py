"""Submitting through the API in one request: multipart answers and files, checked like the
online form, idempotent, and nothing half-written (no rows, no files) when anything fails."""

from __future__ import annotations

import json
import uuid
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from rest_framework.test import APIClient

from conftest import login
from rathaus.cases import services
from rathaus.cases.constants import CaseAuditAction
from rathaus.cases.models import Case, DocumentKind, ServiceWorkflow, WebhookDelivery
from rathaus.cases.workflow import DEFAULT_WORKFLOW
from rathaus.catalog.models import Service
from rathaus.core.models import AuditEntry
from rathaus.forms.constants import FormAuditAction
from rathaus.forms.models import Draft, Submission, Upload
from rathaus.forms.tests.helpers import EXE_BYTES, PDF_BYTES, publish
from rathaus.mailbox.models import Message

from .test_api import SUBMIT, token_client

SCHEMA = {
    "title": "Nachweis einreichen",
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "fields": [
                {"name": "reason", "type": "text", "label": "Grund", "required": True},
                {"name": "months", "type": "number", "label": "Monate", "integer": True, "min": 1},
                {
                    "name": "address",
                    "type": "address",
                    "label": "Anschrift",
                    "required": True,
                },
                {
                    "name": "topics",
                    "type": "choice",
                    "label": "Bereiche",
                    "multiple": True,
                    "options": [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}],
                },
                {
                    "name": "evidence",
                    "type": "file",
                    "label": "Nachweis",
                    "required": True,
                    "accept": ["pdf"],
                    "max_size_mb": 1,
                },
                {"name": "truthful", "type": "declaration", "label": "Richtig", "required": True},
            ],
        }
    ],
}
FIELDS = {
    "reason": "Umzug",
    "months": "12",
    "address.street": "Domplatz 1",
    "address.postal_code": "93047",
    "address.city": "Regensburg",
    "topics": ["a", "b"],
    "truthful": "on",
}


@pytest.fixture
def evidence_service(department):
    service = Service.objects.create(
        leika_key="99000000000002",
        slug="nachweis",
        name="Nachweis einreichen",
        summary="Ein Nachweis",
        department=department,
        channels=["online"],
    )
    publish(service, SCHEMA)
    return service


def form_post() -> QueryDict:
    """FIELDS as the parsed form fields of a multipart request."""
    given = QueryDict(mutable=True)
    for name, value in FIELDS.items():
        given.setlist(name, value if isinstance(value, list) else [value])
    return given


def pdf(content=PDF_BYTES, name="nachweis.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post(client, service, key, **data):
    body = {"service": service.slug, **data}
    return client.post(SUBMIT, body, format="multipart", HTTP_IDEMPOTENCY_KEY=key)


def stored_uploads(settings) -> list:
    folder = settings.MEDIA_ROOT / "uploads"
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def test_one_multipart_request_opens_the_case_with_its_file(evidence_service, citizen, settings):
    response = post(token_client(citizen), evidence_service, "k-one", **FIELDS, evidence=pdf())
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    data = case.submission.data
    assert data["reason"] == "Umzug" and data["topics"] == ["a", "b"] and data["truthful"] is True
    assert data["address"] == {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"}
    upload = Upload.objects.get(submission=case.submission)
    assert data["evidence"] == [str(upload.pk)]
    assert upload.content_type == "application/pdf" and upload.owner == citizen and upload.draft is None
    assert upload.file.open("rb").read() == PDF_BYTES and len(stored_uploads(settings)) == 1
    receipt = case.documents.get()
    assert receipt.kind == DocumentKind.RECEIPT and receipt.delivery_pending  # the worker delivers it
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {FormAuditAction.SUBMISSION_CREATED, CaseAuditAction.CASE_CREATED} <= actions


def test_answers_may_come_as_one_json_part(evidence_service, citizen):
    answers = {
        "reason": "Umzug",
        "address": {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"},
        "truthful": True,
    }
    response = post(
        token_client(citizen), evidence_service, "k-json", answers=json.dumps(answers), evidence=pdf()
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert case.submission.data["evidence"] == [str(Upload.objects.get().pk)]


def test_a_session_login_may_submit_too(evidence_service, citizen):
    client = login(APIClient(), citizen)
    assert post(client, evidence_service, "k-session", **FIELDS, evidence=pdf()).status_code == 201


def test_repeated_key_returns_the_same_case_and_stores_nothing_more(evidence_service, citizen, settings):
    client = token_client(citizen)
    first = post(client, evidence_service, "k-again", **FIELDS, evidence=pdf())
    again = post(client, evidence_service, "k-again", **FIELDS, evidence=pdf())
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["reference"] == first.json()["reference"]
    assert Case.objects.count() == 1 and Upload.objects.count() == 1 and len(stored_uploads(settings)) == 1


def test_a_retry_gets_the_first_case_even_if_its_answers_no_longer_pass(evidence_service, citizen):
    client = token_client(citizen)
    first = post(client, evidence_service, "k-later", **FIELDS, evidence=pdf())
    again = post(client, evidence_service, "k-later", **{**FIELDS, "months": "zwölf"}, evidence=pdf())
    assert again.status_code == 200 and again.json()["reference"] == first.json()["reference"]


def test_somebody_elses_key_is_a_conflict_without_the_case(evidence_service, citizen, other_citizen):
    assert (
        post(token_client(citizen), evidence_service, "k-mine", **FIELDS, evidence=pdf()).status_code == 201
    )
    response = post(token_client(other_citizen), evidence_service, "k-mine", **FIELDS, evidence=pdf())
    assert response.status_code == 409 and response.json()["code"] == "key_used"
    assert "reference" not in response.json() and Case.objects.count() == 1


def test_disguised_file_is_refused_by_field_and_nothing_is_stored(evidence_service, citizen, settings):
    response = post(
        token_client(citizen), evidence_service, "k-exe", **FIELDS, evidence=pdf(EXE_BYTES, "harmlos.pdf")
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == ["evidence"]
    assert not Case.objects.exists() and not Submission.objects.exists() and not Upload.objects.exists()
    assert stored_uploads(settings) == []


def test_too_large_a_file_is_refused(evidence_service, citizen):
    big = PDF_BYTES + b"%" * (1024 * 1024)
    response = post(token_client(citizen), evidence_service, "k-big", **FIELDS, evidence=pdf(big))
    assert response.status_code == 400 and "1 MB" in response.json()["errors"]["evidence"][0]


def test_invalid_answers_and_files_are_reported_together_and_no_file_is_written(
    evidence_service, citizen, settings
):
    fields = {**FIELDS, "months": "zwölf", "address.postal_code": "123"}
    response = post(token_client(citizen), evidence_service, "k-bad", **fields, evidence=pdf(), other=pdf())
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"months", "address", "other"} <= set(errors) and "evidence" not in errors
    assert stored_uploads(settings) == [] and not Upload.objects.exists()


def test_missing_required_file_and_missing_service_are_400(evidence_service, citizen):
    client = token_client(citizen)
    missing_file = post(client, evidence_service, "k-nofile", **FIELDS)
    assert missing_file.status_code == 400 and "evidence" in missing_file.json()["errors"]
    no_service = client.post(SUBMIT, {**FIELDS}, format="multipart", HTTP_IDEMPOTENCY_KEY="k-noservice")
    assert no_service.status_code == 400
    broken_json = post(client, evidence_service, "k-broken", answers="{not json", evidence=pdf())
    assert broken_json.status_code == 400 and broken_json.json()["code"] == "invalid"
    assert not Case.objects.exists()


def test_files_are_removed_when_the_transaction_fails(evidence_service, citizen, settings):
    files = MultiValueDict({"evidence": [pdf()]})
    with (
        mock.patch.object(services, "_receipt_create", side_effect=RuntimeError("disk full")),
        pytest.raises(RuntimeError),
    ):
        services.application_submit_direct(
            form_version=evidence_service.form_definition.current_version(),
            answers=form_post(),
            files=files,
            acting_user=citizen,
            idempotency_key="k-fail",
            trust_level="basic",
            language="de",
        )
    import gc

    gc.collect()
    assert stored_uploads(settings) == []
    assert not Upload.objects.exists() and not Submission.objects.exists() and not Case.objects.exists()


def _direct(service, user, key):
    return services.application_submit_direct(
        form_version=service.form_definition.current_version(),
        answers=form_post(),
        files=MultiValueDict({"evidence": [pdf()]}),
        acting_user=user,
        idempotency_key=key,
        trust_level="basic",
        language="de",
    )


def test_a_request_losing_the_race_for_its_key_gets_the_first_case(evidence_service, citizen, settings):
    # The view's look-up by key missed the first request (still running); the key's unique
    # constraint decides, the loser's transaction and file roll back.
    first, created = _direct(evidence_service, citizen, "k-race")
    second, created_again = _direct(evidence_service, citizen, "k-race")
    import gc

    gc.collect()
    assert created and not created_again and second.pk == first.pk
    assert Case.objects.count() == 1 and Upload.objects.count() == 1 and len(stored_uploads(settings)) == 1


def test_somebody_elses_key_is_refused_in_the_race_too(evidence_service, citizen, other_citizen):
    _direct(evidence_service, citizen, "k-theirs")
    with pytest.raises(PermissionDenied):
        _direct(evidence_service, other_citizen, "k-theirs")


def test_json_submission_may_name_an_earlier_upload(evidence_service, citizen):
    client = token_client(citizen)
    upload = client.post(
        f"/api/v1/forms/services/{evidence_service.slug}/uploads/",
        {"field_name": "evidence", "file": pdf()},
        format="multipart",
    ).json()
    answers = {
        "reason": "Umzug",
        "address": {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"},
        "truthful": True,
        "evidence": [upload["id"]],
    }
    response = client.post(
        SUBMIT,
        {"service": evidence_service.slug, "answers": answers},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-2",
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get()
    assert Upload.objects.get(pk=upload["id"]).submission == case.submission
    assert not Draft.objects.exists()  # the draft that held the upload is consumed


def test_another_persons_upload_cannot_be_named(evidence_service, citizen, other_citizen):
    upload = (
        token_client(other_citizen)
        .post(
            f"/api/v1/forms/services/{evidence_service.slug}/uploads/",
            {"field_name": "evidence", "file": pdf()},
            format="multipart",
        )
        .json()
    )
    answers = {"reason": "x", "truthful": True, "evidence": [upload["id"]]}
    response = token_client(citizen).post(
        SUBMIT,
        {"service": evidence_service.slug, "answers": answers},
        format="json",
        HTTP_IDEMPOTENCY_KEY="k-3",
    )
    assert response.status_code == 400 and "evidence" in response.json()["errors"]


def test_webhook_is_queued_for_an_api_submission(evidence_service, citizen):
    ServiceWorkflow.objects.create(
        service=evidence_service, definition=DEFAULT_WORKFLOW, webhook_url="https://fachverfahren.example/h"
    )
    response = post(token_client(citizen), evidence_service, "k-hook", **FIELDS, evidence=pdf())
    assert response.status_code == 201
    delivery = WebhookDelivery.objects.get()
    assert delivery.event == "received" and delivery.payload["reference"] == response.json()["reference"]


def test_openapi_documents_json_and_multipart_submissions():
    schema = APIClient().get("/api/v1/schema/", {"format": "json"}).json()
    content = schema["paths"][SUBMIT]["post"]["requestBody"]["content"]
    assert {"application/json", "multipart/form-data"} <= set(content)
    multipart = content["multipart/form-data"]["schema"]
    assert "service" in multipart["properties"] and "additionalProperties" in multipart


def test_a_new_key_per_request_opens_a_case_each(evidence_service, citizen):
    client = token_client(citizen)
    for _ in range(2):
        assert post(client, evidence_service, uuid.uuid4().hex, **FIELDS, evidence=pdf()).status_code == 201
    assert Case.objects.count() == 2


GROUP_SCHEMA = {
    "title": "Hunde anmelden",
    "steps": [
        {
            "id": "hunde",
            "title": "Hunde",
            "fields": [
                {
                    "name": "kept",
                    "type": "choice",
                    "label": "Gehalten",
                    "required": True,
                    "options": [{"value": "yes", "label": "ja"}, {"value": "no", "label": "nein"}],
                },
                {
                    "name": "permit",
                    "type": "file",
                    "label": "Erlaubnis",
                    "accept": ["pdf"],
                    "visible_if": {"field": "kept", "equals": "yes"},
                },
                {
                    "name": "dogs",
                    "type": "group",
                    "label": "Hund",
                    "max_rows": 3,
                    "fields": [
                        {"name": "dog_name", "type": "text", "label": "Name", "required": True},
                        {"name": "chip", "type": "file", "label": "Chipnachweis", "accept": ["pdf"]},
                    ],
                },
            ],
        }
    ],
}


@pytest.fixture
def dog_service(department):
    service = Service.objects.create(
        leika_key="99000000000004",
        slug="hunde",
        name="Hunde",
        summary="-",
        department=department,
        channels=["online"],
    )
    publish(service, GROUP_SCHEMA)
    return service


def test_files_of_a_repeating_group_are_parts_named_by_row(dog_service, citizen):
    fields = {"kept": "yes", "dogs.0.dog_name": "Bello", "dogs.1.dog_name": "Luna"}
    response = post(token_client(citizen), dog_service, "k-dogs", **fields, **{"dogs.1.chip": pdf()})
    assert response.status_code == 201, response.content
    data = Case.objects.get().submission.data
    chip = Upload.objects.get(field_name="chip")
    assert data["dogs"] == [{"dog_name": "Bello", "chip": []}, {"dog_name": "Luna", "chip": [str(chip.pk)]}]


def test_a_file_for_a_hidden_question_is_dropped_not_stored(dog_service, citizen, settings):
    response = post(token_client(citizen), dog_service, "k-hidden", kept="no", permit=pdf())
    assert response.status_code == 201, response.content
    assert "permit" not in Case.objects.get().submission.data
    assert not Upload.objects.exists() and stored_uploads(settings) == []


# --- checking without submitting -----------------------------------------------------------

CHECK = f"{SUBMIT}check/"


def nothing_stored(settings) -> bool:
    return (
        not Case.objects.exists()
        and not Submission.objects.exists()
        and not Upload.objects.exists()
        and not Message.objects.exists()
        and stored_uploads(settings) == []
    )


def test_a_valid_application_is_checked_and_nothing_is_stored(evidence_service, citizen, settings):
    client = token_client(citizen)
    audited = AuditEntry.objects.count()
    response = client.post(
        CHECK, {"service": evidence_service.slug, **FIELDS, "evidence": pdf()}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"valid": True, "service": "nachweis", "form_version": 1}
    assert nothing_stored(settings) and AuditEntry.objects.count() == audited


def test_checking_reports_the_errors_submitting_would(evidence_service, citizen, settings):
    client = token_client(citizen)
    fields = {**FIELDS, "months": "zwölf", "address.postal_code": "123"}

    def body():
        return {"service": evidence_service.slug, **fields, "evidence": pdf(EXE_BYTES, "harmlos.pdf")}

    checked = client.post(CHECK, body(), format="multipart")
    submitted = client.post(SUBMIT, body(), format="multipart", HTTP_IDEMPOTENCY_KEY="k-check")
    assert checked.status_code == submitted.status_code == 400
    assert checked.json() == submitted.json()
    assert {"months", "address", "evidence"} <= set(checked.json()["errors"])
    assert nothing_stored(settings)


def test_checking_a_json_application_needs_no_key(evidence_service, citizen):
    answers = {"reason": "Umzug", "truthful": True}
    response = token_client(citizen).post(
        CHECK, {"service": evidence_service.slug, "answers": answers}, format="json"
    )
    assert response.status_code == 400 and "evidence" in response.json()["errors"]


def test_checking_needs_a_login_and_a_known_service(evidence_service, citizen):
    body = {"service": evidence_service.slug, **FIELDS, "evidence": pdf()}
    assert APIClient().post(CHECK, body, format="multipart").status_code == 401
    unknown = token_client(citizen).post(CHECK, {**body, "service": "gibt-es-nicht"}, format="multipart")
    assert unknown.status_code == 404 and not Case.objects.exists()


@pytest.mark.parametrize("fmt", ["multipart", "json"])
@pytest.mark.parametrize("named", ["", "nach weis", "../nachweis", "nachweis\u00e4"])
def test_a_service_that_is_no_slug_gets_the_fields_error(evidence_service, citizen, fmt, named):
    body = {"service": named, **FIELDS} if fmt == "multipart" else {"service": named, "answers": {}}
    response = token_client(citizen).post(SUBMIT, body, format=fmt, HTTP_IDEMPOTENCY_KEY=f"k-{fmt}-{named}")
    assert response.status_code == 400 and "service" in response.json(), response.content
    assert not Case.objects.exists()


def test_an_organisation_in_digits_with_spaces_is_read_as_the_serializer_reads_it(evidence_service, citizen):
    # Not the plain form of the fast path: the serializer decides (an id nobody acts for: 403).
    body = {"service": evidence_service.slug, **FIELDS, "evidence": pdf(), "organisation": " 4242 "}
    response = token_client(citizen).post(SUBMIT, body, format="multipart", HTTP_IDEMPOTENCY_KEY="k-org")
    assert response.status_code == 403 and not Case.objects.exists()
