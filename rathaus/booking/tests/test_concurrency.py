"""No double booking, ever — proven against the running server with several processes.

gunicorn serves the app with three worker processes (four threads each) against this test's
database: on PostgreSQL the test database itself, on SQLite a file copy of it (an in-memory
database cannot be shared between processes), copied back afterwards. Fifty people then ask for
the same slot at the same moment. Exactly one may win; every other one must hear, in words,
that the time is no longer free.

The same holds for the last place of a course: fifty people register for it at once through
``course_register``; exactly one gets it, the others land on the waiting list, each with a
position of their own and no gaps.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import translation

from rathaus.accounts.models import User
from rathaus.booking.constants import HOLDING_STATUSES
from rathaus.booking.errors import CODES
from rathaus.booking.models import Booking, Enrollment, Occupancy
from rathaus.booking.services import course_register

from .booking_factories import divisible_hall, future_workday, local, make_resource
from .test_booking_services import overlapping_active_occupancies
from .test_courses import make_course

# Each xdist worker has its own database and its own server port, so these tests may run in
# parallel with the rest of the suite.
pytestmark = pytest.mark.django_db(transaction=True)

REQUESTS = 50
WORKERS = 3
ROOT = Path(settings.BASE_DIR)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url(copy: Path) -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{copy}"
    auth = urllib.parse.quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _copy_sqlite(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    source.backup(target)


@contextmanager
def running_server(tmp_path: Path):
    """gunicorn with several worker processes on a free port, against this test's data."""
    copy = tmp_path / "served.sqlite3"
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            _copy_sqlite(connection.connection, target)
            target.execute("PRAGMA journal_mode=WAL")  # once, before the workers race to set it
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rathaus.settings",
        "DATABASE_URL": _database_url(copy),
        "DB_CONN_MAX_AGE": "0",
        "RATHAUS_VAR_DIR": str(tmp_path / "var"),
        "DEMO_MODE": "true",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable, "-m", "gunicorn", "rathaus.booking.tests.concurrency_server:application",
            "--bind", f"127.0.0.1:{port}", "--workers", str(WORKERS), "--worker-class", "gthread",
            "--threads", "4", "--timeout", "60", "--backlog", "256",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, tmp_path)
        yield base
    finally:
        server.terminate()
        print((tmp_path / "gunicorn.log").read_text()[-5000:])  # shown by pytest when the test fails
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    if connection.vendor == "sqlite":
        with sqlite3.connect(copy) as source:
            _copy_sqlite(source, connection.connection)


def _wait_until_up(base: str, server: subprocess.Popen, tmp_path: Path) -> None:
    deadline = time.monotonic() + 60
    pids = set()
    while time.monotonic() < deadline and len(pids) < WORKERS:
        if server.poll() is not None:
            pytest.fail("gunicorn stopped:\n" + (tmp_path / "gunicorn.log").read_text())
        try:
            with urllib.request.urlopen(f"{base}/ping/", timeout=2) as response:
                pids.add(response.read().decode())
        except OSError:
            time.sleep(0.2)
    assert pids, "gunicorn did not answer:\n" + (tmp_path / "gunicorn.log").read_text()


def _people(count: int) -> list[str]:
    """Logged-in citizens; the session cookie of each."""
    cookies = []
    for n in range(count):
        user = User.objects.create_user(email=f"person{n}@example.org", is_active=True)
        client = Client()
        client.force_login(user, backend="rathaus.accounts.backends.EmailBackend")
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return cookies


