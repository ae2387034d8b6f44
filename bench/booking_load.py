"""Bookings under contention (issue 4): setup, load and verification in one file.

    booking_load.py setup  --out FILE             # Django: 20 resources, 200 citizens with API tokens
    booking_load.py load   --base URL --setup FILE # aiohttp: C clients POST bookings on loopback
    booking_load.py verify --load-result FILE     # Django + SQL: no overlap, bookings == 201s

``setup`` and ``verify`` run with the project's settings (``DATABASE_URL`` picks the database);
``load`` needs only aiohttp and talks to loopback addresses only, bounded by a number of
attempts and by seconds, whichever comes first.

The resources: 20 public facilities ``bench-platz-01`` … ``-20``, each occupying its own unit,
open every day 06:00–23:00 (also on public holidays), 60-minute slots, no fee and no staff
confirmation (a booking is confirmed at once), horizon 90 days, no lead time, no buffer.
The slot pool the clients choose from is what ``availability.free_slots`` offers for the next
``--days`` days starting tomorrow (17 slots a day per resource, so 20 × 17 × 3 = 1020 slots
by default): small enough that clients collide on the same slot and that the pool runs full.

One attempt is one ``POST /api/v1/booking/bookings/`` with a random resource and a random slot
of the pool, authenticated by the citizen's API token (``Authorization: Token …``). 201 counts
as booked, 409 with code ``taken`` as a correct refusal, everything else as an error.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

from stats import summarize  # bench/ is on sys.path when a script runs

LOOPBACK = {"127.0.0.1", "localhost", "::1"}
PREFIX = "bench-platz-"
RESOURCES_DEFAULT = 20
USERS_DEFAULT = 200
BOOK_PATH = "/api/v1/booking/bookings/"


# --- setup and verify (Django) ----------------------------------------------------------------


def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def setup(args) -> None:
    _django()
    from django.db import transaction
    from django.utils import timezone
    from rest_framework.authtoken.models import Token
    from submit_load import bench_integration_account

    from rathaus.accounts.models import Department
    from rathaus.booking.availability import free_slots
    from rathaus.booking.constants import Audience, ResourceKind
    from rathaus.booking.models import OpeningHours, Resource, Unit

    department = Department.objects.filter(code="Amt 52").first() or Department.objects.order_by("pk").first()
    resources = []
    with transaction.atomic():
        for n in range(1, args.resources + 1):
            slug = f"{PREFIX}{n:02d}"
            unit, _ = Unit.objects.get_or_create(code=slug, defaults={"name": f"Bench-Platz {n}"})
            resource, created = Resource.objects.get_or_create(
                slug=slug,
                defaults={
                    "kind": ResourceKind.FACILITY,
                    "name": f"Bench-Platz {n}",
                    "department": department,
                    "audience": Audience.PUBLIC,
                    "slot_minutes": 60,
                    "min_minutes": 60,
                    "max_minutes": 60,
                    "buffer_minutes": 0,
                    "min_lead_hours": 0,
                    "horizon_days": 90,
                    "closed_on_public_holidays": False,
                    "fee_flat": 0,
                    "fee_per_hour": 0,
                    "needs_confirmation": False,
                    "is_active": True,
                },
            )
            if created:
                resource.units.set([unit])
                OpeningHours.objects.bulk_create(
                    OpeningHours(resource=resource, weekday=day, opens=dt.time(6), closes=dt.time(23))
                    for day in range(7)
                )
            resources.append(resource)
        tokens = []
        for index in range(args.users):
            # Each client a connected booking portal's integration account: only such accounts
            # log in with an API token.
            user = bench_integration_account(f"bench.booker{index:03d}@example.org", f"Booker {index:03d}")
            token, _ = Token.objects.get_or_create(user=user)
            tokens.append({"user": user.pk, "token": token.key})
    today = timezone.localdate()
    first, last = today + dt.timedelta(days=1), today + dt.timedelta(days=args.days)
    pool = {}
    for resource in resources:
        slots = free_slots(resource, start=first, end=last)
        pool[resource.slug] = [[s.starts_at.isoformat(), s.ends_at.isoformat()] for s in slots]
    Path(args.out).write_text(json.dumps({"tokens": tokens, "pool": pool}))
    print(
        json.dumps(
            {
                "setup": "bookings under contention",
                "resources": len(resources),
                "users": len(tokens),
                "days": [first.isoformat(), last.isoformat()],
                "slots_in_pool": sum(len(v) for v in pool.values()),
            }
        )
    )


OVERLAP_SQL = """
SELECT a.unit_id, count(*)
  FROM booking_occupancy a
  JOIN booking_occupancy b
    ON a.unit_id = b.unit_id AND a.id < b.id AND a.active AND b.active
   AND a.starts_at < b.ends_at AND b.starts_at < a.ends_at
 GROUP BY a.unit_id
