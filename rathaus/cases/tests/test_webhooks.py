import hashlib
import hmac
import json

from rathaus.cases import tasks
from rathaus.cases.models import Case, ServiceWorkflow, WebhookDelivery
from rathaus.cases.services import case_transition
from rathaus.cases.workflow import DEFAULT_WORKFLOW


def test_case_events_are_queued_signed_and_carry_no_personal_data(
    case, service, caseworker, monkeypatch, citizen
):
    ServiceWorkflow.objects.create(
        service=service,
        definition=DEFAULT_WORKFLOW,
        webhook_url="https://fachverfahren.example/hook",
        webhook_secret="s3cret",
    )
    case = Case.objects.select_related("service__workflow").get(pk=case.pk)
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    delivery = WebhookDelivery.objects.get(case=case)
    assert delivery.payload["reference"] == case.reference and delivery.payload["state"] == "in_review"
    assert citizen.email not in json.dumps(delivery.payload) and citizen.last_name not in json.dumps(
        delivery.payload
    )

    sent = {}

    def fake_post(url, body, signature):
        sent.update(url=url, body=body, signature=signature)
        return 204

    monkeypatch.setattr(tasks, "_post", fake_post)
    assert tasks.webhook_attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED
    expected = hmac.new(b"s3cret", sent["body"], hashlib.sha256).hexdigest()
    assert sent["signature"] == expected


def test_failed_delivery_is_retried_later(case, service, caseworker, monkeypatch):
    ServiceWorkflow.objects.create(
        service=service, definition=DEFAULT_WORKFLOW, webhook_url="https://x.example/h"
    )
    case = Case.objects.get(pk=case.pk)
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    delivery = WebhookDelivery.objects.get(case=case)

    def broken(url, body, signature):
        raise OSError("connection refused")

    monkeypatch.setattr(tasks, "_post", broken)
    assert not tasks.webhook_attempt(delivery)
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.next_attempt_at is not None
    assert delivery.attempts == 1 and "refused" in delivery.last_error
