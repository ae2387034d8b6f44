"""Permission tests by page: who may open which case, document and back-office page."""

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.cases.models import Case, DocumentKind, Notice
from rathaus.cases.services import case_decide, case_transition
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry

from .factories import make_case


def _denials() -> int:
    return AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count()


def _urls(case):
    receipt = case.documents.get(kind=DocumentKind.RECEIPT)
    return {
        "detail": reverse("cases:detail", args=[case.reference]),
        "status": reverse("cases:status", args=[case.reference]),
        "document": reverse("cases:document", args=[case.reference, receipt.pk]),
        "backoffice": reverse("backoffice:detail", args=[case.reference]),
        "backoffice_document": reverse("backoffice:document", args=[case.reference, receipt.pk]),
    }


def test_applicant_sees_list_case_and_downloads_receipt(case, citizen_client):
    response = citizen_client.get(reverse("cases:list"))
    assert response.status_code == 200 and case.reference in response.content.decode()
    urls = _urls(case)
    assert citizen_client.get(urls["detail"]).status_code == 200
    download = citizen_client.get(urls["document"])
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_list_rows_for_htmx_polling(case, citizen_client):
    response = citizen_client.get(reverse("cases:list"), HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'hx-trigger="every 30s"' in body and "<html" not in body


@pytest.mark.parametrize("page", ["detail", "status", "document", "backoffice", "backoffice_document"])
def test_second_citizen_cannot_open_case(case, other_citizen_client, page):
    before = _denials()
    assert other_citizen_client.get(_urls(case)[page]).status_code in (403, 404)
    assert _denials() > before


@pytest.mark.parametrize("page", ["detail", "document", "backoffice", "backoffice_document"])
def test_staff_of_another_department_cannot_open_case(case, other_caseworker_client, page):
    before = _denials()
    assert other_caseworker_client.get(_urls(case)[page]).status_code == 404
    assert _denials() > before


@pytest.mark.parametrize("page", ["detail", "document", "backoffice", "backoffice_document"])
def test_the_administrator_reads_no_application(case, admin_client_2fa, page):
    """A superuser passes Django's own checks; the rules still decide on cases and documents."""
    before = _denials()
    assert admin_client_2fa.get(_urls(case)[page]).status_code == 404
    assert _denials() > before


@pytest.mark.parametrize("page", ["detail", "document", "backoffice", "backoffice_document"])
def test_anonymous_is_sent_to_login(case, page):
    before = _denials()
    response = Client().get(_urls(case)[page])
    assert response.status_code == 302 and "anmelden" in response["Location"]
    assert _denials() > before


def test_staff_read_is_audited_for_the_applicant(case, caseworker, caseworker_client, citizen):
    response = caseworker_client.get(reverse("backoffice:detail", args=[case.reference]))
    assert response.status_code == 200
    assert "Neuer Wohnsitz Domplatz" in response.content.decode()
    entry = AuditEntry.objects.filter(action=AuditAction.PERSONAL_DATA_READ).latest("id")
    assert entry.subject_user_id == citizen.pk and entry.actor_id == caseworker.pk
    assert AuditEntry.objects.staff_reads_of(citizen.pk).exists()


def test_caseworker_page_offers_only_allowed_steps(case, caseworker_client):
    body = caseworker_client.get(reverse("backoffice:detail", args=[case.reference])).content.decode()
    assert 'value="start_review"' in body
    assert 'value="withdraw"' not in body and 'value="close"' not in body


def test_citizen_page_does_not_show_internal_notes(case, caseworker, citizen_client):
    from rathaus.cases.services import case_add_note

    case_add_note(case=case, acting_user=caseworker, text="Geheime Notiz")
    assert (
        "Geheime Notiz"
        not in citizen_client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    )


def test_inbox_lists_own_department_only(case, other_service, other_citizen, caseworker_client):
    foreign = make_case(other_service, applicant=other_citizen)
    body = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert case.reference in body and foreign.reference not in body


def test_inbox_search_and_filters(case, service, citizen, caseworker, caseworker_client):
    second = make_case(service, applicant=citizen)
    case_transition(case=second, acting_user=caseworker, transition="start_review")
    body = caseworker_client.get(reverse("backoffice:inbox"), {"q": case.reference}).content.decode()
    assert case.reference in body and second.reference not in body
    body = caseworker_client.get(reverse("backoffice:inbox"), {"state": "in_review"}).content.decode()
    assert second.reference in body and case.reference not in body
    body = caseworker_client.get(reverse("backoffice:inbox"), {"scope": "unassigned"}).content.decode()
    assert case.reference in body


def test_overdue_cases_come_first(service, citizen, caseworker):
    from django.utils import timezone

    from rathaus.cases.selectors import department_inbox

    late = make_case(service, applicant=citizen)
    fresh = make_case(service, applicant=citizen)
    Case.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(days=1))
    Case.objects.filter(pk=fresh.pk).update(
        due_at=timezone.now() - timezone.timedelta(days=-30), state_due_at=None
    )
    Case.objects.filter(pk=late.pk).update(state_due_at=None)
    ordered = list(department_inbox(caseworker, sort="-received"))
    assert ordered[0] == late
    assert list(department_inbox(caseworker, overdue=True)) == [late]


