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
    "letter_recipient",
    "receipt_letter",
    "render_information_request_pdf",
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


# Questions of a form that name the person and their address: the form marks them with the
# account field they are prefilled from; these names where a form cannot be read.
RECIPIENT_PREFILLS = {"first_name": "first_name", "last_name": "last_name", "address": "address"}


def _recipient_fields(submission) -> dict[str, str]:
    """``{"first_name": <question>, "last_name": …, "address": …}`` of the submission's form."""
    try:
        from rathaus.forms.engine import FormSpec

        spec = FormSpec.from_json(submission.form_version.schema)
    except Exception:
        return dict(RECIPIENT_PREFILLS)
    found = {}
    for field in spec.top_fields.values():
        source = field.raw.get("prefill")
        if source in RECIPIENT_PREFILLS and source not in found:
            found[source] = field.name
    return found


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def letter_recipient(case) -> dict:
    """To whom a letter of the case goes: ``{"name", "lines"}``, the person's name and the
    address lines of the letter's window (organisation, name, street, postal code and town).

    The person named in the application comes first: name and postal address as the form's
    answers give them (a case entered at the counter or from a letter has no account at all).
    An account fills what the form does not ask for. Empty where neither knows.
    """
    data = case.submission.data if isinstance(case.submission.data, dict) else {}
    fields = _recipient_fields(case.submission)
    first = _text(data.get(fields.get("first_name", "")))
    last = _text(data.get(fields.get("last_name", "")))
    address = data.get(fields.get("address", ""))
    address = address if isinstance(address, dict) else {}
    street = _text(address.get("street"))
    town = " ".join(part for part in (_text(address.get("postal_code")), _text(address.get("city"))) if part)
    applicant = case.applicant
    if applicant is not None:
        if not (first or last):
            first, last = _text(applicant.first_name), _text(applicant.last_name)
        if not (street or town):
            street = _text(applicant.street)
            town = " ".join(part for part in (_text(applicant.postal_code), _text(applicant.city)) if part)
    name = " ".join(part for part in (first, last) if part)
    organisation = case.organisation.name if case.organisation_id else _text(data.get("company_name"))
    lines = [line for line in (organisation, name, street, town) if line]
    return {"name": name, "lines": lines if (street or town) else []}


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
        # Without an account the receipt is handed over or posted: addressed as the application
        # names the person, and it cannot point to "My applications".
        "account": case.applicant_id is not None,
        "recipient": [] if case.applicant_id else letter_recipient(case)["lines"],
    }


def render_receipt_pdf(*, case, letter: dict, rows: list[tuple[str, str]]) -> bytes:
    """Eingangsbestätigung: always German (the official language), as the notice. ``letter``
    comes from ``receipt_letter`` at submission; ``rows`` are the answers with German labels,
    so that no letter mixes languages (the person's messages and pages are in their own)."""
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
                "account": letter.get("account", True),
                "recipient_lines": letter.get("recipient", []),
            },
        )
    return render_pdf(html)


def render_notice_pdf(*, case, notice_template: str, context: dict) -> bytes:
    """Bescheid from the service's template (a Django template text) or the default one,
    addressed to ``context["recipient_lines"]``."""
    with translation.override("de"):
        body = Template(notice_template or DEFAULT_NOTICE_TEMPLATE).render(Context(context, autoescape=True))
        html = render_to_string(
            "cases/pdf/letter.html",
            {
                "case": case,
                "body": body,
                "branding": current_branding(),
                "title": "Bescheid",
                "recipient_lines": context.get("recipient_lines", []),
            },
        )
    return render_pdf(html)


def render_information_request_pdf(*, case, information_request) -> bytes:
    """Nachforderung as a letter, for a person the city reaches by post: what is missing, by
    when, and how to answer (post or in person, with the reference). German, as every letter."""
    recipient = letter_recipient(case)
    with translation.override("de"):
        html = render_to_string(
            "cases/pdf/information_request.html",
            {
                "case": case,
                "service": case.service,
                "department": case.department,
                "information_request": information_request,
                "applicant_name": recipient["name"],
                "recipient_lines": recipient["lines"],
                "branding": current_branding(),
                "title": "Nachforderung",
            },
        )
    return render_pdf(html)
