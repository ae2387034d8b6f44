"""``rathaus serve``: the embedded default in one command.

Migrates, loads the demo (in demo mode), starts one task worker next to the web server and
serves on 127.0.0.1. For production use gunicorn/uvicorn and separate ``run_worker`` processes.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


def portal_url_for(host: str, port: int) -> str:
    """The address a browser on this machine reaches the server at (a server listening on all
    interfaces is reached at 127.0.0.1)."""
    if host in ("0.0.0.0", "::", "[::]", ""):  # noqa: S104 - naming the wildcard, not binding it
        host = "127.0.0.1"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = "Migrate, load the demo, start a task worker and serve the portal on localhost."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default="127.0.0.1")

    def handle(self, *args, **options):
        address = f"{options['host']}:{options['port']}"
        # Links in e-mails point at this server unless PORTAL_URL says otherwise: set before
        # anything runs that may write an e-mail (the demo loader does), for this process and
        # the worker alike.
        portal_url = os.environ.get("PORTAL_URL") or portal_url_for(options["host"], options["port"])
        settings.PORTAL_URL = portal_url
        os.environ["PORTAL_URL"] = portal_url
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if settings.DEMO_MODE:
            call_command("load_demo")
        worker = subprocess.Popen(
            [sys.executable, "-m", "rathaus.cli", "run_worker", "--interval", "1"],
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "rathaus.settings", "PORTAL_URL": portal_url},
        )
        self.stdout.write(f"\nRathaus is served at http://{address}/  (Ctrl+C stops portal and worker)\n")
        try:
            call_command("runserver", address, use_reloader=False, use_threading=True, skip_checks=True)
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
