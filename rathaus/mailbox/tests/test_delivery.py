import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from rathaus.cases.models import DocumentKind
from rathaus.cases.services import (
    case_decide,
    case_message_send,
    case_transition,
    information_request_create,
)
from rathaus.cases.tests.factories import make_case
from rathaus.core.constants import AuditAction
from rathaus.core.models import AuditEntry
from rathaus.mailbox.models import Message, Thread
from rathaus.mailbox.selectors import unread_count
from rathaus.mailbox.services import notices_send


def test_receipt_arrives_in_the_applicants_thread(case, citizen):
    thread = Thread.objects.get(case=case)
    assert thread.person == citizen
    message = thread.messages.get()
    assert message.sender == Message.Sender.CITY
    assert list(message.documents.values_list("kind", flat=True)) == [DocumentKind.RECEIPT]


def test_notice_arrives_in_the_same_thread(case, caseworker):
    case_transition(case=case, acting_user=caseworker, transition="start_review")
    notice = case_decide(case=case, acting_user=caseworker, outcome="granted", reasoning="Passt.")
    thread = Thread.objects.get(case=case)
    kinds = set(Message.objects.filter(thread=thread).values_list("documents__kind", flat=True))
    assert {DocumentKind.RECEIPT, DocumentKind.NOTICE} <= kinds
    assert thread.messages.filter(documents=notice.document).exists()


def test_information_request_and_staff_message_arrive(case, caseworker):
    information_request_create(case=case, acting_user=caseworker, message="Bitte Nachweis hochladen")
    case_message_send(case=case, acting_user=caseworker, text="Wir melden uns bald.")
    bodies = list(Thread.objects.get(case=case).messages.values_list("body", flat=True))
    assert "Bitte Nachweis hochladen" in bodies and "Wir melden uns bald." in bodies


def test_no_thread_without_applicant_account(service, caseworker):
    from rathaus.cases.services import case_create
    from rathaus.cases.tests.factories import make_submission

    case = case_create(
        submission=make_submission(service, channel="post", entered_by=caseworker), acting_user=caseworker
    )
    assert not Thread.objects.filter(case=case).exists()


@pytest.mark.django_db(transaction=True)
def test_email_notice_contains_no_personal_data(outbox, department, citizen, caseworker):
    from rathaus.cases.tests.factories import make_service

    service = make_service(department)
    case = make_case(service, applicant=citizen)
    information_request_create(case=case, acting_user=caseworker, message="Bitte Meldebescheinigung")
    assert not outbox.exists()  # the request only marks the messages
    assert notices_send() == 1
    mails = list(outbox.filter(to=citizen.email))
    assert len(mails) == 1  # the receipt and the request for information: one e-mail
    for mail in mails:
        text = f"{mail.subject}\n{mail.body}"
        for secret in (
            citizen.first_name,
            citizen.last_name,
            citizen.street,
            case.reference,
            service.name,
            "Meldebescheinigung",
        ):
            assert secret not in text
        assert reverse("mailbox:index") in mail.body


@pytest.mark.django_db(transaction=True)
def test_email_notice_in_preferred_language(outbox, department, citizen):
    from rathaus.cases.tests.factories import make_service

    citizen.preferred_language = "en"
    citizen.save()
    make_case(make_service(department), applicant=citizen)
    notices_send()
    mail = outbox.get(to=citizen.email)
    assert "mailbox" in mail.subject.lower()


@pytest.mark.django_db(transaction=True)
def test_no_email_for_people_who_chose_post(outbox, department, citizen):
    from rathaus.cases.tests.factories import make_service

    citizen.preferred_channel = "post"
    citizen.save()
    make_case(make_service(department), applicant=citizen)
    assert not Message.objects.filter(notice_pending=True).exists()
    assert notices_send() == 0
    assert not outbox.filter(to=citizen.email).exists()


