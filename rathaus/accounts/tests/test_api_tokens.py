"""API tokens: only integration accounts get one from the admin, never a person's account;
issuing and deleting are audited with the account as subject; the key is shown once."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.authtoken.models import Token

from rathaus.accounts import services
from rathaus.accounts.constants import AccountsAuditAction
from rathaus.accounts.models import User
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/accounts/apitoken/add/"
LIST_URL = "/admin/accounts/apitoken/"


@pytest.fixture
def integration(db):
    return User.objects.create_user(
        "fachverfahren@stadt.example", password=None, first_name="Fachverfahren", is_integration=True
    )


def _offered_ids(response) -> set[int]:
    return {
        choice.value for choice, _label in response.context["adminform"].form.fields["user"].choices if choice
    }


def test_the_add_form_offers_integration_accounts_only(
    admin_client_2fa, integration, citizen, caseworker, administrator
):
    response = admin_client_2fa.get(ADD_URL)
    assert response.status_code == 200
    assert _offered_ids(response) == {integration.pk}


def test_a_token_for_a_citizen_is_refused_and_nothing_is_stored(admin_client_2fa, citizen, caseworker):
    for person in (citizen, caseworker):
        response = admin_client_2fa.post(ADD_URL, {"user": person.pk})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
    assert not Token.objects.exists()
    assert not AuditEntry.objects.filter(action=AccountsAuditAction.API_TOKEN_CREATED).exists()


def test_issuing_shows_the_key_once_and_audits_with_the_account_as_subject(
    admin_client_2fa, administrator, integration
):
    response = admin_client_2fa.post(ADD_URL, {"user": integration.pk})
    assert response.status_code == 200
    token = Token.objects.get(user=integration)
    assert token.key in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action=AccountsAuditAction.API_TOKEN_CREATED)
    assert entry.subject_user_id == integration.pk
    assert entry.actor_id == administrator.pk
    assert token.key not in str(entry.details) + entry.object_id + entry.object_label
    # Neither the list, the token's page nor the admin's own log show the key again.
    for url in (LIST_URL, f"{LIST_URL}{integration.pk}/change/", "/admin/"):
        page = admin_client_2fa.get(url)
        assert page.status_code == 200
        assert token.key not in page.content.decode()
    assert not LogEntry.objects.filter(object_repr__contains=token.key).exists()


def test_deleting_a_token_is_audited(admin_client_2fa, administrator, integration):
    token = Token.objects.create(user=integration)
    response = admin_client_2fa.post(f"{LIST_URL}{integration.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Token.objects.filter(key=token.key).exists()
    entry = AuditEntry.objects.get(action=AccountsAuditAction.API_TOKEN_DELETED)
    assert entry.subject_user_id == integration.pk
    assert entry.actor_id == administrator.pk


def test_the_service_refuses_a_persons_account_even_when_marked_for_integration(administrator, citizen):
    citizen.is_integration = True
    citizen.email_verified_at = timezone.now()
    citizen.save()
    with pytest.raises(ValidationError):
        services.api_token_issue(acting_user=administrator, account=citizen)
    assert not Token.objects.exists()


def test_the_service_refuses_non_administrators(caseworker, integration):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.api_token_issue(acting_user=caseworker, account=integration)


def test_a_token_issued_to_an_integration_account_logs_in_to_the_api(administrator, integration):
    from rest_framework.test import APIClient

    token = services.api_token_issue(acting_user=administrator, account=integration)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/accounts/me/").status_code == 200


def test_the_citizen_sees_a_token_issued_for_their_account(admin_client_2fa, citizen, citizen_client):
    """Should an administrator mark a citizen's never-confirmed account for integration and issue
    a token, the person sees it under "who looked at my data"."""
    citizen.is_integration = True
    citizen.save()
    admin_client_2fa.post(ADD_URL, {"user": citizen.pk})
    assert Token.objects.filter(user=citizen).exists()
    page = citizen_client.get("/konto/datenzugriffe/")
    assert "API-Token" in page.content.decode()
