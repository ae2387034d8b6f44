"""Server-rendered, accessible SVG charts for the cockpit, the public page and the council report.

No JavaScript and no chart library: each function returns one inline ``<svg role="img">`` with a
``<title>`` and a ``<desc>`` it is labelled by, so that a screen reader announces what the chart
shows. The data themselves belong in a table next to the chart (the templates put one there);
the SVG is the picture of that table. Measured values and targets differ by shape (circles and a
solid line versus diamonds and a dashed step line), never only by colour, and the colours keep a
contrast of at least 3:1 against white (WCAG 1.4.11). Every text is escaped. The markup uses
plain presentation attributes only (no CSS, no ``style`` attributes), so it passes the content
security policy and renders the same in browsers and in WeasyPrint's PDF.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = ["bar_chart_svg", "line_chart_svg", "progress_bar_svg"]

# Colours with ≥ 3:1 contrast against white (non-text contrast) and ≥ 4.5:1 for text.
INK = "#1b1b1b"
GRID = "#767676"
GRID_LIGHT = "#d0d0d0"
SERIES = "#0b4f8a"  # dark blue: measured values
TARGET = "#a33a00"  # dark orange: targets
BAR = "#0b4f8a"
TRACK = "#6b6b6b"
FONT = "font-family=\"'Fira Sans', 'DejaVu Sans', Arial, sans-serif\""

_ids = itertools.count(1)


def _uid(prefix: str) -> str:
    # unique within a process and therefore within one page or one report
    return f"{prefix}-{next(_ids)}"


def _num(value: Decimal | float | int, digits: int | None = None) -> str:
    """A number as the active locale writes it (``12,5`` in German)."""
    value = Decimal(str(value))
    if digits is None:
        digits = 0 if value == value.to_integral_value() else (1 if abs(value) >= 10 else 2)
    # number_format cuts digits off; round first (16.7 % reads "17 %", not "16 %")
    value = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return formats.number_format(value, decimal_pos=digits, use_l10n=True)


def _with_unit(value: Decimal | float | int, unit: str) -> str:
    text = _num(value)
    if not unit:
        return text
    return f"{text}\u00a0{unit}" if unit != "%" else f"{text}\u00a0%"


def _nice_step(span: float, max_ticks: int = 5) -> float:
    """A 1-2-5 step so that ``span`` fits in at most ``max_ticks`` intervals."""
    if span <= 0:
        return 1.0
    raw = span / max_ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude  # pragma: no cover - loop always returns


def _value_axis(values: Sequence[float], unit: str) -> tuple[float, float, list[float]]:
    """Axis bounds and ticks: starts at 0 for positive data, caps percentages at 100 when they fit."""
    low = min([0.0, *values])
    high = max([0.0, *values])
    if unit == "%" and low >= 0 and high <= 100:
        high = 100.0
    if high == low:
        high = low + 1
    step = _nice_step(high - low)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    ticks = [low + i * step for i in range(round((high - low) / step) + 1)]
    return low, high, ticks


def _date_ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Year starts for long spans, otherwise month starts (at most about six labels)."""
    span_days = (end - start).days
    if span_days >= 2 * 365:
        years = range(start.year + (0 if start == date(start.year, 1, 1) else 1), end.year + 1)
        step = max(1, math.ceil(len(years) / 6))
        return [(date(y, 1, 1), str(y)) for y in years[::step]]
    months = []
    cursor = date(start.year, start.month, 1)
    if cursor < start:
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    while cursor <= end:
        months.append(cursor)
        cursor = date(cursor.year + (cursor.month == 12), cursor.month % 12 + 1, 1)
    step = max(1, math.ceil(len(months) / 6))
    return [(m, formats.date_format(m, "m/Y")) for m in months[::step]]


def _open_svg(*, width: int, height: int, title: str, description: str, css_class: str) -> tuple[str, str]:
    title_id, desc_id = _uid("chart-title"), _uid("chart-desc")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" focusable="false">'
        f'<title id="{title_id}">{escape(title)}</title>'
        f'<desc id="{desc_id}">{escape(description)}</desc>'
    )
    return head, "</svg>"


