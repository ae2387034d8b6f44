"""Service time of the strategy cockpit (issue 5) with the Regensburg demo, in one process.

Pages through Django's test client as a logged-in strategy officer (second factor confirmed), and
the heavy use cases called directly: the suggested measures plan, the KPI snapshot and the council
status report with its PDF. Prints one JSON line per item: median and p95 milliseconds over
``--runs`` runs after a warm-up, and database queries of the last run.

    bash bench/strategy.sh            # fresh PostgreSQL database, demo loaded, then this script
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from rathaus.accounts.models import User  # noqa: E402
from rathaus.strategy.models import Plan, Project  # noqa: E402
from rathaus.strategy.services.kpis import kpi_snapshot_all  # noqa: E402
from rathaus.strategy.services.planning import plan_suggest  # noqa: E402
from rathaus.strategy.services.reports import status_report_create  # noqa: E402

PAGES = [
    ("dashboard", "/verwaltung/strategie/"),
    ("guidelines", "/verwaltung/strategie/leitsaetze/"),
    ("measures", "/verwaltung/strategie/massnahmen/"),
    ("ranking", "/verwaltung/strategie/bewertung/"),
    ("sensitivity", "/verwaltung/strategie/bewertung/sensitivitaet/"),
    ("plan", "/verwaltung/strategie/plan/{plan}/"),
    ("portfolio", "/verwaltung/strategie/projekte/"),
    ("project", "/verwaltung/strategie/projekte/{project}/"),
    ("kpis", "/verwaltung/strategie/kennzahlen/"),
    ("public page (anonymous)", "/transparenz/strategie/"),
]


def measure(label: str, call, runs: int) -> dict:
    call()  # warm-up
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return {"item": label, "runs": runs, "median_ms": round(statistics.median(times), 1),
            "p95_ms": round(p95, 1), "queries": len(queries)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    officer = User.objects.get(email="strategie@regensburg.example")
    staff = Client(HTTP_HOST="127.0.0.1")
    staff.force_login(officer, backend="rathaus.accounts.backends.EmailBackend")
    session = staff.session
    session["otp_device_id"] = TOTPDevice.objects.filter(user=officer).first().persistent_id
    session.save()
    anonymous = Client(HTTP_HOST="127.0.0.1")
    ids = {
        "plan": Plan.objects.order_by("pk").first().pk,
        "project": Project.objects.order_by("pk").first().pk,
    }

    def page(client, path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return call

    for label, path in PAGES:
        client = anonymous if "anonymous" in label else staff
        print(json.dumps(measure(label, page(client, path.format(**ids)), args.runs)), flush=True)
    plan = Plan.objects.order_by("pk").first()
    print(
        json.dumps(
            measure("plan_suggest (service)", lambda: plan_suggest(plan=plan, actor=officer), args.runs)
        )
    )
    print(json.dumps(measure("kpi_snapshot_all (service)", kpi_snapshot_all, args.runs)))
    report_runs = max(3, args.runs // 5)
    print(json.dumps(measure("status_report_create incl. PDF (service)",
                             lambda: status_report_create(actor=officer), report_runs)))  # fmt: skip


if __name__ == "__main__":
    main()
