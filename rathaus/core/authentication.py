"""API authentication (DRF). Kept apart from ``core.api``: DRF imports its authentication
classes while ``rest_framework.views`` is still loading."""

import logging
from functools import cache

from django.db import connections
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .prepared import prepared_cursor

__all__ = ["TokenAuthentication"]

logger = logging.getLogger(__name__)


class TokenAuthentication(authentication.TokenAuthentication):
    """DRF's token login in one hand-written query that reads the token's account, whether it
    holds a staff role (the audit log labels every actor by it, ``User.is_staff_member``, and a
    submission through the API would otherwise ask once more) and whether an eID is linked to
    it: only accounts that may hold a token log in with one (``token_holder_refusal``).

    Written out because every API request pays for it: building and compiling the same query
    with the ORM (a join and an ``Exists``) took a fifth of an API submission's Python time
    in the issue 3 benchmark. The statement is built once per database from the models' own
    table and column names and prepared once per connection (``prepared_cursor``: planning it
    was most of its cost to PostgreSQL), and the account is made from the row as the ORM makes
    it (``from_db``, with the fields' converters)."""

    def authenticate_credentials(self, key):
        from rathaus.accounts.models import User
        from rathaus.accounts.services import token_holder_refusal

        model = self.get_model()
        alias = User.objects.db
        sql, fields, converters = _token_login(alias, model)
        with prepared_cursor(alias) as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        values = [
            _converted(value, field_converters, alias)
            for value, field_converters in zip(row[:-2], converters, strict=True)
        ]
        user = User.from_db(alias, fields, values)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_holder_refusal(user, has_external_identity=bool(row[-1])):
            # Tokens are issued to integration accounts only; one that reached a person's or an
            # administrator's account by other means is refused like an unknown one.
            logger.warning("API token refused: its account may not hold a token")
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user._is_staff_member = user.is_staff or bool(row[-2])
        token = model.from_db(alias, ["key", "user_id"], [key, user.pk])
        token.user = user
        return (user, token)


def _converted(value, converters, alias: str):
    for convert, expression in converters:
        value = convert(value, expression, connections[alias])
    return value


@cache
def _token_login(alias: str, token_model) -> tuple[str, list[str], list[list]]:
    """The statement, the account's field names in its column order, and per column the
    converters the ORM would apply to the value read (SQLite returns dates as text)."""
    from rathaus.accounts.models import ExternalIdentity, StaffRole, User

    connection = connections[alias]
    quote = connection.ops.quote_name
    token, user = token_model._meta, User._meta
    role, identity = StaffRole._meta, ExternalIdentity._meta
    token_user = quote(token.get_field("user").column)
    columns = ", ".join(f"u.{quote(field.column)}" for field in user.concrete_fields)
    sql = (
        f"SELECT {columns}, EXISTS(SELECT 1 FROM {quote(role.db_table)} r"  # noqa: S608 - names from the models
        f" WHERE r.{quote(role.get_field('user').column)} = t.{token_user}) AS token_user_has_staff_role,"
        f" EXISTS(SELECT 1 FROM {quote(identity.db_table)} i"
        f" WHERE i.{quote(identity.get_field('user').column)} = t.{token_user}) AS token_user_has_eid"
        f" FROM {quote(token.db_table)} t INNER JOIN {quote(user.db_table)} u"
        f" ON u.{quote(user.pk.column)} = t.{token_user}"
        f" WHERE t.{quote(token.pk.column)} = %s"
    )
    converters = []
    for field in user.concrete_fields:
        expression = field.get_col(user.db_table)
        found = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)
        converters.append([(convert, expression) for convert in found])
    return sql, [field.attname for field in user.concrete_fields], converters
