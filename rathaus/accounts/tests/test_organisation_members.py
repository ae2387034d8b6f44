"""Members of an organisation: managers invite by e-mail, remove members and hand the manager
right on; the last manager can neither leave nor be removed nor delete their account."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD, login, make_user
from rathaus.accounts import services
from rathaus.accounts.constants import AccountsAuditAction, OrganisationKind
from rathaus.accounts.models import Organisation, OrganisationInvitation, OrganisationMembership, User
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def club(citizen):
    club = Organisation.objects.create(name="SV Süd e.V.", kind=OrganisationKind.CLUB)
    OrganisationMembership.objects.create(organisation=club, user=citizen, is_admin=True)
    return club


@pytest.fixture(autouse=True)
def _mail_after_commit(monkeypatch):
    """The invitation e-mail leaves after the commit; the test's transaction never commits."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())


@pytest.fixture
def member(club, other_citizen):
    return OrganisationMembership.objects.create(organisation=club, user=other_citizen)


def _detail(club):
    return reverse("accounts:organisation_detail", args=[club.pk])


def _invite(client, club, email):
    return client.post(reverse("accounts:organisation_invite", args=[club.pk]), {"email": email})


def _invitation_link() -> str:
    body = OutboxMessage.objects.latest("created_at").body
    return re.search(r"https?://\S+(/konto/organisationen/einladung/\S+/)", body).group(1)


def test_address_without_street_shows_no_stray_comma(citizen_client, club):
    html = citizen_client.get(_detail(club)).content.decode()
    assert "Anschrift" in html and ", " not in html.split("Anschrift", 1)[1].split("</dd>", 1)[0]
    club.postal_code, club.city = "93053", "Regensburg"
    club.save()
    assert club.postal_address == "93053 Regensburg"


def test_manager_sees_member_management_a_member_does_not(citizen_client, other_citizen_client, club, member):
    manager_page = citizen_client.get(_detail(club)).content.decode()
    assert reverse("accounts:organisation_invite", args=[club.pk]) in manager_page
    assert reverse("accounts:organisation_member_remove", args=[club.pk, member.pk]) in manager_page
    member_page = other_citizen_client.get(_detail(club)).content.decode()
    assert reverse("accounts:organisation_invite", args=[club.pk]) not in member_page
    assert reverse("accounts:organisation_leave", args=[club.pk]) in member_page


def test_invitation_by_e_mail_accepted_by_the_invited_account(settings, citizen_client, club, citizen):
    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    invitee = make_user("neu@example.org", first_name="Nina", last_name="Neu")
    response = _invite(citizen_client, club, "Neu@Example.org")
    assert response.status_code == 302
    message = OutboxMessage.objects.get()
    assert message.to == "neu@example.org"
    # The e-mail names neither the organisation nor who invited: a link only.
    assert club.name not in message.body + message.subject
    assert citizen.last_name not in message.body
    link = _invitation_link()
    invitation = OrganisationInvitation.objects.get()
    assert link.split("/")[-2] not in invitation.token_hash  # only the hash is stored

    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "/konto/anmelden/" in anonymous["Location"]

    client = login(Client(), invitee)
    page = client.get(link)
    assert page.status_code == 200 and club.name in page.content.decode()
    accepted = client.post(link)
    assert accepted["Location"] == _detail(club)
    assert OrganisationMembership.objects.filter(organisation=club, user=invitee, is_admin=False).exists()
    assert client.get(link).status_code == 400  # used once
    joined = AuditEntry.objects.get(action=AccountsAuditAction.MEMBER_JOINED)
    assert joined.subject_user_id == invitee.pk and joined.object_id == str(club.pk)
    invited = AuditEntry.objects.get(action=AccountsAuditAction.MEMBER_INVITED)
    assert "neu@example.org" not in str(invited.details)


def test_invitation_for_another_address_is_not_accepted(settings, citizen_client, club, other_citizen_client):
    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    _invite(citizen_client, club, "neu@example.org")
    link = _invitation_link()
    page = other_citizen_client.get(link)
    assert club.name not in page.content.decode()
    other_citizen_client.post(link)
    assert not OrganisationMembership.objects.filter(
        organisation=club, user__email="jonas@example.org"
    ).exists()


def test_invitee_registers_first_then_accepts(settings, citizen_client, club):
    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    _invite(citizen_client, club, "spaeter@example.org")
    link = _invitation_link()
    later = make_user("spaeter@example.org")  # registered and confirmed after the invitation
    client = login(Client(), later)
    client.post(link)
    assert OrganisationMembership.objects.filter(organisation=club, user=later).exists()


