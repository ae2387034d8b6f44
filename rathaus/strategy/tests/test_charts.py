"""The SVG charts: well-formed, labelled for screen readers, escaped, distinguishable without colour.

Parsed as XML (defusedxml over the standard library's ElementTree; lxml is not a dependency).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from defusedxml import ElementTree as etree
from django.utils import translation
from django.utils.translation import gettext as _

from rathaus.strategy.charts import bar_chart_svg, line_chart_svg, progress_bar_svg

NS = {"s": "http://www.w3.org/2000/svg"}


@pytest.fixture(autouse=True)
def _german():
    with translation.override("de"):
        yield


def parse(svg: str):
    return etree.fromstring(str(svg).encode())


def assert_labelled(root, title: str, description: str | None = None) -> None:
    assert root.get("role") == "img"
    title_el = root.find("s:title", NS)
    desc_el = root.find("s:desc", NS)
    assert title_el is not None and title_el.text == title
    assert root[0] is title_el  # <title> first, as SVG wants it
    if description is not None:
        assert desc_el.text == description
    ids = root.get("aria-labelledby").split()
    assert ids == [title_el.get("id"), desc_el.get("id")]


SERIES = [
    (date(2024, 1, 31), Decimal("12.5")),
    (date(2024, 6, 30), Decimal("20")),
    (date(2025, 3, 31), Decimal("31.25")),
]
TARGETS = [(date(2024, 12, 31), Decimal("25")), (date(2025, 12, 31), Decimal("40"))]


def test_line_chart_is_labelled_svg():
    root = parse(line_chart_svg(SERIES, TARGETS, unit="%", title="Online-Anteil", description="Verlauf"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert_labelled(root, "Online-Anteil", "Verlauf")


def test_line_chart_targets_differ_by_shape_and_dash_not_only_colour():
    root = parse(line_chart_svg(SERIES, TARGETS, unit="%", title="t", description="d"))
    circles = root.findall("s:circle", NS)
    diamonds = root.findall("s:polygon", NS)
    # three measured points plus the legend sample; two targets plus the legend sample
    assert len(circles) == len(SERIES) + 1
    assert len(diamonds) == len(TARGETS) + 1
    lines = root.findall("s:polyline", NS)
    dashed = [line for line in lines if line.get("stroke-dasharray")]
    solid = [line for line in lines if not line.get("stroke-dasharray")]
    assert len(dashed) == 1 and len(solid) == 1
    # the step line: each target holds until the next one (a horizontal then a vertical segment)
    points = dashed[0].get("points").split()
    assert len(points) == 2 * len(TARGETS) - 1
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert _("Measured value") in texts and _("Target") in texts


def test_line_chart_axes_have_localised_labels():
    root = parse(line_chart_svg(SERIES, TARGETS, unit="%", title="t", description="d"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "0\u00a0%" in texts
    assert "100\u00a0%" in texts  # percentages that fit are shown on a 0–100 axis
    assert any(text and "/2024" in text for text in texts)  # month labels for a short span


def test_line_chart_long_span_labels_years():
    series = [(date(2020, 6, 30), Decimal("3.5")), (date(2025, 6, 30), Decimal("1.25"))]
    root = parse(line_chart_svg(series, [], unit="Tage", title="t", description="d"))
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "2022" in texts
    assert any(text and text.endswith("Tage") for text in texts)
    assert any(text == "1\u00a0Tage" or text == "0,5\u00a0Tage" for text in texts)


def test_line_chart_escapes_text():
    svg = line_chart_svg(SERIES, [], unit="<b>", title='<script>alert("x")</script>', description="a & b")
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find("s:title", NS).text == '<script>alert("x")</script>'
    assert root.find("s:desc", NS).text == "a & b"


def test_line_chart_empty_says_so():
    root = parse(line_chart_svg([], [], unit="%", title="Leer", description="Noch nichts"))
    assert_labelled(root, "Leer")
    assert _("No values yet") in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert root.findall("s:polyline", NS) == []


def test_line_chart_single_point_and_single_target():
    root = parse(
        line_chart_svg(
            [(date(2025, 5, 1), Decimal("7"))],
            [(date(2025, 5, 1), Decimal("5"))],
            unit="",
            title="Eins",
            description="d",
        )
    )
    circle = root.findall("s:circle", NS)[0]
    # drawn inside the plot, not at an edge or at NaN
    x = float(circle.get("cx"))
    assert 72 < x < 640 - 24
    assert root.findall("s:polyline", NS) == []


def test_line_chart_negative_and_constant_values():
    series = [(date(2025, 1, 1), Decimal("-4")), (date(2025, 2, 1), Decimal("-4"))]
    root = parse(line_chart_svg(series, [], unit="", title="t", description="d"))
    ys = [float(c.get("cy")) for c in root.findall("s:circle", NS)[:2]]
    assert all(20 <= y <= 300 - 72 for y in ys)


def test_ids_are_unique_between_charts():
    one = parse(line_chart_svg(SERIES, TARGETS, unit="%", title="a", description="d"))
    two = parse(bar_chart_svg([("x", Decimal(1))], unit="", title="b", description="d"))
    assert one.get("aria-labelledby") != two.get("aria-labelledby")


def test_progress_bar():
    root = parse(progress_bar_svg(Decimal("42.4"), label="HF-01 Online-Dienste"))
    assert_labelled(root, "HF-01 Online-Dienste", _("%(percent)s completed") % {"percent": "42\u00a0%"})
    rects = root.findall("s:rect", NS)
    assert float(rects[1].get("width")) == pytest.approx(160 * 0.424 - 1, abs=0.1)
    assert root.find("s:text", NS).text == "42\u00a0%"


def test_progress_bar_rounds_half_up():
    root = parse(progress_bar_svg(Decimal("16.7"), label="x"))
    assert root.find("s:text", NS).text == "17\u00a0%"
    root = parse(progress_bar_svg(Decimal("42.5"), label="x"))
    assert root.find("s:text", NS).text == "43\u00a0%"


@pytest.mark.parametrize(("value", "filled"), [(0, 0), (None, 0), (150, 160 - 1), (-5, 0)])
def test_progress_bar_clamps(value, filled):
    root = parse(progress_bar_svg(value, label="x"))
    rects = root.findall("s:rect", NS)
    if filled:
        assert float(rects[1].get("width")) == pytest.approx(filled, abs=0.1)
    else:
        assert len(rects) == 1


def test_bar_chart_rows_with_full_labels_and_values():
    long = "Leistungsunterstützung mit einem sehr langen Namen, der abgekürzt wird"
    items = [("Interaktion", Decimal("42.5")), (long, Decimal("80"))]
    root = parse(bar_chart_svg(items, unit="%", title="Fortschritt", description="je Bereich"))
    assert_labelled(root, "Fortschritt", "je Bereich")
    groups = root.findall("s:g", NS)
    assert len(groups) == 2
    assert groups[1].find("s:title", NS).text == f"{long}: 80\u00a0%"
    texts = [t.text for t in groups[1].findall("s:text", NS)]
    assert texts[0].endswith("…") and len(texts[0]) <= 34
    assert groups[0].findall("s:text", NS)[1].text == "42,5\u00a0%"
    widths = [float(g.find("s:rect", NS).get("width")) for g in groups]
    assert widths[1] / widths[0] == pytest.approx(80 / 42.5, rel=0.01)


def test_bar_chart_empty_and_zero():
    root = parse(bar_chart_svg([], unit="", title="Leer", description="d"))
    assert _("No values yet") in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    root = parse(bar_chart_svg([("a", Decimal(0))], unit="", title="Null", description="d"))
    assert root.find("s:g", NS).find("s:rect", NS) is None


def test_charts_render_in_weasyprint():
    from io import BytesIO

    from pypdf import PdfReader
    from weasyprint import HTML

    body = "".join(
        [
            line_chart_svg(SERIES, TARGETS, unit="%", title="Kennzahl", description="d"),
            progress_bar_svg(50, label="p"),
            bar_chart_svg([("Bereich", Decimal(50))], unit="%", title="b", description="d"),
        ]
    )
    pdf = HTML(string=f"<html><body><p>Vorher</p>{body}<p>Nachher</p></body></html>").write_pdf()
    assert pdf.startswith(b"%PDF")
    text = PdfReader(BytesIO(pdf)).pages[0].extract_text()
    assert "Vorher" in text and "Nachher" in text
    assert _("Target") in text  # the SVG's text is drawn into the PDF
