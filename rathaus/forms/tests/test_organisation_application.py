"""Applying in an organisation's name: chosen on the start page among one's own organisations
(checked on the server), kept on the draft, the submission and the case, which every member
of the organisation then sees."""

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from conftest import login, make_user
from rathaus.accounts.constants import OrganisationKind
from rathaus.accounts.models import Organisation, OrganisationMembership
from rathaus.cases.models import Case
from rathaus.cases.tests.factories import make_service
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from rathaus.forms.models import Draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(department):
    return make_service(department)


@pytest.fixture
def club(citizen, other_citizen):
    club = Organisation.objects.create(name="SV Süd e.V.", kind=OrganisationKind.CLUB)
    OrganisationMembership.objects.create(organisation=club, user=citizen, is_admin=True)
    OrganisationMembership.objects.create(organisation=club, user=other_citizen)
    return club


@pytest.fixture
def strangers_club(db):
    stranger = make_user("fremd@example.org")
    club = Organisation.objects.create(name="FC Fremd", kind=OrganisationKind.CLUB)
    OrganisationMembership.objects.create(organisation=club, user=stranger, is_admin=True)
    return club


def _start(client, service, **data):
    return client.post(reverse("forms:start", args=[service.slug]), data)


def _submit(client, draft):
    draft.data = {"reason": "Vereinsfest", "months": 3}
    draft.current_step = "angaben"
    draft.save()
    return client.post(reverse("cases:submit", args=[draft.pk]), {"idempotency_key": uuid.uuid4().hex})


def test_start_page_offers_own_organisations_only(citizen_client, service, club, strangers_club):
    html = citizen_client.get(reverse("forms:start", args=[service.slug])).content.decode()
    assert 'name="organisation"' in html
    assert club.name in html
    assert strangers_club.name not in html


def test_start_page_without_organisations_offers_no_choice(citizen_client, service):
    html = citizen_client.get(reverse("forms:start", args=[service.slug])).content.decode()
    assert 'name="organisation"' not in html


def test_applying_for_oneself_stays_personal(citizen_client, citizen, service, club):
    _start(citizen_client, service, organisation="")
    assert Draft.objects.get(owner=citizen).organisation is None


def test_applying_for_an_organisation_reaches_the_case(citizen_client, citizen, service, club):
    response = _start(citizen_client, service, organisation=str(club.pk))
    assert response.status_code == 302
    draft = Draft.objects.get(owner=citizen)
    assert draft.organisation == club
    summary = citizen_client.get(reverse("forms:summary", args=[draft.pk])).content.decode()
    assert club.name in summary
    _submit(citizen_client, draft)
    case = Case.objects.get()
    assert case.organisation == club and case.submission.organisation == club
    assert case.applicant == citizen
    assert club.name in citizen_client.get(reverse("cases:detail", args=[case.reference])).content.decode()


def test_another_member_sees_the_organisations_case_a_non_member_does_not(
    citizen_client, other_citizen_client, service, club
):
    _start(citizen_client, service, organisation=str(club.pk))
    _submit(citizen_client, Draft.objects.get())
    case = Case.objects.get()
    listing = other_citizen_client.get(reverse("cases:list")).content.decode()
    assert case.reference in listing and club.name in listing
    assert other_citizen_client.get(reverse("cases:detail", args=[case.reference])).status_code == 200

    outsider = login(Client(), make_user("aussen@example.org"))
    assert case.reference not in outsider.get(reverse("cases:list")).content.decode()
    assert outsider.get(reverse("cases:detail", args=[case.reference])).status_code == 404


@pytest.mark.parametrize("forged", ["strangers", "999999", "abc"])
def test_a_forged_organisation_is_refused_and_audited(citizen_client, service, club, strangers_club, forged):
    value = str(strangers_club.pk) if forged == "strangers" else forged
    response = _start(citizen_client, service, organisation=value)
    assert response.status_code == 404
    assert not Draft.objects.exists()
    denial = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert denial.details["permission"] == "accounts.act_for_organisation"
    if forged == "strangers":
        assert denial.object_id == str(strangers_club.pk)


def test_draft_start_service_checks_membership_itself(citizen, service, strangers_club):
    from django.core.exceptions import PermissionDenied

    from rathaus.forms.services import draft_start

    with pytest.raises(PermissionDenied):
        draft_start(
            user=citizen,
            form_version=service.form_definition.current_version(),
            session={},
            organisation=strangers_club,
            new=True,
        )


def test_a_member_removed_meanwhile_cannot_submit_in_the_organisations_name(
    other_citizen_client, other_citizen, service, club
):
    _start(other_citizen_client, service, organisation=str(club.pk))
    draft = Draft.objects.get()
    OrganisationMembership.objects.filter(user=other_citizen).delete()
    _submit(other_citizen_client, draft)
    assert not Case.objects.exists()


# --- through the API ---------------------------------------------------------------------------


