"""The receipt (Eingangsbestätigung): there at once, its PDF made once, later, as of submission.

A submission stores the receipt document and its mailbox message in its own transaction; the
PDF is rendered by the task worker after the commit or on first access, whichever comes first,
from what the letter said at submission.
"""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from rathaus.cases import pdf
from rathaus.cases.models import Document, DocumentKind
from rathaus.cases.services import document_file_ensure
from rathaus.cases.views import document_response
from rathaus.core.context_processors import current_branding
from rathaus.mailbox.models import Message

from .factories import make_case


def _text(document: Document) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def _stored_receipts(settings) -> list:
    folder = settings.MEDIA_ROOT / "cases"
    return sorted(path for path in folder.rglob("*.pdf")) if folder.exists() else []


def test_receipt_and_its_message_exist_before_the_pdf(case, citizen):
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    assert not receipt.file and receipt.letter["service"] == "Bewohnerparkausweis"
    message = Message.objects.get(thread__case=case)
    assert list(message.documents.all()) == [receipt]
    assert case.reference in message.body


def test_first_access_renders_and_stores_later_ones_stream_the_stored_file(case, settings):
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    with mock.patch.object(pdf, "render_receipt_pdf", wraps=pdf.render_receipt_pdf) as render:
        first = b"".join(document_response(receipt).streaming_content)
        stored = Document.objects.get(pk=receipt.pk)
        again = b"".join(document_response(stored).streaming_content)
    assert render.call_count == 1
    assert first == again and first.startswith(b"%PDF")
    assert stored.file.name.endswith(f"{case.reference}-eingangsbestaetigung.pdf")
    assert len(_stored_receipts(settings)) == 1


def test_two_renders_at_once_store_one_file(case, settings):
    # Both loaded the row before either stored its PDF (two downloads, or a download and the
    # task worker): the second loses the compare-and-set, deletes its own file, takes the first.
    one = case.documents.get(kind=DocumentKind.RECEIPT)
    two = Document.objects.get(pk=one.pk)
    document_file_ensure(document=one)
    document_file_ensure(document=two)
    assert one.file.name == two.file.name == Document.objects.get(pk=one.pk).file.name
    assert len(_stored_receipts(settings)) == 1


def test_receipt_reads_as_of_submission_not_as_of_rendering(case, service, department):
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    due = case.due_at
    service.name = "Neuer Name der Leistung"
    service.save()
    department.name = "Umbenanntes Amt"
    department.save()
    case.due_at = due + dt.timedelta(days=30)  # e.g. the case waited for the applicant
    case.save()
    text = _text(document_file_ensure(document=receipt))
    assert "Bewohnerparkausweis" in text and "Neuer Name" not in text
    assert "Ordnungsamt" in text and "Umbenanntes" not in text
    assert timezone.localtime(case.created_at).strftime("%d.%m.%Y, %H:%M") in text  # submitted, not rendered
    assert timezone.localtime(due).strftime("%d.%m.%Y") in text
    assert timezone.localtime(case.due_at).strftime("%d.%m.%Y") not in text


def test_receipt_letter_is_the_template_rendered_with_the_case_as_it_was(service, citizen):
    # The same template and the same data as when receipts were rendered inside the submission.
    with mock.patch.object(pdf, "render_pdf", side_effect=lambda html: html.encode()):
        case = make_case(service, applicant=citizen)
        receipt = case.documents.get(kind=DocumentKind.RECEIPT)
        from rathaus.cases.selectors import submission_summary_rows

        rows = submission_summary_rows(case.submission)
        html = pdf.render_receipt_pdf(case=case, letter=receipt.letter, rows=rows).decode()
    with translation.override("de"):
        expected = render_to_string(
            "cases/pdf/receipt.html",
            {
                "case": case,
                "service": case.service,
                "rows": rows,
                "branding": current_branding(),
                "title": "Eingangsbestätigung",
                "account": True,
                "recipient_lines": [],
            },
        )
    assert html == expected