def _fire(base: str, requests: list[tuple[str, dict]], path: str = "/book/") -> list[tuple[int, dict]]:
    """Send all requests at the same moment (a barrier releases the threads together)."""
    import json

    barrier = threading.Barrier(len(requests))

    def send(item):
        cookie, form = item
        request = urllib.request.Request(
            f"{base}{path}",
            data=urllib.parse.urlencode(form).encode(),
            headers={"Cookie": cookie, "Accept-Language": "de"},
            method="POST",
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, body = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read()
        try:
            return status, json.loads(body)
        except ValueError:  # an error page: keep it for the assertion message
            return status, {"code": None, "pid": None, "raw": body.decode(errors="replace")[:500]}

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def _form(resource, starts_at, ends_at) -> dict:
    return {"resource": resource.slug, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()}


def _assert_one_winner(results) -> None:
    with translation.override("de"):
        no_longer_free = str(CODES["taken"])
    statuses = sorted(status for status, _body in results)
    assert statuses.count(201) == 1, statuses
    losers = [body for status, body in results if status != 201]
    assert len(losers) == len(results) - 1
    assert all(body["code"] == "taken" and body["message"] == no_longer_free for body in losers), losers
    assert len({body["pid"] for _status, body in results}) >= 2, "several processes answered"
    assert Booking.objects.filter(status__in=HOLDING_STATUSES).count() == 1
    assert not overlapping_active_occupancies().exists()


def test_fifty_parallel_requests_for_one_slot_only_one_wins(department, tmp_path):
    court = make_resource(department, "tennisplatz-1")
    day = future_workday(7)
    form = _form(court, local(day, 18), local(day, 19))
    cookies = _people(REQUESTS)
    with running_server(tmp_path) as base:
        results = _fire(base, [(cookie, form) for cookie in cookies])
    _assert_one_winner(results)
    assert Occupancy.objects.filter(active=True).count() == 1


def test_whole_hall_and_a_third_racing_only_one_wins(department, tmp_path):
    hall = divisible_hall(department)
    day = future_workday(7)
    whole = _form(hall["whole"], local(day, 18), local(day, 20))
    third = _form(hall["third2"], local(day, 19), local(day, 21))
    cookies = _people(REQUESTS)
    requests = [(cookie, whole if n % 2 else third) for n, cookie in enumerate(cookies)]
    with running_server(tmp_path) as base:
        results = _fire(base, requests)
    _assert_one_winner(results)
    assert Occupancy.objects.filter(active=True).count() in (1, 3)


def test_fifty_people_register_for_the_last_course_place_only_one_gets_it(department, tmp_path):
    course = make_course(department, capacity=3, slug="schwimmkurs-letzter-platz")
    for n in range(course.capacity - 1):  # all places but the last are already taken
        early = User.objects.create_user(email=f"early{n}@example.org", is_active=True)
        assert course_register(course=course, acting_user=early).status == "registered"
    cookies = _people(REQUESTS)
    with running_server(tmp_path) as base:
        results = _fire(base, [(cookie, {"course": course.slug}) for cookie in cookies], path="/register/")

    assert [status for status, _body in results] == [201] * REQUESTS, results
    bodies = [body for _status, body in results]
    assert sorted(body["status"] for body in bodies) == ["registered"] + ["waitlisted"] * (REQUESTS - 1)
    winner = next(body for body in bodies if body["status"] == "registered")
    positions = sorted(body["position"] for body in bodies if body["status"] == "waitlisted")
    assert positions == list(range(1, REQUESTS)), "waiting list positions unique and without gaps"
    assert len({body["pid"] for body in bodies}) >= 2, "several processes answered"

    # The database, after the race, says the same.
    enrollments = Enrollment.objects.filter(course=course)
    assert enrollments.count() == course.capacity - 1 + REQUESTS
    assert enrollments.values("person").distinct().count() == enrollments.count(), "nobody twice"
    registered = enrollments.filter(status="registered")
    assert registered.count() == course.capacity
    assert registered.filter(person__email__startswith="person").get().pk == winner["enrollment"]
    waiting = enrollments.filter(status="waitlisted").order_by("position")
    assert list(waiting.values_list("position", flat=True)) == list(range(1, REQUESTS))
    assert {
        body["enrollment"]: body["position"] for body in bodies if body["status"] == "waitlisted"
    } == dict(waiting.values_list("pk", "position"))
    assert not enrollments.exclude(status__in=["registered", "waitlisted"]).exists()