"""


def verify(args) -> None:
    _django()
    from django.db import connection

    from rathaus.booking.models import Booking, Occupancy

    result = json.loads(Path(args.load_result).read_text())
    with connection.cursor() as cursor:
        cursor.execute(OVERLAP_SQL)
        overlaps = {unit: count for unit, count in cursor.fetchall()}
    bookings = Booking.objects.filter(resource__slug__startswith=PREFIX)
    ids = set(bookings.values_list("pk", flat=True))
    seen = result.get("booking_ids", [])
    report = {
        "booked_201": result["booked"],
        "bookings_in_db": len(ids),
        "confirmed_in_db": bookings.filter(status="confirmed").count(),
        "active_occupancies": Occupancy.objects.filter(booking__in=ids, active=True).count(),
        "overlapping_active_occupancy_pairs": sum(overlaps.values()),
        "units_with_overlaps": len(overlaps),
        "distinct_ids_seen_by_clients": len(set(seen)),
        "client_ids_in_db": len(set(seen) & ids),
    }
    problems = []
    if overlaps:
        problems.append(f"double bookings: {overlaps}")
    if len(ids) != result["booked"]:
        problems.append(f"{len(ids)} bookings in the database but {result['booked']} answers 201")
    if report["confirmed_in_db"] != len(ids) or report["active_occupancies"] != len(ids):
        problems.append("a booking is not confirmed or does not hold exactly one unit")
    if len(set(seen)) != len(seen) or report["client_ids_in_db"] != len(seen):
        problems.append("a booking id a client saw is missing, or two clients saw the same one")
    report["problems"] = problems
    print(json.dumps(report))
    if problems:
        raise SystemExit(1)


# --- load (aiohttp only) ---------------------------------------------------------------------


async def load(args) -> dict:
    import aiohttp

    base = args.base.rstrip("/")
    if urlparse(base).hostname not in LOOPBACK:
        raise SystemExit("booking_load only targets loopback addresses")
    data = json.loads(Path(args.setup).read_text())
    tokens = data["tokens"][: args.concurrency]
    if len(tokens) < args.concurrency:
        raise SystemExit(f"only {len(tokens)} tokens for {args.concurrency} clients")
    choices = [(slug, slot) for slug, slots in data["pool"].items() for slot in slots]
    slugs = sorted(data["pool"])
    rng = random.Random(args.seed)
    url = base + BOOK_PATH
    latencies: list[float] = []
    by_outcome: dict[str, list[float]] = {"booked": [], "taken": []}
    errors: dict[str, int] = {}
    booking_ids: list[int] = []
    booked_at: list[float] = []
    issued = 0
    deadline = time.perf_counter() + args.seconds
    timeout = aiohttp.ClientTimeout(total=60)

    async def client(http, token: str) -> None:
        nonlocal issued
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        while issued < args.attempts and time.perf_counter() < deadline:
            issued += 1
            slug = rng.choice(slugs)  # a random resource, then a random slot of its pool
            starts_at, ends_at = rng.choice(data["pool"][slug])
            body = {"resource": slug, "starts_at": starts_at, "ends_at": ends_at}
            started = time.perf_counter()
            try:
                async with http.post(url, json=body, headers=headers) as response:
                    payload = await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError) as exc:
                kind = f"client {type(exc).__name__}"
                errors[kind] = errors.get(kind, 0) + 1
                latencies.append(time.perf_counter() - started)
                continue
            elapsed = time.perf_counter() - started
            latencies.append(elapsed)
            try:
                answer = json.loads(payload)
            except ValueError:
                answer = {}
            if status == 201 and isinstance(answer.get("id"), int):
                by_outcome["booked"].append(elapsed)
                booking_ids.append(answer["id"])
                booked_at.append(time.perf_counter() - began)
            elif status == 409 and answer.get("code") == "taken":
                by_outcome["taken"].append(elapsed)
            else:
                kind = f"HTTP {status} {answer.get('code', '')}".strip()
                errors[kind] = errors.get(kind, 0) + 1
                if args.verbose:
                    print(f"{kind}: {payload[:200]!r}", file=sys.stderr)

    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(http, record["token"]) for record in tokens))
        elapsed = time.perf_counter() - began
    booked = len(booking_ids)
    first_window = [t for t in booked_at if t <= 10]
    return {
        "test": "POST booking under contention",
        "concurrency": args.concurrency,
        "resources": len(slugs),
        "slots_in_pool": len(choices),
        "seconds": round(elapsed, 2),
        "attempts": len(latencies),
        "booked": booked,
        "taken": len(by_outcome["taken"]),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "pool_booked_pct": round(100 * booked / len(choices), 1) if choices else None,
        "bookings_per_s": round(booked / elapsed, 1),
        "bookings_per_s_first_10s": round(len(first_window) / min(10, elapsed), 1),
        "last_booking_at_s": round(max(booked_at), 2) if booked_at else None,
        "attempts_per_s": round(len(latencies) / elapsed, 1),
        "attempt": summarize(latencies),
        "booked_201": summarize(by_outcome["booked"]),
        "taken_409": summarize(by_outcome["taken"]),
        "booking_ids": booking_ids,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    p_setup = commands.add_parser("setup")
    p_setup.add_argument("--out", required=True)
    p_setup.add_argument("--resources", type=int, default=RESOURCES_DEFAULT)
    p_setup.add_argument("--users", type=int, default=USERS_DEFAULT)
    p_setup.add_argument("--days", type=int, default=3, help="slot pool: this many days from tomorrow")
    p_load = commands.add_parser("load")
    p_load.add_argument("--base", required=True)
    p_load.add_argument("--setup", required=True)
    p_load.add_argument("--concurrency", type=int, default=USERS_DEFAULT)
    p_load.add_argument("--attempts", type=int, default=20000)
    p_load.add_argument("--seconds", type=float, default=30)
    p_load.add_argument("--seed", type=int, default=4)
    p_load.add_argument("--out")
    p_load.add_argument("--verbose", action="store_true")
    p_verify = commands.add_parser("verify")
    p_verify.add_argument("--load-result", required=True)
    args = parser.parse_args()
    if args.command == "setup":
        setup(args)
    elif args.command == "load":
        result = asyncio.run(load(args))
        if args.out:
            Path(args.out).write_text(json.dumps(result))
        print(json.dumps({k: v for k, v in result.items() if k != "booking_ids"}))
    else:
        verify(args)


if __name__ == "__main__":
    main()
