"""Online submissions benchmark (issue 3): setup, load and verification in one file.

    submit_load.py setup  --sessions FILE     # Django: bench service, 20-field form, 32 logged-in citizens
    submit_load.py pdf    --out FILE          # a valid PDF of about 200 KB (no Django)
    submit_load.py load   --base URL ...      # aiohttp: C clients submit the form like a browser
    submit_load.py verify --load-result FILE  # Django: cases in the database == ok submissions

``setup`` and ``verify`` run with the project's settings (``DATABASE_URL`` picks the database);
``load`` needs only aiohttp and talks to loopback addresses only, bounded by a number of
submissions and by seconds, whichever comes first.

One submission is what a browser does, every request in its own round trip:

    GET  /antrag/<service>/                       start page (CSRF token)
    POST /antrag/<service>/                       start a draft          -> 302 step
    GET  /antrag/entwurf/<draft>/<step>/          the form (CSRF token)
    POST /antrag/entwurf/<draft>/<step>/          20 answers + 200 KB PDF (multipart) -> 302 summary
    GET  /antrag/entwurf/<draft>/zusammenfassung/ summary (idempotency key)
    POST /konto/antraege/<draft>/absenden/        submit                 -> 302 eingereicht/<ref>/
    GET  /konto/antraege/eingereicht/<ref>/       confirmation page naming the reference

A submission counts as ok when the submit redirects to the confirmation page of a reference and
that page names it. Latency is measured for the whole sequence and for every request kind.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import re
import sys
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import urlparse

from stats import summarize  # bench/ is on sys.path when a script runs

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SERVICE_SLUG = "bench-online-antrag"
STEP_ID = "angaben"
USER_COUNT_DEFAULT = 32
SESSION_COOKIE = "sessionid"

# --- the form: 20 fields of the kinds a real application has ---------------------------------

FORM = {
    "title": {"de": "Benchmark-Antrag", "en": "Benchmark application"},
    "intro": {"de": "Antrag für den Lasttest.", "en": "Application for the load test."},
    "steps": [
        {
            "id": STEP_ID,
            "title": {"de": "Angaben", "en": "Details"},
            "fields": [
                {
                    "name": "first_name",
                    "type": "text",
                    "label": "Vorname",
                    "required": True,
                    "prefill": "first_name",
                },
                {
                    "name": "last_name",
                    "type": "text",
                    "label": "Nachname",
                    "required": True,
                    "prefill": "last_name",
                },
                {
                    "name": "birth_date",
                    "type": "date",
                    "label": "Geburtsdatum",
                    "required": True,
                    "min_date": "1900-01-01",
                    "max_date": "-16y",
                },
                {"name": "email", "type": "email", "label": "E-Mail-Adresse", "required": True},
                {"name": "phone", "type": "phone", "label": "Telefon", "required": True},
                {"name": "address", "type": "address", "label": "Anschrift", "required": True},
                {"name": "nationality", "type": "text", "label": "Staatsangehörigkeit", "required": True},
                {
                    "name": "household_size",
                    "type": "number",
                    "label": "Personen im Haushalt",
                    "required": True,
                    "integer": True,
                    "min": 1,
                    "max": 20,
                },
                {
                    "name": "income",
                    "type": "number",
                    "label": "Monatliches Einkommen (EUR)",
                    "required": True,
                    "min": 0,
                    "max": 100000,
                },
                {
                    "name": "marital_status",
                    "type": "choice",
                    "label": "Familienstand",
                    "required": True,
                    "options": [
                        {"value": "single", "label": "ledig"},
                        {"value": "married", "label": "verheiratet"},
                        {"value": "widowed", "label": "verwitwet"},
                    ],
                },
                {
                    "name": "contact_way",
                    "type": "choice",
                    "label": "Bevorzugter Kontaktweg",
                    "required": True,
                    "widget": "select",
                    "options": [
                        {"value": "mailbox", "label": "Postfach"},
                        {"value": "phone", "label": "Telefon"},
                        {"value": "letter", "label": "Brief"},
                    ],
                },
                {
                    "name": "interests",
                    "type": "choice",
                    "label": "Betroffene Bereiche",
                    "multiple": True,
                    "widget": "checkbox",
                    "options": [
                        {"value": "housing", "label": "Wohnen"},
                        {"value": "mobility", "label": "Mobilität"},
                        {"value": "family", "label": "Familie"},
                    ],
                },
                {
                    "name": "start_date",
                    "type": "date",
                    "label": "Gewünschter Beginn",
                    "required": True,
                    "min_date": "today",
                    "max_date": "+365d",
                },
                {
                    "name": "reason",
                    "type": "textarea",
                    "label": "Begründung",
                    "required": True,
                    "max_length": 2000,
                },
                {"name": "employer", "type": "text", "label": "Arbeitgeber"},
                {"name": "account_holder", "type": "text", "label": "Kontoinhaber/in", "required": True},
                {"name": "iban", "type": "iban", "label": "IBAN", "required": True},
                {
                    "name": "evidence",
                    "type": "file",
                    "label": "Nachweis (PDF)",
                    "required": True,
                    "accept": ["pdf"],
                    "max_size_mb": 5,
                },
                {
                    "name": "sepa_mandate",
                    "type": "declaration",
                    "label": "SEPA-Lastschriftmandat",
                    "required": True,
                },
                {
                    "name": "truthful",
                    "type": "declaration",
                    "label": "Angaben sind richtig",
                    "required": True,
                },
            ],
        }
    ],
}


def answers(index: int) -> dict[str, str]:
    """The 20 answers as a browser posts them (the file goes separately)."""
    return {
        "first_name": "Bench",
        "last_name": f"Person {index:02d}",
        "birth_date": "1980-05-17",
        "email": f"bench{index:02d}@example.org",
        "phone": "+49 941 507-0",
        "address.street": "Domplatz 1",
        "address.postal_code": "93047",
        "address.city": "Regensburg",
        "nationality": "deutsch",
        "household_size": "3",
        "income": "2.450,50",
        "marital_status": "married",
        "contact_way": "mailbox",
        "interests": ["housing", "family"],
        # A week ahead: "today" is the city's day (Europe/Berlin), which for an hour or two
        # around midnight is not this machine's (UTC), and a run may pass midnight.
        "start_date": (dt.date.today() + dt.timedelta(days=7)).isoformat(),
        "reason": "Lasttest der Online-Antragstellung. " * 10,
        "employer": "Stadt Regensburg",
        "account_holder": f"Bench Person {index:02d}",
        "iban": "DE89 3704 0044 0532 0130 00",
        "sepa_mandate": "on",
        "truthful": "on",
    }


def make_pdf(size: int = 200 * 1024) -> bytes:
    """A valid one-page PDF of about ``size`` bytes: the padding is a stream of a comment-only
    content object, and the cross-reference table carries the real offsets."""
    padding = (b"% padding for the upload benchmark\n" * (size // 36 + 1))[: max(0, size - 700)]
    content = b"BT /F1 12 Tf 72 720 Td (Rathaus Benchmark) Tj ET\n" + padding
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


# --- setup and verify (Django) ----------------------------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def ensure_bench_form():
    """The bench service with the 20-field form published (Django must be set up); reuses a
    published version with the same definition, so setting up twice adds no version."""
    from rathaus.accounts.constants import TrustLevel
    from rathaus.accounts.models import Department
    from rathaus.catalog.models import Service
    from rathaus.forms import services as form_services
    from rathaus.forms.selectors import current_form_version

    department = Department.objects.order_by("pk").first()
    service, _created = Service.objects.get_or_create(
        slug=SERVICE_SLUG,
        defaults={
            "name": "Benchmark-Antrag",
            "name_en": "Benchmark application",
            "summary": "Antrag für den Lasttest der Online-Antragstellung.",
            "department": department,
            "processing_days": 10,
            "channels": ["online"],
            "min_trust_level": TrustLevel.BASIC,
        },
    )
    definition = form_services.form_definition_ensure(acting_user=None, service=service)
    current = current_form_version(service)
    if current is not None and current.schema == json.loads(json.dumps(FORM)):
        return current
    version = form_services.form_version_save(acting_user=None, definition=definition, schema=FORM)
    return form_services.form_version_publish(acting_user=None, version=version)


def bench_user(email: str, last_name: str):
    """A verified citizen account without a password (the benchmark logs in by session or token)."""
    from django.utils import timezone

    from rathaus.accounts.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(
            email=email,
            first_name="Bench",
            last_name=last_name,
            email_verified_at=timezone.now(),
            is_active=True,
        )
        user.set_unusable_password()
        user.save()
    return user


def bench_integration_account(email: str, last_name: str):
    """An integration account (a connected portal) without a password: only such accounts log
    in with an API token. No confirmed e-mail: that would make it a person's account."""
    from rathaus.accounts.models import User

    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, first_name="Bench", last_name=last_name, is_active=True)
        user.set_unusable_password()
    user.is_integration, user.email_verified_at = True, None
    user.save()
    return user