def test_decided_cases_are_neither_open_work_nor_overdue(service, citizen, caseworker, caseworker_client):
    """A decided case met its processing deadline: it leaves the default inbox ("all open"),
    is never flagged overdue, and is still found under its state."""
    from django.utils import timezone

    from rathaus.cases.api import StaffCaseSerializer
    from rathaus.cases.selectors import department_inbox

    decided = make_case(service, applicant=citizen)
    case_transition(case=decided, acting_user=caseworker, transition="start_review")
    case_decide(case=decided, acting_user=caseworker, outcome="granted", reasoning="Passt.")
    waiting = make_case(service, applicant=citizen)
    past = timezone.now() - timezone.timedelta(days=3)
    Case.objects.filter(pk__in=[decided.pk, waiting.pk]).update(due_at=past, state_due_at=None)
    decided.refresh_from_db()
    assert decided.decided_at is not None and not decided.is_overdue()
    assert list(department_inbox(caseworker)) == [waiting]
    assert list(department_inbox(caseworker, overdue=True)) == [waiting]
    assert list(department_inbox(caseworker, state=decided.state)) == [decided]
    assert StaffCaseSerializer(decided).data["overdue"] is False
    assert StaffCaseSerializer(Case.objects.get(pk=waiting.pk)).data["overdue"] is True
    page = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert waiting.reference in page and decided.reference not in page


def test_citizen_cannot_use_inbox(citizen_client):
    assert citizen_client.get(reverse("backoffice:inbox")).status_code == 403


def test_bulk_assign_page_refuses_foreign_cases(
    case, other_service, other_citizen, caseworker, caseworker_client
):
    foreign = make_case(other_service, applicant=other_citizen)
    caseworker_client.post(
        reverse("backoffice:bulk_assign"), {"cases": [foreign.pk], "assignee": caseworker.pk}
    )
    assert Case.objects.get(pk=foreign.pk).assigned_to is None


def test_workflow_buttons_through_pages(case, caseworker, caseworker_client, citizen_client):
    url = reverse("backoffice:transition", args=[case.reference])
    caseworker_client.post(
        url,
        {
            "transition_name": "start_review",
            "start_review-transition": "start_review",
            "start_review-version": case.version,
        },
    )
    assert Case.objects.get(pk=case.pk).state == "in_review"
    # A stale form (old version) changes nothing and says why.
    response = caseworker_client.post(
        reverse("backoffice:decide", args=[case.reference]),
        {"outcome": "granted", "reasoning": "ok", "version": case.version},
        follow=True,
    )
    assert Case.objects.get(pk=case.pk).state == "in_review"
    assert "meantime" in response.content.decode() or "zwischenzeitlich" in response.content.decode()
    stored = Case.objects.get(pk=case.pk)
    caseworker_client.post(
        reverse("backoffice:information_request", args=[case.reference]),
        {"message": "Bitte Nachweis hochladen", "version": stored.version},
    )
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "information_requested"
    info = stored.information_requests.get()
    citizen_client.post(reverse("cases:answer", args=[case.reference, info.pk]), {"answer": "Erledigt"})
    stored = Case.objects.get(pk=case.pk)
    assert stored.state == "in_review"
    caseworker_client.post(
        reverse("backoffice:decide", args=[case.reference]),
        {"outcome": "granted", "reasoning": "Alles da", "version": stored.version},
    )
    assert Case.objects.get(pk=case.pk).state == "decided"


