"""Periods a key-figure value is recorded for: a year, a quarter, a month or a day.

People type them as they write them: "2026", "2026-Q3" or "Q3 2026", "2026-11" or "11/2026",
"2026-11-28" or "28.11.2026". ``parse_period`` turns such a text into the first and last day and
a canonical label (which parses back to the same period); a period that does not exist
("2026-Q5", "2026-13", "30.02.2026") or that has not begun yet is refused with a message that
says why, so a value is never filed under a period nobody meant.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext as _

__all__ = ["Period", "parse_period", "period_for", "period_label"]


class Period(NamedTuple):
    start: dt.date
    end: dt.date
    label: str


_PATTERNS = [
    ("year", re.compile(r"(?P<year>\d{4})")),
    ("quarter", re.compile(r"(?P<year>\d{4})\s*[-/]?\s*Q\s*(?P<quarter>\d{1,2})", re.IGNORECASE)),
    ("quarter", re.compile(r"Q\s*(?P<quarter>\d{1,2})\s*[-/]?\s*(?P<year>\d{4})", re.IGNORECASE)),
    ("month", re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})")),
    ("month", re.compile(r"(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})")),
    ("day", re.compile(r"(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})")),
    ("day", re.compile(r"(?P<day>\d{1,2})\.\s*(?P<month>\d{1,2})\.\s*(?P<year>\d{4})")),
]


def _last_of_month(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_label(start: dt.date, end: dt.date) -> str:
    """The canonical text of a period ("2026", "Q3 2026", "11/2026", "28.11.2026"); any other
    span reads "from – to"."""
    year = start.year
    if start == end:
        return f"{start.day:02d}.{start.month:02d}.{year}"
    if start.day == 1 and end == _last_of_month(year, start.month):
        return f"{start.month:02d}/{year}"
    if start == dt.date(year, 1, 1) and end == dt.date(year, 12, 31):
        return str(year)
    if start.day == 1 and start.month % 3 == 1 and end == _last_of_month(year, start.month + 2):
        return f"Q{start.month // 3 + 1} {year}"
    return (
        f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} – {formats.date_format(end, 'SHORT_DATE_FORMAT')}"
    )


def period_for(kind: str, day: dt.date) -> Period:
    """The year, quarter, month or day (``kind``) that contains ``day``."""
    if kind == "year":
        start, end = dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    elif kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        start, end = dt.date(day.year, first_month, 1), _last_of_month(day.year, first_month + 2)
    elif kind == "month":
        start, end = day.replace(day=1), _last_of_month(day.year, day.month)
    elif kind == "day":
        start = end = day
    else:
        raise ValueError(f"unknown kind of period {kind!r}")
    return Period(start, end, period_label(start, end))


def _build(kind: str, parts: dict[str, str], text: str) -> Period:
    year = int(parts["year"])
    if year < 1900:
        raise ValidationError(_("Please enter a year from 1900 on."), code="year")
    if kind == "year":
        return period_for("year", dt.date(year, 1, 1))
    if kind == "quarter":
        quarter = int(parts["quarter"])
        if not 1 <= quarter <= 4:
            raise ValidationError(
                _("There is no quarter %(quarter)s: a year has the quarters Q1 to Q4.")
                % {"quarter": quarter},
                code="no_such_period",
            )
        return period_for("quarter", dt.date(year, quarter * 3 - 2, 1))
    month = int(parts["month"])
    if not 1 <= month <= 12:
        raise ValidationError(
            _("There is no month %(month)s: months are numbered 1 to 12.") % {"month": month},
            code="no_such_period",
        )
    if kind == "month":
        return period_for("month", dt.date(year, month, 1))
    try:
        day = dt.date(year, month, int(parts["day"]))
    except ValueError:
        raise ValidationError(
            _("The day %(text)s does not exist in the calendar.") % {"text": text},
            code="no_such_period",
        ) from None
    return period_for("day", day)


def parse_period(text: str, *, today: dt.date | None = None) -> Period:
    """The period ``text`` names; ValidationError if it is malformed, does not exist or starts
    after ``today`` (the city's today when None)."""
    text = " ".join(str(text or "").split())
    if not text:
        raise ValidationError(_("Please enter the period the value is for."), code="required")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            period = _build(kind, match.groupdict(), text)
            break
    else:
        raise ValidationError(
            _(
                "“%(text)s” is not a period Rathaus understands. Enter a year (2026), a quarter "
                "(Q3 2026 or 2026-Q3), a month (11/2026 or 2026-11) or a day (28.11.2026 or 2026-11-28)."
            )
            % {"text": text},
            code="invalid",
        )
    today = today or timezone.localdate()
    if period.start > today:
        raise ValidationError(
            _(
                "The period %(period)s has not begun yet: values can only be recorded for periods that have started."
            )
            % {"period": period.label},
            code="future",
        )
    return period
