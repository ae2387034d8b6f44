"""Key figures of the bookings for the E-Government strategy cockpit.

``booking.share_online_bookings``: percent of the bookings made up to the end of a day
(Europe/Berlin) that were made online (``Booking.channel``) rather than entered by staff for a
request at the counter, on the phone or by post; broken down by resource.

Which bookings count: every booking made by then, also one cancelled later (it was made through
its channel), but not an expired one: that is an online reservation whose payment never arrived,
so no booking came about. The status is the current one (bookings keep no status history).
Season slots granted to clubs count as online bookings (the club applied online). Course
enrolments are not bookings and do not count.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.constants import Channel
from rathaus.core import kpi_registry
from rathaus.core.kpi_registry import KpiFigure

from .constants import BookingStatus
from .models import Booking


def counted_bookings(as_of):
    """The bookings the figure counts as of the end of ``as_of``."""
    return Booking.objects.filter(created_at__lt=kpi_registry.end_of_day(as_of)).exclude(
        status=BookingStatus.EXPIRED
    )


@kpi_registry.register(
    "booking.share_online_bookings",
    label=_("Bookings made online"),
    unit="percent",
    direction="higher",
    description=_(
        "Share of the bookings made up to the day (cancelled ones included, expired reservations "
        "not) that were made online; per bookable resource."
    ),
)
def share_online_bookings(as_of=None) -> KpiFigure:
    rows = (
        counted_bookings(as_of)
        .values("resource__name")
        .annotate(total=Count("id"), online=Count("id", filter=Q(channel=Channel.ONLINE)))
        .order_by("resource__name")
    )
    total: dict[str, int] = defaultdict(int)
    online: dict[str, int] = defaultdict(int)
    for row in rows:
        total[row["resource__name"]] += row["total"]
        online[row["resource__name"]] += row["online"]
    value = kpi_registry.percent(sum(online.values()), sum(total.values()))
    return KpiFigure(value, {name: kpi_registry.percent(online[name], total[name]) for name in total})
