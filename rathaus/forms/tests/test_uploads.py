"""Uploads: the type is judged by the content, sizes are limited, files are stored privately and
served only to those allowed to read them."""

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from rathaus.forms import services
from rathaus.forms.models import Upload
from rathaus.forms.selectors import register_upload_reader, upload_readable_by

from .helpers import EXE_BYTES, HTML_BYTES, PDF_BYTES, PNG_BYTES, pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(citizen, parking_version):
    return services.draft_start(user=citizen, form_version=parking_version, session={})


def test_a_pdf_is_accepted_and_stored_outside_any_served_url(draft, citizen):
    upload = services.upload_accept(
        draft=draft, field_name="residence_proof", file=pdf_file(), acting_user=citizen
    )
    assert upload.content_type == "application/pdf"
    assert upload.size == len(PDF_BYTES)
    assert upload.original_name == "nachweis.pdf"
    assert "nachweis" not in upload.file.name
    assert upload.file.storage.path(upload.file.name).startswith(str(settings.MEDIA_ROOT))
    assert not getattr(settings, "MEDIA_URL", "").strip("/")
    assert len(upload.sha256) == 64


@pytest.mark.parametrize(
    ("content", "name", "content_type"),
    [
        (EXE_BYTES, "bescheinigung.pdf", "application/pdf"),
        (HTML_BYTES, "bescheinigung.pdf", "application/pdf"),
        (b"just text", "scan.png", "image/png"),
    ],
)
def test_disguised_files_are_refused(draft, citizen, content, name, content_type):
    with pytest.raises(ValidationError) as caught:
        services.upload_accept(
            draft=draft,
            field_name="residence_proof",
            file=pdf_file(name, content, content_type),
            acting_user=citizen,
        )
    assert "checked by its content" in caught.value.messages[0]
    assert not Upload.objects.exists()


def test_a_png_is_refused_where_only_images_are_wanted_it_is_fine(citizen, defect_version):
    draft = services.draft_start(user=citizen, form_version=defect_version, session={})
    upload = services.upload_accept(
        draft=draft, field_name="photo", file=pdf_file("foto.png", PNG_BYTES), acting_user=citizen
    )
    assert upload.content_type == "image/png"
    with pytest.raises(ValidationError):  # the photo field takes JPEG and PNG only
        services.upload_accept(draft=draft, field_name="photo", file=pdf_file(), acting_user=citizen)


def test_oversized_file_is_refused(draft, citizen):
    big = PDF_BYTES + b"0" * (5 * 1024 * 1024)
    with pytest.raises(ValidationError) as caught:
        services.upload_accept(
            draft=draft, field_name="residence_proof", file=pdf_file(content=big), acting_user=citizen
        )
    assert "5 MB" in caught.value.messages[0]


def test_upload_for_a_field_that_takes_no_files_is_refused(draft, citizen):
    with pytest.raises(ValidationError):
        services.upload_accept(draft=draft, field_name="iban", file=pdf_file(), acting_user=citizen)


