"""Tokens issued to people before tokens were kept to integration accounts are withdrawn by a
migration, each withdrawal recorded with the account as subject."""

import importlib

import pytest
from django.apps import apps
from rest_framework.authtoken.models import Token

from conftest import make_user
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db

migration = importlib.import_module("rathaus.accounts.migrations.0006_withdraw_tokens_of_people")


def test_tokens_of_people_are_withdrawn_and_integration_tokens_kept(citizen, caseworker):
    integration = make_user("fachverfahren@example.org", is_integration=True, email_verified_at=None)
    admin_integration = make_user("root-system@example.org", is_integration=True, is_superuser=True)
    kept = Token.objects.create(user=integration)
    for person in (citizen, caseworker, admin_integration):
        Token.objects.create(user=person)
    migration.withdraw(apps)
    assert list(Token.objects.all()) == [kept]
    withdrawn = AuditEntry.objects.filter(action="api_token_deleted", details__reason=migration.REASON)
    assert sorted(withdrawn.values_list("subject_user_id", flat=True)) == sorted(
        [citizen.pk, caseworker.pk, admin_integration.pk]
    )
    # A second run finds nothing more to withdraw.
    migration.withdraw(apps)
    assert withdrawn.count() == 3 and list(Token.objects.all()) == [kept]
