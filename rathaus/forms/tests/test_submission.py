"""Submitting: everything validated again, stored once per key, uploads linked, the draft gone;
a draft keeps its form version when a newer one is published."""

import copy

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from rathaus.forms import services
from rathaus.forms.definitions import load
from rathaus.forms.engine import FillContext, FormValidationError, summary_rows
from rathaus.forms.models import Draft, Submission, Upload
from rathaus.forms.selectors import spec_for_version

from .helpers import pdf_file

pytestmark = pytest.mark.django_db


def complete_draft(citizen, version, **start):
    draft = services.draft_start(user=citizen, form_version=version, session={}, **start)
    proof = services.upload_accept(
        draft=draft, field_name="residence_proof", file=pdf_file(), acting_user=citizen
    )
    zb1 = services.upload_accept(
        draft=draft, field_name="registration_certificate", file=pdf_file("zb1.pdf"), acting_user=citizen
    )
    draft.data.update(
        {
            "birth_date": "1980-02-01",
            "residence_kind": "main",
            "vehicles": [
                {"plate": "R-MM 80", "holder": "self"},
                {"plate": "R-MM 81", "holder": "employer", "holder_name": "Stadtwerke"},
            ],
            "valid_from": timezone.localdate().isoformat(),
            "duration": "2y",
            "residence_proof": [str(proof.pk)],
            "registration_certificate": [str(zb1.pk)],
            "account_holder": "Maria Muster",
            "iban": "DE89370400440532013000",
            "sepa_mandate": True,
            "truthful": True,
        }
    )
    draft.save()
    return draft


def submit(draft, user, key="key-1", trust_level="basic"):
    return services.submission_create(
        draft=draft,
        acting_user=user,
        idempotency_key=key,
        trust_level=trust_level,
        context=FillContext(user=user, trust_level=trust_level, language="de"),
    )


