"""The staff form editor: who may edit, live validation, versions, publishing and OZG maturity."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from rathaus.catalog.constants import OzgMaturity
from rathaus.forms import services
from rathaus.forms.definitions import load
from rathaus.forms.engine import FormDefinitionError
from rathaus.forms.models import FormVersion

pytestmark = pytest.mark.django_db


def editor_url(service):
    return reverse("forms:editor", args=[service.slug])


def test_caseworker_of_the_department_edits_saves_and_publishes(caseworker_client, parking_service):
    assert caseworker_client.get(editor_url(parking_service)).status_code == 200
    text = json.dumps(load("bewohnerparkausweis"))
    response = caseworker_client.post(editor_url(parking_service), {"schema": text})
    assert response.status_code == 302
    version = FormVersion.objects.get()
    assert version.number == 1 and version.published_at is None
    response = caseworker_client.post(reverse("forms:editor_publish", args=[parking_service.slug, 1]))
    assert response.status_code == 302
    version.refresh_from_db()
    assert version.published_at is not None
    caseworker_client.post(editor_url(parking_service), {"schema": text})
    assert list(FormVersion.objects.order_by("number").values_list("number", flat=True)) == [1, 2]


@pytest.mark.parametrize("who", ["other_caseworker_client", "citizen_client"])
def test_other_department_and_citizens_are_refused(request, who, parking_service):
    client = request.getfixturevalue(who)
    assert client.get(editor_url(parking_service)).status_code == 404
    response = client.post(editor_url(parking_service), {"schema": json.dumps(load("bewohnerparkausweis"))})
    assert response.status_code == 404
    validate = client.post(reverse("forms:editor_validate", args=[parking_service.slug]), {"schema": "{}"})
    assert validate.status_code == 404
    assert not FormVersion.objects.exists()


def test_anonymous_visitor_is_sent_to_login(client, parking_service):
    response = client.get(editor_url(parking_service))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_administrator_may_edit_any_form(admin_client_2fa, parking_service):
    assert admin_client_2fa.get(editor_url(parking_service)).status_code == 200


def test_publishing_by_another_department_is_refused_in_the_service(
    other_caseworker, caseworker, parking_service
):
    definition = services.form_definition_ensure(acting_user=caseworker, service=parking_service)
    version = services.form_version_save(
        acting_user=caseworker, definition=definition, schema=load("maengelmelder")
    )
    with pytest.raises(PermissionDenied):
        services.form_version_publish(acting_user=other_caseworker, version=version)


def test_live_validation_returns_errors_or_a_preview(caseworker_client, parking_service):
    url = reverse("forms:editor_validate", args=[parking_service.slug])
    broken = load("maengelmelder")
    broken["steps"][0]["fields"][0]["type"] = "colour"
    response = caseworker_client.post(url, {"schema": json.dumps(broken)}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "steps[0].fields[0].type" in html
    response = caseworker_client.post(
        url, {"schema": json.dumps(load("maengelmelder"))}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "kern-alert--success" in html
    assert 'name="description"' in html  # the preview renders the steps' fields


def test_invalid_definition_is_not_saved(caseworker_client, parking_service):
    response = caseworker_client.post(editor_url(parking_service), {"schema": '{"title": "x"}'})
    assert response.status_code == 422
    assert "„steps“ fehlt." in response.content.decode() or "“steps” fehlt." in response.content.decode()
    assert not FormVersion.objects.exists()
    with pytest.raises(FormDefinitionError):
        services.form_version_save(
            acting_user=None,
            definition=services.form_definition_ensure(acting_user=None, service=parking_service),
            schema={"title": "x"},
        )


def test_publishing_updates_the_services_ozg_maturity(caseworker, parking_service, defect_service):
    assert parking_service.ozg_maturity == OzgMaturity.INFORMATION
    definition = services.form_definition_ensure(acting_user=caseworker, service=parking_service)
    version = services.form_version_save(
        acting_user=caseworker, definition=definition, schema=load("bewohnerparkausweis")
    )
    parking_service.refresh_from_db()
    assert parking_service.ozg_maturity == OzgMaturity.INFORMATION  # saving alone changes nothing
    services.form_version_publish(acting_user=caseworker, version=version)
    parking_service.refresh_from_db()
    assert parking_service.offers_evidence_upload and parking_service.offers_once_only
    assert parking_service.ozg_maturity == OzgMaturity.ONCE_ONLY

    definition = services.form_definition_ensure(acting_user=caseworker, service=defect_service)
    version = services.form_version_save(
        acting_user=caseworker, definition=definition, schema=load("maengelmelder")
    )
    services.form_version_publish(acting_user=caseworker, version=version)
    defect_service.refresh_from_db()
    assert defect_service.ozg_maturity == OzgMaturity.ONLINE
    assert not defect_service.offers_once_only


def test_saving_and_publishing_are_audited(caseworker, parking_service):
    from rathaus.core.models import AuditEntry

    definition = services.form_definition_ensure(acting_user=caseworker, service=parking_service)
    version = services.form_version_save(
        acting_user=caseworker, definition=definition, schema=load("maengelmelder")
    )
    services.form_version_publish(acting_user=caseworker, version=version)
    actions = list(
        AuditEntry.objects.filter(actor_id=caseworker.pk)
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == ["form_version_saved", "form_version_published"]


def test_publishing_a_version_of_a_service_without_a_form_is_not_found(caseworker_client, parking_service):
    """A service nobody wrote a form for (yet) has no versions to publish: 404, not a 500."""
    response = caseworker_client.post(reverse("forms:editor_publish", args=[parking_service.slug, 1]))
    assert response.status_code == 404
    assert caseworker_client.get(editor_url(parking_service)).status_code == 200
    validate = caseworker_client.post(
        reverse("forms:editor_validate", args=[parking_service.slug]), {"schema": "{}"}
    )
    assert validate.status_code == 200


def test_publishing_a_version_that_does_not_exist_is_not_found(
    caseworker, caseworker_client, parking_service
):
    services.form_definition_ensure(acting_user=caseworker, service=parking_service)
    response = caseworker_client.post(reverse("forms:editor_publish", args=[parking_service.slug, 7]))
    assert response.status_code == 404
