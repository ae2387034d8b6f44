"""Online submissions through the API in one request (issue 3): setup, load and verification.

    submit_api_load.py setup  --tokens FILE       # Django: bench service, 20-field form, 32 token users
    submit_api_load.py load   --base URL ...      # aiohttp: C clients submit in one multipart request
    submit_api_load.py verify --load-result FILE  # Django: cases in the database == ok submissions

This is what a specialised system (Fachverfahren) or a portal integration does: one
``POST /api/v1/cases/submissions/`` per application, authenticated by its own API token, with
the 20 answers as form fields, the 200 KB PDF as the file part of the upload question and an
``Idempotency-Key`` header. A submission is ok when the answer is 201 with a reference.
``--repeat-every N`` sends every N-th submission a second time with the same key and counts an
error unless it answers 200 with the same reference (idempotency under load; off by default).
``--check`` sends the same requests to ``POST /api/v1/cases/submissions/check/`` instead: the
whole request path of a submission (login, multipart body, file check, validation of the 20
answers) without storing anything, ok when the answer is 200 with ``valid``. It measures what a
submission costs before its first write, a lower bound for any way of storing it.

``setup`` and ``verify`` run with the project's settings (``DATABASE_URL`` picks the database,
``MEDIA_ROOT`` the private files); ``load`` needs only aiohttp and talks to loopback addresses
only, bounded by a number of submissions and by seconds, whichever comes first. The PDF comes
from ``submit_load.py pdf``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from stats import summarize  # bench/ is on sys.path when a script runs
from submit_load import LOOPBACK, SERVICE_SLUG, _django, answers

USER_COUNT_DEFAULT = 32
SUBMIT_PATH = "/api/v1/cases/submissions/"
CHECK_PATH = "/api/v1/cases/submissions/check/"


def multipart_answers(index: int) -> dict[str, str | list[str]]:
    """The 20 answers as form fields (the same spelling as the browser's form post)."""
    return answers(index)


def api_answers_json(index: int, evidence_ids: list[str]) -> dict:
    """The 20 answers as a JSON object (the ``answers`` of a JSON submission)."""
    given = answers(index)
    return {
        **{k: v for k, v in given.items() if not k.startswith("address.")},
        "address": {
            "street": given["address.street"],
            "postal_code": given["address.postal_code"],
            "city": given["address.city"],
        },
        "sepa_mandate": True,
        "truthful": True,
        "evidence": evidence_ids,
    }


# --- setup and verify (Django) ----------------------------------------------------------------


def setup(args) -> None:
    _django()
    from rest_framework.authtoken.models import Token
    from submit_load import bench_integration_account, ensure_bench_form

    version = ensure_bench_form()
    users = []
    for index in range(args.users):
        user = bench_integration_account(f"bench.api{index:02d}@example.org", f"API {index:02d}")
        token, _created = Token.objects.get_or_create(user=user)
        users.append({"user": user.pk, "token": token.key})
    Path(args.tokens).write_text(json.dumps({"service": SERVICE_SLUG, "users": users}))
    print(json.dumps({"service": SERVICE_SLUG, "form_version": version.number, "users": len(users)}))


def _stored_files(root: Path, folder: str) -> set[str]:
    base = root / folder
    if not base.exists():
        return set()
    return {str(path.relative_to(root)) for path in base.rglob("*") if path.is_file()}


def verify(args) -> None:
    _django()
    from django.conf import settings
    from django.db.models import Count, Q

    from rathaus.cases.models import Case, Document
    from rathaus.forms.models import Submission, Upload
    from rathaus.mailbox.models import Message

    result = json.loads(Path(args.load_result).read_text())
    cases = Case.objects.filter(service__slug=SERVICE_SLUG, submission__idempotency_key__startswith="api-")
    references = list(cases.values_list("reference", flat=True))
    receipts = Document.objects.filter(case__in=cases, kind="receipt")
    receipts_per_case = cases.annotate(n=Count("documents", filter=Q(documents__kind="receipt")))
    report = {
        "ok_submissions": result["ok"],
        "cases": len(references),
        "unique_references": len(set(references)),
        "submissions": Submission.objects.filter(
            form_version__definition__service__slug=SERVICE_SLUG, idempotency_key__startswith="api-"
        ).count(),
        "receipts": receipts.count(),
        "cases_without_exactly_one_receipt": receipts_per_case.exclude(n=1).count(),
        "receipts_rendered": receipts.exclude(file="").count(),
        "receipts_delivered": receipts.filter(delivery_pending=False).count(),
        "receipt_messages": Message.objects.filter(documents__in=receipts).count(),
        "uploads_on_submissions": Upload.objects.filter(submission__case__in=cases).count(),
        "references_seen_by_clients": len(result.get("references", [])),
    }
    seen = set(result.get("references", []))
    report["client_references_in_db"] = len(seen & set(references))
    # Files nobody points to: an upload or a receipt written for a request that then failed.
    root = Path(settings.MEDIA_ROOT)
    known = set(Upload.objects.values_list("file", flat=True)) | set(
        Document.objects.exclude(file="").values_list("file", flat=True)
    )
    report["orphaned_files"] = len((_stored_files(root, "uploads") | _stored_files(root, "cases")) - known)
    problems = []
    if report["cases"] != result["ok"]:
        problems.append(f"{report['cases']} cases but {result['ok']} ok submissions")
    if report["unique_references"] != report["cases"]:
        problems.append("duplicate case references")
    if report["submissions"] != report["cases"]:
        problems.append("submissions without a case or cases without a submission")
    if report["cases_without_exactly_one_receipt"]:
        problems.append("a case without exactly one receipt document")
    if report["receipt_messages"] != report["receipts_delivered"]:
        problems.append("a delivered receipt without exactly one mailbox message")
    if report["uploads_on_submissions"] != report["cases"]:
        problems.append("a submission without its upload, or with more than one")
    if report["client_references_in_db"] != len(seen) or len(seen) != result["ok"]:
        problems.append("a reference a client saw is missing, or two clients saw the same one")
    if report["orphaned_files"]:
        problems.append("files in storage that no upload or document names")
    report["problems"] = problems
    print(json.dumps(report))
    if problems:
        raise SystemExit(1)


def receipts_pending() -> None:
    """Print how many receipts of the bench service still wait for their PDF or their mailbox
    message (task worker)."""
    _django()
    from django.db.models import Q

    from rathaus.cases.models import Document

    pending = Document.objects.filter(
        Q(file="") | Q(delivery_pending=True), case__service__slug=SERVICE_SLUG, kind="receipt"
    ).count()
    print(pending)


def receipts_undelivered() -> None:
    """Print how many receipts of the bench service still wait for their mailbox message."""
    _django()
    from rathaus.cases.models import Document

    print(
        Document.objects.filter(
            case__service__slug=SERVICE_SLUG, kind="receipt", delivery_pending=True
        ).count()
    )


def worker_backlog() -> None:
    """Print what the task worker still has to do from the setup (the demo's receipts, audit
    entries to seal, tasks ready to run): the script waits for 0 before it measures anything."""
    _django()
    from django_tasks_db.models import DBTaskResult

    from rathaus.cases.models import Document
    from rathaus.core.models import AuditEntry

    print(
        Document.objects.filter(kind="receipt", file="").exclude(letter={}).count()
        + Document.objects.filter(delivery_pending=True).count()
        + AuditEntry.objects.unsealed().count()
        + DBTaskResult.objects.ready().count()
    )


# --- load (aiohttp only) ---------------------------------------------------------------------


class Failed(Exception):
    pass


def multipart_body(service: str, given: dict[str, str | list[str]], pdf: bytes) -> tuple[bytes, str]:
    """``multipart/form-data`` of one application: the service, the answers as fields (a list
    as repeated fields) and the PDF as the file part of the upload question; with its
    Content-Type header."""
    boundary = f"rathaus-bench-{uuid.uuid4().hex}"
    parts = [("service", service)] + [
        (name, item)
        for name, value in given.items()
        for item in (value if isinstance(value, list) else [value])
    ]
    chunks = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in parts
    ]
    chunks.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="evidence"; filename="nachweis.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + pdf
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


