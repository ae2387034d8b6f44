import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from rathaus.cases.constants import CaseAuditAction
from rathaus.cases.deadlines import add_working_days
from rathaus.cases.models import Case, DocumentKind
from rathaus.catalog.constants import Channel
from rathaus.core.constants import AuditAction
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


def _one_question_service(department, slug: str, question: dict):
    """A service whose published form asks one question on one step."""
    from rathaus.forms.tests.helpers import publish

    from .factories import make_service

    service = make_service(department, slug=slug)
    publish(
        service, {"title": "Antrag", "steps": [{"id": "angaben", "title": "Angaben", "fields": [question]}]}
    )
    return service


@pytest.mark.parametrize("with_account", [True, False])
def test_counter_entry_is_for_the_person_never_for_the_caseworker(
    department, citizen, caseworker, with_account
):
    """Entered at the counter for a person with or without an account: prefilled from that
    person's account only, and filed under it only, never under the caseworker's."""
    from rathaus.cases.services import application_submit, counter_draft_start
    from rathaus.forms.engine import FillContext

    service = _one_question_service(
        department, "theke", {"name": "email", "type": "email", "label": "E-Mail", "prefill": "email"}
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


# --- Counter intake in an organisation's name ----------------------------------------------------


@pytest.fixture
def club(citizen, other_citizen):
    from rathaus.accounts.models import Organisation, OrganisationMembership

    club = Organisation.objects.create(
        name="TSV Kumpfmühl", kind="club", postal_code="93051", city="Regensburg"
    )
    OrganisationMembership.objects.create(organisation=club, user=citizen)
    OrganisationMembership.objects.create(organisation=club, user=other_citizen, is_admin=True)
    return club


@pytest.fixture
def counter_service(department):
    return _one_question_service(
        department, "theke-verein", {"name": "zweck", "type": "text", "label": "Zweck"}
    )


def _submit_counter_draft(draft, caseworker, key="theke-verein-1"):
    from rathaus.cases.services import application_submit
    from rathaus.forms.engine import FillContext

    draft.data = {"zweck": "Vereinsfest"}
    draft.save()
    return application_submit(
        draft=draft,
        acting_user=caseworker,
        idempotency_key=key,
        trust_level="",
        context=FillContext(user=caseworker, language="de", draft=draft),
    )


def test_counter_intake_asks_for_whom_and_files_the_case_under_the_organisation(
    counter_service, citizen, other_citizen, caseworker, caseworker_client, club
):
    """A club's member at the counter: once their account is found, the page asks whether they
    apply for themselves or for one of their organisations (and records that it showed them);
    the case is then the club's, which its other members see."""
    from django.test import Client

    from conftest import login
    from rathaus.forms.models import Draft

    url = reverse("backoffice:counter_intake")
    given = {"service": counter_service.pk, "channel": "counter", "email": citizen.email}
    first = caseworker_client.post(url, given)
    assert first.status_code == 200 and not Draft.objects.exists()
    html = first.content.decode()
    assert "Für wen wird der Antrag gestellt?" in html and "TSV Kumpfmühl" in html
    assert "Bitte wählen Sie, für wen der Antrag gestellt wird." in html
    read = AuditEntry.objects.get(action=AuditAction.PERSONAL_DATA_READ, subject_user_id=citizen.pk)
    assert read.actor_id == caseworker.pk
    second = caseworker_client.post(url, {**given, "organisation": str(club.pk)})
    assert second.status_code == 302
    draft = Draft.objects.get()
    assert (draft.organisation, draft.applicant, draft.channel) == (club, citizen, "counter")
    case = _submit_counter_draft(draft, caseworker)
    assert case.organisation == club and case.applicant == citizen
    member = login(Client(), other_citizen)
    assert member.get(reverse("cases:detail", args=[case.reference])).status_code == 200


def test_counter_intake_for_the_person_themself(counter_service, citizen, caseworker_client, club):
    from rathaus.forms.models import Draft

    response = caseworker_client.post(
        reverse("backoffice:counter_intake"),
        {"service": counter_service.pk, "channel": "post", "email": citizen.email, "organisation": "person"},
    )
    assert response.status_code == 302
    assert Draft.objects.get().organisation is None


def test_counter_intake_refuses_an_organisation_the_person_does_not_act_for(
    counter_service, citizen, other_citizen, caseworker_client, club
):
    """A forged choice (another organisation's id, or one for a person without any) starts no
    draft; without a person's account no organisation is taken at all."""
    from rathaus.accounts.models import Organisation, OrganisationMembership
    from rathaus.forms.models import Draft

    foreign = Organisation.objects.create(name="Fremde GmbH", kind="company")
    OrganisationMembership.objects.create(organisation=foreign, user=other_citizen)
    url = reverse("backoffice:counter_intake")
    forged = caseworker_client.post(
        url,
        {
            "service": counter_service.pk,
            "channel": "counter",
            "email": citizen.email,
            "organisation": str(foreign.pk),
        },
    )
    assert forged.status_code == 200 and "Fremde GmbH" not in forged.content.decode()
    assert not Draft.objects.exists()
    without_account = caseworker_client.post(
        url, {"service": counter_service.pk, "channel": "counter", "organisation": str(club.pk)}
    )
    assert without_account.status_code == 302
    assert Draft.objects.get().organisation is None


def test_counter_draft_start_checks_the_applicant_acts_for_the_organisation(
    counter_service, citizen, other_citizen, caseworker, club
):
    from django.core.exceptions import PermissionDenied

    from rathaus.accounts.models import Organisation
    from rathaus.cases.services import counter_draft_start

    foreign = Organisation.objects.create(name="Fremde GmbH", kind="company")
    for applicant, organisation in ((citizen, foreign), (None, club)):
        with pytest.raises(PermissionDenied):
            counter_draft_start(
                acting_user=caseworker,
                service=counter_service,
                channel=Channel.COUNTER,
                applicant=applicant,
                organisation=organisation,
                session={},
            )


def test_a_counter_application_for_a_club_the_person_left_meanwhile_is_refused_and_kept(
    counter_service, citizen, caseworker, club
):
    from django.core.exceptions import PermissionDenied

    from rathaus.accounts.models import OrganisationMembership
    from rathaus.cases.services import counter_draft_start
    from rathaus.forms.models import Draft

    draft = counter_draft_start(
        acting_user=caseworker,
        service=counter_service,
        channel=Channel.COUNTER,
        applicant=citizen,
        organisation=club,
        session={},
    )
    OrganisationMembership.objects.filter(user=citizen).delete()
    with pytest.raises(PermissionDenied, match="nicht mehr"):
        _submit_counter_draft(draft, caseworker)
    assert Draft.objects.filter(pk=draft.pk).exists() and not Case.objects.exists()
