"""The summary page's submit: forms' submission_create and case_create in one transaction."""

import uuid

from django.test import Client
from django.urls import reverse

from rathaus.cases.models import Case
from rathaus.forms.models import Draft, Submission


def _draft(service, owner=None, **fields):
    return Draft.objects.create(
        form_version=service.form_definition.current_version(),
        owner=owner,
        data={"reason": "Neuer Wohnsitz", "months": 3},
        current_step="angaben",
        **fields,
    )


def test_submit_opens_case_and_retry_returns_the_same(service, citizen, citizen_client):
    draft = _draft(service, owner=citizen)
    key = uuid.uuid4().hex
    url = reverse("cases:submit", args=[draft.pk])
    first = citizen_client.post(url, {"idempotency_key": key})
    assert first.status_code == 302
    case = Case.objects.get(submission__idempotency_key=key)
    assert first["Location"] == reverse("cases:submitted", args=[case.reference])
    assert case.applicant == citizen and case.channel == "online"
    again = citizen_client.post(url, {"idempotency_key": key})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Case.objects.filter(submission__idempotency_key=key).count() == 1
    page = citizen_client.get(first["Location"])
    assert case.reference in page.content.decode()


def test_submit_needs_the_key(service, citizen, citizen_client):
    draft = _draft(service, owner=citizen)
    assert citizen_client.post(reverse("cases:submit", args=[draft.pk]), {}).status_code == 400
    assert not Submission.objects.exists()


def test_someone_elses_draft_cannot_be_submitted(service, citizen, other_citizen_client):
    draft = _draft(service, owner=citizen)
    response = other_citizen_client.post(reverse("cases:submit", args=[draft.pk]), {"idempotency_key": "k1"})
    assert response.status_code == 404
    assert not Case.objects.exists()


def test_counter_submission_records_channel_and_applicant(
    service, citizen, caseworker, caseworker_client, citizen_client
):
    draft = _draft(service, owner=caseworker, applicant=citizen, channel="counter")
    key = uuid.uuid4().hex
    response = caseworker_client.post(reverse("cases:submit", args=[draft.pk]), {"idempotency_key": key})
    case = Case.objects.get(submission__idempotency_key=key)
    assert response["Location"] == reverse("backoffice:detail", args=[case.reference])
    assert case.channel == "counter" and case.applicant == citizen
    assert case.submission.entered_by == caseworker
    assert case.reference in citizen_client.get(reverse("cases:list")).content.decode()


def test_anonymous_submission_shows_reference_and_receipt_once(service, citizen):
    service.allows_anonymous = True
    service.save()
    client = Client()
    draft = _draft(service)
    session = client.session
    session["forms_anonymous_drafts"] = [str(draft.pk)]
    session.save()
    from rathaus.forms import services as form_services

    key_name = getattr(form_services, "ANONYMOUS_DRAFTS_SESSION_KEY", "forms_anonymous_drafts")
    session[key_name] = [str(draft.pk)]
    session.save()
    response = client.post(reverse("cases:submit", args=[draft.pk]), {"idempotency_key": uuid.uuid4().hex})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.applicant is None
    receipt = client.get(reverse("cases:submitted_receipt", args=[case.reference]))
    assert receipt.status_code == 200
    assert Client().get(reverse("cases:submitted_receipt", args=[case.reference])).status_code == 404


def test_counter_entry_of_a_draft_left_from_a_former_role_lands_on_the_confirmation(
    service, other_service, citizen, other_caseworker, other_caseworker_client
):
    """A counter draft of a department the member of staff does not process (left from before,
    or the role ended meanwhile): submitting it shows the confirmation with reference and
    receipt, not a 404 on a case page they may not open."""
    draft = _draft(service, owner=other_caseworker, applicant=citizen, channel="counter")
    key = uuid.uuid4().hex
    response = other_caseworker_client.post(
        reverse("cases:submit", args=[draft.pk]), {"idempotency_key": key}
    )
    case = Case.objects.get(submission__idempotency_key=key)
    assert response["Location"] == reverse("cases:submitted", args=[case.reference])
    page = other_caseworker_client.get(response["Location"])
    assert page.status_code == 200 and case.reference in page.content.decode()
