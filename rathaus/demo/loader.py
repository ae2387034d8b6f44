"""Idempotent loader of the Regensburg demo: a second run finds everything and writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts.models import Department, Organisation, OrganisationMembership, StaffRole, User
from rathaus.core.models import LegalPage, SiteBranding

from . import booking_data, data, forms_data
from .case_history import load_case_history
from .catalog_data import load_catalog
from .strategy_loader import load_strategy_demo


def demo_totp_key(email: str) -> str:
    """A fixed TOTP secret per demo staff account, so the demo can be set up in any app."""
    return hashlib.sha256(f"rathaus-demo-totp:{email}".encode()).hexdigest()[:40]


@transaction.atomic
def load_demo() -> dict[str, int]:
    if not settings.DEMO_MODE:
        raise ImproperlyConfigured("The demo data is only loaded in demo mode (DEMO_MODE=1).")
    created = {"departments": 0, "users": 0, "roles": 0, "organisations": 0, "pages": 0}
    if not SiteBranding.objects.exists():
        SiteBranding.objects.create(pk=1, **data.BRANDING)
    departments: dict[str, Department] = {}
    for code, name, name_en, parent in data.DEPARTMENTS:
        department, was_created = Department.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "parent": departments.get(parent)}
        )
        departments[code] = department
        created["departments"] += was_created
    for email, first, last, role, department_code in data.STAFF:
        operator = role == "administrator"
        user, was_created = _user(
            email, first_name=first, last_name=last, is_staff=operator, is_superuser=operator
        )
        created["users"] += was_created
        _, role_created = StaffRole.objects.get_or_create(
            user=user, kind=role, department=departments.get(department_code)
        )
        created["roles"] += role_created
        if not TOTPDevice.objects.filter(user=user).exists():
            TOTPDevice.objects.create(user=user, name="Demo", key=demo_totp_key(email), confirmed=True)
    for person in data.CITIZENS:
        fields = dict(person)
        fields["birth_date"] = dt.date.fromisoformat(fields["birth_date"])
        _user_obj, was_created = _user(fields.pop("email"), **fields)
        created["users"] += was_created
    organisation, was_created = Organisation.objects.get_or_create(
        name=data.ORGANISATION["name"], defaults=data.ORGANISATION
    )
    created["organisations"] += was_created
    OrganisationMembership.objects.get_or_create(
        organisation=organisation,
        user=User.objects.get(email=data.ORGANISATION_ADMIN),
        defaults={"is_admin": True},
    )
    for kind, (title, title_en, body, body_en) in data.LEGAL_PAGES.items():
        _page, was_created = LegalPage.objects.get_or_create(
            kind=kind, defaults={"title": title, "title_en": title_en, "body": body, "body_en": body_en}
        )
        created["pages"] += was_created
    created.update(load_catalog())
    created.update(forms_data.load_forms())
    created.update(booking_data.load_booking())
    created.update(load_case_history())
    created.update(load_strategy_demo())
    return created


def _user(email: str, **fields) -> tuple[User, bool]:
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user, False
    user = User(email=email, email_verified_at=timezone.now(), is_active=True, **fields)
    user.set_password(data.DEMO_PASSWORD)
    user.save()
    return user, True
