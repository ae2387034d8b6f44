"""Service time of one online submission without network and concurrency (issue 3).

Runs the browser sequence of ``submit_load.py`` with Django's test client in one process against
the database of ``DATABASE_URL`` (set up by ``submit_load.py setup``), N times after a warm-up,
and prints milliseconds (wall; CPU of this process, ``cpu_ms``; CPU of the PostgreSQL backend,
``db_cpu_ms``) and database queries per request kind; ``--profile`` adds a cProfile of the
submit request (top functions by cumulative time).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench_submit MEDIA_ROOT=/tmp/m \\
        .venv/bin/python bench/profile_submit.py --runs 20 [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from profile_submit_api import database_cpu  # noqa: E402
from submit_load import KEY_INPUT, SERVICE_SLUG, answers, make_pdf  # noqa: E402

from rathaus.accounts.models import User  # noqa: E402


def one(client: Client, pdf: bytes, times: dict, queries: dict, profiler=None, cpu=None) -> str:
    cpu = {} if cpu is None else cpu

    def call(kind, method, url, data=None):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started, db_started = time.perf_counter(), time.process_time(), database_cpu()
            if profiler is not None and kind == "POST submit":
                profiler.enable()
            response = (
                getattr(client, method)(url, data) if data is not None else getattr(client, method)(url)
            )
            if profiler is not None and kind == "POST submit":
                profiler.disable()
            times.setdefault(kind, []).append(time.perf_counter() - started)
            cpu.setdefault(kind, []).append((time.process_time() - cpu_started, database_cpu() - db_started))
        queries.setdefault(kind, []).append(len(captured.captured_queries))
        return response

    start = f"/antrag/{SERVICE_SLUG}/"
    call("GET start", "get", start)
    step_url = call("POST start", "post", start, {})["Location"]
    call("GET step", "get", step_url)
    data = {**answers(1), "_action": "next", "evidence": SimpleUploadedFile("n.pdf", pdf, "application/pdf")}
    summary_url = call("POST step", "post", step_url, data)["Location"]
    page = call("GET summary", "get", summary_url).content.decode()
    key = KEY_INPUT.search(page).group(1)
    draft = re.search(r"/entwurf/([0-9a-f-]{36})/", summary_url).group(1)
    done = call("POST submit", "post", f"/konto/antraege/{draft}/absenden/", {"idempotency_key": key})
    assert "/eingereicht/" in done["Location"], done["Location"]
    call("GET submitted", "get", done["Location"])
    return done["Location"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    user = User.objects.filter(email="bench.citizen00@example.org").get()
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="rathaus.accounts.backends.EmailBackend")
    pdf = make_pdf()
    one(client, pdf, {}, {})  # warm-up: templates, spec cache, WeasyPrint fonts
    times: dict = {}
    queries: dict = {}
    cpu: dict = {}
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.runs):
        one(client, pdf, times, queries, profiler, cpu)
    report = {
        kind: {
            "ms": round(sum(v) / len(v) * 1000, 2),
            "cpu_ms": round(sum(c for c, _db in cpu[kind]) / len(v) * 1000, 2),
            "db_cpu_ms": round(sum(db for _c, db in cpu[kind]) / len(v) * 1000, 2),
            "queries": round(sum(queries[kind]) / len(v), 1),
        }
        for kind, v in times.items()
    }
    report["whole submission"] = {
        key: round(sum(r[key] for r in report.values()), 1)
        for key in ("ms", "cpu_ms", "db_cpu_ms", "queries")
    }
    print(json.dumps(report, indent=1))
    if profiler is not None:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
