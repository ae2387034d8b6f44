"""Who may open what: organisation pages, own profile pages, the back office."""

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.accounts.models import Organisation, OrganisationMembership
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

pytestmark = pytest.mark.django_db

CLUB_NAME = "TSV Kumpfmühl"


@pytest.fixture
def club(citizen):
    club = Organisation.objects.create(name=CLUB_NAME, kind="club", postal_code="93051", city="Regensburg")
    OrganisationMembership.objects.create(organisation=club, user=citizen, is_admin=True)
    return club


def _url(club):
    return reverse("accounts:organisation_detail", kwargs={"pk": club.pk})


def _assert_refused(response, club):
    assert response.status_code == 404
    assert CLUB_NAME not in response.content.decode()
    assert "404.html" in [t.name for t in response.templates]


def test_member_sees_organisation(citizen_client, club):
    response = citizen_client.get(_url(club))
    assert response.status_code == 200
    assert CLUB_NAME in response.content.decode()


def test_second_citizen_cannot_open_organisation(other_citizen_client, other_citizen, club):
    _assert_refused(other_citizen_client.get(_url(club)), club)
    entry = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert entry.actor_id == other_citizen.pk
    assert entry.object_id == str(club.pk)
    assert entry.details["permission"] == "accounts.view_organisation"


def test_caseworker_cannot_open_organisation(caseworker_client, caseworker, club):
    _assert_refused(caseworker_client.get(_url(club)), club)
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED, actor_id=caseworker.pk).exists()


def test_caseworker_of_other_department_cannot_open_organisation(
    other_caseworker_client, other_caseworker, club
):
    _assert_refused(other_caseworker_client.get(_url(club)), club)
    assert AuditEntry.objects.filter(
        action=AuditAction.PERMISSION_DENIED, actor_id=other_caseworker.pk
    ).exists()


def test_anonymous_visitor_is_sent_to_login_without_leak(club):
    response = Client().get(_url(club))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert CLUB_NAME not in response.content.decode()
    followed = Client().get(_url(club), follow=True)
    assert CLUB_NAME not in followed.content.decode()


def test_anonymous_refusal_is_audited(club):
    Client().get(_url(club))
    entry = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert entry.actor_id is None
    assert entry.details["path"] == _url(club)


def test_unknown_organisation_is_the_same_404(other_citizen_client, club):
    missing = other_citizen_client.get(reverse("accounts:organisation_detail", kwargs={"pk": club.pk + 999}))
    refused = other_citizen_client.get(_url(club))
    assert missing.status_code == refused.status_code == 404


def test_organisation_list_shows_only_own_memberships(other_citizen_client, club):
    response = other_citizen_client.get(reverse("accounts:organisations"))
    assert response.status_code == 200
    assert CLUB_NAME not in response.content.decode()


def test_creator_of_organisation_becomes_its_administrator(other_citizen_client, other_citizen):
    response = other_citizen_client.post(
        reverse("accounts:organisation_create"),
        {"name": "Verein Neu", "kind": "club", "postal_code": "93047", "city": "Regensburg"},
    )
    organisation = Organisation.objects.get(name="Verein Neu")
    assert response.url == reverse("accounts:organisation_detail", kwargs={"pk": organisation.pk})
    assert organisation.memberships.get().user == other_citizen


def test_account_home_shows_only_own_data(citizen_client, citizen, other_citizen):
    html = citizen_client.get(reverse("accounts:home")).content.decode()
    assert other_citizen.last_name not in html
    assert other_citizen.email not in html


def test_back_office_refuses_citizens_with_403(citizen_client, citizen):
    response = citizen_client.get(reverse("accounts:staff_home"))
    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED, actor_id=citizen.pk).exists()


def test_back_office_opens_for_verified_staff(caseworker_client):
    assert caseworker_client.get(reverse("accounts:staff_home")).status_code == 200


def test_django_admin_refuses_citizens(citizen_client):
    response = citizen_client.get("/admin/accounts/user/")
    assert response.status_code == 302
    assert "/admin/login/" in response.url