async def load(args) -> dict:
    import aiohttp

    base = args.base.rstrip("/")
    if urlparse(base).hostname not in LOOPBACK:
        raise SystemExit("submit_api_load only targets loopback addresses")
    setup_data = json.loads(Path(args.tokens).read_text())
    users = setup_data["users"][: args.concurrency]
    if len(users) < args.concurrency:
        raise SystemExit(f"only {len(users)} token users for {args.concurrency} clients")
    pdf = Path(args.pdf).read_bytes()
    service = setup_data["service"]
    latencies: list[float] = []
    repeat_latencies: list[float] = []
    errors: dict[str, int] = {}
    references: list[str] = []
    issued = 0
    deadline = time.perf_counter() + args.seconds
    timeout = aiohttp.ClientTimeout(total=60)

    # Each client's body is encoded once: the load generator shares the two cores with the
    # server, and encoding 200 KB per request cost it more than a floor request costs the server.
    bodies = {
        position: multipart_body(service, multipart_answers(position), pdf) for position in range(len(users))
    }

    async def post(http, index: int, key: str) -> tuple[int, dict]:
        body, content_type = bodies[index]
        headers = (
            {"Content-Type": content_type}
            if args.check
            else {"Idempotency-Key": key, "Content-Type": content_type}
        )
        async with http.post(
            base + (CHECK_PATH if args.check else SUBMIT_PATH), data=body, headers=headers
        ) as r:
            body = await r.read()
        try:
            return r.status, json.loads(body)
        except ValueError:
            return r.status, {}

    async def client(position: int, user: dict) -> None:
        nonlocal issued
        headers = {"Authorization": f"Token {user['token']}"}
        async with aiohttp.ClientSession(headers=headers, timeout=timeout) as http:
            while issued < args.submissions and time.perf_counter() < deadline:
                issued += 1
                number = issued
                key = f"api-{uuid.uuid4().hex}"
                started = time.perf_counter()
                try:
                    status, body = await post(http, position, key)
                    if args.check:
                        if status != 200 or body.get("valid") is not True:
                            raise Failed(f"check: HTTP {status} {str(body)[:80]}")
                        latencies.append(time.perf_counter() - started)
                        references.append(key)
                        continue
                    if status != 201 or not body.get("reference"):
                        raise Failed(f"submission: HTTP {status} {str(body)[:80]}")
                    latencies.append(time.perf_counter() - started)
                    references.append(body["reference"])
                    if args.repeat_every and number % args.repeat_every == 0:
                        started = time.perf_counter()
                        status, again = await post(http, position, key)
                        repeat_latencies.append(time.perf_counter() - started)
                        if status != 200 or again.get("reference") != body["reference"]:
                            raise Failed(f"repeated key: HTTP {status}, not the same case")
                except (TimeoutError, Failed, aiohttp.ClientError) as exc:
                    text = str(exc) or type(exc).__name__
                    errors[text] = errors.get(text, 0) + 1
                    if args.verbose:
                        print(f"client {position}: {text}", file=sys.stderr)

    began = time.perf_counter()
    await asyncio.gather(*(client(i, user) for i, user in enumerate(users)))
    elapsed = time.perf_counter() - began
    return {
        "test": (
            "API check without submitting (1 multipart request, 20 fields, 200 KB PDF)"
            if args.check
            else "API submission (1 multipart request, 20 fields, 200 KB PDF)"
        ),
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 2),
        "ok": len(references),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "submissions_per_s": round(len(references) / elapsed, 2),
        "submission": summarize(latencies),
        "repeated_key": summarize(repeat_latencies) if repeat_latencies else None,
        "pdf_bytes": len(pdf),
        "client_cpu_s": round(time.process_time(), 2),  # for bench/cpu_split.py
        "references": references,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p_setup = commands.add_parser("setup")
    p_setup.add_argument("--tokens", required=True)
    p_setup.add_argument("--users", type=int, default=USER_COUNT_DEFAULT)
    p_load = commands.add_parser("load")
    p_load.add_argument("--base", required=True)
    p_load.add_argument("--tokens", required=True)
    p_load.add_argument("--pdf", required=True)
    p_load.add_argument("--concurrency", type=int, default=32)
    p_load.add_argument("--submissions", type=int, default=2000)
    p_load.add_argument("--seconds", type=float, default=30)
    p_load.add_argument("--repeat-every", type=int, default=0)
    p_load.add_argument("--check", action="store_true", help="check only (nothing stored)")
    p_load.add_argument("--out")
    p_load.add_argument("--verbose", action="store_true")
    p_verify = commands.add_parser("verify")
    p_verify.add_argument("--load-result", required=True)
    commands.add_parser("pending")
    commands.add_parser("undelivered")
    commands.add_parser("backlog")
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "load":
        result = asyncio.run(load(args))
        if args.out:
            Path(args.out).write_text(json.dumps(result))
        print(json.dumps({k: v for k, v in result.items() if k != "references"}))
    elif args.command == "undelivered":
        receipts_undelivered()
    elif args.command == "pending":
        receipts_pending()
    elif args.command == "backlog":
        worker_backlog()
    else:
        verify(args)


if __name__ == "__main__":
    main()
