"""Background tasks of cases: delivering case events to a service's specialised system, and
rendering letters stored before their PDF (receipts) so that they are ready when first opened.

Deliveries are signed (HMAC-SHA256 over the body with the workflow's secret, header
``X-Rathaus-Signature``) and retried with exponential backoff; the payload carries the
reference and states only, never the applicant's data (the receiving system fetches what it may
see through the API).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import urllib.error
import urllib.request

from django.utils import timezone
from django_tasks import task

from rathaus.core.periodic import round_queued

from .models import WebhookDelivery

MAX_ATTEMPTS = 6


def _post(url: str, body: bytes, signature: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the URL is configured by administrators
        url,
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Rathaus-Signature": f"sha256={signature}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def webhook_attempt(delivery: WebhookDelivery) -> bool:
    """Try one delivery; record the outcome and when to try again."""
    secret = delivery.case.service.workflow.webhook_secret if delivery.case.service_id else ""
    body = json.dumps(delivery.payload, sort_keys=True).encode()
    signature = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    delivery.attempts += 1
    try:
        status = _post(delivery.url, body, signature)
        ok = 200 <= status < 300
        delivery.last_error = "" if ok else f"HTTP {status}"
    except (urllib.error.URLError, OSError, ValueError) as exc:
        ok = False
        delivery.last_error = str(exc)[:300]
    now = timezone.now()
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            WebhookDelivery.Status.DELIVERED,
            now,
            None,
        )
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delivery.next_attempt_at = now + dt.timedelta(minutes=2**delivery.attempts)
    delivery.save(update_fields=["attempts", "last_error", "status", "delivered_at", "next_attempt_at"])
    return ok


@task()
def webhook_deliver(delivery_id: int) -> bool:
    delivery = (
        WebhookDelivery.objects.select_related("case__service__workflow").filter(pk=delivery_id).first()
    )
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return False
    ok = webhook_attempt(delivery)
    if not ok and delivery.status == WebhookDelivery.Status.PENDING:
        webhook_deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery_id=delivery.pk)
    return ok


@task(priority=-10)
def receipts_render() -> int:
    """A round of rendering letters that wait for their PDF (``services.receipts_render``):
    enqueued every minute by the worker's periodic jobs, and again at once while more are
    waiting. Below webhook deliveries in priority: a specialised system waiting for a case
    matters more than a PDF that is rendered on demand anyway."""
    from .services import receipts_render as render

    rendered, more = render()
    if more and not round_queued(receipts_render):
        receipts_render.enqueue()
    return rendered