def _text(x: float, y: float, text: str, *, anchor: str = "start", size: int = 12, weight: str = "") -> str:
    bold = ' font-weight="bold"' if weight else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" fill="{INK}" '
        f"{FONT}{bold}>{escape(text)}</text>"
    )


def _diamond(x: float, y: float, r: float = 5.5) -> str:
    return (
        f'<polygon points="{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}" '
        f'fill="#ffffff" stroke="{TARGET}" stroke-width="2"/>'
    )


def _circle(x: float, y: float, r: float = 4.0) -> str:
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{SERIES}" stroke="{SERIES}" stroke-width="1"/>'


def line_chart_svg(
    series: list[tuple[date, Decimal]],
    targets: list[tuple[date, Decimal]],
    *,
    unit: str,
    title: str,
    description: str,
) -> SafeString:
    """A time series (solid line, filled circles) against targets (dashed step line, diamonds).

    ``unit`` is the short unit written after numbers ("%", "Tage"). An empty chart says so in the
    picture; a single point is drawn as a point in the middle of a one-month window.
    """
    width, height = 640, 300
    left, right, top, bottom = 72, 24, 20, 72
    plot_w, plot_h = width - left - right, height - top - bottom
    head, tail = _open_svg(
        width=width, height=height, title=title, description=description, css_class="strategy-chart"
    )
    parts = [head]
    series = sorted(series, key=lambda p: p[0])
    targets = sorted(targets, key=lambda p: p[0])
    if not series and not targets:
        parts.append(
            f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#ffffff" '
            f'stroke="{GRID_LIGHT}"/>'
        )
        parts.append(_text(left + plot_w / 2, top + plot_h / 2, _("No values yet"), anchor="middle", size=14))
        parts.append(tail)
        return mark_safe("".join(parts))  # every text above is escaped

    dates = [d for d, _v in series] + [d for d, _v in targets]
    start, end = min(dates), max(dates)
    if start == end:
        start, end = start - timedelta(days=15), end + timedelta(days=15)
    span = (end - start).days
    low, high, ticks = _value_axis([float(v) for _d, v in series + targets], unit)

    def x_of(d: date) -> float:
        return left + plot_w * (d - start).days / span

    def y_of(v: Decimal | float) -> float:
        return top + plot_h - plot_h * (float(v) - low) / (high - low)

    # value axis with grid lines
    for tick in ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID_LIGHT}" '
            f'stroke-width="1"/>'
        )
        parts.append(_text(left - 8, y + 4, _with_unit(tick, unit), anchor="end", size=11))
    # time axis
    parts.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{GRID}" '
        f'stroke-width="1.5"/>'
    )
    parts.append(
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{GRID}" stroke-width="1.5"/>'
    )
    for tick_date, label in _date_ticks(start, end):
        x = x_of(tick_date)
        parts.append(
            f'<line x1="{x:.1f}" y1="{top + plot_h}" x2="{x:.1f}" y2="{top + plot_h + 5}" stroke="{GRID}"/>'
        )
        parts.append(_text(x, top + plot_h + 18, label, anchor="middle", size=11))

    # targets: a dashed step line (a target holds until the next one) and hollow diamonds
    if targets:
        points = []
        for index, (d, v) in enumerate(targets):
            x, y = x_of(d), y_of(v)
            if index:
                points.append(f"{x:.1f},{points[-1].split(',')[1]}")
            points.append(f"{x:.1f},{y:.1f}")
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(points)}" fill="none" stroke="{TARGET}" stroke-width="2" '
                f'stroke-dasharray="6 4"/>'
            )
        parts.extend(_diamond(x_of(d), y_of(v)) for d, v in targets)
    # measured values: a solid line and filled circles
    if series:
        if len(series) > 1:
            points = " ".join(f"{x_of(d):.1f},{y_of(v):.1f}" for d, v in series)
            parts.append(f'<polyline points="{points}" fill="none" stroke="{SERIES}" stroke-width="2.5"/>')
        parts.extend(_circle(x_of(d), y_of(v)) for d, v in series)

    # legend below the axis: shape and dash carry the meaning, not the colour
    legend_y = height - 18
    parts.append(
        f'<line x1="{left}" y1="{legend_y}" x2="{left + 28}" y2="{legend_y}" stroke="{SERIES}" stroke-width="2.5"/>'
    )
    parts.append(_circle(left + 14, legend_y))
    parts.append(_text(left + 36, legend_y + 4, _("Measured value"), size=12))
    tx = left + 200
    parts.append(
        f'<line x1="{tx}" y1="{legend_y}" x2="{tx + 28}" y2="{legend_y}" stroke="{TARGET}" stroke-width="2" '
        f'stroke-dasharray="6 4"/>'
    )
    parts.append(_diamond(tx + 14, legend_y))
    parts.append(_text(tx + 36, legend_y + 4, _("Target"), size=12))
    parts.append(tail)
    return mark_safe("".join(parts))  # every text above is escaped


