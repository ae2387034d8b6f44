"""The number of database queries of a submission is pinned, so that it cannot grow unnoticed.

A submission is the busiest write of the city (issue 3 asks for hundreds per second on two
cores). The figures below are what one costs today; a change that adds a query here must say
why in this file. Savepoints and transaction statements count as queries (the test runs inside
a transaction, so the submission's own transaction is a savepoint here).
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rathaus.cases.models import Case
from rathaus.cases.references import reference_allocate
from rathaus.cases.services import SUBMISSION_ROWS
from rathaus.catalog.models import Service
from rathaus.core.context_processors import current_branding
from rathaus.core.rows import ids_reserve
from rathaus.forms.models import Draft
from rathaus.forms.tests.helpers import PDF_BYTES, publish

from .test_api import SUBMIT, token_client


def _field(name: str, kind: str, **extra) -> dict:
    return {"name": name, "type": kind, "label": name.replace("_", " ").title(), "required": True, **extra}


CHOICES = [{"value": v, "label": v.title()} for v in ("single", "married", "widowed")]
FORM_OF_TWENTY = {
    "title": "Antrag mit zwanzig Fragen",
    "steps": [
        {
            "id": "angaben",
            "title": "Angaben",
            "fields": [
                _field("first_name", "text"),
                _field("last_name", "text"),
                _field("birth_date", "date", min_date="1900-01-01", max_date="-16y"),
                _field("email", "email"),
                _field("phone", "phone"),
                _field("address", "address"),
                _field("nationality", "text"),
                _field("household_size", "number", integer=True, min=1, max=20),
                _field("income", "number", min=0, max=100000),
                _field("marital_status", "choice", options=CHOICES),
                _field("contact_way", "choice", options=CHOICES, widget="select"),
                _field("interests", "choice", options=CHOICES, multiple=True, widget="checkbox"),
                _field("start_date", "date", min_date="today", max_date="+365d"),
                _field("reason", "textarea", max_length=2000),
                {"name": "employer", "type": "text", "label": "Employer"},
                _field("account_holder", "text"),
                _field("iban", "iban"),
                _field("evidence", "file", accept=["pdf"], max_size_mb=5),
                _field("sepa_mandate", "declaration"),
                _field("truthful", "declaration"),
            ],
        }
    ],
}
ANSWERS = {
    "first_name": "Maria",
    "last_name": "Muster",
    "birth_date": "1980-05-17",
    "email": "maria@example.org",
    "phone": "+49 941 507-0",
    "address.street": "Domplatz 1",
    "address.postal_code": "93047",
    "address.city": "Regensburg",
    "nationality": "deutsch",
    "household_size": "3",
    "income": "2.450,50",
    "marital_status": "married",
    "contact_way": "single",
    "interests": ["single", "widowed"],
    "start_date": dt.date.today().isoformat(),
    "reason": "Umzug in die Altstadt. " * 10,
    "employer": "Stadt Regensburg",
    "account_holder": "Maria Muster",
    "iban": "DE89 3704 0044 0532 0130 00",
    "sepa_mandate": "on",
    "truthful": "on",
}

# One API submission (token login, 20 answers and a PDF in one multipart request), 11 on SQLite:
#   token with user and whether they hold a staff role (the audit label needs it) | published
#   form with service, department and workflow | savepoint | submission (its unique key decides
#   a repeated request: no look-up before), upload | reference (SQLite: UPDATE … RETURNING of
#   its counter row) | case, event, receipt (marked for delivery) | both audit entries at once,
#   without a lock (the worker seals them into the chain later) | release (commit).
# On PostgreSQL 6: token | form | the reference and the ids of the submission, case, event and
#   receipt (one statement of nextvals, ``reference_and_ids_reserve``) | savepoint | all rows in
#   one round trip (``core.rows.rows_batched``) | release. The token and the ids' statement are
#   prepared once per connection (``core.prepared``).
#   Not in the request: the receipt's mailbox message (conversation, message, attachment), which
#   the task worker delivers in batches (``mailbox.services.receipts_deliver``), its PDF (the
#   worker's sweep, or the first download) and the e-mail notice (the worker's sweep).
#   The reference is reserved before the submission's transaction (``reference_reserve``); the
#   test runs inside a transaction, so it is one statement here either way.
API_SUBMISSION_QUERIES = {"sqlite": 11, "postgresql": 6}
# The steady state: the published form is kept per process for a moment (``published_form_of``
# with ``cached``), so the next submission of the same service reads it no more.
API_SUBMISSION_QUERIES_STEADY = {"sqlite": 10, "postgresql": 5}
# The browser's final "submit" of a draft (session login, the draft's answers checked again),
# 25: session, user, staff role (second-factor middleware) | the key already used? | draft
# with form, service, department, workflow | savepoints of the submit and of the submission |
# uploads of the draft | submission (in a savepoint: a race on the key) | uploads moved, unused
# ones, draft deleted | counter, case, event, receipt (marked for delivery) | audit entries |
# session saved (in a savepoint).
BROWSER_SUBMIT_QUERIES = 25


@pytest.fixture
def twenty_field_service(department):
    # The steady state: this year's reference counter exists and the branding is cached (the
    # first case of a year and the first letter after a restart cost a few queries more).
    reference_allocate(year=timezone.localdate().year)
    ids_reserve(SUBMISSION_ROWS)  # PostgreSQL: the sequences' names are looked up once per process
    current_branding()
    service = Service.objects.create(
        leika_key="99000000000009",
        slug="zwanzig-fragen",
        name="Antrag mit zwanzig Fragen",
        summary="Zwanzig Fragen",
        department=department,
        processing_days=10,
        channels=["online"],
    )
    publish(service, FORM_OF_TWENTY)
    return service


def test_api_submission_query_count_is_pinned(twenty_field_service, citizen):
    client = token_client(citizen)
    body = {
        "service": twenty_field_service.slug,
        **ANSWERS,
        "evidence": SimpleUploadedFile("n.pdf", PDF_BYTES, "application/pdf"),
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(SUBMIT, body, format="multipart", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
    assert response.status_code == 201, response.content
    sql = "\n".join(query["sql"][:160] for query in captured.captured_queries)
    assert len(captured.captured_queries) == API_SUBMISSION_QUERIES[connection.vendor], sql


def test_next_api_submission_reuses_the_form_and_sees_a_change_at_once(twenty_field_service, citizen):
    client = token_client(citizen)

    def submit():
        body = {
            "service": twenty_field_service.slug,
            **ANSWERS,
            "evidence": SimpleUploadedFile("n.pdf", PDF_BYTES, "application/pdf"),
        }
        return client.post(SUBMIT, body, format="multipart", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)

    assert submit().status_code == 201
    with CaptureQueriesContext(connection) as captured:
        response = submit()
    assert response.status_code == 201, response.content
    assert len(captured.captured_queries) == API_SUBMISSION_QUERIES_STEADY[connection.vendor], "\n".join(
        query["sql"][:160] for query in captured.captured_queries
    )
    # Unpublishing in this process clears the kept form at once: no submission slips through.
    twenty_field_service.is_published = False
    twenty_field_service.save()
    assert submit().status_code == 404
    assert Case.objects.count() == 2


def test_browser_submit_query_count_is_pinned(twenty_field_service, citizen, citizen_client):
    from rathaus.forms.engine import answers_from_post
    from rathaus.forms.selectors import spec_for_version

    version = twenty_field_service.form_definition.current_version()
    draft = Draft.objects.create(form_version=version, owner=citizen, current_step="angaben")
    upload = citizen_client.post(
        reverse("api-form-upload", args=[twenty_field_service.slug]),
        {"field_name": "evidence", "file": SimpleUploadedFile("n.pdf", PDF_BYTES, "application/pdf")},
    )
    assert upload.status_code == 201, upload.content
    from django.http import QueryDict

    post = QueryDict(mutable=True)
    for name, value in ANSWERS.items():
        post.setlist(name, value if isinstance(value, list) else [value])
    post.setlist("evidence", [upload.json()["id"]])
    draft.data = answers_from_post(spec_for_version(version), post)
    draft.save()
    with CaptureQueriesContext(connection) as captured:
        response = citizen_client.post(reverse("cases:submit", args=[draft.pk]), {"idempotency_key": "k"})
    assert response.status_code == 302 and Case.objects.count() == 1, response
    sql = "\n".join(query["sql"][:160] for query in captured.captured_queries)
    assert len(captured.captured_queries) == BROWSER_SUBMIT_QUERIES, sql
