"""Reads of the forms app: drafts a request may open, uploads a person may read, the current
form of a service."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.http import Http404

from rathaus.accounts.constants import TrustLevel
from rathaus.catalog.constants import Channel
from rathaus.core.permissions import audit_denial

from .constants import ANONYMOUS_DRAFTS_SESSION_KEY
from .engine import FormSpec
from .models import Draft, FormVersion, Submission, Upload

__all__ = [
    "access_draft",
    "anonymous_draft_ids",
    "current_form_version",
    "drafts_for_service",
    "online_draft_of",
    "register_upload_reader",
    "required_trust_level",
    "spec_for_version",
    "submission_by_idempotency_key",
    "upload_readable_by",
]

_UPLOAD_READERS: list[Callable] = []


def register_upload_reader(check: Callable) -> Callable:
    """Let another app grant reading uploads (the cases app: caseworkers of the case's
    department). ``check(user, upload) -> bool``; usable as a decorator."""
    if check not in _UPLOAD_READERS:
        _UPLOAD_READERS.append(check)
    return check


def upload_readable_by(user, upload: Upload) -> bool:
    """The uploader, the owner of its draft and the applicant of its submission may read an
    upload; registered readers may grant more. Anonymous drafts are checked by the session."""
    if user is None or not user.is_authenticated:
        return False
    if upload.owner_id is not None and upload.owner_id == user.pk:
        return True
    if upload.draft_id is not None and upload.draft.owner_id == user.pk:
        return True
    if upload.submission_id is not None and upload.submission.applicant_id == user.pk:
        return True
    return any(check(user, upload) for check in _UPLOAD_READERS)


def anonymous_draft_ids(session) -> list[str]:
    return list(session.get(ANONYMOUS_DRAFTS_SESSION_KEY, []))


def _may_open(request, draft: Draft) -> bool:
    user = request.user
    if draft.owner_id is not None:
        return user.is_authenticated and draft.owner_id == user.pk
    return str(draft.pk) in anonymous_draft_ids(request.session)


def access_draft(request, draft_id, *, related: tuple[str, ...] = ()) -> Draft:
    """The draft if it belongs to the logged-in person or to this browser's anonymous session;
    404 otherwise (audited), so a draft id reveals nothing. Loaded with its version and service;
    ``related`` names further relations of the service to load with it."""
    service = "form_version__definition__service"
    try:
        draft = Draft.objects.select_related(service, *(f"{service}__{r}" for r in related)).get(pk=draft_id)
    except (Draft.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    if not _may_open(request, draft):
        audit_denial(request=request, perm="forms.change_draft", obj=draft)
        raise Http404
    if draft.owner_id is not None:
        draft.owner = request.user  # it is the person asking (checked above)
    return draft


def required_trust_level(draft: Draft) -> str | None:
    """The trust level the login filling in ``draft`` must have: the service's minimum online;
    None for an application staff enter at the counter, by post or phone, where the caseworker
    checks the person's identity (the login is the caseworker's, not the applicant's)."""
    if draft.channel != Channel.ONLINE:
        return None
    service = draft.form_version.definition.service
    if draft.owner_id is None and service.allows_anonymous and service.min_trust_level == TrustLevel.BASIC:
        return None  # anonymous use of a service that allows it
    return service.min_trust_level


def online_draft_of(user, form_version: FormVersion) -> Draft | None:
    """The online draft of ``form_version`` an integration's uploads go to (forms API): the
    person's oldest, so a draft started later in the browser never takes its place."""
    return (
        Draft.objects.filter(owner=user, form_version=form_version, channel=Channel.ONLINE)
        .order_by("created_at", "pk")
        .first()
    )


def drafts_for_service(request, service) -> list[Draft]:
    """The drafts of this person (or anonymous session) for a service, newest first."""
    drafts = Draft.objects.filter(form_version__definition__service=service).select_related(
        "form_version", "organisation"
    )
    if request.user.is_authenticated:
        drafts = drafts.filter(owner=request.user)
    else:
        drafts = drafts.filter(owner__isnull=True, pk__in=anonymous_draft_ids(request.session))
    return list(drafts.order_by("-updated_at"))


def current_form_version(service) -> FormVersion | None:
    return (
        FormVersion.objects.filter(definition__service=service, published_at__isnull=False)
        .order_by("-number")
        .first()
    )


@lru_cache(maxsize=128)
def _spec_from_text(text: str) -> FormSpec:
    return FormSpec.from_json(json.loads(text))


def spec_for_version(version: FormVersion) -> FormSpec:
    """The parsed definition of a version (cached by content: versions never change), kept on
    the instance too: a version kept per process (``published_form_of(cached=True)``) then
    costs no serialising of its definition per submission."""
    kept = getattr(version, "_spec_kept", None)
    if kept is not None and kept[0] is version.schema:
        return kept[1]
    spec = _spec_from_text(json.dumps(version.schema, sort_keys=True))
    version._spec_kept = (version.schema, spec)
    return spec


def submission_by_idempotency_key(*, key: str, user) -> Submission | None:
    """The submission a retried submit already created, if it is this person's."""
    submission = Submission.objects.filter(idempotency_key=str(key)[:80]).first()
    if submission is None:
        return None
    applicant_id = user.pk if user is not None and user.is_authenticated else None
    return (
        submission
        if submission.applicant_id == applicant_id or submission.entered_by_id == applicant_id
        else None
    )
