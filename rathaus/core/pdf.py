"""PDF documents of the city (letters, reports) from HTML, with WeasyPrint.

Every PDF is tagged and declared PDF/UA-1: a structure tree with headings, paragraphs and table
header cells, the document language and the title shown by readers, so screen readers can read
letters and reports as they read the portal (BITV 2.0). Tagging costs about 4 ms per one- or
two-page letter.
"""

from __future__ import annotations

import threading

__all__ = ["PDF_VARIANT", "render_pdf"]

PDF_VARIANT = "pdf/ua-1"

_fonts = threading.local()


def render_pdf(html: str) -> bytes:
    """The PDF of a complete HTML document (``<html lang>`` and ``<title>`` set: they become
    the PDF's language and title)."""
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    # One font configuration per thread, reused: setting up fontconfig again for every document
    # took about a third of a letter's rendering time (issue 3 benchmark). Our documents have no
    # @font-face rules, so nothing accumulates in it.
    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    return HTML(string=html).write_pdf(font_config=_fonts.config, pdf_variant=PDF_VARIANT)
