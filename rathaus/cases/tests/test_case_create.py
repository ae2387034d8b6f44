import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from rathaus.cases.constants import CaseAuditAction
from rathaus.cases.deadlines import add_working_days
from rathaus.cases.models import Case, DocumentKind
from rathaus.catalog.constants import Channel
from rathaus.core.models import AuditEntry

from .factories import make_submission


def _pdf_text(document) -> str:
    from rathaus.cases.services import document_file_ensure

    document = document_file_ensure(document=document)  # the receipt's PDF is made on first access
    with document.file.open("rb") as handle:
        return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(handle.read())).pages)


def test_case_gets_department_fee_deadline_and_event(case, service, department):
    assert case.department == department
    assert case.state == "received"
    assert case.fee == Decimal("30.00")
    assert case.due_at > case.created_at
    assert case.events.filter(kind="received", public=True).exists()
    assert AuditEntry.objects.filter(action=CaseAuditAction.CASE_CREATED, object_id=str(case.pk)).exists()


def test_working_days_skip_weekends_and_bavarian_holidays():
    import datetime as dt

    # Friday 2026-12-18 + 5 working days: 21, 22, 23, (24 is a working day), 24, 28 (25/26 holidays)
    assert add_working_days(dt.date(2026, 12, 18), 5) == dt.date(2026, 12, 28)
    # Epiphany (6 January) is a holiday in Bavaria.
    assert add_working_days(dt.date(2027, 1, 5), 1) == dt.date(2027, 1, 7)


def test_receipt_pdf_contains_reference_and_no_profile_data(case, citizen):
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    text = _pdf_text(receipt)
    assert case.reference in text
    assert "Eingangsbestätigung" in text
    assert "Neuer Wohnsitz Domplatz" in text  # the answers
    assert citizen.email not in text and citizen.last_name not in text


def test_counter_channel_is_recorded_on_the_case(service, citizen, caseworker):
    from rathaus.cases.services import case_create

    submission = make_submission(service, applicant=citizen, channel=Channel.COUNTER, entered_by=caseworker)
    case = case_create(submission=submission, acting_user=caseworker)
    assert case.channel == Channel.COUNTER
    assert case.applicant == citizen
    entry = AuditEntry.objects.get(action=CaseAuditAction.CASE_CREATED, object_id=str(case.pk))
    assert entry.actor_id == caseworker.pk and entry.details["channel"] == "counter"


def test_counter_application_without_account_has_no_applicant(service, caseworker):
    from rathaus.cases.services import case_create

    submission = make_submission(service, channel=Channel.POST, entered_by=caseworker)
    case = case_create(submission=submission, acting_user=caseworker)
    assert case.channel == Channel.POST and case.applicant is None


@pytest.mark.parametrize("with_account", [True, False])
def test_counter_entry_is_for_the_person_never_for_the_caseworker(
    department, citizen, caseworker, with_account
):
    """Entered at the counter for a person with or without an account: prefilled from that
    person's account only, and filed under it only, never under the caseworker's."""
    from rathaus.cases.services import application_submit, counter_draft_start
    from rathaus.forms.engine import FillContext
    from rathaus.forms.tests.helpers import publish

    from .factories import make_service

    service = make_service(department, slug="theke")
    publish(
        service,
        {
            "title": "Antrag",
            "steps": [
                {
                    "id": "angaben",
                    "title": "Angaben",
                    "fields": [{"name": "email", "type": "email", "label": "E-Mail", "prefill": "email"}],
                }
            ],
        },
    )
    person = citizen if with_account else None
    draft = counter_draft_start(
        acting_user=caseworker, service=service, channel=Channel.COUNTER, applicant=person, session={}
    )
    assert draft.data.get("email", "") == (citizen.email if with_account else "")
    assert caseworker.email not in str(draft.data)
    draft.data = {"email": "person@example.org"}
    draft.save()
    case = application_submit(
        draft=draft,
        acting_user=caseworker,
        idempotency_key="theke-1",
        trust_level="",
        context=FillContext(user=caseworker, language="de", draft=draft),
    )
    assert case.channel == Channel.COUNTER
    assert case.applicant == person
    assert case.submission.entered_by == caseworker
    assert not Case.objects.filter(applicant=caseworker).exists()