def test_withdraw_through_the_page(case, citizen_client):
    citizen_client.post(reverse("cases:withdraw", args=[case.reference]), {"version": case.version})
    assert Case.objects.get(pk=case.pk).state == "withdrawn"


def test_other_citizen_cannot_withdraw(case, other_citizen_client):
    response = other_citizen_client.post(
        reverse("cases:withdraw", args=[case.reference]), {"version": case.version}
    )
    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == "received"


def test_organisation_member_sees_organisation_case(service, citizen, other_citizen, other_citizen_client):
    from rathaus.accounts.models import Organisation, OrganisationMembership

    organisation = Organisation.objects.create(name="Muster GmbH", kind="company")
    OrganisationMembership.objects.create(organisation=organisation, user=other_citizen)
    case = make_case(service, applicant=citizen, organisation=organisation)
    assert other_citizen_client.get(reverse("cases:detail", args=[case.reference])).status_code == 200


def test_counter_intake_page_for_staff(service, caseworker_client, citizen):
    response = caseworker_client.get(reverse("backoffice:counter_intake"))
    assert response.status_code == 200
    response = caseworker_client.post(
        reverse("backoffice:counter_intake"),
        {"service": service.pk, "channel": "counter", "email": citizen.email},
    )
    assert response.status_code == 302
    from rathaus.forms.models import Draft

    draft = Draft.objects.get(applicant=citizen)
    assert draft.channel == "counter"
    # The caseworker lands on the form's first step of this very draft, ready to fill it in.
    assert response.url == reverse("forms:resume", kwargs={"draft_id": draft.pk})
    step = caseworker_client.get(response.url, follow=True)
    assert step.status_code == 200
    assert step.redirect_chain[-1][0].startswith(f"/antrag/entwurf/{draft.pk}/")
    assert 'type="submit"' in step.content.decode()


def test_inbox_filters_carry_no_optional_markers_and_the_bulk_select_is_styled(case, caseworker_client):
    html = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert "kern-label__optional" not in html
    assert '<div class="kern-form-input__select-wrapper"><select name="assignee"' in html


def test_labels_say_optional_once(case, citizen_client):
    from rathaus.cases.forms import WithdrawForm

    label = str(WithdrawForm().fields["reason"].label)
    assert "optional" not in label.lower()
    html = citizen_client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    assert 'Grund <span class="kern-label__optional">– optional</span>' in html
    assert "(optional)" not in html


def test_a_note_without_author_is_shown_as_from_the_system(case, caseworker_client):
    from rathaus.cases.models import CaseNote

    CaseNote.objects.create(case=case, text="Aus dem Vorgängersystem übernommen.")
    html = caseworker_client.get(reverse("backoffice:detail", args=[case.reference])).content.decode()
    assert "<strong>System</strong>, " in html


def test_history_does_not_repeat_a_state_named_like_its_event(case, caseworker, caseworker_client):
    import re

    from rathaus.cases.services import information_request_create

    case_transition(case=case, acting_user=caseworker, transition="start_review")
    information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis")
    html = caseworker_client.get(reverse("backoffice:detail", args=[case.reference])).content.decode()
    entries = re.findall(r"</time>: ([^(<]*)", html)
    assert entries, html
    for entry in entries:
        if "→" in entry:
            before, after = (part.strip() for part in entry.split("→", 1))
            assert before != after, entry


def test_inbox_shows_and_filters_the_channel(service, citizen, caseworker, caseworker_client):
    from rathaus.cases.services import case_create

    from .factories import make_submission

    online = make_case(service, applicant=citizen)
    by_post = case_create(
        submission=make_submission(service, channel="post", entered_by=caseworker), acting_user=caseworker
    )
    page = caseworker_client.get(reverse("backoffice:inbox"), {"channel": "post"}).content.decode()
    assert by_post.reference in page and online.reference not in page
    assert "Post" in page  # the channel column
    everything = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    assert by_post.reference in everything and online.reference in everything
    # An unknown channel is a refused filter, not an error.
    assert caseworker_client.get(reverse("backoffice:inbox"), {"channel": "fax"}).status_code == 200


