"""Write use cases of the forms app: editing and publishing forms, drafts, uploads, submitting.

``submission_create`` runs inside the caller's transaction (the cases app creates the case in
the same one) and is idempotent by key: the database's unique constraint decides, a second
insert with the same key fails inside a savepoint and the existing submission is returned.

``submission_prepare`` and ``submission_store`` are the same without a draft, for a whole
application given in one request (API): everything is checked before anything is written,
and the caller's transaction decides a race on the key (``IntegrityError``). Files are written
to storage only for a submission that is being stored, and deleted again if its transaction
rolls back, so a failed request leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rathaus.accounts.constants import TrustLevel
from rathaus.accounts.models import OrganisationMembership
from rathaus.catalog.constants import Channel
from rathaus.catalog.services import service_set_capabilities
from rathaus.core.audit import audit_record
from rathaus.core.rows import insert_new
from rathaus.core.transactions import delete_file_on_rollback

from .constants import ANONYMOUS_DRAFTS_SESSION_KEY, DEFAULT_MAX_SIZE_MB, FILE_KINDS, FormAuditAction
from .engine import (
    FillContext,
    FormSpec,
    FormValidationError,
    answers_from_post,
    check_step,
    has_error,
    prefill_data,
    storable_answer,
    validate_all,
)
from .models import Draft, FormDefinition, FormVersion, Submission, Upload
from .selectors import online_draft_of, required_trust_level, spec_for_version
from .uploads import SNIFF_BYTES, safe_original_name, sniff_kind

__all__ = [
    "PreparedSubmission",
    "draft_save_answers",
    "draft_save_step",
    "draft_start",
    "form_definition_ensure",
    "form_version_publish",
    "form_version_save",
    "submission_create",
    "submission_prepare",
    "submission_store",
    "upload_accept",
]

# Rows and columns of a submission are checked by the database itself (foreign keys, the
# channel constraint, the unique key); ``full_clean`` would ask it again, one query each.
SUBMISSION_CHECKED_BY_DATABASE = ["form_version", "applicant", "organisation", "entered_by"]

MAX_UPLOADS_PER_DRAFT = 50
MAX_ANONYMOUS_DRAFTS = 20
DOUBLE_START_SECONDS = 10


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def _check_may_edit(acting_user, service) -> None:
    # acting_user None is the system itself (demo loader, management commands).
    if acting_user is not None and not acting_user.has_perm("forms.change_form", service):
        raise PermissionDenied


@transaction.atomic
def form_definition_ensure(*, acting_user, service) -> FormDefinition:
    """The form of a service, created empty the first time a member of staff edits it."""
    _check_may_edit(acting_user, service)
    definition, _created = FormDefinition.objects.get_or_create(service=service)
    return definition


@transaction.atomic
def form_version_save(*, acting_user, definition: FormDefinition, schema: Any) -> FormVersion:
    """Check ``schema`` (raises ``FormDefinitionError``) and store it as the next version."""
    _check_may_edit(acting_user, definition.service)
    spec = FormSpec.from_json(schema)
    FormDefinition.objects.select_for_update().get(pk=definition.pk)  # numbers in sequence
    last = definition.versions.aggregate(last=Max("number"))["last"] or 0
    version = FormVersion(
        definition=definition,
        number=last + 1,
        schema=spec.schema,
        created_by=acting_user if _authenticated(acting_user) else None,
    )
    version.full_clean()
    version.save()
    audit_record(
        action=FormAuditAction.VERSION_SAVED,
        actor=acting_user,
        obj=version,
        details={"service": definition.service.slug, "number": version.number},
    )
    return version


@transaction.atomic
def form_version_publish(*, acting_user, version: FormVersion) -> FormVersion:
    """Make ``version`` the form people fill in and record what the service now offers online
    (the OZG maturity follows from it in the catalogue)."""
    version = FormVersion.objects.select_for_update().select_related("definition__service").get(pk=version.pk)
    service = version.definition.service
    _check_may_edit(acting_user, service)
    spec = FormSpec.from_json(version.schema)
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    service_set_capabilities(
        service=service,
        offers_form_assistant=True,
        offers_online_submission=True,
        offers_evidence_upload=spec.has_file_field,
        offers_once_only=spec.has_once_only,
        # Cases deliver notices to the applicant's mailbox.
        offers_online_notice=True,
    )
    audit_record(
        action=FormAuditAction.VERSION_PUBLISHED,
        actor=acting_user,
        obj=version,
        details={"service": service.slug, "number": version.number},
    )
    return version


@transaction.atomic
def draft_start(
    *,
    user,
    form_version: FormVersion,
    session,
    channel: str = Channel.ONLINE,
    applicant=None,
    organisation=None,
    new: bool = False,
) -> Draft:
    """Start a draft of ``form_version`` (one per application).

    Logged-in online: with ``new`` (the start page's button) a new draft prefilled from the
    account, the person's other drafts kept as they are, so two dogs or two course places are
    applied for separately; without it the person's online draft is resumed if there is one
    (``online_draft_of``: the forms API keeps uploads on it). Counter, post and phone (staff for
    an applicant): a new draft each time, prefilled from the applicant's account, so one
    caseworker never resumes another person's application. Anonymous: only where the service
    allows it, always new; the id is kept in the session, which is the only key to the draft.

    ``organisation``: the person applies in the name of an organisation they act for (online:
    the user; counter, post and phone: the applicant, who needs an account for it); checked
    here again, whatever the page offered.
    """
    service = form_version.definition.service
    if channel not in Channel.values:
        raise ValidationError(_("Unknown channel."))
    if not _authenticated(user):
        if not service.allows_anonymous or channel != Channel.ONLINE:
            raise PermissionDenied
        return _anonymous_draft(form_version, session)
    if channel != Channel.ONLINE and not user.is_staff_member:
        raise PermissionDenied
    if organisation is not None:
        member = user if channel == Channel.ONLINE else applicant
        if member is None or not member.has_perm("accounts.act_for_organisation", organisation):
            raise PermissionDenied(_("The person does not act for this organisation."))
    if channel == Channel.ONLINE:
        # Two requests at once (the API's uploads resuming, a double click on "start") must
        # find the same draft: the person's row is the lock.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        existing = (
            _just_started_draft(user, form_version, organisation)
            if new
            else online_draft_of(user, form_version)
        )
        if existing is not None:
            return existing
    spec = spec_for_version(form_version)
    draft = Draft(
        form_version=form_version,
        owner=user,
        applicant=applicant,
        organisation=organisation,
        channel=channel,
        # Staff enter it for the person named (or for somebody without an account): never
        # prefilled with, or filed under, the caseworker's own details.
        data=prefill_data(spec, applicant if channel != Channel.ONLINE else (applicant or user)),
        current_step=spec.steps[0].id,
    )
    draft.save(force_insert=True)
    return draft


def _just_started_draft(user, form_version: FormVersion, organisation=None) -> Draft | None:
    """A draft of this form the person started a moment ago and has not filled in since (it
    holds what the account prefilled, on the first step): a second click on "start" (or a
    resent request) opens it instead of a second empty draft."""
    since = timezone.now() - dt.timedelta(seconds=DOUBLE_START_SECONDS)
    recent = Draft.objects.filter(
        owner=user,
        form_version=form_version,
        organisation=organisation,
        channel=Channel.ONLINE,
        created_at__gte=since,
    ).order_by("-created_at")
    spec = spec_for_version(form_version)
    untouched = {"data": prefill_data(spec, user), "current_step": spec.steps[0].id}
    return next((d for d in recent if {"data": d.data, "current_step": d.current_step} == untouched), None)


@transaction.atomic
def draft_applying_for_set(*, draft: Draft, acting_user, organisation) -> Draft:
    """Change whom an online application is made for before it is submitted: the person
    themself (``organisation`` None) or an organisation they act for. Only the author of an
    online draft; the submission checks the membership again (``_check_organisation``).
    ``draft`` comes from ``selectors.access_draft``."""
    locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        raise ValidationError(_("This draft no longer exists."))
    if locked.channel != Channel.ONLINE or locked.owner_id != acting_user.pk:
        raise PermissionDenied(_("Only the author of an online application can change whom it is made for."))
    if organisation is not None and not acting_user.has_perm("accounts.act_for_organisation", organisation):
        raise PermissionDenied(_("You do not act for this organisation."))
    if locked.organisation_id != (organisation.pk if organisation else None):
        locked.organisation = organisation
        locked.save(update_fields=["organisation", "updated_at"])
    return locked


@transaction.atomic
def draft_discard(*, draft: Draft, acting_user) -> None:
    """Delete a draft the person no longer wants, with the files uploaded for it (deleted from
    storage once the deletion is committed). ``draft`` comes from ``selectors.access_draft``."""
    locked = Draft.objects.select_for_update().filter(pk=draft.pk).first()
    if locked is None:
        return  # already discarded (a second click)
    _discard_unused_uploads(locked, set())
    locked.delete()
    audit_record(action=FormAuditAction.DRAFT_DISCARDED, actor=acting_user, obj=draft)


def _anonymous_draft(form_version: FormVersion, session) -> Draft:
    spec = spec_for_version(form_version)
    draft = Draft.objects.create(
        form_version=form_version, owner=None, data={}, current_step=spec.steps[0].id
    )
    ids = [*session.get(ANONYMOUS_DRAFTS_SESSION_KEY, []), str(draft.pk)]
    session[ANONYMOUS_DRAFTS_SESSION_KEY] = ids[-MAX_ANONYMOUS_DRAFTS:]
    return draft


def _with_uploaded_files(draft: Draft, step, raw_data, files, context: FillContext):
    """Accept the files posted with a step; their ids join the step's answers."""
    raw = raw_data.copy() if hasattr(raw_data, "copy") else dict(raw_data or {})
    errors: dict[str, list[str]] = {}
    if not files:
        return raw, errors
    for fld in step.fields:
        if fld.type != "file":
            continue
        for file in files.getlist(fld.name) if hasattr(files, "getlist") else files.get(fld.name, []):
            try:
                upload = upload_accept(draft=draft, field_name=fld.name, file=file, acting_user=context.user)
            except ValidationError as exc:
                errors.setdefault(fld.name, []).extend(exc.messages)
                continue
            ids = [
                *(raw.getlist(fld.name) if hasattr(raw, "getlist") else raw.get(fld.name) or []),
                str(upload.pk),
            ]
            if hasattr(raw, "setlist"):
                raw.setlist(fld.name, ids)
            else:
                raw[fld.name] = ids
    return raw, errors


@transaction.atomic
def draft_save_step(
    *, draft: Draft, step_id: str, raw_data, files, context: FillContext
) -> dict[str, list[str]]:
    """Validate one step and store it in the draft; returns the errors by field key.

    What was entered is kept even where it is invalid (nobody loses half-typed input), but only
    for fields the definition knows and shows; the submit validates everything again anyway.
    """
    # The row lock orders a late autosave after the real step submission (or vice versa); work on
    # the locked row's data, but keep the caller's object, which the view renders afterwards.
    draft.data = Draft.objects.select_for_update().only("data").get(pk=draft.pk).data
    spec = spec_for_version(draft.form_version)
    step = spec.step(step_id)
    context = replace(context, draft=draft)
    raw, upload_errors = _with_uploaded_files(draft, step, raw_data, files, context)
    result = check_step(spec, step_id, raw, context=context, data=draft.data)
    errors = {**result.errors}
    # A refused file says why; "please attach a file" that follows from it would only repeat it.
    errors.update({key: list(messages) for key, messages in upload_errors.items()})
    data = {name: value for name, value in draft.data.items() if name not in {f.name for f in step.fields}}
    for name, value in result.entered.items():
        kept = value if has_error(name, result.errors) else result.cleaned.get(name, value)
        data[name] = storable_answer(spec.top_fields[name], kept)
    if files is None:
        # An autosave carries no files: the uploads already stored for this step stay as they are.
        for fld in step.fields:
            if fld.type == "file" and fld.name in draft.data:
                data[fld.name] = draft.data[fld.name]
                errors.pop(fld.name, None)
    draft.data = data
    draft.current_step = step_id
    draft.save(update_fields=["data", "current_step", "updated_at"])
    return errors


@transaction.atomic
def draft_save_answers(*, draft: Draft, answers: dict, acting_user) -> Draft:
    """Replace the answers of a draft at once (the API sends the whole form as JSON).

    Only top-level questions the definition knows are kept; nothing is validated here, because
    submitting validates every answer again (``validate_all``) and reports all errors at once.
    """
    if not _authenticated(acting_user) or draft.owner_id != acting_user.pk:
        raise PermissionDenied
    if not isinstance(answers, dict):
        raise ValidationError(_("The answers must be a JSON object."))
    spec = spec_for_version(draft.form_version)
    draft.data = {name: value for name, value in answers.items() if name in spec.top_fields}
    draft.save(update_fields=["data", "updated_at"])
    return draft


@transaction.atomic
def upload_accept(*, draft: Draft, field_name: str, file, acting_user) -> Upload:
    """Store a file for a file field of the draft after checking its real type (by content) and
    size; raises ``ValidationError`` with a message for the person otherwise."""
    if draft.owner_id is not None and not (_authenticated(acting_user) and acting_user.pk == draft.owner_id):
        raise PermissionDenied
    spec = spec_for_version(draft.form_version)
    fld = spec.all_fields.get(field_name)
    if fld is None or fld.type != "file":
        raise ValidationError(_("This question does not take files."))
    if draft.uploads.count() >= MAX_UPLOADS_PER_DRAFT:
        raise ValidationError(_("You have uploaded too many files for this application."))
    upload = _checked_upload(fld, file, owner=draft.owner)
    upload.draft = draft
    _store_file(upload, file)
    upload.save(force_insert=True)
    return upload


def _checked_upload(fld, file, *, owner) -> Upload:
    """An unsaved upload of ``file`` for question ``fld`` after checking its size and its real
    type (by content, not by name); ``ValidationError`` with a message for the person if not."""
    limit_mb = fld.raw.get("max_size_mb", DEFAULT_MAX_SIZE_MB)
    if file.size > limit_mb * 1024 * 1024:
        raise ValidationError(
            _("The file is larger than %(size)s MB. Please upload a smaller file.") % {"size": limit_mb}
        )
    if file.size == 0:
        raise ValidationError(_("The file is empty."))
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    accepted = fld.raw.get("accept", list(FILE_KINDS))
    kind = sniff_kind(head)
    if kind not in accepted:
        raise ValidationError(
            _("This file is not a %(kinds)s file (checked by its content, not its name).")
            % {"kinds": "/".join(k.upper() for k in accepted)}
        )
    digest = hashlib.sha256()
    for chunk in file.chunks():
        digest.update(chunk)
    file.seek(0)
    return Upload(
        id=uuid.uuid4(),
        owner=owner,
        field_name=fld.name,
        original_name=safe_original_name(getattr(file, "name", "")),
        content_type=FILE_KINDS[kind],
        size=file.size,
        sha256=digest.hexdigest(),
    )


def _store_file(upload: Upload, file) -> None:
    """Write the file to private storage; it is deleted again if the transaction that stores
    its row rolls back (no orphaned files)."""
    upload.file.save("upload", file, save=False)
    delete_file_on_rollback(upload.file.storage, upload.file.name)


def _upload_ids(spec: FormSpec, cleaned: dict) -> set[str]:
    ids: set[str] = set()
    for fld in spec.all_fields.values():
        if fld.type != "file":
            continue
        if fld.group:
            ids.update(i for row in cleaned.get(fld.group) or [] for i in row.get(fld.name) or [])
        else:
            ids.update(cleaned.get(fld.name) or [])
    return ids


def _contact_email(spec: FormSpec, cleaned: dict, applicant) -> str:
    if applicant is not None and applicant.email and not applicant.email.endswith(".invalid"):
        return applicant.email
    for fld in spec.top_fields.values():
        if fld.type == "email" and cleaned.get(fld.name):
            return cleaned[fld.name]
    return ""


def _check_organisation(draft: Draft) -> None:
    """An application in an organisation's name is submitted only while the person applying
    still acts for the organisation (a manager may have removed them since they started): the
    author online, the applicant when staff enter it."""
    if draft.organisation_id is None:
        return
    online = draft.channel == Channel.ONLINE
    member_id = draft.owner_id if online else draft.applicant_id
    if (
        member_id is None
        or not OrganisationMembership.objects.filter(
            organisation_id=draft.organisation_id, user_id=member_id
        ).exists()
    ):
        raise PermissionDenied(
            _("You no longer act for the organisation this application is made for.")
            if online
            else _("The person no longer acts for the organisation this application is made for.")
        )


@transaction.atomic
def submission_create(
    *, draft: Draft, acting_user, idempotency_key: str, trust_level: str | None, context: FillContext
) -> tuple[Submission, bool]:
    """Validate the whole draft again and store it as a submission on the draft's version.

    Returns ``(submission, created)``; a retry with the same key returns the existing submission
    and False. Raises ``FormValidationError`` if an answer is not valid (the draft stays).
    """
    key = _checked_key(idempotency_key)
    _check_trust_level(draft, trust_level)
    _check_organisation(draft)
    applicant = draft_applicant(draft)
    spec = spec_for_version(draft.form_version)
    context = replace(context, draft=draft, trust_level=trust_level)
    try:
        cleaned = validate_all(spec, draft.data, context=context)
    except FormValidationError:
        # A retry after the first request finished: its uploads now belong to the submission,
        # so the answers no longer check out; the key says which submission it repeats. (The
        # submit views look the key up before they get here; concurrent requests are decided
        # by the unique constraint below.)
        existing = Submission.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return _same_submitter(existing, applicant, draft), False
        raise
    submission = Submission(
        form_version=draft.form_version,
        data=cleaned,
        applicant=applicant,
        organisation=draft.organisation,
        channel=draft.channel,
        entered_by=acting_user if draft.channel != Channel.ONLINE else None,
        contact_email=_contact_email(spec, cleaned, applicant),
        trust_level=trust_level or "",
        idempotency_key=key,
    )
    submission.full_clean(
        exclude=SUBMISSION_CHECKED_BY_DATABASE, validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            submission.save(force_insert=True)
    except IntegrityError:
        return _same_submitter(Submission.objects.get(idempotency_key=key), applicant, draft), False
    used = _upload_ids(spec, cleaned)
    Upload.objects.filter(draft=draft, pk__in=used).update(submission=submission)
    _discard_unused_uploads(draft, used)
    draft.delete()
    audit_record(
        action=FormAuditAction.SUBMISSION_CREATED,
        actor=acting_user,
        obj=submission,
        subject_user_id=applicant.pk if applicant else None,
        details={"service": draft.form_version.definition.service.slug, "version": draft.form_version.number},
    )
    return submission, True


def _check_trust_level(draft: Draft, trust_level: str | None) -> None:
    """An online application needs a login of the service's trust level, on submitting as on
    every page; staff entering one at the counter, by post or phone check identity themselves."""
    required = required_trust_level(draft)
    if required is not None and TrustLevel.rank(trust_level) < TrustLevel.rank(required):
        service = draft.form_version.definition.service
        raise PermissionDenied(
            _("This service requires the trust level “%(level)s”. Log in with your ID card.")
            % {"level": service.get_min_trust_level_display()}
        )


def draft_applicant(draft: Draft):
    """Whom the application is for: online, the person filling it in (or the person named);
    entered by staff at the counter, by post or phone, only the person named, who may have no
    account at all (None) — never the caseworker."""
    if draft.channel == Channel.ONLINE:
        return draft.applicant or draft.owner
    return draft.applicant


def _checked_key(idempotency_key) -> str:
    key = str(idempotency_key or "").strip()
    if not key or len(key) > 80:
        raise ValidationError(_("The submission key is missing or invalid."))
    return key


def _same_submitter(existing: Submission, applicant, draft: Draft) -> Submission:
    """A key names one person's submission: somebody else's key is refused, not answered."""
    applicant_id = applicant.pk if applicant else None
    if existing.applicant_id != applicant_id or existing.form_version_id != draft.form_version_id:
        raise PermissionDenied
    return existing


def _discard_unused_uploads(draft: Draft, used: set[str]) -> None:
    """Files uploaded and then removed from the answers are deleted with the draft."""
    unused = list(Upload.objects.filter(draft=draft, submission__isnull=True).exclude(pk__in=used))
    names = [upload.file.name for upload in unused]
    Upload.objects.filter(pk__in=[u.pk for u in unused]).delete()
    storage = Upload._meta.get_field("file").storage

    def delete_files():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete_files)


# --- a whole application in one request (API) ------------------------------------------------

_GROUP_FILE_KEY = re.compile(r"^([A-Za-z0-9_]+)\.(\d{1,3})\.([A-Za-z0-9_]+)$")


@dataclass
class PreparedSubmission:
    """A checked application, nothing written yet: the submission and the files that go with
    it (only those its answers keep), and the draft whose earlier uploads it uses, if any."""

    submission: Submission
    uploads: list[tuple[Upload, Any]] = field(default_factory=list)
    draft: Draft | None = None
    draft_uploads: set[str] = field(default_factory=set)


def _file_question(spec: FormSpec, key: str):
    """The file question a file part is sent for: ``name``, or ``group.N.name`` in a group."""
    fld = spec.top_fields.get(key)
    if fld is None and (match := _GROUP_FILE_KEY.match(key)):
        group = spec.top_fields.get(match.group(1))
        child = spec.all_fields.get(match.group(3))
        fld = child if group is not None and group.type == "group" and child in group.children else None
    return fld if fld is not None and fld.type == "file" else None


def _name_uploads(answers: dict, key: str, ids: list[str]) -> None:
    """Put upload ids into the answers where the file part's key says."""
    match = _GROUP_FILE_KEY.match(key)
    if match is None:
        given = answers.get(key)
        answers[key] = [*(given if isinstance(given, list) else [given] if given else []), *ids]
        return
    group, index, name = match.group(1), int(match.group(2)), match.group(3)
    rows = answers.get(group) if isinstance(answers.get(group), list) else []
    rows = [row if isinstance(row, dict) else {} for row in rows]
    rows += [{} for _ in range(index + 1 - len(rows))]
    given = rows[index].get(name)
    rows[index] = {**rows[index], name: [*(given if isinstance(given, list) else []), *ids]}
    answers[group] = rows


def _accept_files(spec: FormSpec, answers, files, owner) -> tuple[dict, dict, list]:
    """Check every file part and name it in the answers; returns (id → question name, errors
    by key, [(upload, file)])."""
    given: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    accepted: list[tuple[Upload, Any]] = []
    for key in files or {}:
        parts = files.getlist(key) if hasattr(files, "getlist") else list(files[key])
        fld = _file_question(spec, key)
        if fld is None:
            errors[key] = [_("This question does not take files.")]
            continue
        ids = []
        for file in parts:
            try:
                upload = _checked_upload(fld, file, owner=owner)
            except ValidationError as exc:
                errors.setdefault(key, []).extend(exc.messages)
                continue
            given[str(upload.pk)] = fld.name
            accepted.append((upload, file))
            ids.append(str(upload.pk))
        _name_uploads(answers, key, ids)
    return given, errors, accepted


def organisation_for_application(acting_user, organisation_id: int | None):
    """The organisation a person names to apply in its name (API), or None for none: only one
    they act for. An unknown id gets the same refusal as somebody else's organisation, so the
    answer tells nothing about which ids exist."""
    from rathaus.accounts.models import Organisation

    if organisation_id is None:
        return None
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    _require_acting_for(acting_user, organisation)
    return organisation


def _require_acting_for(acting_user, organisation) -> None:
    if organisation is None or not acting_user.has_perm("accounts.act_for_organisation", organisation):
        raise PermissionDenied(_("You do not act for this organisation."))


def submission_prepare(
    *,
    form_version: FormVersion,
    answers,
    files,
    acting_user,
    idempotency_key: str | None,
    trust_level: str | None,
    language: str,
    earlier_uploads: bool = False,
    organisation=None,
) -> PreparedSubmission:
    """Check a whole online application of ``acting_user`` given at once, before anything is
    written: the key, every file (size, type by content) and every answer (``validate_all``,
    as on submitting a draft). Raises ``FormValidationError`` with the errors by field, files
    and answers together, or ``ValidationError`` for a bad key or answers that are no object.

    ``answers``: a form post (``QueryDict``, one field per answer as the browser sends them) or
    a dict (JSON). ``files``: the file parts by question name (``group.N.name`` in groups).
    With ``earlier_uploads`` file answers may also name uploads the person made before on their
    online draft of this version (forms API); that draft is then consumed by the submission.
    ``idempotency_key`` None: only checking (``submission_check``), nothing will be stored.
    ``organisation``: applying in its name (``organisation_for_application``); the membership
    is checked here again.
    """
    key = _checked_key(idempotency_key) if idempotency_key is not None else ""
    if not _authenticated(acting_user):
        raise PermissionDenied
    if organisation is not None:
        _require_acting_for(acting_user, organisation)
    spec = spec_for_version(form_version)
    if hasattr(answers, "getlist"):
        answers = answers_from_post(spec, answers, language)
    elif isinstance(answers, dict):
        answers = dict(answers)
    else:
        raise ValidationError(_("The answers must be a JSON object."))
    given, file_errors, accepted = _accept_files(spec, answers, files, acting_user)
    draft = None
    if earlier_uploads and spec.has_file_field:
        draft = online_draft_of(acting_user, form_version)
    context = FillContext(
        user=acting_user, trust_level=trust_level, language=language, draft=draft, uploads=given
    )
    try:
        cleaned = validate_all(spec, answers, context=context)
    except FormValidationError as exc:
        raise FormValidationError({**exc.errors, **file_errors}) from exc
    if file_errors:
        raise FormValidationError(file_errors)
    submission = Submission(
        form_version=form_version,
        data=cleaned,
        applicant=acting_user,
        organisation=organisation,
        channel=Channel.ONLINE,
        contact_email=_contact_email(spec, cleaned, acting_user),
        trust_level=trust_level or "",
        idempotency_key=key,
    )
    submission.full_clean(
        exclude=[*SUBMISSION_CHECKED_BY_DATABASE, *([] if key else ["idempotency_key"])],
        validate_unique=False,
        validate_constraints=False,
    )
    used = _upload_ids(spec, cleaned)  # files of questions hidden by a condition are dropped
    return PreparedSubmission(
        submission=submission,
        uploads=[(upload, file) for upload, file in accepted if str(upload.pk) in used],
        draft=draft,
        draft_uploads=used - set(given),
    )


def submission_check(
    *,
    form_version: FormVersion,
    answers,
    files,
    acting_user,
    trust_level: str | None,
    language: str,
    earlier_uploads: bool = False,
    organisation=None,
) -> None:
    """Check a whole application as ``submission_prepare`` does and write nothing: an
    integration (or a portal) learns whether the city would accept it before it submits, with
    the same errors by field. Raises ``FormValidationError`` or ``ValidationError``."""
    submission_prepare(
        form_version=form_version,
        answers=answers,
        files=files,
        acting_user=acting_user,
        idempotency_key=None,
        trust_level=trust_level,
        language=language,
        earlier_uploads=earlier_uploads,
        organisation=organisation,
    )


def submission_store(*, prepared: PreparedSubmission, acting_user) -> Submission:
    """Store a prepared submission with its files, in the caller's transaction. The insert comes
    first and has no savepoint of its own: a key already used raises ``IntegrityError`` and the
    caller's transaction rolls back, files included (the caller then answers with the case of
    the first request)."""
    submission = prepared.submission
    insert_new(submission)
    uploads = []
    for upload, file in prepared.uploads:
        upload.submission = submission
        _store_file(upload, file)
        uploads.append(upload)
    insert_new(*uploads)
    draft = prepared.draft
    if draft is not None and prepared.draft_uploads:
        Upload.objects.filter(draft=draft, pk__in=prepared.draft_uploads).update(submission=submission)
        _discard_unused_uploads(draft, prepared.draft_uploads)
        draft.delete()
    audit_record(
        action=FormAuditAction.SUBMISSION_CREATED,
        actor=acting_user,
        obj=submission,
        subject_user_id=submission.applicant_id,
        details={
            "service": submission.form_version.definition.service.slug,
            "version": submission.form_version.number,
        },
    )
    return submission