def test_mailbox_pages_unread_and_mark_read(case, citizen, citizen_client):
    assert unread_count(citizen) == 1
    index = citizen_client.get(reverse("mailbox:index"))
    assert index.status_code == 200 and case.reference in index.content.decode()
    thread = Thread.objects.get(case=case)
    page = citizen_client.get(reverse("mailbox:thread", args=[thread.pk]))
    assert page.status_code == 200
    assert reverse("cases:document", args=[case.reference, case.documents.get().pk]) in page.content.decode()
    assert unread_count(citizen) == 0


def test_reply_with_htmx(case, citizen_client):
    thread = Thread.objects.get(case=case)
    response = citizen_client.post(
        reverse("mailbox:reply", args=[thread.pk]), {"body": "Danke!"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Danke!" in response.content.decode() and "<html" not in response.content.decode()
    assert thread.messages.filter(sender=Message.Sender.PERSON, body="Danke!").exists()


@pytest.mark.parametrize("who", ["other_citizen_client", "other_caseworker_client", "caseworker_client"])
def test_others_cannot_open_or_reply_to_a_thread(case, request, who):
    client = request.getfixturevalue(who)
    thread = Thread.objects.get(case=case)
    before = AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count()
    assert client.get(reverse("mailbox:thread", args=[thread.pk])).status_code == 404
    assert client.post(reverse("mailbox:reply", args=[thread.pk]), {"body": "x"}).status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.PERMISSION_DENIED).count() >= before + 2
    assert not thread.messages.filter(body="x").exists()


def test_anonymous_is_sent_to_login(case):
    thread = Thread.objects.get(case=case)
    response = Client().get(reverse("mailbox:thread", args=[thread.pk]))
    assert response.status_code == 302 and "anmelden" in response["Location"]


def test_others_cannot_download_a_message_document(case, other_citizen_client):
    document = case.documents.get()
    url = reverse("cases:document", args=[case.reference, document.pk])
    assert other_citizen_client.get(url).status_code == 404


def test_notices_leave_with_the_sweep_one_per_person_and_never_twice(
    settings, department, citizen, caseworker
):
    """The request only marks its message; the sweep sends one e-mail per person for all their
    due messages, and a second sweep sends nothing more."""
    from django_tasks_db.models import DBTaskResult

    from rathaus.cases.tests.factories import make_service
    from rathaus.core.models import OutboxMessage

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    service = make_service(department)
    first = make_case(service, applicant=citizen)
    second = make_case(service, applicant=citizen)
    case_message_send(case=first, acting_user=caseworker, text="Wir melden uns.")
    assert Message.objects.filter(notice_pending=True).count() == 3
    assert not DBTaskResult.objects.filter(task_path__startswith="rathaus.mailbox").exists()
    assert not OutboxMessage.objects.exists()
    assert notices_send() == 1
    assert OutboxMessage.objects.get().to == citizen.email
    assert not Message.objects.filter(notice_pending=True).exists()
    assert notices_send() == 0
    # A later message is due again.
    case_message_send(case=second, acting_user=caseworker, text="Noch eine Frage.")
    assert notices_send() == 1 and OutboxMessage.objects.count() == 2


def test_the_sweep_is_a_periodic_job_of_the_worker():
    from rathaus.core.periodic import _registry
    from rathaus.mailbox.tasks import mailbox_notices_send

    job = _registry[mailbox_notices_send.module_path]
    assert job.every.total_seconds() == 60


def test_a_person_who_chose_post_meanwhile_gets_no_notice(settings, case, citizen):
    from rathaus.core.models import OutboxMessage

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    assert Message.objects.filter(thread__case=case, notice_pending=True).exists()
    citizen.preferred_channel = "post"
    citizen.save()
    assert notices_send() == 0
    assert not OutboxMessage.objects.exists()
    assert not Message.objects.filter(notice_pending=True).exists()  # not tried again either


def test_a_mail_server_that_is_down_does_not_fail_the_submission(
    mail_server_down, department, citizen, caplog
):
    """The notice leaves with the worker's sweep; if the server refuses, the case and its
    message stand, the notice is tried again at growing pauses and given up after the last
    attempt, and operations see log lines without the address."""
    from django.utils import timezone

    from rathaus.cases.models import Case
    from rathaus.cases.tests.factories import make_service
    from rathaus.mailbox.services import NOTICE_ATTEMPTS, notice_retry_pause

    case = make_case(make_service(department), applicant=citizen)
    assert Case.objects.filter(pk=case.pk).exists()
    message = Message.objects.get(thread__case=case)
    now = timezone.now()
    assert notices_send(now=now) == 0
    message.refresh_from_db()
    assert message.notice_pending and message.notice_attempts == 1
    assert message.notice_next_at == now + notice_retry_pause(1)
    assert notices_send(now=now + dt.timedelta(seconds=30)) == 0  # not due yet: no attempt
    message.refresh_from_db()
    assert message.notice_attempts == 1
    later = now
    for attempt in range(2, NOTICE_ATTEMPTS + 1):
        later = later + notice_retry_pause(attempt - 1)
        notices_send(now=later)
        message.refresh_from_db()
        assert message.notice_attempts == attempt
    assert not message.notice_pending  # given up after the last attempt
    failures = [record for record in caplog.records if "notice" in record.getMessage()]
    assert len(failures) == NOTICE_ATTEMPTS and failures[-1].levelname == "ERROR"
    assert all(citizen.email not in record.getMessage() and not record.exc_info for record in failures)


def test_conversation_subject_follows_the_readers_language(case, citizen, citizen_client):
    from django.utils import translation

    case.service.name_en = "Residents' parking permit"
    case.service.save()
    citizen.preferred_language = "en"
    citizen.save()
    thread = Thread.objects.get(case=case)
    with translation.override("en"):
        assert thread.display_subject == f"Residents' parking permit – {case.reference}"
    with translation.override("de"):
        assert thread.display_subject == f"{case.service.name} – {case.reference}"
    citizen_client.cookies["rathaus_language"] = "en"
    page = citizen_client.get(reverse("mailbox:index"))
    assert f"Residents&#x27; parking permit – {case.reference}" in page.content.decode()


def test_after_sending_a_reply_the_focus_moves_to_it(case, citizen_client):
    thread = Thread.objects.get(case=case)
    response = citizen_client.post(
        reverse("mailbox:reply", args=[thread.pk]), {"body": "Danke sehr!"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    marked = re.search(r"<li [^>]*data-rathaus-focus[^>]*>(.*?)</li>", body, re.S)
    assert marked and "Danke sehr!" in marked.group(1) and 'tabindex="-1"' in marked.group(0)
    assert body.count("data-rathaus-focus") == 1


def test_an_empty_reply_focuses_the_error_summary_linked_to_the_field(case, citizen_client):
    thread = Thread.objects.get(case=case)
    response = citizen_client.post(
        reverse("mailbox:reply", args=[thread.pk]), {"body": "  "}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only successful responses
    body = response.content.decode()
    summary = re.search(r'<div [^>]*id="antwort-fehler"[^>]*>', body).group(0)
    assert "data-rathaus-focus" in summary and 'role="alert"' in summary
    assert 'href="#id_body"' in body
    textarea = re.search(r"<textarea[^>]*>", body).group(0)
    assert 'aria-invalid="true"' in textarea and "id_body-error" in textarea
    assert not thread.messages.filter(sender=Message.Sender.PERSON).exists()


def test_without_javascript_a_refused_reply_keeps_its_text(case, citizen_client):
    thread = Thread.objects.get(case=case)
    too_long = "Sehr lange Nachricht " * 600
    response = citizen_client.post(reverse("mailbox:reply", args=[thread.pk]), {"body": too_long})
    assert response.status_code == 422
    assert too_long.strip() in response.content.decode()


def test_every_page_loads_the_focus_script(citizen_client):
    from django.contrib.staticfiles import finders

    page = citizen_client.get(reverse("mailbox:index")).content.decode()
    assert "core/rathaus.js" in page
    assert finders.find("core/rathaus.js")