def test_counter_intake_offers_only_services_of_the_own_department(
    service, other_service, caseworker_client, other_caseworker_client
):
    """The Standesamt's caseworker is offered the Standesamt's services only: a case entered for
    another department would land in an inbox they cannot open."""
    own = caseworker_client.get(reverse("backoffice:counter_intake")).content.decode()
    assert service.display_name in own and other_service.display_name not in own
    other = other_caseworker_client.get(reverse("backoffice:counter_intake")).content.decode()
    assert other_service.display_name in other and service.display_name not in other


def test_counter_intake_refuses_a_forged_service_of_another_department(
    service, other_service, caseworker, caseworker_client
):
    from rathaus.forms.models import Draft

    response = caseworker_client.post(
        reverse("backoffice:counter_intake"), {"service": other_service.pk, "channel": "counter"}
    )
    assert response.status_code == 200
    assert 'id="id_service-error"' in response.content.decode()
    assert not Draft.objects.exists()


def test_counter_draft_start_refuses_another_departments_service(other_service, caseworker, client):
    from django.core.exceptions import PermissionDenied

    from rathaus.cases.services import counter_draft_start
    from rathaus.forms.models import Draft

    with pytest.raises(PermissionDenied):
        counter_draft_start(
            acting_user=caseworker,
            service=other_service,
            channel="counter",
            applicant=None,
            session=client.session,
        )
    assert not Draft.objects.exists()


def _stale_page_keeps(response, text: str) -> str:
    html = response.content.decode()
    assert response.status_code == 409
    assert "zwischenzeitlich" in html or "meantime" in html
    assert text in html
    return html


def test_a_stale_information_request_keeps_the_typed_text(case, caseworker, colleague, caseworker_client):
    """Two caseworkers on one case: the second one's request is refused as stale, and the page
    shows it again as typed (with the current version, so sending it again after a look works)."""
    import re

    shown = case.version
    case_transition(case=case, acting_user=colleague, transition="start_review")
    text = "Bitte reichen Sie die Meldebescheinigung nach."
    response = caseworker_client.post(
        reverse("backoffice:information_request", args=[case.reference]), {"message": text, "version": shown}
    )
    html = _stale_page_keeps(response, text)
    assert '<details class="kern-accordion" open>' in html
    current = Case.objects.get(pk=case.pk)
    assert current.state == "in_review" and not current.information_requests.exists()
    version = re.search(r'name="version" value="(\d+)"[^>]* id="id_request_version"', html)
    assert version and int(version.group(1)) == current.version
    again = caseworker_client.post(
        reverse("backoffice:information_request", args=[case.reference]),
        {"message": text, "version": version.group(1)},
    )
    assert again.status_code == 302
    assert Case.objects.get(pk=case.pk).information_requests.get().message == text


def test_a_stale_notice_keeps_outcome_and_reasons(case, caseworker, colleague, caseworker_client):
    from rathaus.cases.services import case_claim

    case_transition(case=case, acting_user=caseworker, transition="start_review")
    shown = Case.objects.get(pk=case.pk).version
    case_claim(case=Case.objects.get(pk=case.pk), acting_user=colleague)
    reasons = "Die Voraussetzungen liegen vor; der Wohnsitz ist nachgewiesen."
    response = caseworker_client.post(
        reverse("backoffice:decide", args=[case.reference]),
        {"outcome": "partly_granted", "reasoning": reasons, "version": shown},
    )
    html = _stale_page_keeps(response, reasons)
    assert 'value="partly_granted" id="id_decide_outcome_1" required checked' in html
    assert Case.objects.get(pk=case.pk).state == "in_review"
    assert not Notice.objects.filter(case=case).exists()


def test_a_stale_step_keeps_its_message_even_if_the_step_is_gone(case, colleague, caseworker_client):
    """The colleague already started the review: the step is no longer offered, but its typed
    message is shown again with the reason, not dropped."""
    shown = case.version
    case_transition(case=case, acting_user=colleague, transition="start_review")
    text = "Wir prüfen Ihren Antrag jetzt."
    response = caseworker_client.post(
        reverse("backoffice:transition", args=[case.reference]),
        {
            "transition_name": "start_review",
            "start_review-transition": "start_review",
            "start_review-version": shown,
            "start_review-message": text,
        },
    )
    _stale_page_keeps(response, text)


