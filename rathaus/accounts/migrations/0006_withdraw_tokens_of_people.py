"""Withdraw the API tokens that were issued before tokens were kept to integration accounts
(migration 0005): a token of a person (a citizen, a member of staff, an administrator) logs in
as that person without password and second factor. Each withdrawal is recorded in the audit log
with the account as subject (sealed into the chain by the task worker like every entry). An
integration account that lost its token gets a new one from the administrator.
"""

from django.db import migrations
from django.db.models import Q

REASON = "withdrawn: tokens are for integration accounts only"


def tokens_of_people(apps):
    Token = apps.get_model("authtoken", "Token")
    return Token.objects.filter(
        Q(user__is_integration=False)
        | Q(user__is_superuser=True)
        | Q(user__email_verified_at__isnull=False)
        | Q(user__external_identities__isnull=False)
    ).distinct()


def withdraw(apps, schema_editor=None):
    AuditEntry = apps.get_model("core", "AuditEntry")
    tokens = tokens_of_people(apps)
    owners = list(tokens.values_list("user_id", flat=True))
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="api_token_deleted",
            actor_label="migration accounts.0006",
            object_type="accounts.user",
            object_id=str(user_id),
            subject_user_id=user_id,
            details={"reason": REASON},
        )
        for user_id in owners
    )
    apps.get_model("authtoken", "Token").objects.filter(user_id__in=owners).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_integration_accounts_api_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
        ("core", "0007_audit_fewer_indexes"),
    ]
    operations = [migrations.RunPython(withdraw, migrations.RunPython.noop)]