def test_submission_stores_cleaned_data_links_uploads_and_deletes_the_draft(citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    draft.data["smuggled"] = "x"
    draft.save()
    submission, created = submit(draft, citizen)
    assert created
    assert submission.applicant == citizen
    assert submission.contact_email == "maria@example.org"
    assert submission.form_version == parking_version
    assert "smuggled" not in submission.data
    assert submission.data["vehicles"][1] == {
        "plate": "R-MM 81",
        "holder": "employer",
        "holder_name": "Stadtwerke",
    }
    assert Upload.objects.filter(submission=submission).count() == 2
    assert not Draft.objects.exists()


def test_same_key_twice_gives_one_submission(citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    first, created = submit(draft, citizen, key="double-click")
    assert created
    # The double click arrives with the same draft object (already deleted in the database).
    again, created_again = submit(draft, citizen, key="double-click")
    assert not created_again
    assert again.pk == first.pk
    assert Submission.objects.count() == 1


def test_retry_inside_the_callers_transaction_keeps_it_usable(citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    submit(draft, citizen, key="retry")
    with transaction.atomic():
        again, created = submit(draft, citizen, key="retry")
        assert Submission.objects.filter(pk=again.pk).exists()  # the transaction still works
    assert not created


def test_invalid_draft_is_refused_and_kept(citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    draft.data["iban"] = "DE00 1234"
    draft.data["vehicles"] = [{"plate": "R-1", "holder": "self"}] * 4
    draft.save()
    with pytest.raises(FormValidationError) as caught:
        submit(draft, citizen)
    assert {"iban", "vehicles"} <= set(caught.value.errors)
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert not Submission.objects.exists()


def test_another_persons_upload_cannot_be_smuggled_into_a_submission(citizen, other_citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    theirs = services.draft_start(user=other_citizen, form_version=parking_version, session={})
    foreign = services.upload_accept(
        draft=theirs, field_name="residence_proof", file=pdf_file(), acting_user=other_citizen
    )
    draft.data["residence_proof"] = [str(foreign.pk)]
    draft.save()
    with pytest.raises(FormValidationError) as caught:
        submit(draft, citizen)
    assert "residence_proof" in caught.value.errors


def test_draft_keeps_its_version_when_a_new_one_is_published(citizen, parking_service, parking_version):
    draft = complete_draft(citizen, parking_version)
    entered = copy.deepcopy(draft.data)
    changed = load("bewohnerparkausweis")
    changed["steps"][2]["fields"][0]["max_rows"] = 1  # the new version allows only one vehicle
    new_version = services.form_version_publish(
        acting_user=None,
        version=services.form_version_save(
            acting_user=None, definition=parking_version.definition, schema=changed
        ),
    )
    assert new_version.number == 2
    assert parking_service.form_definition.current_version() == new_version
    submission, _created = submit(draft, citizen)
    assert submission.form_version == parking_version
    for name in (
        "first_name",
        "last_name",
        "birth_date",
        "iban",
        "residence_proof",
        "registration_certificate",
    ):
        assert submission.data[name] == entered[name]
    assert len(submission.data["vehicles"]) == 2  # nothing entered is lost


def test_old_version_draft_is_offered_for_resuming(citizen_client, citizen, parking_service, parking_version):
    draft = complete_draft(citizen, parking_version)
    services.form_version_publish(
        acting_user=None,
        version=services.form_version_save(
            acting_user=None, definition=parking_version.definition, schema=load("bewohnerparkausweis")
        ),
    )
    html = citizen_client.get(reverse("forms:start", args=[parking_service.slug])).content.decode()
    assert reverse("forms:resume", args=[draft.pk]) in html
    assert citizen_client.get(reverse("forms:summary", args=[draft.pk])).status_code == 200


def test_summary_rows(citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    spec = spec_for_version(parking_version)
    context = FillContext(user=citizen, trust_level="basic", draft=draft, language="de")
    from rathaus.forms.engine import validate_all

    rows = dict(summary_rows(spec, validate_all(spec, draft.data, context=context), "de"))
    assert rows["Vorname"] == "Maria"
    assert rows["Geburtsdatum"] == "01.02.1980"
    assert rows["IBAN"] == "DE89 3704 0044 0532 0130 00"
    assert rows["Anschrift in der Bewohnerparkzone"] == "Domplatz 1, 93047 Regensburg"
    assert rows["Fahrzeug 2: Halter/in des Fahrzeugs"] == "mein Arbeitgeber (Dienstwagen)"
    assert rows["Meldebescheinigung"] == "nachweis.pdf"
    assert rows["Gültigkeitsdauer"] == "2 Jahre"

    english = dict(summary_rows(spec, validate_all(spec, draft.data, context=context), "en"))
    # As other English pages write dates: not the ISO form, nor 02/01/1980, which Britain and
    # America read apart.
    assert english["Date of birth"] == "1 February 1980"


def test_summary_page_has_submit_form_for_the_cases_app(citizen_client, citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    response = citizen_client.get(reverse("forms:summary", args=[draft.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="draft" value="{draft.pk}"' in html
    assert 'name="idempotency_key" value="' in html
    assert f'action="{reverse("cases:submit", args=[draft.pk])}"' in html
    assert "DE89 3704 0044 0532 0130 00" in html


def test_summary_page_lists_errors_linked_to_their_steps(citizen_client, citizen, parking_version):
    draft = complete_draft(citizen, parking_version)
    draft.data["iban"] = "DE00"
    draft.save()
    html = citizen_client.get(reverse("forms:summary", args=[draft.pk])).content.decode()
    assert reverse("forms:step", args=[draft.pk, "payment"]) + "#f-iban" in html
    assert 'name="idempotency_key"' not in html


def test_anonymous_defect_report_end_to_end(client, defect_service, defect_version):
    from .helpers import PNG_BYTES

    client.post(reverse("forms:start", args=[defect_service.slug]))
    draft = Draft.objects.get()
    step = lambda name: reverse("forms:step", args=[draft.pk, name])  # noqa: E731
    response = client.post(
        step("location"), {"category": "light", "location_description": "", "_action": "next"}
    )
    assert response.status_code == 200  # at least one of address or description
    response = client.post(
        step("location"), {"category": "light", "location_description": "Steinerne Brücke", "_action": "next"}
    )
    assert response["Location"] == step("details")
    response = client.post(
        step("details"),
        {"description": "Laterne aus", "photo": pdf_file("foto.png", PNG_BYTES), "_action": "next"},
    )
    assert response["Location"] == step("contact")
    response = client.post(
        step("contact"), {"wants_feedback": "no", "email": "hidden@example.org", "_action": "next"}
    )
    assert response["Location"] == reverse("forms:summary", args=[draft.pk])
    draft.refresh_from_db()
    assert "email" not in draft.data
    submission, created = services.submission_create(
        draft=draft, acting_user=None, idempotency_key="anon-1", trust_level=None, context=FillContext()
    )
    assert created and submission.applicant is None
    assert submission.data["photo"] == [str(Upload.objects.get().pk)]


def test_concurrent_duplicate_is_decided_by_the_unique_constraint(citizen, parking_version, monkeypatch):
    """The other request inserts between our check and our insert: IntegrityError, not a 2nd row."""
    draft = complete_draft(citizen, parking_version)
    real_validate = services.validate_all

    def validate_while_the_other_request_commits(spec, data, *, context):
        cleaned = real_validate(spec, data, context=context)
        Submission.objects.create(
            form_version=parking_version,
            data={},
            applicant=citizen,
            idempotency_key="race",
            trust_level="basic",
        )
        return cleaned

    monkeypatch.setattr(services, "validate_all", validate_while_the_other_request_commits)
    with transaction.atomic():
        submission, created = submit(draft, citizen, key="race")
        assert Submission.objects.count() == 1
    assert not created
    assert submission.idempotency_key == "race"
    assert Draft.objects.filter(pk=draft.pk).exists()


def test_someone_elses_key_is_refused(citizen, other_citizen, parking_version):
    from django.core.exceptions import PermissionDenied

    submit(complete_draft(citizen, parking_version), citizen, key="mine")
    with pytest.raises(PermissionDenied):
        submit(complete_draft(other_citizen, parking_version), other_citizen, key="mine")


def test_staff_entering_an_application_at_the_counter_are_not_sent_to_the_eid_page(
    caseworker, caseworker_client, citizen, parking_service, parking_version
):
    """A service needing "substantial" asks the online applicant for an eID login; at the
    counter (post, phone) the caseworker checks the person's identity and fills in and submits
    the form with their own login."""
    parking_service.min_trust_level = "substantial"
    parking_service.save()
    draft = complete_draft(caseworker, parking_version, channel="counter", applicant=citizen)
    resume = caseworker_client.get(reverse("forms:resume", args=[draft.pk]))
    assert resume.status_code == 302
    assert resume["Location"] == reverse("forms:step", args=[draft.pk, draft.current_step])
    assert caseworker_client.get(reverse("forms:step", args=[draft.pk, "vehicles"])).status_code == 200
    assert caseworker_client.get(reverse("forms:summary", args=[draft.pk])).status_code == 200
    response = caseworker_client.post(
        reverse("cases:submit", args=[draft.pk]), {"idempotency_key": "counter-1"}
    )
    assert response.status_code == 302
    submission = Submission.objects.get(idempotency_key="counter-1")
    assert (submission.channel, submission.applicant, submission.entered_by) == (
        "counter",
        citizen,
        caseworker,
    )


def test_an_online_draft_still_needs_the_services_trust_level(
    citizen, citizen_client, parking_service, parking_version
):
    parking_service.min_trust_level = "substantial"
    parking_service.save()
    draft = complete_draft(citizen, parking_version)
    for url in (reverse("forms:resume", args=[draft.pk]), reverse("forms:step", args=[draft.pk, "person"])):
        response = citizen_client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:trust_level"))
    draft = Draft.objects.select_related("form_version__definition__service").get(pk=draft.pk)
    with pytest.raises(PermissionDenied):
        submit(draft, citizen, trust_level="basic")
    assert not Submission.objects.exists()
    _submission, created = submit(draft, citizen, trust_level="substantial")
    assert created
