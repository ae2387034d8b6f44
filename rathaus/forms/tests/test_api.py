"""Forms API: the published form of a service, and uploads for an API submission."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from conftest import api_token
from rathaus.catalog.models import Service
from rathaus.forms.models import Upload

from .helpers import EXE_BYTES, pdf_file, publish

pytestmark = pytest.mark.django_db

EVIDENCE_SCHEMA = {
    "title": {"de": "Nachweis einreichen", "en": "Submit evidence"},
    "steps": [
        {
            "id": "nachweis",
            "title": "Nachweis",
            "fields": [
                {"name": "reason", "type": "text", "label": "Grund", "required": True},
                {"name": "evidence", "type": "file", "label": "Nachweis", "accept": ["pdf"]},
            ],
        }
    ],
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
    publish(service, EVIDENCE_SCHEMA)
    return service


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def upload_url(service) -> str:
    return f"/api/v1/forms/services/{service.slug}/uploads/"


def test_published_form_is_public(evidence_service):
    response = APIClient().get(f"/api/v1/forms/services/{evidence_service.slug}/")
    assert response.status_code == 200
    body = response.json()
    assert body["service"] == "nachweis" and body["version"] == 1
    assert body["title"] == "Nachweis einreichen"
    assert body["definition"]["steps"][0]["fields"][1]["type"] == "file"


def test_service_without_published_form_is_404(department):
    Service.objects.create(
        leika_key="99000000000003", slug="ohne-formular", name="Ohne", summary="-", department=department
    )
    assert APIClient().get("/api/v1/forms/services/ohne-formular/").status_code == 404
    assert APIClient().get("/api/v1/forms/services/gibt-es-nicht/").status_code == 404


def test_upload_is_stored_on_the_callers_draft(evidence_service, citizen):
    response = token_client(citizen).post(
        upload_url(evidence_service), {"field_name": "evidence", "file": pdf_file()}, format="multipart"
    )
    assert response.status_code == 201, response.content
    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.owner == citizen and upload.draft.owner == citizen
    assert upload.content_type == "application/pdf" and upload.submission is None


def test_upload_checks_the_content_not_the_name(evidence_service, citizen):
    disguised = pdf_file(name="harmlos.pdf", content=EXE_BYTES)
    response = token_client(citizen).post(
        upload_url(evidence_service), {"field_name": "evidence", "file": disguised}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["file"]
    assert not Upload.objects.exists()


def test_upload_for_a_question_without_files_is_400(evidence_service, citizen):
    response = token_client(citizen).post(
        upload_url(evidence_service), {"field_name": "reason", "file": pdf_file()}, format="multipart"
    )
    assert response.status_code == 400
    missing = token_client(citizen).post(upload_url(evidence_service), {"field_name": "evidence"})
    assert missing.status_code == 400


def test_anonymous_cannot_upload(evidence_service):
    response = APIClient().post(
        upload_url(evidence_service), {"field_name": "evidence", "file": pdf_file()}, format="multipart"
    )
    assert response.status_code in (401, 403)
    assert not Upload.objects.exists()