def _api_submit(user, service, *, organisation=None, check=False, multipart=False):
    from rathaus.cases.tests.test_api import token_client

    client = token_client(user)
    path = "/api/v1/cases/submissions/check/" if check else "/api/v1/cases/submissions/"
    headers = {} if check else {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    if multipart:
        body = {"service": service.slug, "reason": "Vereinsfest", "months": "3"}
        if organisation is not None:
            body["organisation"] = str(organisation)
        return client.post(path, body, format="multipart", HTTP_ACCEPT_LANGUAGE="de", **headers)
    body = {"service": service.slug, "answers": {"reason": "Vereinsfest", "months": 3}}
    if organisation is not None:
        body["organisation"] = organisation
    return client.post(path, body, format="json", HTTP_ACCEPT_LANGUAGE="de", **headers)


@pytest.mark.parametrize("multipart", [False, True])
def test_the_api_applies_in_the_name_of_an_own_organisation(citizen, other_citizen, service, club, multipart):
    response = _api_submit(citizen, service, organisation=club.pk, multipart=multipart)
    assert response.status_code == 201, response.content
    case = Case.objects.get(reference=response.json()["reference"])
    assert case.organisation == club and case.submission.organisation == club
    assert case.applicant == citizen
    # Every member of the organisation sees it among their applications.
    from rathaus.cases.tests.test_api import token_client

    listed = token_client(other_citizen).get("/api/v1/cases/mine/").json()
    references = [row["reference"] for row in listed.get("results", listed)]
    assert case.reference in references


@pytest.mark.parametrize("multipart", [False, True])
@pytest.mark.parametrize("check", [False, True])
def test_the_api_refuses_an_organisation_one_does_not_act_for(
    citizen, service, strangers_club, check, multipart
):
    for named in (strangers_club.pk, 987654):  # somebody else's, and one that does not exist
        response = _api_submit(citizen, service, organisation=named, check=check, multipart=multipart)
        assert response.status_code == 403, response.content
        assert response.json()["detail"] == "Sie handeln nicht für diese Organisation."
    assert not Case.objects.exists()


def test_the_api_refuses_an_organisation_id_that_is_no_number(citizen, service):
    response = _api_submit(citizen, service, organisation="SV Süd", multipart=True)
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_the_api_check_accepts_an_own_organisation(citizen, service, club):
    response = _api_submit(citizen, service, organisation=club.pk, check=True)
    assert response.status_code == 200 and response.json()["valid"] is True
    assert not Case.objects.exists()


# --- changing whom a draft is for, on its summary ------------------------------------------------


def _switch(client, draft, value):
    return client.post(reverse("forms:applying_for", args=[draft.pk]), {"organisation": value})


def test_the_author_switches_a_started_draft_between_themself_and_an_organisation(
    citizen_client, citizen, service, club
):
    _start(citizen_client, service, organisation="")
    draft = Draft.objects.get(owner=citizen)
    summary = citizen_client.get(reverse("forms:summary", args=[draft.pk])).content.decode()
    assert (
        'data-testid="applying-for-choice"' in summary
        and 'id="fuer-mich" name="organisation" value="" checked' in summary
    )
    response = _switch(citizen_client, draft, str(club.pk))
    assert response.status_code == 302 and response.url == reverse("forms:summary", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.organisation == club
    page = citizen_client.get(response.url).content.decode()
    assert f"Sie stellen den Antrag jetzt für {club.name}." in page
    assert f'value="{club.pk}" checked' in page
    _switch(citizen_client, draft, "")
    draft.refresh_from_db()
    assert draft.organisation is None
    _switch(citizen_client, draft, str(club.pk))
    _submit(citizen_client, Draft.objects.get(pk=draft.pk))
    assert Case.objects.get().organisation == club


@pytest.mark.parametrize("forged", ["strangers", "999999", "abc"])
def test_switching_to_an_organisation_one_does_not_act_for_is_refused_and_audited(
    citizen_client, citizen, service, club, strangers_club, forged
):
    _start(citizen_client, service, organisation=str(club.pk))
    draft = Draft.objects.get(owner=citizen)
    value = str(strangers_club.pk) if forged == "strangers" else forged
    assert _switch(citizen_client, draft, value).status_code == 404
    draft.refresh_from_db()
    assert draft.organisation == club
    denial = AuditEntry.objects.get(action=AuditAction.PERMISSION_DENIED)
    assert denial.details["permission"] == "accounts.act_for_organisation"


def test_nobody_else_switches_a_draft(citizen_client, citizen, other_citizen_client, service, club):
    _start(citizen_client, service, organisation="")
    draft = Draft.objects.get(owner=citizen)
    # The other member of the club may act for it, but the draft is not theirs.
    assert _switch(other_citizen_client, draft, str(club.pk)).status_code == 404
    assert _switch(Client(), draft, str(club.pk)).status_code == 404
    assert citizen_client.get(reverse("forms:applying_for", args=[draft.pk])).status_code == 405
    draft.refresh_from_db()
    assert draft.organisation is None


def test_a_person_without_organisations_sees_no_choice_and_cannot_post_one(citizen_client, citizen, service):
    _start(citizen_client, service)
    draft = Draft.objects.get(owner=citizen)
    summary = citizen_client.get(reverse("forms:summary", args=[draft.pk])).content.decode()
    assert 'data-testid="applying-for-choice"' not in summary
    assert _switch(citizen_client, draft, "").status_code == 404


def test_the_service_refuses_a_counter_draft_and_a_stranger(
    citizen, other_citizen, caseworker, service, club
):
    from django.core.exceptions import PermissionDenied

    from rathaus.cases.services import counter_draft_start
    from rathaus.forms.services import draft_applying_for_set, draft_start

    own = draft_start(
        user=citizen, form_version=service.form_definition.current_version(), session={}, new=True
    )
    with pytest.raises(PermissionDenied):
        draft_applying_for_set(draft=own, acting_user=other_citizen, organisation=club)
    counter = counter_draft_start(
        acting_user=caseworker, service=service, channel="counter", applicant=citizen, session={}
    )
    with pytest.raises(PermissionDenied):
        draft_applying_for_set(draft=counter, acting_user=caseworker, organisation=None)
