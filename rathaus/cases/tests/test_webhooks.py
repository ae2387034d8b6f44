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


# --- real deliveries: an unreachable receiver, a local HTTP server -----------------------------

UNREACHABLE = "http://127.0.0.1:9/hook"  # the discard port: nothing listens, connection refused


def _delivery_for(case, service, caseworker, url, secret=""):
    ServiceWorkflow.objects.create(
        service=service, definition=DEFAULT_WORKFLOW, webhook_url=url, webhook_secret=secret
    )
    case = Case.objects.get(pk=case.pk)
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    return WebhookDelivery.objects.get(case=case)


def _queued(delivery):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path__endswith="webhook_deliver", args_kwargs__kwargs__delivery_id=delivery.pk
    ).order_by("enqueued_at")


def test_unreachable_receiver_is_retried_with_backoff_and_fails_after_max_attempts(
    case, service, caseworker, citizen, caseworker_client, citizen_client
):
    import datetime as dt

    from django.urls import reverse
    from django.utils import timezone
    from django.utils.html import escape

    delivery = _delivery_for(case, service, caseworker, UNREACHABLE)
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        before = timezone.now()
        assert tasks.webhook_deliver.call(delivery_id=delivery.pk) is False
        delivery.refresh_from_db()
        assert delivery.attempts == attempt and delivery.last_error
        if attempt == 1:
            # Staff see a system that is down at once, not only after the last attempt.
            page = caseworker_client.get(reverse("backoffice:webhook_failures")).content.decode()
            retrying = page.split('id="retrying-heading"')[1]
            assert case.reference in retrying and escape(delivery.last_error) in retrying
        if attempt < tasks.MAX_ATTEMPTS:
            wait = dt.timedelta(minutes=2**attempt)  # 2, 4, 8, … minutes
            assert delivery.status == WebhookDelivery.Status.PENDING
            assert before + wait <= delivery.next_attempt_at <= timezone.now() + wait
            assert _queued(delivery).last().run_after == delivery.next_attempt_at
    assert delivery.status == WebhookDelivery.Status.FAILED and delivery.next_attempt_at is None
    assert _queued(delivery).count() == tasks.MAX_ATTEMPTS - 1  # no retry after the last attempt

    page = caseworker_client.get(reverse("backoffice:detail", args=[case.reference])).content.decode()
    error = escape(delivery.last_error)
    assert error in page and reverse("backoffice:webhook_resend", args=[case.reference, delivery.pk]) in page
    failures = caseworker_client.get(reverse("backoffice:webhook_failures")).content.decode()
    assert case.reference in failures and error in failures
    applicant_page = citizen_client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert error not in applicant_page and "webhook" not in applicant_page.lower()


def test_staff_resend_requeues_a_failed_delivery(
    case,
    service,
    caseworker,
    caseworker_client,
    other_caseworker_client,
    citizen_client,
    django_capture_on_commit_callbacks,
):
    from django.urls import reverse

    from rathaus.cases.constants import CaseAuditAction
    from rathaus.core.models import AuditEntry

    delivery = _delivery_for(case, service, caseworker, UNREACHABLE)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=WebhookDelivery.Status.FAILED,
        attempts=tasks.MAX_ATTEMPTS,
        last_error="refused",
        next_attempt_at=None,
    )
    url = reverse("backoffice:webhook_resend", args=[case.reference, delivery.pk])
    assert other_caseworker_client.post(url).status_code == 404
    assert citizen_client.post(url).status_code == 404
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.FAILED
    queued_before = _queued(delivery).count()
    with django_capture_on_commit_callbacks(execute=True):
        response = caseworker_client.post(url)
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.PENDING and delivery.attempts == 0
    assert _queued(delivery).count() == queued_before + 1
    assert AuditEntry.objects.filter(action=CaseAuditAction.WEBHOOK_RESENT, object_id=str(case.pk)).exists()
    # Only failed deliveries are sent again.
    caseworker_client.post(url)
    assert _queued(delivery).count() == queued_before + 1


def test_delivery_to_a_real_server_carries_a_verifiable_signature(case, service, caseworker):
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received = {}

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.update(body=body, signature=self.headers["X-Rathaus-Signature"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        delivery = _delivery_for(case, service, caseworker, url, secret="geheim")
        assert tasks.webhook_deliver.call(delivery_id=delivery.pk) is True
    finally:
        server.shutdown()
        server.server_close()
    delivery.refresh_from_db()
    assert delivery.status == WebhookDelivery.Status.DELIVERED and delivery.attempts == 1
    expected = hmac.new(b"geheim", received["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(received["signature"], f"sha256={expected}")
    assert json.loads(received["body"])["reference"] == case.reference
