"""API authentication (DRF). Kept apart from ``core.api``: DRF imports its authentication
classes while ``rest_framework.views`` is still loading."""

from functools import cache

from django.db import connections
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

__all__ = ["TokenAuthentication"]


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token login in one hand-written query that reads the token's account and whether
    it holds a staff role: the audit log labels every actor by it (``User.is_staff_member``),
    and a submission through the API would otherwise ask once more.

    Written out because every API request pays for it: building and compiling the same query
    with the ORM (a join and an ``Exists``) took a fifth of an API submission's Python time
    in the issue 3 benchmark. The statement is built once per database from the models' own
    table and column names; the account is still made by the ORM (``raw``), with its fields'
    converters."""

    def authenticate_credentials(self, key):
        from rathaus.accounts.models import User

        model = self.get_model()
        users = list(User.objects.raw(_token_login_sql(User.objects.db, model), [key]))
        if not users:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = users[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        user._is_staff_member = user.is_staff or bool(user.token_user_has_staff_role)
        token = model.from_db(User.objects.db, ["key", "user_id"], [key, user.pk])
        token.user = user
        return (user, token)


@cache
def _token_login_sql(alias: str, token_model) -> str:
    from rathaus.accounts.models import StaffRole, User

    quote = connections[alias].ops.quote_name
    token, user, role = token_model._meta, User._meta, StaffRole._meta
    token_user = quote(token.get_field("user").column)
    columns = ", ".join(f"u.{quote(field.column)}" for field in user.concrete_fields)
    return (
        f"SELECT {columns}, EXISTS(SELECT 1 FROM {quote(role.db_table)} r"  # noqa: S608 - names from the models
        f" WHERE r.{quote(role.get_field('user').column)} = t.{token_user}) AS token_user_has_staff_role"
        f" FROM {quote(token.db_table)} t INNER JOIN {quote(user.db_table)} u"
        f" ON u.{quote(user.pk.column)} = t.{token_user}"
        f" WHERE t.{quote(token.pk.column)} = %s"
    )
