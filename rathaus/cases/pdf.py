"""PDF letters of a case (receipt, notice), rendered from HTML with WeasyPrint.

Letters carry what the recipient needs and no more: the receipt names the reference, the
service, the date and the answers given, but no data from the account profile.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language

from rathaus.core.context_processors import current_branding
from rathaus.core.models import sender_address_lines
from rathaus.core.pdf import render_pdf

# The notice is an official German letter; its wording does not depend on the UI language.
OUTCOME_WORDING = {
    "granted": "Dem Antrag wird stattgegeben.",
    "partly_granted": "Dem Antrag wird teilweise stattgegeben.",
    "refused": "Der Antrag wird abgelehnt.",
}

__all__ = [
    "DEFAULT_NOTICE_TEMPLATE",
    "OUTCOME_WORDING",
    "receipt_letter",
    "render_notice_pdf",
    "render_receipt_pdf",
]

DEFAULT_NOTICE_TEMPLATE = """{% load i18n %}
<h1>Bescheid</h1>
<p class="meta">Aktenzeichen: <strong>{{ case.reference }}</strong><br>
Datum: {{ decided_at|date:"d.m.Y" }}<br>
Leistung: {{ service.name }}</p>
{% if applicant_name %}<p>Sehr geehrte/r {{ applicant_name }},</p>{% else %}<p>Sehr geehrte Damen und Herren,</p>{% endif %}
<p>über Ihren Antrag vom {{ case.created_at|date:"d.m.Y" }} wird wie folgt entschieden:</p>
<p class="outcome">Ergebnis: <strong>{{ outcome_label }}</strong></p>
<h2>Gründe</h2>
<p>{{ reasoning|linebreaksbr }}</p>
{% if case.fee %}<h2>Kosten</h2><p>Für diesen Bescheid wird eine Gebühr von {{ case.fee }} EUR erhoben.</p>{% endif %}
<h2>Rechtsbehelfsbelehrung</h2>
<p>Gegen diesen Bescheid kann innerhalb eines Monats nach seiner Bekanntgabe Klage erhoben werden
bei dem Bayerischen Verwaltungsgericht Regensburg, Haidplatz 1, 93047 Regensburg, schriftlich,
zur Niederschrift des Urkundsbeamten der Geschäftsstelle oder elektronisch in einer für den
Schriftformersatz zugelassenen Form. Die Klage muss den Kläger, den Beklagten (Freistaat Bayern
bzw. die erlassende Körperschaft) und den Gegenstand des Klagebegehrens bezeichnen.</p>
<p class="small">Hinweis: Durch das Gesetz zur Ausführung der Verwaltungsgerichtsordnung ist das
Widerspruchsverfahren in Bayern in den meisten Rechtsbereichen abgeschafft. Die Einlegung eines
Rechtsbehelfs per einfacher E-Mail ist nicht zugelassen und entfaltet keine rechtlichen Wirkungen.</p>
<p>Mit freundlichen Grüßen<br>{{ department.name }}</p>
"""


def receipt_letter(*, case) -> dict:
    """What the receipt of a new case says besides its reference, date and answers, as of now:
    the service's and department's names, the deadline and fee, the city's sender line, and
    the language the answers were given in. Stored with the receipt, so a PDF rendered later
    reads exactly as one rendered at submission (the deadline, for one, moves while a case
    waits for its applicant)."""
    branding = current_branding()
    return {
        "language": get_language() or "de",
        "service": case.service.name,
        "department": [case.department.code, case.department.name],
        "due_at": case.due_at.isoformat() if case.due_at else None,
        "fee": str(case.fee) if case.fee is not None else None,
        "city_name": branding.city_name,
        "postal_address": branding.postal_address,
    }


def render_receipt_pdf(*, case, letter: dict, rows: list[tuple[str, str]]) -> bytes:
    """Eingangsbestätigung: always German (the official language), as the notice. ``letter``
    comes from ``receipt_letter`` at submission; ``rows`` are the answers in its language."""
    code, name = letter["department"]
    frozen = SimpleNamespace(
        reference=case.reference,
        created_at=case.created_at,
        due_at=dt.datetime.fromisoformat(letter["due_at"]) if letter["due_at"] else None,
        fee=Decimal(letter["fee"]) if letter["fee"] is not None else None,
        department=SimpleNamespace(code=code, name=name),
    )
    branding = SimpleNamespace(
        city_name=letter["city_name"],
        postal_address=letter["postal_address"],
        sender_address_lines=sender_address_lines(letter["city_name"], letter["postal_address"]),
    )
    with translation.override("de"):
        html = render_to_string(
            "cases/pdf/receipt.html",
            {
                "case": frozen,
                "service": SimpleNamespace(name=letter["service"]),
                "rows": rows,
                "branding": branding,
                "title": "Eingangsbestätigung",
            },
        )
    return render_pdf(html)


def render_notice_pdf(*, case, notice_template: str, context: dict) -> bytes:
    """Bescheid from the service's template (a Django template text) or the default one."""
    with translation.override("de"):
        body = Template(notice_template or DEFAULT_NOTICE_TEMPLATE).render(Context(context, autoescape=True))
        html = render_to_string(
            "cases/pdf/letter.html",
            {"case": case, "body": body, "branding": current_branding(), "title": "Bescheid"},
        )
    return render_pdf(html)
