import io

import pytest
from django.core.exceptions import PermissionDenied
from pypdf import PdfReader

from rathaus.cases.models import Case, DocumentKind, ServiceWorkflow
from rathaus.cases.services import case_decide, case_transition
from rathaus.cases.workflow import DEFAULT_WORKFLOW


def _text(document) -> str:
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_decide_issues_notice_pdf_with_reference_and_outcome(case, caseworker):
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    notice = case_decide(
        case=case, acting_user=caseworker, outcome="granted", reasoning="Voraussetzungen erfüllt."
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "decided" and stored.decided_at is not None
    assert notice.document.kind == DocumentKind.NOTICE
    text = _text(notice.document)
    assert case.reference in text
    assert "stattgegeben" in text or "granted" in text
    assert "Rechtsbehelfsbelehrung" in text
    with notice.document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    # Tagged PDF/UA-1 like every letter (structure checked in test_receipt).
    assert reader.metadata.title == f"Bescheid {case.reference}"
    assert reader.trailer["/Root"]["/Lang"] == "de" and "/StructTreeRoot" in reader.trailer["/Root"]


def test_service_notice_template_is_used(case, service, caseworker):
    ServiceWorkflow.objects.create(
        service=service,
        definition=DEFAULT_WORKFLOW,
        notice_template="<h1>Parkausweis-Bescheid</h1><p>{{ case.reference }}: {{ outcome_label }}</p>",
    )
    case = Case.objects.get(pk=case.pk)
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    notice = case_decide(case=case, acting_user=caseworker, outcome="refused", reasoning="Kein Wohnsitz.")
    text = _text(notice.document)
    assert "Parkausweis-Bescheid" in text and case.reference in text


def test_applicant_cannot_decide(case, citizen, caseworker):
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    with pytest.raises(PermissionDenied):
        case_decide(case=case, acting_user=citizen, outcome="granted", reasoning="selbst genehmigt")
