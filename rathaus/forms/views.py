"""Pages of the online forms: start, steps, autosave, uploads, summary; the staff editor.

Views stay thin: drafts are fetched through ``selectors.access_draft``, services through
``core.permissions.access_object``; every write is a service call.
"""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rathaus.accounts.constants import TrustLevel
from rathaus.accounts.models import Organisation
from rathaus.accounts.selectors import organisations_of
from rathaus.accounts.trust import current_trust_level, session_meets
from rathaus.catalog.constants import Channel
from rathaus.catalog.models import Service
from rathaus.core.errors import error_text
from rathaus.core.permissions import access_object, audit_denial, login_required_for

from . import selectors, services
from .constants import ANONYMOUS_DRAFTS_SESSION_KEY
from .engine import (
    FillContext,
    FormDefinitionError,
    FormSpec,
    FormValidationError,
    summary_sections,
    validate_all,
)
from .models import Upload
from .rendering import bound_fields, error_links, step_links

EDIT_PERM = "forms.change_form"


def _language() -> str:
    return (get_language() or "de")[:2]


def _context(request, draft=None) -> FillContext:
    user = request.user if request.user.is_authenticated else None
    return FillContext(user=user, trust_level=current_trust_level(request), language=_language(), draft=draft)


def _trust_redirect(request, service):
    """None if the login may use the service; else where to go (login or the trust-level page)."""
    if not request.user.is_authenticated:
        if service.allows_anonymous and service.min_trust_level == TrustLevel.BASIC:
            return None
        return redirect_to_login(request.get_full_path())
    if session_meets(request, service.min_trust_level):
        return None
    query = urlencode({"required": service.min_trust_level, "next": request.get_full_path()})
    return redirect(f"{reverse('accounts:trust_level')}?{query}")


def _open_draft(request, draft_id):
    draft = selectors.access_draft(request, draft_id)
    spec = selectors.spec_for_version(draft.form_version)
    if selectors.required_trust_level(draft) is None:
        # Counter, post, phone: staff check the applicant's identity themselves.
        return draft, spec, None
    return draft, spec, _trust_redirect(request, draft.form_version.definition.service)


@require_http_methods(["GET", "POST"])
def start(request, service_slug: str):
    service = get_object_or_404(Service.objects.published(), slug=service_slug)
    version = selectors.current_form_version(service)
    if version is None:
        raise Http404
    refusal = _trust_redirect(request, service)
    if refusal is not None:
        return refusal
    organisations = list(organisations_of(request.user)) if request.user.is_authenticated else []
    if request.method == "POST":
        draft = services.draft_start(
            user=request.user if request.user.is_authenticated else None,
            form_version=version,
            session=request.session,
            organisation=_acting_for(request),
            new=True,  # "Start a new application": the drafts listed stay as they are
        )
        return redirect(
            "forms:step", draft.pk, draft.current_step or selectors.spec_for_version(version).steps[0].id
        )
    spec = selectors.spec_for_version(version)
    return render(
        request,
        "forms/start.html",
        {
            "service": service,
            "spec_title": spec.title(_language()) or service.display_name,
            "intro": spec.intro(_language()),
            "drafts": selectors.drafts_for_service(request, service),
            "organisations": organisations,
            "version": version,
            "title": service.display_name,
        },
    )


ACT_FOR = "accounts.act_for_organisation"


def _acting_for(request) -> Organisation | None:
    """The organisation chosen on the start page ("" for oneself). Only one the person acts for:
    anything else is a forged request, refused like a missing page and audited."""
    value = request.POST.get("organisation", "")
    if not value:
        return None
    organisation = Organisation.objects.filter(pk=value).first() if value.isdigit() else None
    if (
        organisation is None
        or not request.user.is_authenticated
        or not request.user.has_perm(ACT_FOR, organisation)
    ):
        audit_denial(request=request, perm=ACT_FOR, obj=organisation)
        raise Http404
    return organisation


def resume(request, draft_id):
    draft, spec, refusal = _open_draft(request, draft_id)
    if refusal is not None:
        return refusal
    step_ids = [step.id for step in spec.visible_steps(draft.data)]
    return redirect(
        "forms:step", draft.pk, draft.current_step if draft.current_step in step_ids else step_ids[0]
    )


@require_http_methods(["GET", "POST"])
def discard(request, draft_id):
    """Verwerfen: the person deletes a draft they no longer want (with its files), after a
    page that asks once more (no script needed)."""
    draft = selectors.access_draft(request, draft_id)
    service = draft.form_version.definition.service
    if request.method == "GET":
        spec = selectors.spec_for_version(draft.form_version)
        title = _("Delete the draft?")
        return render(
            request,
            "forms/discard.html",
            {"draft": draft, "service": service, "spec_title": spec.title(_language()), "title": title},
        )
    services.draft_discard(draft=draft, acting_user=request.user if request.user.is_authenticated else None)
    messages.success(request, _("The draft has been deleted."))
    return redirect("forms:start", service.slug)