def test_inviting_a_member_again_is_refused(citizen_client, club, member):
    response = _invite(citizen_client, club, member.user.email)
    assert response.status_code == 400
    assert not OrganisationInvitation.objects.exists()


def test_inviting_again_replaces_the_open_invitation(citizen_client, club):
    _invite(citizen_client, club, "neu@example.org")
    _invite(citizen_client, club, "neu@example.org")
    assert OrganisationInvitation.objects.count() == 1


def test_withdrawn_invitation_link_no_longer_works(settings, citizen_client, club):
    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    _invite(citizen_client, club, "neu@example.org")
    link = _invitation_link()
    invitation = OrganisationInvitation.objects.get()
    citizen_client.post(reverse("accounts:organisation_invitation_withdraw", args=[club.pk, invitation.pk]))
    invitee = make_user("neu@example.org")
    assert login(Client(), invitee).get(link).status_code == 400
    assert AuditEntry.objects.filter(action=AccountsAuditAction.MEMBER_INVITATION_WITHDRAWN).exists()


def test_a_member_who_is_not_a_manager_cannot_invite_or_remove(other_citizen_client, club, member, citizen):
    manager = OrganisationMembership.objects.get(organisation=club, user=citizen)
    assert _invite(other_citizen_client, club, "x@example.org").status_code == 404
    response = other_citizen_client.post(
        reverse("accounts:organisation_member_remove", args=[club.pk, manager.pk])
    )
    assert response.status_code == 404
    assert OrganisationMembership.objects.filter(pk=manager.pk).exists()
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count() == 2


def test_manager_removes_a_member(citizen_client, club, member):
    citizen_client.post(reverse("accounts:organisation_member_remove", args=[club.pk, member.pk]))
    assert not OrganisationMembership.objects.filter(pk=member.pk).exists()
    entry = AuditEntry.objects.get(action=AccountsAuditAction.MEMBER_REMOVED)
    assert entry.subject_user_id == member.user_id


def test_manager_right_is_handed_over_and_the_last_manager_is_kept(citizen_client, club, member, citizen):
    manager = OrganisationMembership.objects.get(organisation=club, user=citizen)
    url = reverse("accounts:organisation_member_manager", args=[club.pk, manager.pk])
    citizen_client.post(url, {"is_admin": "0"})
    manager.refresh_from_db()
    assert manager.is_admin  # the only manager
    assert not citizen_client.post(reverse("accounts:organisation_leave", args=[club.pk])).url.endswith(
        "/organisationen/"
    )
    assert OrganisationMembership.objects.filter(pk=manager.pk).exists()

    citizen_client.post(
        reverse("accounts:organisation_member_manager", args=[club.pk, member.pk]), {"is_admin": "1"}
    )
    member.refresh_from_db()
    assert member.is_admin
    citizen_client.post(reverse("accounts:organisation_leave", args=[club.pk]))
    assert not OrganisationMembership.objects.filter(pk=manager.pk).exists()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {AccountsAuditAction.MANAGER_GRANTED, AccountsAuditAction.MEMBER_LEFT} <= actions


def test_service_refuses_removing_the_last_manager(club, citizen, member):
    manager = OrganisationMembership.objects.get(organisation=club, user=citizen)
    with pytest.raises(ValidationError):
        services.organisation_member_remove(acting_user=citizen, membership=manager)
    with pytest.raises(ValidationError):
        services.organisation_manager_set(acting_user=citizen, membership=manager, is_admin=False)
    with pytest.raises(PermissionDenied):
        services.organisation_member_remove(acting_user=member.user, membership=manager)


def test_only_manager_cannot_delete_the_account_while_others_act(citizen_client, citizen, club, member):
    page = citizen_client.get(reverse("accounts:delete"))
    assert club.name in page.content.decode()
    response = citizen_client.post(reverse("accounts:delete"), {"password": PASSWORD, "confirm": "on"})
    assert response.status_code == 200
    assert User.objects.filter(pk=citizen.pk).exists()
    with pytest.raises(ValidationError):
        services.account_delete(acting_user=citizen, person=citizen)
    # Once another member manages too, the account can go.
    services.organisation_manager_set(acting_user=citizen, membership=member, is_admin=True)
    services.account_delete(acting_user=citizen, person=citizen)
    assert not User.objects.filter(pk=citizen.pk).exists()
    assert OrganisationMembership.objects.filter(organisation=club, is_admin=True).exists()


def test_sole_member_may_delete_the_account(citizen, club):
    services.account_delete(acting_user=citizen, person=citizen)
    assert not User.objects.filter(pk=citizen.pk).exists()
