"""Clubs apply for season slots themselves at /buchen/saison/: only for their own organisations,
only for open seasons, with the service's refusals shown and nothing written on error."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from conftest import login, make_user
from rathaus.booking.constants import ResourceKind, SeasonApplicationStatus
from rathaus.booking.models import Season, SeasonApplication
from rathaus.core.models import AuditEntry

from .booking_factories import divisible_hall, make_club, make_resource

pytestmark = pytest.mark.django_db

URL = "/buchen/saison/"
TUESDAY = 1


@pytest.fixture
def hall(department):
    return divisible_hall(department, max_minutes=240, audience="organisations")


@pytest.fixture
def member(db):
    return make_user("trainerin@example.org", first_name="Tina", last_name="Trainer")


@pytest.fixture
def club(member):
    return make_club(member, name="SV Regensburg-Süd e.V.")


@pytest.fixture
def member_client(member):
    client = login(Client(), member)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def season(db):
    today = timezone.localdate()
    first = today + dt.timedelta(days=14)
    return Season.objects.create(
        name="Saison 2026/27",
        first_day=first,
        last_day=first + dt.timedelta(days=280),
        applications_close=today + dt.timedelta(days=7),
    )


def _data(season, club, resource, **overrides):
    data = {
        "organisation": club.pk,
        "season": season.pk,
        "resource": resource.pk,
        "weekday": TUESDAY,
        "starts": "19:00",
        "ends": "21:00",
        "purpose": "Jugendtraining Fußball",
    }
    data.update(overrides)
    return data


def test_member_applies_and_sees_the_application(member_client, member, club, season, hall):
    page = member_client.get(URL).content.decode()
    assert 'name="organisation"' in page and club.name in page
    assert hall["third1"].name in page

    response = member_client.post(URL, _data(season, club, hall["third1"]), follow=True)

    application = SeasonApplication.objects.get()
    assert application.status == SeasonApplicationStatus.SUBMITTED
    assert (application.organisation, application.resource) == (club, hall["third1"])
    assert (application.weekday, application.starts, application.ends) == (TUESDAY, dt.time(19), dt.time(21))
    assert application.applied_by == member
    assert application.purpose == "Jugendtraining Fußball"
    assert AuditEntry.objects.filter(action="booking_season_applied").count() == 1
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == URL
    assert 'role="status"' in page or "submitted" in page
    assert "Tuesday, 19:00–21:00" in page


def test_decision_and_reason_are_shown(member_client, club, season, hall, member):
    SeasonApplication.objects.create(
        season=season,
        organisation=club,
        resource=hall["whole"],
        weekday=3,
        starts=dt.time(18),
        ends=dt.time(20),
        status=SeasonApplicationStatus.REFUSED,
        decision_reason="Halle am Donnerstag an die Schule vergeben",
        applied_by=member,
    )
    page = member_client.get(URL).content.decode()
    assert "refused" in page
    assert "Halle am Donnerstag an die Schule vergeben" in page


def test_form_offers_only_own_organisations_and_open_seasons(member_client, club, season, hall, department):
    other = make_club(make_user("fremd@example.org"), name="FC Fremd")
    closed = Season.objects.create(
        name="Vorsaison",
        first_day=season.first_day,
        last_day=season.last_day,
        applications_close=timezone.localdate() - dt.timedelta(days=1),
    )
    room = make_resource(department, "sitzungssaal", kind=ResourceKind.ROOM, audience="organisations")
    public = make_resource(department, "bolzplatz")
    page = member_client.get(URL).content.decode()
    assert f'value="{club.pk}"' in page and other.name not in page
    assert season.name in page and closed.name not in page
    assert room.name not in page and public.name not in page


def test_forged_organisation_is_refused_and_audited(member_client, club, season, hall):
    other = make_club(make_user("fremd@example.org"), name="FC Fremd")

    response = member_client.post(URL, _data(season, other, hall["third1"]))

    assert response.status_code == 422
    assert 'class="kern-error"' in response.content.decode()
    assert not SeasonApplication.objects.exists()
    denial = AuditEntry.objects.get(action="permission_denied")
    assert denial.details["permission"] == "booking.apply_season"


def test_closed_season_id_is_a_form_error(member_client, club, season, hall):
    season.applications_close = timezone.localdate() - dt.timedelta(days=1)
    season.save()
    response = member_client.post(URL, _data(season, club, hall["third1"]))
    assert response.status_code == 422
    assert not SeasonApplication.objects.exists()
    assert "No season is open for applications" in response.content.decode()


def test_overlapping_self_application_shows_the_message(member_client, club, season, hall):
    member_client.post(URL, _data(season, club, hall["third1"]))
    assert SeasonApplication.objects.count() == 1

    response = member_client.post(URL, _data(season, club, hall["whole"], starts="20:00", ends="22:00"))

    assert response.status_code == 422
    page = response.content.decode()
    assert "overlaps itself" in page
    assert 'role="alert"' in page
    assert SeasonApplication.objects.count() == 1


def test_end_before_start_is_a_field_error(member_client, club, season, hall):
    response = member_client.post(URL, _data(season, club, hall["third1"], starts="21:00", ends="19:00"))
    assert response.status_code == 422
    assert 'id="id_ends-error"' in response.content.decode()
    assert not SeasonApplication.objects.exists()


def test_person_without_organisation_gets_an_explanation(citizen_client, season, hall):
    response = citizen_client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="organisation"' not in page
    citizen_client.post(URL, {"season": season.pk, "resource": hall["third1"].pk})
    assert not SeasonApplication.objects.exists()


def test_anonymous_is_sent_to_login(client, season, club, hall):
    response = client.get(URL)
    assert response.status_code == 302 and "/konto/" in response["Location"]
    response = client.post(URL, _data(season, club, hall["third1"]))
    assert response.status_code == 302 and "/konto/" in response["Location"]
    assert not SeasonApplication.objects.exists()


def test_resource_list_links_the_season_page_for_facilities(client, hall):
    page = client.get("/buchen/").content.decode()
    assert f'href="{URL}"' in page


def test_a_citizen_without_club_is_told_why_a_club_hall_offers_no_buttons(
    hall, citizen_client, member_client, club
):
    url = f"/buchen/{hall['third1'].slug}/"
    page = citizen_client.get(url).content.decode()
    assert "Nur Vereine und Organisationen buchen diese Anlage." in page
    assert 'href="/buchen/saison/"' in page
    # A club member may book: no such notice for them.
    assert "Only clubs and organisations book this facility." not in member_client.get(url).content.decode()