def test_invalid_notice_input_keeps_the_reasons(case, caseworker, caseworker_client):
    """A notice without an outcome is refused, with the reasons kept as typed (was: lost)."""
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    stored = Case.objects.get(pk=case.pk)
    reasons = "Ausführliche Begründung, die nicht verloren gehen darf."
    response = caseworker_client.post(
        reverse("backoffice:decide", args=[case.reference]), {"reasoning": reasons, "version": stored.version}
    )
    assert response.status_code == 400 and reasons in response.content.decode()
    assert Case.objects.get(pk=case.pk).state == "in_review"


def test_inbox_search_finds_decided_and_closed_cases(
    service, other_service, citizen, other_citizen, caseworker, caseworker_client
):
    """Looking up a reference searches every state of the department (was: only open work,
    so a decided or closed case read "no cases match")."""
    decided = make_case(service, applicant=citizen)
    case_transition(case=decided, acting_user=caseworker, transition="start_review")
    case_decide(case=decided, acting_user=caseworker, outcome="granted", reasoning="Passt.")
    closed = make_case(service, applicant=citizen)
    case_transition(case=closed, acting_user=caseworker, transition="start_review")
    case_decide(case=closed, acting_user=caseworker, outcome="refused", reasoning="Fehlt.")
    case_transition(case=closed, acting_user=caseworker, transition="close")
    foreign = make_case(other_service, applicant=other_citizen)
    Case.objects.filter(pk=foreign.pk).update(closed_at=foreign.created_at)

    for found in (decided, closed):
        body = caseworker_client.get(reverse("backoffice:inbox"), {"q": found.reference}).content.decode()
        assert f">{found.reference}</a>" in body, found.state
    body = caseworker_client.get(reverse("backoffice:inbox"), {"q": foreign.reference}).content.decode()
    assert f">{foreign.reference}</a>" not in body and "Keine passenden Vorgänge" in body
    # Without a search the default list stays the open work, and a chosen state still applies.
    assert decided.reference not in caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    body = caseworker_client.get(
        reverse("backoffice:inbox"), {"q": decided.reference, "state": "closed"}
    ).content.decode()
    assert f">{decided.reference}</a>" not in body


def _due_cell(html: str, reference: str) -> str:
    import re

    row = re.search(rf">{reference}</a>.*?</tr>", html, re.S)
    assert row, reference
    return re.findall(r'<td class="kern-table__cell">(.*?)</td>', row.group(0), re.S)[-2]


def test_inbox_shows_the_deadline_that_is_overdue(service, citizen, caseworker, caseworker_client):
    """A case overdue by its step deadline shows that date, not its later processing deadline
    (was: "überfällig 19.12.2026", a date in the future); the earlier passed deadline wins."""
    from django.utils import timezone
    from django.utils.formats import date_format

    now = timezone.now()
    step_late = make_case(service, applicant=citizen)
    Case.objects.filter(pk=step_late.pk).update(
        due_at=now + timezone.timedelta(days=20), state_due_at=now - timezone.timedelta(days=2)
    )
    both_late = make_case(service, applicant=citizen)
    Case.objects.filter(pk=both_late.pk).update(
        due_at=now - timezone.timedelta(days=1), state_due_at=now - timezone.timedelta(days=5)
    )
    on_time = make_case(service, applicant=citizen)
    Case.objects.filter(pk=on_time.pk).update(
        due_at=now + timezone.timedelta(days=9), state_due_at=now + timezone.timedelta(days=1)
    )

    def day(moment):
        return date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")

    html = caseworker_client.get(reverse("backoffice:inbox")).content.decode()
    cell = _due_cell(html, step_late.reference)
    assert "überfällig" in cell and day(now - timezone.timedelta(days=2)) in cell
    assert day(now + timezone.timedelta(days=20)) not in cell
    cell = _due_cell(html, both_late.reference)
    assert "überfällig" in cell and day(now - timezone.timedelta(days=5)) in cell
    cell = _due_cell(html, on_time.reference)
    assert "überfällig" not in cell and day(now + timezone.timedelta(days=9)) in cell


