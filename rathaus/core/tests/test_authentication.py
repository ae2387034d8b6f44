"""Token login of the API: one query tells who it is, whether they hold a staff role and whether
their account may hold a token at all (integration accounts only)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from conftest import api_token
from rathaus.accounts.models import ExternalIdentity
from rathaus.core.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "staff"), [("citizen", False), ("caseworker", True)])
def test_the_token_brings_its_user_and_staff_role_in_one_query(request, who, staff):
    user = request.getfixturevalue(who)
    key = api_token(user)
    with CaptureQueriesContext(connection) as captured:
        found, token = TokenAuthentication().authenticate_credentials(key)
        assert found.is_staff_member is staff
    assert len(captured.captured_queries) == 1
    assert found == user and token.key == key


def test_unknown_and_inactive_tokens_are_refused(citizen):
    key = api_token(citizen)
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials("0" * 40)
    citizen.is_active = False
    citizen.save()
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key)


def test_the_account_is_loaded_whole_with_its_fields_converted(citizen):
    import datetime as dt

    from rathaus.accounts.models import User

    citizen.birth_date = dt.date(1980, 5, 17)
    citizen.save()
    key = api_token(citizen)
    found, token = TokenAuthentication().authenticate_credentials(key)
    stored = User.objects.get(pk=citizen.pk)
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
    assert isinstance(found.birth_date, dt.date) and isinstance(found.date_joined, dt.datetime)
    assert token.user is found and token.user_id == citizen.pk and not token._state.adding


def _makes_a_person(citizen, change: str) -> None:
    if change == "not an integration account":
        citizen.is_integration = False
    elif change == "e-mail confirmed":
        citizen.email_verified_at = timezone.now()
    elif change == "administrator":
        citizen.is_superuser = True
    elif change == "eID linked":
        ExternalIdentity.objects.create(
            user=citizen, provider="saml", issuer="https://id.example", subject="abc-123", trust_level="high"
        )
        return
    citizen.save()


@pytest.mark.parametrize(
    "change", ["not an integration account", "e-mail confirmed", "administrator", "eID linked"]
)
def test_a_token_that_reached_an_account_which_may_not_hold_one_does_not_log_in(citizen, change, caplog):
    """Tokens are issued to integration accounts only; one created by other means (a shell, an
    old backup) on a person's or an administrator's account is refused like an unknown one."""
    key = api_token(citizen)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/accounts/me/").status_code == 200
    _makes_a_person(citizen, change)
    with pytest.raises(exceptions.AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key)
    response = client.get("/api/v1/accounts/me/", HTTP_ACCEPT_LANGUAGE="de")
    assert response.status_code == 401
    assert Token.objects.filter(key=key).exists()  # refused, not deleted: the admin decides
    assert citizen.email not in caplog.text and key not in caplog.text
