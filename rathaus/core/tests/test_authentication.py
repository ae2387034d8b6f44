"""Token login of the API: one query tells who it is and whether they hold a staff role."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import exceptions
from rest_framework.authtoken.models import Token

from rathaus.core.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("who", "staff"), [("citizen", False), ("caseworker", True)])
def test_the_token_brings_its_user_and_staff_role_in_one_query(request, who, staff):
    user = request.getfixturevalue(who)
    key = Token.objects.create(user=user).key
    with CaptureQueriesContext(connection) as captured:
        found, token = TokenAuthentication().authenticate_credentials(key)
        assert found.is_staff_member is staff
    assert len(captured.captured_queries) == 1
    assert found == user and token.key == key


def test_unknown_and_inactive_tokens_are_refused(citizen):
    key = Token.objects.create(user=citizen).key
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
    key = Token.objects.create(user=citizen).key
    found, token = TokenAuthentication().authenticate_credentials(key)
    stored = User.objects.get(pk=citizen.pk)
    for field in User._meta.concrete_fields:
        assert getattr(found, field.attname) == getattr(stored, field.attname), field.name
    assert isinstance(found.birth_date, dt.date) and isinstance(found.date_joined, dt.datetime)
    assert token.user is found and token.user_id == citizen.pk and not token._state.adding