def setup(args) -> None:
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from rathaus.accounts.constants import TrustLevel
    from rathaus.accounts.trust import SESSION_KEY as TRUST_KEY

    assert settings.SESSION_COOKIE_NAME == SESSION_COOKIE
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    version = ensure_bench_form()
    fields = sum(len(step["fields"]) for step in FORM["steps"])
    sessions = []
    for index in range(args.users):
        email = f"bench.citizen{index:02d}@example.org"
        user = bench_user(email, f"Person {index:02d}")
        # A real login session, as django.contrib.auth.login() writes it (plus the trust level).
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "rathaus.accounts.backends.EmailBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[TRUST_KEY] = TrustLevel.BASIC
        store.create()
        sessions.append({"user": user.pk, "email": email, "sessionid": store.session_key})
    Path(args.sessions).write_text(json.dumps({"service": SERVICE_SLUG, "sessions": sessions}))
    print(
        json.dumps(
            {
                "service": SERVICE_SLUG,
                "form_version": version.number,
                "fields": fields,
                "users": len(sessions),
            }
        )
    )


def verify(args) -> None:
    _django()
    from rathaus.cases.models import Case, Document
    from rathaus.forms.models import Draft, Submission, Upload

    result = json.loads(Path(args.load_result).read_text())
    cases = Case.objects.filter(service__slug=SERVICE_SLUG)
    references = list(cases.values_list("reference", flat=True))
    report = {
        "ok_submissions": result["ok"],
        "cases": len(references),
        "unique_references": len(set(references)),
        "submissions": Submission.objects.filter(
            form_version__definition__service__slug=SERVICE_SLUG
        ).count(),
        "receipts": Document.objects.filter(case__service__slug=SERVICE_SLUG, kind="receipt").count(),
        "uploads_on_submissions": Upload.objects.filter(
            submission__form_version__definition__service__slug=SERVICE_SLUG
        ).count(),
        "drafts_left": Draft.objects.filter(form_version__definition__service__slug=SERVICE_SLUG).count(),
        "references_seen_by_clients": len(result.get("references", [])),
    }
    seen = set(result.get("references", []))
    report["client_references_in_db"] = len(seen & set(references))
    problems = []
    if report["cases"] != result["ok"]:
        problems.append(f"{report['cases']} cases but {result['ok']} ok submissions")
    if report["unique_references"] != report["cases"]:
        problems.append("duplicate case references")
    if report["submissions"] != report["cases"]:
        problems.append("submissions without a case or cases without a submission")
    if report["client_references_in_db"] != len(seen) or len(seen) != result["ok"]:
        problems.append("a reference a client saw is missing, or two clients saw the same one")
    report["problems"] = problems
    print(json.dumps(report))
    if problems:
        raise SystemExit(1)


