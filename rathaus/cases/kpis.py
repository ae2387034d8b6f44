"""Key figures of the cases (Vorgänge) for the E-Government strategy cockpit.

Offered through ``rathaus.core.kpi_registry``, all "as of the end of a day" (Europe/Berlin):

- ``cases.channel_share_<channel>`` (online, counter, post, phone): percent of the applications
  received by then that came through the channel; broken down by service (the channel's share
  of that service's applications).
- ``cases.median_processing_days``: median processing time in calendar days of the cases
  decided by then, from receipt to decision without the time spent waiting for the applicant
  (``Case.processing_seconds``); per service the median of its cases. A case closed without a
  decision counts with its closing time, except a withdrawn one (the city never finished it).
- ``cases.applications_count``: applications received by then (all time), per service.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from rathaus.catalog.constants import Channel
from rathaus.core import kpi_registry
from rathaus.core.kpi_registry import KpiFigure

from .constants import CaseState
from .models import Case

DAY_SECONDS = Decimal(86400)
DAYS_PLACES = Decimal("0.01")


def received_by(as_of) -> Q:
    """Cases received before the end of ``as_of``."""
    return Q(created_at__lt=kpi_registry.end_of_day(as_of))


def decided_by(as_of) -> Q:
    """Cases decided (or, without a decision, closed other than by withdrawal) by ``as_of``."""
    end = kpi_registry.end_of_day(as_of)
    return Q(decided_at__lt=end) | (
        Q(decided_at__isnull=True, closed_at__lt=end) & ~Q(state=CaseState.WITHDRAWN)
    )


def _channel_share(channel: str, as_of) -> KpiFigure:
    rows = (
        Case.objects.filter(received_by(as_of))
        .values("service__name")
        .annotate(total=Count("id"), through=Count("id", filter=Q(channel=channel)))
        .order_by("service__name")
    )
    total: dict[str, int] = defaultdict(int)
    through: dict[str, int] = defaultdict(int)
    for row in rows:
        total[row["service__name"]] += row["total"]
        through[row["service__name"]] += row["through"]
    value = kpi_registry.percent(sum(through.values()), sum(total.values()))
    return KpiFigure(value, {name: kpi_registry.percent(through[name], total[name]) for name in total})


def _register_channel(channel: Channel, label) -> None:
    @kpi_registry.register(
        f"cases.channel_share_{channel.value}",
        label=label,
        unit="percent",
        direction="higher" if channel == Channel.ONLINE else "lower",
        description=_(
            "Share of all applications received up to the day that reached the city through this "
            "channel; per service the channel's share of that service's applications."
        ),
    )
    def compute(as_of=None) -> KpiFigure:
        return _channel_share(channel.value, as_of)


_register_channel(Channel.ONLINE, _("Applications submitted online"))
_register_channel(Channel.COUNTER, _("Applications made at the counter"))
_register_channel(Channel.POST, _("Applications sent by post"))
_register_channel(Channel.PHONE, _("Applications made by phone"))


def _median_days(seconds: list[int]) -> Decimal:
    days = [Decimal(s) / DAY_SECONDS for s in seconds]
    return Decimal(statistics.median(days)).quantize(DAYS_PLACES)


@kpi_registry.register(
    "cases.median_processing_days",
    label=_("Median processing time"),
    unit="days",
    direction="lower",
    description=_(
        "Median of the calendar days from receipt to decision of the cases decided up to the day, "
        "without the time the city waited for the applicant; per service the median of its cases."
    ),
)
def median_processing_days(as_of=None) -> KpiFigure:
    cases = (
        Case.objects.filter(decided_by(as_of))
        .select_related("service")
        .only("created_at", "decided_at", "closed_at", "waiting_since", "waiting_seconds", "service__name")
    )
    per_service: dict[str, list[int]] = defaultdict(list)
    for case in cases.iterator(chunk_size=2000):
        per_service[case.service.name].append(case.processing_seconds)
    if not per_service:
        return KpiFigure(None)
    everything = [s for seconds in per_service.values() for s in seconds]
    breakdown = {name: _median_days(per_service[name]) for name in sorted(per_service)}
    return KpiFigure(_median_days(everything), breakdown)


@kpi_registry.register(
    "cases.applications_count",
    label=_("Applications received"),
    unit="count",
    direction="higher",
    description=_("All applications received up to the day, through every channel; per service."),
)
def applications_count(as_of=None) -> KpiFigure:
    rows = (
        Case.objects.filter(received_by(as_of))
        .values("service__name")
        .annotate(total=Count("id"))
        .order_by("service__name")
    )
    breakdown: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        breakdown[row["service__name"]] += Decimal(row["total"])
    return KpiFigure(Decimal(sum(breakdown.values())), dict(breakdown))
