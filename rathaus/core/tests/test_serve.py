"""``rathaus serve --port N``: links in e-mails point at the port served, from the first one on."""

from __future__ import annotations

import os
from unittest import mock

from django.conf import settings
from django.core.management import call_command

from rathaus.core.management.commands import serve


def _serve(monkeypatch, *args, environ=None):
    """Run serve with migrate, the demo loader, runserver and the worker replaced; what each
    saw as the portal's address."""
    seen = {}
    monkeypatch.delenv("PORTAL_URL", raising=False)
    for name, value in (environ or {}).items():
        monkeypatch.setenv(name, value)

    def fake_call(name, *a, **kw):
        seen[name] = settings.PORTAL_URL

    worker = mock.Mock()
    with (
        mock.patch.dict(os.environ),  # serve exports PORTAL_URL: undone after the test
        mock.patch.object(serve, "call_command", side_effect=fake_call),
        mock.patch.object(serve.subprocess, "Popen", return_value=worker) as popen,
        mock.patch.object(settings, "PORTAL_URL", settings.PORTAL_URL),
    ):
        call_command("serve", *args)
    seen["worker"] = popen.call_args.kwargs["env"]["PORTAL_URL"]
    return seen


def test_the_port_served_is_the_port_linked(monkeypatch, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.DEMO_MODE = True
    seen = _serve(monkeypatch, "--port", "8080")
    assert seen == {
        "migrate": "http://127.0.0.1:8080",
        "load_demo": "http://127.0.0.1:8080",
        "runserver": "http://127.0.0.1:8080",
        "worker": "http://127.0.0.1:8080",
    }


def test_a_configured_portal_url_wins(monkeypatch, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.DEMO_MODE = False
    seen = _serve(monkeypatch, "--port", "8080", environ={"PORTAL_URL": "https://rathaus.example"})
    assert seen["runserver"] == seen["worker"] == "https://rathaus.example"


def test_listening_everywhere_links_to_this_machine():
    assert serve.portal_url_for("0.0.0.0", 9000) == "http://127.0.0.1:9000"  # noqa: S104
    assert serve.portal_url_for("localhost", 9000) == "http://localhost:9000"
