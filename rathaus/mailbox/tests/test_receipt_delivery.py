"""A submission's receipt reaches the mailbox a few seconds later (task worker, in batches), or
at once when its person opens the mailbox first; each receipt gets exactly one message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from rathaus.cases.models import Document, DocumentKind
from rathaus.cases.services import information_request_create
from rathaus.cases.tests.factories import make_case, make_submission
from rathaus.mailbox.models import Message, Thread
from rathaus.mailbox.services import receipts_deliver


@pytest.fixture
def submitted(service, citizen):
    """A case right after its submission: the receipt stored and marked, not yet delivered."""
    return make_case(service, applicant=citizen, deliver_receipt=False)


def _receipt(case) -> Document:
    return case.documents.get(kind=DocumentKind.RECEIPT)


def test_a_submission_marks_its_receipt_and_writes_no_message(submitted):
    assert _receipt(submitted).delivery_pending
    assert not Thread.objects.filter(case=submitted).exists() and not Message.objects.exists()


def test_the_worker_delivers_it_once_in_its_place_with_a_notice(submitted, citizen):
    receipt = _receipt(submitted)
    assert receipts_deliver() == (1, False)
    thread = Thread.objects.get(case=submitted)
    message = thread.messages.get()
    assert thread.person == citizen and thread.updated_at == receipt.created_at
    assert message.sender == Message.Sender.CITY and message.created_at == receipt.created_at
    assert list(message.documents.all()) == [receipt] and submitted.reference in message.body
    assert message.notice_pending  # the e-mail notice follows with the notices' sweep
    assert not _receipt(submitted).delivery_pending
    assert receipts_deliver() == (0, False) and Message.objects.count() == 1


def test_the_message_is_in_the_applicants_language(service, citizen):
    citizen.preferred_language = "en"
    citizen.save()
    case = make_case(service, applicant=citizen)
    body = Thread.objects.get(case=case).messages.get().body
    assert body.startswith("Your application") and case.reference in body


def test_no_notice_for_a_person_who_chose_post(service, citizen):
    citizen.preferred_channel = "post"
    citizen.save()
    case = make_case(service, applicant=citizen)
    assert not Thread.objects.get(case=case).messages.get().notice_pending


def test_batches_take_the_oldest_first_and_say_when_more_wait(service, citizen, other_citizen):
    cases = [
        make_case(service, applicant=who, deliver_receipt=False) for who in (citizen, other_citizen, citizen)
    ]
    assert receipts_deliver(limit=2) == (2, True)
    assert set(Thread.objects.values_list("case_id", flat=True)) == {cases[0].pk, cases[1].pk}
    assert receipts_deliver(limit=2) == (1, False)
    assert Message.objects.count() == 3 and not Document.objects.filter(delivery_pending=True).exists()


def test_a_conversation_opened_before_the_receipt_keeps_its_order(submitted, caseworker):
    # The worker was behind: a caseworker asked for information before the receipt arrived.
    information_request_create(case=submitted, acting_user=caseworker, message="Bitte Nachweis")
    thread = Thread.objects.get(case=submitted)
    asked_at = thread.updated_at
    assert receipts_deliver() == (1, False)
    thread.refresh_from_db()
    assert thread.updated_at == asked_at  # the receipt is older: the conversation's time stays
    kinds = [
        list(message.documents.values_list("kind", flat=True))
        for message in thread.messages.order_by("created_at")
    ]
    assert kinds[0] == [DocumentKind.RECEIPT] and len(kinds) == 2


def test_opening_the_mailbox_delivers_the_persons_own_receipts_first(
    service, submitted, citizen_client, other_citizen, other_citizen_client
):
    others = make_case(service, applicant=other_citizen, deliver_receipt=False)
    page = citizen_client.get(reverse("mailbox:index"))
    assert page.status_code == 200 and submitted.reference in page.content.decode()
    assert Message.objects.filter(thread__case=submitted).count() == 1
    assert _receipt(others).delivery_pending  # nobody else's
    assert citizen_client.get(reverse("mailbox:unread")).status_code == 200
    assert Message.objects.count() == 1
    other_page = other_citizen_client.get(reverse("mailbox:index")).content.decode()
    assert others.reference in other_page and submitted.reference not in other_page


def test_the_unread_count_delivers_them_too(submitted, citizen_client):
    response = citizen_client.get(reverse("mailbox:unread"))
    assert response.status_code == 200 and "1" in response.content.decode()
    assert not _receipt(submitted).delivery_pending


def test_a_case_without_an_account_has_nothing_to_deliver(service, caseworker):
    from rathaus.cases.services import case_create

    case = case_create(
        submission=make_submission(service, channel="post", entered_by=caseworker), acting_user=caseworker
    )
    assert not _receipt(case).delivery_pending
    assert receipts_deliver() == (0, False)


def test_the_worker_delivers_every_few_seconds_and_goes_on_while_more_wait(service, citizen, monkeypatch):
    from rathaus.core.periodic import _registry
    from rathaus.mailbox import services, tasks

    assert _registry[tasks.receipts_deliver.module_path].every <= dt.timedelta(seconds=10)
    for _ in range(3):
        make_case(service, applicant=citizen, deliver_receipt=False)
    monkeypatch.setattr(services, "RECEIPT_BATCH", 2)
    assert tasks.receipts_deliver.call() == 2
    from django_tasks_db.models import DBTaskResult

    follow_up = DBTaskResult.objects.ready().filter(task_path=tasks.receipts_deliver.module_path)
    assert follow_up.count() == 1  # one more round, at once
    assert tasks.receipts_deliver.call() == 1 and follow_up.count() == 1
    assert Message.objects.count() == 3
