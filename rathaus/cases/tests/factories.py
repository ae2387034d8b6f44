"""Test factories of cases: a service with a tiny form, submissions, cases in each state."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.utils import timezone

from rathaus.catalog.constants import Channel, FeeKind
from rathaus.catalog.models import Service
from rathaus.forms.models import FormDefinition, FormVersion, Submission

TINY_SCHEMA = {
    "title": "Testantrag",
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "fields": [
                {"name": "reason", "type": "text", "label": "Grund des Antrags"},
                {"name": "months", "type": "number", "label": "Monate"},
            ],
        }
    ],
}


def make_service(department, *, slug="anwohnerparken", processing_days=10, **fields) -> Service:
    service = Service.objects.create(
        leika_key="99050012104000",
        slug=slug,
        name=fields.pop("name", "Bewohnerparkausweis"),
        summary="Parkausweis für Bewohner",
        department=department,
        processing_days=processing_days,
        fee_kind=fields.pop("fee_kind", FeeKind.FIXED),
        fee_amount=fields.pop("fee_amount", Decimal("30.00")),
        channels=[Channel.ONLINE, Channel.COUNTER],
        **fields,
    )
    definition = FormDefinition.objects.create(service=service)
    FormVersion.objects.create(
        definition=definition, number=1, schema=TINY_SCHEMA, published_at=timezone.now()
    )
    return service


def make_submission(
    service, *, applicant=None, channel=Channel.ONLINE, entered_by=None, data=None, organisation=None
):
    return Submission.objects.create(
        form_version=service.form_definition.current_version(),
        data=data if data is not None else {"reason": "Neuer Wohnsitz Domplatz", "months": 12},
        applicant=applicant,
        organisation=organisation,
        channel=channel,
        entered_by=entered_by,
        idempotency_key=uuid.uuid4().hex,
    )


def make_case(service, *, applicant=None, acting_user=None, deliver_receipt: bool = True, **fields):
    """A submitted case; by default as it stands a few seconds later, when the task worker has
    delivered its receipt to the applicant's mailbox (``deliver_receipt=False``: right after
    the submission, the receipt still waiting)."""
    from rathaus.cases.services import case_create
    from rathaus.mailbox.services import receipts_deliver

    submission = make_submission(service, applicant=applicant, **fields)
    case = case_create(submission=submission, acting_user=acting_user or applicant)
    if deliver_receipt:
        receipts_deliver()
    return case
