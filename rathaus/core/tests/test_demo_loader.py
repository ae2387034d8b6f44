"""The demo loader: idempotent, and refused outside demo mode."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from rathaus.demo.loader import load_demo

pytestmark = pytest.mark.django_db


def _row_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "core", "otp_totp"}
        and model._meta.label != "core.AuditEntry"
    }


def test_first_run_creates_the_demo_city():
    created = load_demo()
    assert created["departments"] > 0
    assert created["users"] > 0
    assert created["pages"] == 3


def test_second_run_creates_nothing_and_changes_no_counts():
    load_demo()
    before = _row_counts()
    created = load_demo()
    assert set(created.values()) == {0}
    assert _row_counts() == before


def test_loader_refuses_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(ImproperlyConfigured):
        load_demo()
    from rathaus.accounts.models import User

    assert not User.objects.exists()
