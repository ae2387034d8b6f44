"""Fixtures shared by every test: people in each role, logged-in clients, the demo city."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from rathaus.accounts.constants import StaffRoleKind
from rathaus.accounts.models import Department, StaffRole, User

PASSWORD = "Sichere-Passphrase-2026"  # noqa: S105 - test accounts only


class FastArgon2PasswordHasher(Argon2PasswordHasher):
    """Argon2 with the cheapest parameters: a test creates and logs in many people, and the
    production cost (~0.15 s a hash) would dominate the suite. The hashes stay genuine Argon2,
    so servers the tests start in other processes verify them with the standard hasher."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


@pytest.fixture(autouse=True, scope="session")
def _audit_actions_strict():
    """An audit action recorded without a registered label fails its test (in production it
    only logs a warning): the log must name every action in words."""
    from rathaus.core import audit_actions

    audit_actions.STRICT = True
    yield
    audit_actions.STRICT = False


class MailServerDown:
    """An e-mail backend whose server refuses every connection (beyond the city's walls)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "conftest.MailServerDown"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["conftest.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (German): a request in English must not leave
    its language active for the next test in the same worker."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _no_kept_forms():
    """A test's rolled-back rows send no signal: forms kept per process (``published_form_of``)
    and cached fragments of the page frame must not outlive the test that made them."""
    from django.core.cache import caches

    from rathaus.forms.api import invalidate_published_forms

    invalidate_published_forms()
    caches["template_fragments"].clear()
    yield
    invalidate_published_forms()


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DEMO_MODE = True


def make_user(email: str, **fields) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD, is_active=True, **fields)
    return user


def make_staff(email: str, kind: str, department: Department | None = None, **fields) -> User:
    user = make_user(
        email,
        first_name=fields.pop("first_name", "Sam"),
        last_name=fields.pop("last_name", "Staff"),
        **fields,
    )
    StaffRole.objects.create(user=user, kind=kind, department=department)
    TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return user


def api_token(user: User) -> str:
    """The API token key of ``user``, made an integration account first: only such accounts log
    in with a token (``accounts.services.token_holder_refusal``). A test that calls the API as a
    citizen or a caseworker thereby acts as a connected system in their place."""
    if not user.is_integration:
        user.is_integration = True
        user.save(update_fields=["is_integration"])
    from rest_framework.authtoken.models import Token

    return Token.objects.get_or_create(user=user)[0].key


def login(client: Client, user: User) -> Client:
    """Log in as the user; staff also pass their second factor, as they must."""
    client.force_login(user, backend="rathaus.accounts.backends.EmailBackend")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def department(db):
    return Department.objects.create(code="Amt 32", name="Ordnungsamt", name_en="Public Order Office")


@pytest.fixture
def other_department(db):
    return Department.objects.create(code="Amt 34", name="Standesamt", name_en="Registry Office")


@pytest.fixture
def citizen(db):
    return make_user(
        "maria@example.org",
        first_name="Maria",
        last_name="Muster",
        street="Domplatz 1",
        postal_code="93047",
        city="Regensburg",
    )


@pytest.fixture
def other_citizen(db):
    return make_user("jonas@example.org", first_name="Jonas", last_name="Beispiel")


@pytest.fixture
def caseworker(department):
    return make_staff("sachbearbeitung@stadt.example", StaffRoleKind.CASEWORKER, department)


@pytest.fixture
def other_caseworker(other_department):
    return make_staff("standesamt@stadt.example", StaffRoleKind.CASEWORKER, other_department)


@pytest.fixture
def administrator(db):
    return make_staff("admin@stadt.example", StaffRoleKind.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def data_protection_officer(db):
    return make_staff("dsb@stadt.example", StaffRoleKind.DATA_PROTECTION_OFFICER)


@pytest.fixture
def citizen_client(citizen):
    return login(Client(), citizen)


@pytest.fixture
def other_citizen_client(other_citizen):
    return login(Client(), other_citizen)


@pytest.fixture
def caseworker_client(caseworker):
    return login(Client(), caseworker)


@pytest.fixture
def other_caseworker_client(other_caseworker):
    return login(Client(), other_caseworker)


@pytest.fixture
def admin_client_2fa(administrator):
    return login(Client(), administrator)


@pytest.fixture
def strategy_officer(db):
    return make_staff("strategie@stadt.example", StaffRoleKind.STRATEGY_OFFICE)


@pytest.fixture
def second_strategy_officer(db):
    return make_staff("controlling@stadt.example", StaffRoleKind.STRATEGY_OFFICE)


@pytest.fixture
def leadership(db):
    return make_staff("leitung@stadt.example", StaffRoleKind.LEADERSHIP)


@pytest.fixture
def department_head(department):
    return make_staff("amtsleitung@stadt.example", StaffRoleKind.DEPARTMENT_HEAD, department)


@pytest.fixture
def strategy_client(strategy_officer):
    return login(Client(), strategy_officer)


@pytest.fixture
def leadership_client(leadership):
    return login(Client(), leadership)


@pytest.fixture
def department_head_client(department_head):
    return login(Client(), department_head)