def progress_bar_svg(percent: Decimal | float | int | None, *, label: str) -> SafeString:
    """A small bar with its percentage written next to it (the number is in the picture, too)."""
    value = Decimal(str(percent if percent is not None else 0))
    value = min(max(value, Decimal(0)), Decimal(100))
    width, height, bar_w = 220, 20, 160
    text = f"{_num(value, 0)}\u00a0%"
    head, tail = _open_svg(
        width=width,
        height=height,
        title=label,
        description=_("%(percent)s completed") % {"percent": text},
        css_class="strategy-progress",
    )
    fill_w = bar_w * float(value) / 100
    parts = [
        head,
        f'<rect x="0.5" y="3.5" width="{bar_w - 1}" height="13" fill="#ffffff" stroke="{TRACK}" stroke-width="1"/>',
    ]
    if fill_w > 0:
        parts.append(f'<rect x="0.5" y="3.5" width="{max(fill_w - 1, 1):.1f}" height="13" fill="{BAR}"/>')
    parts.append(_text(bar_w + 8, 15, text, size=12))
    parts.append(tail)
    return mark_safe("".join(parts))  # every text above is escaped


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart_svg(
    items: list[tuple[str, Decimal]],
    *,
    unit: str,
    title: str,
    description: str,
) -> SafeString:
    """Horizontal bars, one per labelled value, each with its number written at its end.

    Long labels are shortened in the picture; the full label stays in a ``<title>`` of the row
    (and in the data table beside the chart).
    """
    row_h, label_w, value_w = 28, 230, 80
    width = 640
    plot_w = width - label_w - value_w - 16
    height = max(1, len(items)) * row_h + 16
    head, tail = _open_svg(
        width=width, height=height, title=title, description=description, css_class="strategy-bars"
    )
    parts = [head]
    if not items:
        parts.append(_text(8, 22, _("No values yet"), size=14))
        parts.append(tail)
        return mark_safe("".join(parts))  # every text above is escaped
    values = [float(v) for _label, v in items]
    high = max([0.0, *values])
    if unit == "%" and high <= 100:
        high = 100.0
    high = high or 1.0
    x0 = label_w + 8
    parts.append(f'<line x1="{x0}" y1="4" x2="{x0}" y2="{height - 8}" stroke="{GRID}" stroke-width="1.5"/>')
    for index, (label, value) in enumerate(items):
        y = 8 + index * row_h
        bar = plot_w * max(float(value), 0.0) / high
        parts.append("<g>")
        parts.append(f"<title>{escape(label)}: {escape(_with_unit(value, unit))}</title>")
        parts.append(_text(label_w, y + 15, _shorten(label, 34), anchor="end", size=12))
        if bar > 0:
            parts.append(f'<rect x="{x0}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 10}" fill="{BAR}"/>')
        parts.append(_text(x0 + bar + 6, y + 15, _with_unit(value, unit), size=12))
        parts.append("</g>")
    parts.append(tail)
    return mark_safe("".join(parts))  # every text above is escaped