def test_decided_and_closed_cases_are_not_marked_overdue(service, citizen, caseworker, caseworker_client):
    """Also when their state's deadline passed (the decided state's period before closing) or
    their processing deadline lies in the past: found by search, they carry no overdue mark."""
    from django.utils import timezone

    from rathaus.cases.selectors import department_inbox

    decided = make_case(service, applicant=citizen)
    case_transition(case=decided, acting_user=caseworker, transition="start_review")
    case_decide(case=decided, acting_user=caseworker, outcome="granted", reasoning="Passt.")
    past = timezone.now() - timezone.timedelta(days=40)
    Case.objects.filter(pk=decided.pk).update(due_at=past, state_due_at=past)
    decided.refresh_from_db()
    assert decided.overdue_deadline() is None and not decided.is_overdue()
    assert not department_inbox(caseworker, state="decided", overdue=True).exists()
    html = caseworker_client.get(reverse("backoffice:inbox"), {"q": decided.reference}).content.decode()
    assert "überfällig" not in _due_cell(html, decided.reference)


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_submitted_files_show_their_question_and_download_with_their_type(
    service, citizen, caseworker_client
):
    """Each file is listed with the question it answers, and downloads with the ending of the
    type sniffed on upload (was: "RBG-…-residence_proof" without an ending)."""
    from django.core.files.base import ContentFile

    from rathaus.forms.models import FormVersion, Upload

    version = service.form_definition.current_version()
    schema = {
        "title": "Testantrag",
        "steps": [
            {
                "id": "angaben",
                "title": "Angaben",
                "fields": [
                    {"name": "reason", "type": "text", "label": "Grund des Antrags"},
                    {"name": "residence_proof", "type": "file", "label": "Meldebescheinigung"},
                    {"name": "photo", "type": "file", "label": {"de": "Lichtbild", "en": "Photo"}},
                ],
            }
        ],
    }
    FormVersion.objects.filter(pk=version.pk).update(schema=schema)
    case = make_case(service, applicant=citizen)
    uploads = {}
    for field_name, content, content_type, name in (
        ("photo", PNG, "image/png", "x.png"),
        ("residence_proof", PDF_BYTES, "application/pdf", "scan"),
    ):
        upload = Upload(
            submission=case.submission,
            owner=citizen,
            field_name=field_name,
            original_name=name,
            content_type=content_type,
            size=len(content),
            sha256="0" * 64,
        )
        upload.file.save("upload", ContentFile(content), save=True)
        uploads[field_name] = upload

    html = caseworker_client.get(reverse("backoffice:detail", args=[case.reference])).content.decode()
    proof_url = reverse("backoffice:upload", args=[case.reference, uploads["residence_proof"].pk])
    photo_url = reverse("backoffice:upload", args=[case.reference, uploads["photo"].pk])
    assert f'Meldebescheinigung: <a class="kern-link" href="{proof_url}"' in html
    assert f'Lichtbild: <a class="kern-link" href="{photo_url}"' in html
    assert html.index(proof_url) < html.index(photo_url)  # in form order

    proof = caseworker_client.get(proof_url)
    assert proof["Content-Disposition"] == f'attachment; filename="{case.reference}-residence_proof.pdf"'
    assert proof["Content-Type"] == "application/pdf"
    photo = caseworker_client.get(photo_url)
    assert photo["Content-Disposition"] == f'attachment; filename="{case.reference}-photo.png"'


def test_applicant_downloads_evidence_with_its_ending(case, caseworker, citizen, citizen_client):
    """The applicant side: evidence sent with an answer downloads with the ending of its type."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rathaus.cases.services import information_request_answer, information_request_create

    info = information_request_create(case=case, acting_user=caseworker, message="Bitte Foto")
    information_request_answer(
        information_request=info,
        acting_user=citizen,
        answer="",
        upload=SimpleUploadedFile("foto", PNG, content_type="image/png"),
    )
    evidence = case.documents.get(kind=DocumentKind.EVIDENCE)
    response = citizen_client.get(reverse("cases:document", args=[case.reference, evidence.pk]))
    assert response["Content-Disposition"].endswith('-evidence.png"')
