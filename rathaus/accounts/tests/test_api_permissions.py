"""The API asks the same permission rules as the pages: nothing leaks to a second user."""

import pytest
from rest_framework.test import APIClient

from conftest import api_token
from rathaus.accounts.models import Organisation, OrganisationMembership
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(citizen):
    club = Organisation.objects.create(
        name="TSV Kumpfmühl", kind="club", postal_code="93051", city="Regensburg"
    )
    OrganisationMembership.objects.create(organisation=club, user=citizen, is_admin=True)
    return club


def _client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def test_member_reads_own_organisation_by_token(citizen, club):
    response = _client_for(citizen).get(f"/api/v1/accounts/organisations/{club.pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "TSV Kumpfmühl"


def test_second_citizen_gets_404_for_organisation_and_refusal_is_audited(other_citizen, club):
    response = _client_for(other_citizen).get(f"/api/v1/accounts/organisations/{club.pk}/")
    assert response.status_code == 404
    assert "Kumpfmühl" not in response.content.decode()
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED, actor_id=other_citizen.pk).exists()


def test_caseworker_of_a_department_gets_404_for_organisation(caseworker, club):
    response = _client_for(caseworker).get(f"/api/v1/accounts/organisations/{club.pk}/")
    assert response.status_code == 404


def test_anonymous_caller_is_refused(club):
    response = APIClient().get(f"/api/v1/accounts/organisations/{club.pk}/")
    assert response.status_code in (401, 403)
    assert "Kumpfmühl" not in response.content.decode()


def test_me_returns_only_the_callers_profile(citizen, other_citizen):
    body = _client_for(other_citizen).get("/api/v1/accounts/me/").json()
    assert body["email"] == other_citizen.email
    assert citizen.email not in str(body)


def test_organisation_list_shows_only_own_memberships(citizen, other_citizen, club):
    assert [
        o["name"] for o in _client_for(citizen).get("/api/v1/accounts/organisations/").json()["results"]
    ] == ["TSV Kumpfmühl"]
    assert _client_for(other_citizen).get("/api/v1/accounts/organisations/").json()["results"] == []


def test_openapi_schema_lists_the_accounts_endpoints(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = (
        response.json()["paths"] if response["Content-Type"].endswith("json") else response.content.decode()
    )
    assert "/api/v1/accounts/organisations/{id}/" in paths