def test_the_task_worker_renders_waiting_receipts_in_rounds(
    service, citizen, django_capture_on_commit_callbacks, monkeypatch
):
    """The submission writes no task row for its receipt; the worker's periodic round renders
    what waits, oldest first, and queues one more round while some are left."""
    from rathaus.cases import services as case_services
    from rathaus.cases.tasks import receipts_render

    with django_capture_on_commit_callbacks(execute=True):
        first = make_case(service, applicant=citizen)
        second = make_case(service, applicant=citizen)
    assert not DBTaskResult.objects.exists()
    # A round with no time left renders one letter and queues the next round, only once.
    monkeypatch.setattr(case_services.time, "monotonic", iter([0.0, 0.0, 99.0, 99.0, 99.0]).__next__)
    assert receipts_render.call() == 1
    assert DBTaskResult.objects.filter(task_path=receipts_render.module_path).count() == 1
    monkeypatch.undo()
    assert receipts_render.call() == 1
    assert DBTaskResult.objects.filter(task_path=receipts_render.module_path).count() == 1
    for case in (first, second):
        receipt = case.documents.get(kind=DocumentKind.RECEIPT)
        assert case.reference in _text(receipt)
    assert receipts_render.call() == 0  # nothing left: no further round


def test_receipt_rounds_are_a_periodic_job_of_the_worker():
    from rathaus.cases.tasks import receipts_render
    from rathaus.core.periodic import _registry

    assert _registry[receipts_render.module_path].every.total_seconds() == 60


def test_counter_channel_receipt_works_the_same(service, citizen, caseworker):
    from rathaus.cases.services import case_create

    from .factories import make_submission

    submission = make_submission(service, applicant=citizen, channel="counter", entered_by=caseworker)
    case = case_create(submission=submission, acting_user=caseworker)
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    assert not receipt.file
    assert case.reference in _text(document_file_ensure(document=receipt))


def _structure_kinds(node, kinds: dict) -> dict:
    node = node.get_object()
    if "/S" in node:
        kinds[node["/S"]] = kinds.get(node["/S"], 0) + 1
    children = node.get("/K")
    for child in children if isinstance(children, list) else [children]:
        if child is not None and hasattr(child, "get_object") and isinstance(child.get_object(), dict):
            _structure_kinds(child, kinds)
    return kinds


def test_receipt_is_a_tagged_pdf_ua_document_with_language_and_title(case):
    """Screen readers read letters as they read the portal (BITV 2.0): structure tree with the
    heading and the answers as table rows with header cells, German, titled, PDF/UA-1."""
    receipt = document_file_ensure(document=case.documents.get(kind=DocumentKind.RECEIPT))
    with receipt.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert catalog["/Lang"] == "de"
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title == f"Eingangsbestätigung {case.reference}"
    assert 'pdfuaid:part="1"' in catalog["/Metadata"].get_object().get_data().decode()
    kinds = _structure_kinds(catalog["/StructTreeRoot"], {})
    rows = len(case.submission.data) if isinstance(case.submission.data, dict) else 0
    assert kinds.get("/H1") == 1 and kinds.get("/Table", 0) >= 1
    assert kinds.get("/TH", 0) >= 4 + min(rows, 1)  # reference, service, date, department, answers
    assert kinds.get("/TH") == kinds.get("/TD")  # every value has its label as header cell


def test_the_sender_line_names_city_department_and_address_once(service, citizen):
    from django.core.cache import cache

    from rathaus.core.context_processors import BRANDING_CACHE_KEY
    from rathaus.core.models import SiteBranding

    branding = SiteBranding.current()
    SiteBranding.objects.filter(pk=branding.pk).update(
        postal_address=f"{branding.city_name}\nRathausplatz 1\n93047 Regensburg"
    )
    cache.delete(BRANDING_CACHE_KEY)
    case = make_case(service, applicant=citizen)
    receipt = document_file_ensure(document=case.documents.get(kind=DocumentKind.RECEIPT))
    first_line = _text(receipt).splitlines()[0]
    assert first_line == (
        f"{branding.city_name} · {case.department.name} · Rathausplatz 1 · 93047 Regensburg"
    ), first_line


def test_a_long_receipt_never_splits_a_label_from_its_answer(case):
    """Forty answers of several lines each: the letter runs over pages, and each row's label
    and the last line of its answer are on the same page."""
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    rows = [
        (f"Frage {n:02d}", " ".join(["Lange Antwort mit vielen Wörtern"] * 12) + f" Ende{n:02d}")
        for n in range(40)
    ]
    content = pdf.render_receipt_pdf(case=case, letter=receipt.letter, rows=rows)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]
    assert len(pages) > 2
    for n in range(40):
        label_pages = [i for i, text in enumerate(pages) if f"Frage {n:02d}" in text]
        end_pages = [i for i, text in enumerate(pages) if f"Ende{n:02d}" in text]
        assert label_pages == end_pages and len(label_pages) == 1, f"row {n} split: {label_pages} {end_pages}"
