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
    mails = list(outbox.filter(to=citizen.email))
    assert len(mails) == 2
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
    mail = outbox.get(to=citizen.email)
    assert "mailbox" in mail.subject.lower()


@pytest.mark.django_db(transaction=True)
def test_no_email_for_people_who_chose_post(outbox, department, citizen):
    from rathaus.cases.tests.factories import make_service

    citizen.preferred_channel = "post"
    citizen.save()
    make_case(make_service(department), applicant=citizen)
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


@pytest.mark.django_db(transaction=True)
def test_the_notice_waits_for_the_task_worker_and_names_the_person_by_id_only(settings, department, citizen):
    """The request that writes a message only queues its notice (after the commit); the task
    row carries the person's id, not the address, and nothing is sent before a worker runs it."""
    from django_tasks_db.models import DBTaskResult

    from rathaus.cases.tests.factories import make_service
    from rathaus.core.models import OutboxMessage
    from rathaus.mailbox.tasks import message_notice_send

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    make_case(make_service(department), applicant=citizen)
    queued = DBTaskResult.objects.get(task_path=message_notice_send.module_path)
    assert queued.args_kwargs["kwargs"] == {"person_id": citizen.pk}
    assert citizen.email not in str(queued.args_kwargs)
    assert not OutboxMessage.objects.exists()
    assert message_notice_send.call(person_id=citizen.pk) is True
    assert OutboxMessage.objects.get().to == citizen.email


def test_a_person_who_chose_post_meanwhile_gets_no_notice(settings, citizen):
    from rathaus.core.models import OutboxMessage
    from rathaus.mailbox.tasks import message_notice_send

    settings.EMAIL_BACKEND = "rathaus.core.mail.OutboxBackend"
    citizen.preferred_channel = "post"
    citizen.save()
    assert message_notice_send.call(person_id=citizen.pk) is False
    assert message_notice_send.call(person_id=987654) is False  # account deleted meanwhile
    assert not OutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_does_not_fail_the_submission(
    mail_server_down, department, citizen, caplog
):
    """The notice leaves after the commit, through the task worker; if the server refuses, the
    case and its message stand, the request still succeeds, the notice is tried again later,
    and operations see a log line without the address."""
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from rathaus.cases.models import Case
    from rathaus.cases.tests.factories import make_service
    from rathaus.mailbox.tasks import NOTICE_ATTEMPTS, message_notice_send, notice_retry_pause

    case = make_case(make_service(department), applicant=citizen)
    assert Case.objects.filter(pk=case.pk).exists()
    assert Message.objects.filter(thread__case=case).count() == 1

    def retries():
        return DBTaskResult.objects.filter(
            task_path=message_notice_send.module_path, args_kwargs__kwargs__attempt__isnull=False
        )

    before = timezone.now()
    assert message_notice_send.call(person_id=citizen.pk) is False
    retry = retries().get()
    assert retry.args_kwargs["kwargs"] == {"person_id": citizen.pk, "attempt": 2}
    assert retry.run_after >= before + notice_retry_pause(1)
    assert notice_retry_pause(2) > notice_retry_pause(1)
    # The last attempt gives up: no further retry is queued.
    assert message_notice_send.call(person_id=citizen.pk, attempt=NOTICE_ATTEMPTS) is False
    assert retries().count() == 1
    failures = [record for record in caplog.records if "notice" in record.getMessage()]
    assert len(failures) == 2 and failures[-1].levelname == "ERROR"
    assert all(citizen.email not in record.getMessage() and not record.exc_info for record in failures)
