"""Who looked at my data: staff reads in the admin appear on the person's own page only."""

import pytest
from django.urls import reverse

from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _open_in_admin(admin_client_2fa, person):
    response = admin_client_2fa.get(f"/admin/accounts/user/{person.pk}/change/")
    assert response.status_code == 200
    return response


def test_admin_opening_a_citizen_records_personal_data_read(admin_client_2fa, administrator, citizen):
    _open_in_admin(admin_client_2fa, citizen)
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_READ)
    assert entry.subject_user_id == citizen.pk
    assert entry.actor_id == administrator.pk
    assert entry.actor_is_staff is True


def test_citizen_sees_the_access_with_the_staff_members_name(admin_client_2fa, citizen_client, citizen):
    _open_in_admin(admin_client_2fa, citizen)
    response = citizen_client.get(reverse("accounts:data_accesses"))
    assert response.status_code == 200
    entries = list(response.context["entries"])
    assert len(entries) == 1
    assert "Sam Staff" in response.content.decode()


def test_other_citizen_does_not_see_the_access(admin_client_2fa, other_citizen_client, citizen):
    _open_in_admin(admin_client_2fa, citizen)
    response = other_citizen_client.get(reverse("accounts:data_accesses"))
    assert response.status_code == 200
    assert list(response.context["entries"]) == []
    assert "Sam Staff" not in response.content.decode()


def test_own_logins_do_not_appear_as_data_accesses(citizen_client, citizen, client):
    from conftest import PASSWORD

    client.post(reverse("accounts:login"), {"username": citizen.email, "password": PASSWORD})
    response = citizen_client.get(reverse("accounts:data_accesses"))
    assert list(response.context["entries"]) == []


def test_admin_without_second_factor_cannot_open_the_admin(administrator, citizen):
    from django.test import Client

    client = Client()
    client.force_login(administrator, backend="rathaus.accounts.backends.EmailBackend")
    response = client.get(f"/admin/accounts/user/{citizen.pk}/change/")
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_READ).exists()


def test_data_accesses_page_requires_login(client):
    response = client.get(reverse("accounts:data_accesses"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
