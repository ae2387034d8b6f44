"""One-time e-mail confirmation links (password reset uses Django's own generator).

A link carries the account id and a digest of the address and its confirmation state, signed
with a timestamp. It expires after EMAIL_VERIFICATION_TIMEOUT and is spent once the address is
confirmed, because the confirmation time is part of the digest.
"""

from __future__ import annotations

import enum
import hashlib

from django.conf import settings
from django.core import signing

_SALT = "rathaus.accounts.email_verification"


class TokenCheck(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def _digest(user) -> str:
    return hashlib.sha256(f"{user.pk}|{user.email}|{user.email_verified_at}".encode()).hexdigest()[:32]


def make_email_token(user) -> str:
    return signing.dumps({"u": user.pk, "d": _digest(user)}, salt=_SALT, compress=True)


def read_email_token(token: str) -> tuple[TokenCheck, int | None, str | None]:
    """Return (state, user id, digest); the caller compares the digest with the account."""
    try:
        data = signing.loads(token, salt=_SALT, max_age=settings.EMAIL_VERIFICATION_TIMEOUT)
    except signing.SignatureExpired:
        return TokenCheck.EXPIRED, None, None
    except (signing.BadSignature, ValueError, TypeError):
        return TokenCheck.INVALID, None, None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return TokenCheck.INVALID, None, None
    return TokenCheck.VALID, data["u"], data.get("d")


def token_matches(user, digest: str | None) -> bool:
    return digest is not None and digest == _digest(user)
