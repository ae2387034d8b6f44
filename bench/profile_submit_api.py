"""Service time of one API submission without network and concurrency (issue 3).

Runs what an integration (Fachverfahren, portal) does against ``POST /api/v1/cases/submissions/``
with Django's test client in one process against the database of ``DATABASE_URL`` (set up by
``submit_api_load.py setup``), N times after a warm-up, and prints milliseconds and database
queries per request and per whole submission: wall time (mean and median), CPU time of this
process (``cpu_ms``: the Django side) and of the PostgreSQL backend serving it (``db_cpu_ms``,
read from /proc; 10 ms ticks, so only meaningful as a mean over many runs). On a shared machine
the CPU figures are the steadier ones. Modes:

    multipart   one request: the 20 answers as form fields and the 200 KB PDF as a file part
    json        two requests: POST the PDF to the forms upload endpoint, then the answers as JSON
                naming the upload id (the path that existed before the one-request submission)

``--receipt`` also times the first download of the receipt (rendered on first access, issue 3)
and a second one (streams the stored file); ``--floor`` times the benchmark's floor view
(``BENCH_ENDPOINTS=1``) between the submissions and reports a submission in floors (issue 3's
target, 20 % of the floor's throughput, is a submission costing at most 5 floors);
``--show-queries`` prints the SQL of the last submission; ``--profile`` adds a cProfile of the
submission request(s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rathaus_bench_submit MEDIA_ROOT=/tmp/m \\
        .venv/bin/python bench/profile_submit_api.py --mode multipart --runs 50 [--receipt]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import uuid
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
from rest_framework.authtoken.models import Token  # noqa: E402
from submit_api_load import api_answers_json, multipart_answers  # noqa: E402
from submit_load import SERVICE_SLUG, make_pdf  # noqa: E402

from rathaus.accounts.models import User  # noqa: E402

SUBMIT = "/api/v1/cases/submissions/"


def database_cpu() -> float:
    """CPU seconds the PostgreSQL backend of this connection has used so far (0 elsewhere):
    on a shared machine, CPU time says what a request costs better than wall time does."""
    if connection.vendor != "postgresql":
        return 0.0
    if not hasattr(database_cpu, "pid"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            database_cpu.pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{database_cpu.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Runner:
    def __init__(self, client: Client, pdf: bytes, profiler=None, json_part: bool = False):
        self.client, self.pdf, self.profiler, self.json_part = client, pdf, profiler, json_part
        self.times: dict[str, list[float]] = {}
        self.cpu: dict[str, list[float]] = {}
        self.db_cpu: dict[str, list[float]] = {}
        self.queries: dict[str, list[int]] = {}
        self.last_sql: list[str] = []

    def call(self, kind: str, method: str, url: str, profiled: bool = True, **kwargs):
        with CaptureQueriesContext(connection) as captured:
            started, cpu, db_cpu = time.perf_counter(), time.process_time(), database_cpu()
            if self.profiler is not None and profiled:
                self.profiler.enable()
            response = getattr(self.client, method)(url, **kwargs)
            if self.profiler is not None and profiled:
                self.profiler.disable()
            if hasattr(response, "streaming_content"):
                b"".join(response.streaming_content)
            self.times.setdefault(kind, []).append(time.perf_counter() - started)
            self.cpu.setdefault(kind, []).append(time.process_time() - cpu)
            self.db_cpu.setdefault(kind, []).append(database_cpu() - db_cpu)
        self.queries.setdefault(kind, []).append(len(captured.captured_queries))
        self.last_sql += [f"[{kind}] {q['sql'][:300]}" for q in captured.captured_queries]
        return response

    def multipart(self, index: int) -> dict:
        answers = (
            {"answers": json.dumps(api_answers_json(index, []))}
            if self.json_part
            else multipart_answers(index)
        )
        data = {
            "service": SERVICE_SLUG,
            **answers,
            "evidence": SimpleUploadedFile("nachweis.pdf", self.pdf, "application/pdf"),
        }
        response = self.call("POST submission (multipart)", "post", SUBMIT, data=data, **self._key())
        assert response.status_code == 201, response.content[:500]
        return response.json()

    def json(self, index: int) -> dict:
        upload = self.call(
            "POST upload",
            "post",
            f"/api/v1/forms/services/{SERVICE_SLUG}/uploads/",
            data={"field_name": "evidence", "file": SimpleUploadedFile("nachweis.pdf", self.pdf)},
        )
        assert upload.status_code == 201, upload.content[:500]
        body = {"service": SERVICE_SLUG, "answers": api_answers_json(index, [upload.json()["id"]])}
        response = self.call(
            "POST submission (JSON)",
            "post",
            SUBMIT,
            data=json.dumps(body),
            content_type="application/json",
            **self._key(),
        )
        assert response.status_code == 201, response.content[:500]
        return response.json()

    def receipt(self, reference: str) -> None:
        detail = self.client.get(f"/api/v1/cases/mine/{reference}/").json()
        receipt = next(doc for doc in detail["documents"] if doc["kind"] == "receipt")
        url = f"/api/v1/cases/mine/{reference}/documents/{receipt['id']}/file/"
        for kind in ("GET receipt, first (renders)", "GET receipt, again (stored)"):
            response = self.call(kind, "get", url, profiled=False)
            assert response.status_code == 200

    @staticmethod
    def _key() -> dict:
        return {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=["multipart", "json"], default="multipart")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument(
        "--answers",
        choices=["fields", "json-part"],
        default="fields",
        help="multipart: one form field per answer, or all answers in one JSON part",
    )
    parser.add_argument("--receipt", action="store_true", help="also time receipt downloads")
    parser.add_argument(
        "--floor", action="store_true", help="also time GET /bench/floor (needs BENCH_ENDPOINTS=1)"
    )
    parser.add_argument("--show-queries", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key (tottime for own time)")
    parser.add_argument("--user", default="bench.api00@example.org")
    args = parser.parse_args()
    user = User.objects.get(email=args.user)
    token, _created = Token.objects.get_or_create(user=user)
    client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
    pdf = make_pdf()
    submit = {"multipart": Runner.multipart, "json": Runner.json}[args.mode]
    json_part = args.answers == "json-part"
    warm = Runner(client, pdf, json_part=json_part)
    for index in range(3):  # warm-up: URL resolver, spec cache, DRF schema-less paths, fonts
        body = submit(warm, index)
        if args.receipt:
            warm.receipt(body["reference"])
    runner = Runner(client, pdf, cProfile.Profile() if args.profile else None, json_part=json_part)
    for index in range(args.runs):
        runner.last_sql = []
        body = submit(runner, index)
        if args.receipt:
            runner.receipt(body["reference"])
        if args.floor:  # the floor of the load benchmark, interleaved: the same machine state
            for _ in range(5):
                runner.call("GET /bench/floor", "get", "/bench/floor", profiled=False)
    report = {
        kind: {
            "ms": round(statistics.fmean(values) * 1000, 2),
            "median_ms": round(statistics.median(values) * 1000, 2),
            "cpu_ms": round(statistics.fmean(runner.cpu[kind]) * 1000, 2),
            "db_cpu_ms": round(statistics.fmean(runner.db_cpu[kind]) * 1000, 2),
            "queries": round(statistics.fmean(runner.queries[kind]), 1),
        }
        for kind, values in runner.times.items()
    }
    submission_kinds = [kind for kind in report if kind.startswith("POST")]
    report["whole submission"] = {
        key: round(sum(report[k][key] for k in submission_kinds), 2)
        for key in ("ms", "median_ms", "cpu_ms", "db_cpu_ms", "queries")
    }
    if args.floor:
        floor = report["GET /bench/floor"]
        report["whole submission"]["floors"] = round(report["whole submission"]["ms"] / floor["ms"], 1)
        report["whole submission"]["floors_cpu"] = round(
            report["whole submission"]["cpu_ms"] / floor["cpu_ms"], 1
        )
    report["_meta"] = {
        "mode": args.mode,
        "answers": args.answers,
        "runs": args.runs,
        "database": connection.vendor,
        "loadavg": Path("/proc/loadavg").read_text().split()[:3],
    }
    print(json.dumps(report, indent=1))
    if args.show_queries:
        print("\n".join(runner.last_sql))
    if runner.profiler is not None:
        out = io.StringIO()
        pstats.Stats(runner.profiler, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
