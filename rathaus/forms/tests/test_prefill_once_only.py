"""Prefill from the account, and once-only: eID-verified data is taken over instead of asked."""

import pytest
from django.urls import reverse

from rathaus.accounts.constants import TrustLevel
from rathaus.forms import services
from rathaus.forms.engine import FillContext, FormValidationError, prefill_data, validate_all
from rathaus.forms.models import Submission
from rathaus.forms.selectors import spec_for_version

from .helpers import client_with_trust, pdf_file

pytestmark = pytest.mark.django_db

ADDRESS = {"street": "Heidestraße 17", "postal_code": "51147", "city": "Köln"}


def test_prefill_takes_the_accounts_data(parking_spec, citizen):
    data = prefill_data(parking_spec, citizen)
    assert data["first_name"] == "Maria"
    assert data["email"] == "maria@example.org"
    assert data["address"] == {"street": "Domplatz 1", "postal_code": "93047", "city": "Regensburg"}
    assert "phone" not in data  # empty in the account, so not prefilled


def test_prefill_is_stored_in_a_new_draft(citizen, parking_version):
    draft = services.draft_start(user=citizen, form_version=parking_version, session={})
    assert draft.data["last_name"] == "Muster"


def filled_parking(address=ADDRESS):
    return {
        "first_name": "Erika",
        "last_name": "Mustermann",
        "birth_date": "1964-08-12",
        "email": "eid@example.org",
        "address": address,
        "residence_kind": "main",
        "vehicles": [{"plate": "R-EM 64", "holder": "self"}],
        "valid_from": None,
        "duration": "1y",
        "account_holder": "Erika Mustermann",
        "iban": "DE89370400440532013000",
        "sepa_mandate": True,
        "truthful": True,
    }


@pytest.fixture
def eid_draft(eid_citizen, parking_version):
    from django.utils import timezone

    draft = services.draft_start(user=eid_citizen, form_version=parking_version, session={})
    draft.data = {**filled_parking(), "valid_from": timezone.localdate().isoformat()}
    draft.save()
    return draft


def test_once_only_with_an_eid_high_login_takes_the_address_over(eid_citizen, eid_draft):
    upload = services.upload_accept(
        draft=eid_draft, field_name="registration_certificate", file=pdf_file(), acting_user=eid_citizen
    )
    eid_draft.data["registration_certificate"] = [str(upload.pk)]
    context = FillContext(user=eid_citizen, trust_level=TrustLevel.HIGH, draft=eid_draft)
    cleaned = validate_all(spec_for_version(eid_draft.form_version), eid_draft.data, context=context)
    assert cleaned["residence_proof"] == []
    assert cleaned["_once_only"]["residence_proof"] == {
        "source": "eid_address",
        "trust_level": "high",
        "value": ADDRESS,
    }


def test_basic_login_must_upload_the_proof(eid_citizen, eid_draft):

    context = FillContext(user=eid_citizen, trust_level=TrustLevel.BASIC, draft=eid_draft)
    with pytest.raises(FormValidationError) as caught:
        validate_all(spec_for_version(eid_draft.form_version), eid_draft.data, context=context)
    assert "residence_proof" in caught.value.errors


def test_high_login_without_eid_verified_account_data_must_upload(citizen, parking_version):

    spec = spec_for_version(parking_version)
    context = FillContext(user=citizen, trust_level=TrustLevel.HIGH)  # account never verified by eID
    assert spec.top_fields["residence_proof"]
    with pytest.raises(FormValidationError) as caught:
        validate_all(spec, filled_parking(), context=context)
    assert "residence_proof" in caught.value.errors


def test_evidence_page_says_taken_over_with_eid_session(eid_citizen, eid_draft):
    high = client_with_trust(eid_citizen, TrustLevel.HIGH)
    html = high.get(reverse("forms:step", args=[eid_draft.pk, "evidence"])).content.decode()
    assert 'name="residence_proof"' not in html
    assert "Heidestraße 17, 51147 Köln" in html
    basic = client_with_trust(eid_citizen, TrustLevel.BASIC)
    html = basic.get(reverse("forms:step", args=[eid_draft.pk, "evidence"])).content.decode()
    assert 'name="residence_proof"' in html


def test_submission_records_the_take_over(eid_citizen, eid_draft):
    upload = services.upload_accept(
        draft=eid_draft, field_name="registration_certificate", file=pdf_file(), acting_user=eid_citizen
    )
    eid_draft.data["registration_certificate"] = [str(upload.pk)]
    eid_draft.save()
    submission, created = services.submission_create(
        draft=eid_draft,
        acting_user=eid_citizen,
        idempotency_key="key-once-only",
        trust_level=TrustLevel.HIGH,
        context=FillContext(user=eid_citizen, trust_level=TrustLevel.HIGH),
    )
    assert created
    assert Submission.objects.get().data["_once_only"]["residence_proof"]["source"] == "eid_address"
    assert submission.trust_level == "high"