# --- load (aiohttp only) ---------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY_INPUT = re.compile(r'name="idempotency_key" value="([^"]+)"')
DRAFT_STEP = re.compile(r"/antrag/entwurf/([0-9a-f-]{36})/([a-z0-9_-]+)/$")
SUBMITTED = re.compile(r"/konto/antraege/eingereicht/([^/]+)/$")


class Failed(Exception):
    pass


async def load(args) -> dict:
    import aiohttp
    from yarl import URL

    base = args.base.rstrip("/")
    if urlparse(base).hostname not in LOOPBACK:
        raise SystemExit("submit_load only targets loopback addresses")
    setup_data = json.loads(Path(args.sessions).read_text())
    sessions = setup_data["sessions"][: args.concurrency]
    if len(sessions) < args.concurrency:
        raise SystemExit(f"only {len(sessions)} sessions for {args.concurrency} clients")
    pdf = Path(args.pdf).read_bytes()
    service = setup_data["service"]
    per_request: dict[str, list[float]] = {}
    totals: list[float] = []
    errors: dict[str, int] = {}
    references: list[str] = []
    issued = 0
    deadline = time.perf_counter() + args.seconds
    timeout = aiohttp.ClientTimeout(total=60)

    async def timed(kind: str, call):
        started = time.perf_counter()
        async with call as response:
            body = await response.read()
        per_request.setdefault(kind, []).append(time.perf_counter() - started)
        return response, body

    def expect_redirect(kind, response, pattern=None):
        location = response.headers.get("Location", "")
        if response.status != 302 or (pattern is not None and not pattern.search(location)):
            raise Failed(f"{kind}: HTTP {response.status} -> {location[:80]}")
        return location

    def token(kind, body, pattern=CSRF_INPUT) -> str:
        match = pattern.search(body.decode("utf-8", "replace"))
        if match is None:
            raise Failed(f"{kind}: token missing")
        return match.group(1)

    async def one_submission(http, index: int) -> str:
        start_url = f"{base}/antrag/{service}/"
        response, body = await timed("GET start", http.get(start_url))
        if response.status != 200:
            raise Failed(f"GET start: HTTP {response.status}")
        csrf = token("GET start", body)
        response, _ = await timed(
            "POST start", http.post(start_url, data={"csrfmiddlewaretoken": csrf}, allow_redirects=False)
        )
        step_url = base + expect_redirect("POST start", response, DRAFT_STEP)
        draft_id = DRAFT_STEP.search(step_url).group(1)
        response, body = await timed("GET step", http.get(step_url))
        if response.status != 200:
            raise Failed(f"GET step: HTTP {response.status}")
        csrf = token("GET step", body)
        form = aiohttp.FormData()
        form.add_field("csrfmiddlewaretoken", csrf)
        for name, value in answers(index).items():
            for item in value if isinstance(value, list) else [value]:
                form.add_field(name, item)
        form.add_field("evidence", pdf, filename="nachweis.pdf", content_type="application/pdf")
        form.add_field("_action", "next")
        response, _ = await timed(
            "POST step (20 fields + PDF)", http.post(step_url, data=form, allow_redirects=False)
        )
        summary_url = base + expect_redirect("POST step", response, re.compile("/zusammenfassung/$"))
        response, body = await timed("GET summary", http.get(summary_url))
        if response.status != 200:
            raise Failed(f"GET summary: HTTP {response.status}")
        csrf, key = token("GET summary", body), token("GET summary", body, KEY_INPUT)
        response, _ = await timed(
            "POST submit",
            http.post(
                f"{base}/konto/antraege/{draft_id}/absenden/",
                data={"csrfmiddlewaretoken": csrf, "draft": draft_id, "idempotency_key": key},
                allow_redirects=False,
            ),
        )
        location = expect_redirect("POST submit", response, SUBMITTED)
        reference = SUBMITTED.search(location).group(1)
        response, body = await timed("GET submitted", http.get(base + location))
        if response.status != 200 or reference.encode() not in body:
            raise Failed(f"GET submitted: HTTP {response.status} without the reference")
        return reference

    async def client(position: int, record: dict) -> None:
        nonlocal issued
        jar = aiohttp.CookieJar(unsafe=True)  # loopback IP: keep the cookies like a browser does
        jar.update_cookies({SESSION_COOKIE: record["sessionid"]}, response_url=URL(base))
        async with aiohttp.ClientSession(cookie_jar=jar, timeout=timeout) as http:
            while issued < args.submissions and time.perf_counter() < deadline:
                issued += 1
                started = time.perf_counter()
                try:
                    references.append(await one_submission(http, position))
                    totals.append(time.perf_counter() - started)
                except (TimeoutError, Failed, aiohttp.ClientError) as exc:
                    text = str(exc) or type(exc).__name__
                    errors[text] = errors.get(text, 0) + 1
                    if args.verbose:
                        print(f"client {position}: {text}", file=sys.stderr)

    began = time.perf_counter()
    await asyncio.gather(*(client(i, record) for i, record in enumerate(sessions)))
    elapsed = time.perf_counter() - began
    requests = sum(len(values) for values in per_request.values())
    return {
        "test": "online submission (7 requests, 20 fields, 200 KB PDF)",
        "concurrency": args.concurrency,
        "seconds": round(elapsed, 2),
        "ok": len(references),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "submissions_per_s": round(len(references) / elapsed, 2),
        "requests_per_s": round(requests / elapsed, 1),
        "submission": summarize(totals),
        "requests": {kind: summarize(values) for kind, values in per_request.items()},
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
    p_setup.add_argument("--sessions", required=True)
    p_setup.add_argument("--users", type=int, default=USER_COUNT_DEFAULT)
    p_pdf = commands.add_parser("pdf")
    p_pdf.add_argument("--out", required=True)
    p_pdf.add_argument("--kb", type=int, default=200)
    p_load = commands.add_parser("load")
    p_load.add_argument("--base", required=True)
    p_load.add_argument("--sessions", required=True)
    p_load.add_argument("--pdf", required=True)
    p_load.add_argument("--concurrency", type=int, default=32)
    p_load.add_argument("--submissions", type=int, default=2000)
    p_load.add_argument("--seconds", type=float, default=30)
    p_load.add_argument("--out")
    p_load.add_argument("--verbose", action="store_true")
    p_verify = commands.add_parser("verify")
    p_verify.add_argument("--load-result", required=True)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "pdf":
        data = make_pdf(args.kb * 1024)
        Path(args.out).write_bytes(data)
        print(json.dumps({"pdf": args.out, "bytes": len(data)}))
    elif args.command == "load":
        result = asyncio.run(load(args))
        if args.out:
            Path(args.out).write_text(json.dumps(result))
        shown = {k: v for k, v in result.items() if k != "references"}
        print(json.dumps(shown))
    else:
        verify(args)


if __name__ == "__main__":
    main()