def test_upload_through_the_step_form_and_download_by_the_owner(citizen_client, draft):
    url = reverse("forms:step", args=[draft.pk, "evidence"])
    response = citizen_client.post(url, {"residence_proof": pdf_file(), "_action": "save"})
    assert response.status_code == 302
    draft.refresh_from_db()
    upload = Upload.objects.get()
    assert draft.data["residence_proof"] == [str(upload.pk)]
    download = citizen_client.get(reverse("forms:upload_download", args=[upload.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_disguised_file_through_the_page_shows_an_error(citizen_client, draft):
    url = reverse("forms:step", args=[draft.pk, "evidence"])
    response = citizen_client.post(
        url, {"residence_proof": pdf_file("x.pdf", HTML_BYTES, "application/pdf"), "_action": "next"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="f-residence-proof-error"' in html
    assert not Upload.objects.exists()
    # The refused file says why, once; not also "please attach a file" for the same question.
    error = re.search(
        r'id="f-residence-proof-error">.*?<span class="kern-body">(.*?)</span>', html, re.S
    ).group(1)
    assert "Inhalt" in error  # "… wird anhand ihres Inhalts geprüft …"
    assert "Bitte hängen Sie" not in error and "Please attach" not in error


def test_upload_endpoint(citizen_client, draft):
    url = reverse("forms:upload", args=[draft.pk, "registration_certificate"])
    response = citizen_client.post(url, {"file": pdf_file("zb1.pdf")})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.data["registration_certificate"] == [str(Upload.objects.get().pk)]


def test_another_citizen_and_anonymous_cannot_download(draft, citizen, other_citizen_client):
    upload = services.upload_accept(
        draft=draft, field_name="residence_proof", file=pdf_file(), acting_user=citizen
    )
    url = reverse("forms:upload_download", args=[upload.pk])
    assert other_citizen_client.get(url).status_code == 404
    assert Client().get(url).status_code == 404


def test_another_citizen_cannot_upload_into_the_draft(draft, other_citizen, other_citizen_client):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.upload_accept(
            draft=draft, field_name="residence_proof", file=pdf_file(), acting_user=other_citizen
        )
    response = other_citizen_client.post(
        reverse("forms:upload", args=[draft.pk, "residence_proof"]), {"file": pdf_file()}
    )
    assert response.status_code == 404


def test_anonymous_uploader_reads_own_file_in_the_same_session_only(client, defect_version, defect_service):
    client.post(reverse("forms:start", args=[defect_service.slug]))
    draft_id = client.session["anonymous_drafts"][0]
    response = client.post(
        reverse("forms:upload", args=[draft_id, "photo"]), {"file": pdf_file("foto.png", PNG_BYTES)}
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    url = reverse("forms:upload_download", args=[upload.pk])
    assert client.get(url).status_code == 200
    assert Client().get(url).status_code == 404


def test_other_apps_can_grant_reading_through_the_hook(draft, citizen, caseworker):
    upload = services.upload_accept(
        draft=draft, field_name="residence_proof", file=pdf_file(), acting_user=citizen
    )
    assert upload_readable_by(citizen, upload)
    assert not upload_readable_by(caseworker, upload)
    assert not caseworker.has_perm("forms.view_upload", upload)

    def caseworkers_of_amt_32(user, upload):
        return user.pk == caseworker.pk

    register_upload_reader(caseworkers_of_amt_32)
    try:
        assert caseworker.has_perm("forms.view_upload", upload)
    finally:
        from rathaus.forms import selectors

        selectors._UPLOAD_READERS.remove(caseworkers_of_amt_32)


def test_file_answer_must_name_uploads_of_this_draft(citizen, other_citizen, parking_version):
    from rathaus.forms.engine import FillContext, validate_step
    from rathaus.forms.selectors import spec_for_version

    mine = services.draft_start(user=citizen, form_version=parking_version, session={})
    theirs = services.draft_start(user=other_citizen, form_version=parking_version, session={})
    foreign = services.upload_accept(
        draft=theirs, field_name="residence_proof", file=pdf_file(), acting_user=other_citizen
    )
    spec = spec_for_version(parking_version)
    _cleaned, errors = validate_step(
        spec,
        "evidence",
        {"residence_proof": [str(foreign.pk)]},
        context=FillContext(user=citizen, draft=mine),
    )
    assert "residence_proof" in errors
    _cleaned, errors = validate_step(
        spec, "evidence", {"residence_proof": ["not-a-uuid"]}, context=FillContext(user=citizen, draft=mine)
    )
    assert "residence_proof" in errors


def test_autosave_without_files_keeps_the_uploads_already_stored(citizen, citizen_client, draft):
    upload = services.upload_accept(
        draft=draft, field_name="registration_certificate", file=pdf_file(), acting_user=citizen
    )
    draft.data["registration_certificate"] = [str(upload.pk)]
    draft.save(update_fields=["data"])
    response = citizen_client.post(
        reverse("forms:autosave", args=[draft.pk, "evidence"]), {}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.data["registration_certificate"] == [str(upload.pk)]


def test_upload_questions_say_which_kinds_they_take(draft, citizen, citizen_client):
    """The hint names the kinds as words, after the question's own hint as a sentence, and is
    linked to the input; the input's ``accept`` follows the question's kinds."""
    draft.current_step = "evidence"
    draft.save()
    page = citizen_client.get(reverse("forms:step", args=[draft.pk, "evidence"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert '-hint">Erlaubt: PDF, JPEG, PNG, höchstens 5 MB pro Datei.' in html  # no hint of its own
    assert "Nur bei Dienstwagen. Erlaubt: PDF, JPEG, PNG" in html
    assert "P, D, F" not in html
    assert 'name="registration_certificate" accept=".pdf,.jpg,.jpeg,.png,application/pdf' in html
    assert 'aria-describedby="f-registration-certificate-hint"' in html


def test_an_image_question_takes_only_images(citizen, defect_version, citizen_client):
    draft = services.draft_start(user=citizen, form_version=defect_version, session={})
    html = citizen_client.get(reverse("forms:step", args=[draft.pk, "details"])).content.decode()
    assert "Erlaubt: JPEG, PNG, höchstens" in html
    assert 'accept=".jpg,.jpeg,.png,image/jpeg,image/png"' in html


def test_an_empty_required_file_input_asks_for_the_file_and_leaves_the_draft_usable(draft, citizen_client):
    """Chromium sends an empty file input as ``name=""`` (Django puts it into ``POST``): that is
    no file, so the person is asked for one, and nothing unusable is kept in the draft."""
    url = reverse("forms:step", args=[draft.pk, "evidence"])
    response = citizen_client.post(
        url,
        {"residence_proof": "", "registration_certificate": "", "company_car_proof": "", "_action": "next"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Bitte hängen Sie eine Datei an." in html
    assert 'href="#f-registration-certificate"' in html
    draft.refresh_from_db()
    assert draft.data.get("registration_certificate") in (None, [])
    assert "" not in draft.data.get("residence_proof", [])
    assert citizen_client.get(url).status_code == 200
    assert citizen_client.get(reverse("forms:resume", args=[draft.pk]), follow=True).status_code == 200


@pytest.mark.parametrize("stored", [[""], ["", "not-a-uuid"], ["not-a-uuid"], [None], "x"])
def test_a_draft_holding_unusable_file_references_still_opens(draft, citizen_client, stored):
    """Drafts stored before empty file inputs were dropped may hold ``[""]``: their step, the
    resume link and the summary render instead of failing on every visit."""
    draft.data["registration_certificate"] = stored
    draft.current_step = "evidence"
    draft.save()
    step = citizen_client.get(reverse("forms:resume", args=[draft.pk]), follow=True)
    assert step.status_code == 200
    assert step.redirect_chain[-1][0] == reverse("forms:step", args=[draft.pk, "evidence"])
    assert citizen_client.get(reverse("forms:summary", args=[draft.pk])).status_code == 200


def test_a_step_post_never_stores_references_that_name_no_upload(citizen, draft, citizen_client):
    upload = services.upload_accept(
        draft=draft, field_name="registration_certificate", file=pdf_file(), acting_user=citizen
    )
    url = reverse("forms:step", args=[draft.pk, "evidence"])
    response = citizen_client.post(
        url, {"registration_certificate": [str(upload.pk), "", "not-a-uuid"], "_action": "next"}
    )
    assert response.status_code == 200
    assert "Ein Dateiverweis ist ungültig." in response.content.decode()
    draft.refresh_from_db()
    assert draft.data["registration_certificate"] == [str(upload.pk)]


def test_an_empty_file_entry_is_no_file_in_the_api_answers(parking_spec, ctx):
    from rathaus.forms.engine import answers_from_post, validate_step

    post = QueryDict(mutable=True)
    post.setlist("registration_certificate", [""])
    assert answers_from_post(parking_spec, post)["registration_certificate"] == []
    _cleaned, errors = validate_step(parking_spec, "evidence", post, context=ctx, data={})
    assert errors["registration_certificate"] == ["Bitte hängen Sie eine Datei an."]
