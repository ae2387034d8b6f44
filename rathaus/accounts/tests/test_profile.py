"""Profile editing and account deletion: only one's own data, audited without the values."""

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from rathaus.accounts.models import User
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def _profile_data(user, **changes):
    data = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "birth_date": "",
        "street": user.street,
        "postal_code": user.postal_code,
        "city": user.city,
        "phone": user.phone,
        "preferred_language": user.preferred_language,
        "preferred_channel": user.preferred_channel,
    }
    data.update(changes)
    return data


def test_profile_page_shows_only_own_data(citizen_client, citizen, other_citizen):
    response = citizen_client.get(reverse("accounts:profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert citizen.street in html
    assert other_citizen.last_name not in html


def test_profile_page_ignores_forged_ids(citizen_client, citizen, other_citizen):
    response = citizen_client.get(
        reverse("accounts:profile"), {"pk": other_citizen.pk, "id": other_citizen.pk}
    )
    assert other_citizen.last_name not in response.content.decode()
    citizen_client.post(
        reverse("accounts:profile"),
        {**_profile_data(citizen, city="Passau"), "pk": other_citizen.pk, "id": other_citizen.pk},
    )
    other_citizen.refresh_from_db()
    assert other_citizen.city == ""
    citizen.refresh_from_db()
    assert citizen.city == "Passau"


def test_profile_change_is_audited_with_field_names_only(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:profile"), _profile_data(citizen, street="Haidplatz 8", phone="0941 123456")
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.street == "Haidplatz 8"
    entry = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_CHANGED, subject_user_id=citizen.pk)
    assert sorted(entry.details["fields"]) == ["phone", "street"]
    stored = str(entry.details) + entry.object_label + entry.actor_label
    assert "Haidplatz" not in stored
    assert "123456" not in stored
    assert "Muster" not in stored


def test_unchanged_profile_writes_no_audit_entry(citizen_client, citizen):
    citizen_client.post(reverse("accounts:profile"), _profile_data(citizen))
    assert not AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_CHANGED).exists()


@pytest.mark.parametrize("postal_code", ["9304", "930477", "ABCDE", "93 04"])
def test_invalid_postal_code_is_refused(citizen_client, citizen, postal_code):
    response = citizen_client.post(
        reverse("accounts:profile"), _profile_data(citizen, postal_code=postal_code)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["postal_code"]
    citizen.refresh_from_db()
    assert citizen.postal_code == "93047"


def test_profile_requires_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_account_deletion_requires_the_password(citizen_client, citizen):
    response = citizen_client.post(reverse("accounts:delete"), {"password": "falsch-falsch", "confirm": "on"})
    assert response.status_code == 200
    assert response.context["form"].errors["password"]
    assert User.objects.filter(pk=citizen.pk).exists()


def test_account_deletion_requires_confirmation(citizen_client, citizen):
    response = citizen_client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 200
    assert User.objects.filter(pk=citizen.pk).exists()


def test_account_deletion_removes_account_and_audit_keeps_only_the_id(citizen_client, citizen):
    citizen_id = citizen.pk
    response = citizen_client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=citizen_id).exists()
    assert "_auth_user_id" not in citizen_client.session
    entry = AuditEntry.objects.get(action=AuditAction.ACCOUNT_DELETED)
    assert entry.subject_user_id == citizen_id
    assert entry.actor_id == citizen_id
    assert entry.actor_label == f"#{citizen_id}"
    row = " ".join(str(v) for v in AuditEntry.objects.filter(subject_user_id=citizen_id).values_list())
    for personal in ("maria", "Muster", "Domplatz", "93047"):
        assert personal not in row
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "maria@example.org", "password": PASSWORD})
        .status_code
        == 200
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"birth_date": "2099-01-01"}, "birth_date"),
        ({"birth_date": "1850-05-05"}, "birth_date"),
        ({"phone": "<script>alert(1)</script>"}, "phone"),
        ({"phone": "1234"}, "phone"),
        ({"phone": "call me maybe"}, "phone"),
    ],
)
def test_profile_refuses_what_the_application_forms_would_refuse(citizen_client, citizen, changes, field):
    response = citizen_client.post(reverse("accounts:profile"), _profile_data(citizen, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    citizen.refresh_from_db()
    assert citizen.birth_date is None and citizen.phone == ""


def test_profile_refusals_speak_english_too(citizen_client, citizen):
    citizen_client.cookies["rathaus_language"] = "en"
    response = citizen_client.post(
        reverse("accounts:profile"), _profile_data(citizen, birth_date="2099-01-01", phone="<b>")
    )
    errors = response.context["form"].errors
    assert errors["birth_date"] == ["The date of birth cannot be in the future."]
    assert errors["phone"] == ["Enter a phone number with digits only, e.g. 0941 507-0 or +49 941 5070."]


def test_profile_accepts_plausible_values_as_people_write_them(citizen_client, citizen):
    response = citizen_client.post(
        reverse("accounts:profile"),
        _profile_data(citizen, birth_date="1986-04-17", phone="  +49 (941)  507-0 "),
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert str(citizen.birth_date) == "1986-04-17"
    assert citizen.phone == "+49 (941) 507-0"


def test_the_service_refuses_implausible_values_from_any_caller(citizen):
    import datetime as dt

    from django.core.exceptions import ValidationError

    from rathaus.accounts import services

    with pytest.raises(ValidationError) as refused:
        services.profile_update(
            acting_user=citizen, person=citizen, data={"birth_date": dt.date(2099, 1, 1), "phone": "<script>"}
        )
    assert set(refused.value.message_dict) == {"birth_date", "phone"}
