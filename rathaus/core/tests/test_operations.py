"""Operations endpoints: /healthz follows the worker heartbeat, /metrics wants its token."""

from datetime import timedelta

import pytest
from django.utils import timezone

from rathaus.core.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


def test_healthz_is_200_with_a_recent_worker_heartbeat(client):
    WorkerHeartbeat.objects.create(worker="worker-1")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "worker": "ok"}}


def test_healthz_is_503_without_a_heartbeat(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == "no heartbeat"


def test_healthz_is_503_with_a_stale_heartbeat(client, settings):
    WorkerHeartbeat.objects.create(
        worker="worker-1", seen_at=timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE + 5)
    )
    assert client.get("/healthz").status_code == 503


def test_healthz_is_not_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_metrics_refuse_without_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


def test_metrics_answer_with_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "s3cret-metrics-token"
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics-token")
    assert response.status_code == 200
    assert b"django_http_requests" in response.content


def test_metrics_are_open_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 200


def test_robots_txt_keeps_crawlers_out_of_accounts(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert "Disallow: /konto/" in response.content.decode()


def test_demo_outbox_is_hidden_outside_demo_mode(client, settings):
    settings.DEMO_MODE = False
    assert client.get("/demo/postausgang/").status_code == 404


def test_a_broken_e_mail_template_is_not_hidden_by_send_after_commit(django_capture_on_commit_callbacks):
    """Only sending is guarded: a message that cannot even be built is a bug and must show."""
    from rathaus.core.mail import send_after_commit

    def broken():
        raise KeyError("template variable")

    with pytest.raises(KeyError), django_capture_on_commit_callbacks(execute=True):
        send_after_commit(broken, what="test")
