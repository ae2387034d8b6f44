"""Free-slot computation under a full season plan (issue 4 target: p95 < 30 ms).

Builds a triple hall (whole hall + three thirds) with opening hours 08–22 every day and a full
season plan: every third is taken Monday–Friday 16:00–22:00 in 90-minute club slots and on
weekends 09:00–13:00, as weekly recurring bookings over the next 90 days (with 15-minute
buffers), plus a blackout and a few holidays on the way. Then times ``free_slots`` for one
resource over 90 days, in-process, next to a floor (one primary-key query).
Prints one JSON line per measured call. Run through ``bench/booking_slots.sh``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from rathaus.accounts.models import Department  # noqa: E402
from rathaus.booking.availability import BERLIN, free_slots  # noqa: E402
from rathaus.booking.constants import BookingStatus  # noqa: E402
from rathaus.booking.models import Blackout, Booking, Occupancy, OpeningHours, Resource, Unit  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "300"))
DAYS = 90


@transaction.atomic
def build() -> dict[str, Resource]:
    department, _ = Department.objects.get_or_create(code="Amt 52", defaults={"name": "Sportamt"})
    Resource.objects.filter(slug__startswith="bench-").delete()
    thirds = [
        Unit.objects.get_or_create(code=f"bench-drittel-{n}", defaults={"name": f"Drittel {n}"})[0]
        for n in (1, 2, 3)
    ]
    Occupancy.objects.filter(unit__in=thirds).delete()
    Booking.objects.filter(resource__slug__startswith="bench-").delete()
    Resource.objects.filter(slug__startswith="bench-").delete()
    common = {
        "department": department,
        "slot_minutes": None,
        "min_minutes": 60,
        "max_minutes": 240,
        "buffer_minutes": 15,
    }
    resources = {"whole": Resource.objects.create(slug="bench-ganz", name="Halle ganz", **common)}
    resources["whole"].units.set(thirds)
    for n, unit in enumerate(thirds, start=1):
        resources[f"third{n}"] = Resource.objects.create(
            slug=f"bench-drittel-{n}", name=f"Drittel {n}", **common
        )
        resources[f"third{n}"].units.set([unit])
    for resource in resources.values():
        OpeningHours.objects.bulk_create(
            OpeningHours(resource=resource, weekday=d, opens=dt.time(8), closes=dt.time(22)) for d in range(7)
        )
    today = timezone.localdate()
    bookings, occupancies = [], []
    for offset in range(DAYS + 1):
        day = today + dt.timedelta(days=offset)
        starts = (
            [dt.time(16), dt.time(17, 30), dt.time(19), dt.time(20, 30)]
            if day.weekday() < 5
            else [dt.time(9), dt.time(11)]
        )
        for n, unit in enumerate(thirds, start=1):
            for start in starts:
                begin = dt.datetime.combine(day, start, tzinfo=BERLIN)
                booking = Booking(
                    resource=resources[f"third{n}"], starts_at=begin, ends_at=begin + dt.timedelta(minutes=75),
                    status=BookingStatus.CONFIRMED, public_label="TSV",
                )  # fmt: skip
                bookings.append(booking)
                occupancies.append((booking, unit, begin, begin + dt.timedelta(minutes=90)))
    Booking.objects.bulk_create(bookings)
    Occupancy.objects.bulk_create(
        Occupancy(booking=b, unit=u, starts_at=s, ends_at=e) for b, u, s, e in occupancies
    )
    monday = today + dt.timedelta(days=14)
    Blackout.objects.create(
        unit=thirds[0], starts_at=dt.datetime.combine(monday, dt.time(8), tzinfo=BERLIN),
        ends_at=dt.datetime.combine(monday, dt.time(12), tzinfo=BERLIN), reason="Wartung",
    )  # fmt: skip
    return resources | {"occupancies": len(occupancies)}


def timed(label: str, call) -> dict:
    call()  # warm
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        result = call()
    samples.sort()
    return {
        "what": label,
        "runs": RUNS,
        "p50_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[int(len(samples) * 0.95) - 1], 2),
        "p99_ms": round(samples[int(len(samples) * 0.99) - 1], 2),
        "queries": len(queries),
        "result_size": len(result) if hasattr(result, "__len__") else 1,
    }


def main() -> None:
    resources = build()
    today = timezone.localdate()
    end = today + dt.timedelta(days=DAYS - 1)
    print(
        json.dumps({"vendor": connection.vendor, "occupancies": resources.pop("occupancies")}),
        file=sys.stderr,
    )
    rows = [
        timed(
            "floor: one primary-key query", lambda: [Unit.objects.get(pk=Unit.objects.only("pk").first().pk)]
        ),
    ]
    for name in ("whole", "third1"):
        resource = Resource.objects.get(pk=resources[name].pk)
        rows.append(
            timed(f"free_slots({name}, 90 days)", lambda r=resource: free_slots(r, start=today, end=end))
        )
    fixed = resources["third2"]
    fixed.slot_minutes = 90
    fixed.save()
    rows.append(
        timed(
            "free_slots(third2, 90 days, 90-min fixed slots)", lambda: free_slots(fixed, start=today, end=end)
        )
    )
    for row in rows:
        print(json.dumps({"vendor": connection.vendor, **row}))


if __name__ == "__main__":
    main()