def _neighbour(spec: FormSpec, data, step_id: str, offset: int) -> str | None:
    ids = [step.id for step in spec.visible_steps(data)]
    if step_id not in ids:
        return ids[0] if ids else None
    index = ids.index(step_id) + offset
    return ids[index] if 0 <= index < len(ids) else None


def _render_step(request, draft, spec, step, errors=None, extra_rows=None, status=200):
    ctx = _context(request, draft)
    errors = errors or {}
    language = ctx.language
    previous = _neighbour(spec, draft.data, step.id, -1)
    return render(
        request,
        "forms/step.html",
        {
            "draft": draft,
            "step": step,
            "step_title": step.title(language),
            "step_description": step.description(language),
            "spec_title": spec.title(language),
            "fields": bound_fields(spec, step, draft.data, errors, ctx, extra_rows),
            "steps": step_links(spec, draft, draft.data, step.id, language),
            "error_links": error_links(
                spec, draft, errors, same_page=True, language=language, answers=draft.data
            ),
            "previous_step": previous,
            "title": f"{step.title(language)} – {spec.title(language)}",
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def step(request, draft_id, step_id: str):
    draft, spec, refusal = _open_draft(request, draft_id)
    if refusal is not None:
        return refusal
    try:
        current = spec.step(step_id)
    except KeyError:
        raise Http404 from None
    if step_id not in [s.id for s in spec.visible_steps(draft.data)]:
        return redirect("forms:resume", draft.pk)
    if request.method == "GET":
        return _render_step(request, draft, spec, current)
    errors = services.draft_save_step(
        draft=draft,
        step_id=step_id,
        raw_data=request.POST,
        files=request.FILES,
        context=_context(request, draft),
    )
    action = request.POST.get("_action", "next")
    if action.startswith("add:"):
        return _render_step(request, draft, spec, current, extra_rows={action[4:]: 1})
    if action == "back":
        target = _neighbour(spec, draft.data, step_id, -1)
        return (
            redirect("forms:step", draft.pk, target) if target else redirect("forms:step", draft.pk, step_id)
        )
    if action == "save":
        messages.success(request, _("Your entries have been saved. You can continue later."))
        return redirect("forms:step", draft.pk, step_id)
    if errors:
        return _render_step(request, draft, spec, current, errors=errors)
    following = _neighbour(spec, draft.data, step_id, +1)
    if following is None:
        return redirect("forms:summary", draft.pk)
    return redirect("forms:step", draft.pk, following)


@require_POST
def autosave(request, draft_id, step_id: str):
    """htmx: store the step as it is (no files) and say so in a status region."""
    draft, spec, refusal = _open_draft(request, draft_id)
    if refusal is not None:
        return refusal
    try:
        spec.step(step_id)
    except KeyError:
        raise Http404 from None
    errors = services.draft_save_step(
        draft=draft, step_id=step_id, raw_data=request.POST, files=None, context=_context(request, draft)
    )
    if not request.htmx:
        return redirect("forms:step", draft.pk, step_id)
    return render(
        request,
        "forms/_autosave_status.html",
        {"saved_at": timezone.localtime(), "error_count": len(errors)},
    )


@require_POST
def upload(request, draft_id, field_name: str):
    """Upload one file for a file question of the draft, then return to its step."""
    draft, spec, refusal = _open_draft(request, draft_id)
    if refusal is not None:
        return refusal
    fld = spec.top_fields.get(field_name)
    if fld is None or fld.type != "file" or "file" not in request.FILES:
        raise Http404
    try:
        accepted = services.upload_accept(
            draft=draft, field_name=field_name, file=request.FILES["file"], acting_user=request.user
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        ids = [*(draft.data.get(field_name) or []), str(accepted.pk)]
        services.draft_save_step(
            draft=draft,
            step_id=fld.step_id,
            raw_data={**draft.data, field_name: ids},
            files=None,
            context=_context(request, draft),
        )
        messages.success(
            request, _("The file %(name)s has been uploaded.") % {"name": accepted.original_name}
        )
    return redirect("forms:step", draft.pk, fld.step_id)


def upload_download(request, upload_id):
    """Stream an uploaded file to someone allowed to read it (404 for everyone else)."""
    try:
        upload = Upload.objects.select_related("draft", "submission").get(pk=upload_id)
    except (Upload.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    anonymous_own = (
        upload.draft_id is not None
        and upload.submission_id is None
        and upload.draft.owner_id is None
        and str(upload.draft_id) in request.session.get(ANONYMOUS_DRAFTS_SESSION_KEY, [])
    )
    if not (anonymous_own or request.user.has_perm("forms.view_upload", upload)):
        audit_denial(request=request, perm="forms.view_upload", obj=upload)
        raise Http404
    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=True,
        filename=upload.original_name,
        content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _submit_url(draft) -> str | None:
    try:
        return reverse("cases:submit", args=[draft.pk])
    except NoReverseMatch:
        return None


def summary(request, draft_id):
    draft, spec, refusal = _open_draft(request, draft_id)
    if refusal is not None:
        return refusal
    ctx = _context(request, draft)
    errors, sections = {}, []
    try:
        cleaned = validate_all(spec, draft.data, context=ctx)
    except FormValidationError as exc:
        errors = exc.errors
    else:
        sections = summary_sections(spec, cleaned, ctx.language)
    return render(
        request,
        "forms/summary.html",
        {
            "draft": draft,
            "organisations": _applying_for_choices(request, draft),
            "spec_title": spec.title(ctx.language),
            "sections": sections,
            "steps": step_links(spec, draft, draft.data, None, ctx.language),
            "error_links": error_links(
                spec, draft, errors, same_page=False, language=ctx.language, answers=draft.data
            ),
            "submit_url": _submit_url(draft),
            "idempotency_key": uuid.uuid4(),
            "title": _("Check and submit"),
        },
    )


def _applying_for_choices(request, draft) -> list[Organisation]:
    """The organisations the author of an online draft may switch it to (none: no choice)."""
    if draft.channel != Channel.ONLINE or draft.owner_id != request.user.pk:
        return []
    return list(organisations_of(request.user))


@require_POST
def applying_for(request, draft_id):
    """Change whom the application is made for, from the summary (the person or one of the
    organisations they act for)."""
    draft, _spec, refusal = _open_draft(request, draft_id)
    if refusal is not None:
        return refusal
    if not request.user.is_authenticated or not _applying_for_choices(request, draft):
        raise Http404
    organisation = _acting_for(request)
    try:
        services.draft_applying_for_set(draft=draft, acting_user=request.user, organisation=organisation)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
    else:
        if organisation is None:
            messages.success(request, _("You now apply for yourself."))
        else:
            messages.success(request, _("You now apply for %(name)s.") % {"name": organisation.name})
    return redirect("forms:summary", draft.pk)


# --- staff: the form editor -----------------------------------------------------------------

STARTER = {
    "title": {"de": "Antrag", "en": "Application"},
    "steps": [
        {
            "id": "person",
            "title": {"de": "Angaben zur Person", "en": "About you"},
            "fields": [
                {
                    "name": "first_name",
                    "type": "text",
                    "label": {"de": "Vorname", "en": "First name"},
                    "required": True,
                    "prefill": "first_name",
                },
                {
                    "name": "last_name",
                    "type": "text",
                    "label": {"de": "Nachname", "en": "Last name"},
                    "required": True,
                    "prefill": "last_name",
                },
            ],
        }
    ],
}


def _editable_service(request, service_slug: str) -> Service:
    return access_object(
        request, Service.objects.select_related("department"), perm=EDIT_PERM, slug=service_slug
    )


def _preview(spec: FormSpec) -> list[dict]:
    ctx = FillContext(language=_language())
    return [
        {"title": step.title(ctx.language), "fields": bound_fields(spec, step, {}, {}, ctx)}
        for step in spec.steps
    ]


@login_required_for(EDIT_PERM)
@require_http_methods(["GET", "POST"])
def editor(request, service_slug: str):
    service = _editable_service(request, service_slug)
    definition = getattr(service, "form_definition", None)
    versions = list(definition.versions.order_by("-number")) if definition else []
    text = json.dumps(versions[0].schema if versions else STARTER, indent=2, ensure_ascii=False)
    problems: list[str] = []
    if request.method == "POST":
        text = request.POST.get("schema", "")
        try:
            definition = definition or services.form_definition_ensure(
                acting_user=request.user, service=service
            )
            version = services.form_version_save(acting_user=request.user, definition=definition, schema=text)
        except FormDefinitionError as exc:
            problems = exc.messages
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(request, _("Version %(number)d has been saved.") % {"number": version.number})
            return redirect("forms:editor", service.slug)
    preview = []
    if not problems:
        try:
            preview = _preview(FormSpec.from_json(text))
        except FormDefinitionError as exc:
            problems = exc.messages
    return render(
        request,
        "forms/editor.html",
        {
            "service": service,
            "schema_text": text,
            "problems": problems,
            "preview": preview,
            "versions": versions,
            "title": _("Form of %(service)s") % {"service": service.display_name},
        },
        status=422 if problems and request.method == "POST" else 200,
    )


@login_required_for(EDIT_PERM)
@require_POST
def editor_validate(request, service_slug: str):
    """htmx: check the definition being typed and show the errors or a preview."""
    _editable_service(request, service_slug)
    problems, preview = [], []
    try:
        preview = _preview(FormSpec.from_json(request.POST.get("schema", "")))
    except FormDefinitionError as exc:
        problems = exc.messages
    return render(request, "forms/_editor_validation.html", {"problems": problems, "preview": preview})


@login_required_for(EDIT_PERM)
@require_POST
def editor_publish(request, service_slug: str, number: int):
    service = _editable_service(request, service_slug)
    definition = getattr(service, "form_definition", None)  # None: the service has no form yet
    if definition is None:
        raise Http404
    version = get_object_or_404(definition.versions, number=number)
    services.form_version_publish(acting_user=request.user, version=version)
    messages.success(request, _("Version %(number)d is now published.") % {"number": number})
    return redirect("forms:editor", service.slug)
