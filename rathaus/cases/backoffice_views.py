"""Back office of cases: the department inbox, the case page, and entering applications for
people at the counter, by post or by phone.

Staff see only the cases of departments where they hold a caseworker or head role. Opening a
case shows personal data, so each opening is recorded for the applicant to see.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.accounts.services import person_record_read
from rathaus.core.audit import audit_record
from rathaus.core.constants import AuditAction
from rathaus.core.errors import error_text
from rathaus.core.permissions import access_object, login_required_for, permission_required
from rathaus.forms.models import Upload

from . import selectors, services
from .constants import StateKind
from .forms import (
    AssignForm,
    BulkAssignForm,
    CounterIntakeForm,
    DecideForm,
    InboxFilterForm,
    InformationRequestForm,
    MessageForm,
    NoteForm,
    ReplyRecordForm,
    TransitionForm,
)
from .models import Case, WebhookDelivery
from .views import document_response
from .workflow import workflow_for_service

PROCESS = "cases.process_case"


def _case(request, reference: str) -> Case:
    queryset = Case.objects.select_related(
        "service", "department", "applicant", "organisation", "assigned_to", "submission__form_version"
    )
    return access_object(request, queryset, perm=PROCESS, reference=reference)


def _run(request, action, success: str) -> bool:
    """Call a service; turn refusals and stale versions into messages on the page."""
    try:
        action()
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, success)
    return True


def _form_errors(request, form) -> None:
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))


@permission_required("cases.use_inbox")
def inbox(request):
    filters = InboxFilterForm(request.GET or None)
    params = filters.cleaned_data if filters.is_valid() else {}
    cases = selectors.department_inbox(
        request.user,
        state=params.get("state", ""),
        scope=params.get("scope", ""),
        overdue=params.get("overdue", False),
        query=params.get("q", ""),
        sort=params.get("sort") or "due",
        channel=params.get("channel", ""),
    )[:200]
    department_ids = sorted({case.department_id for case in cases})
    staff = selectors.department_staff(department_ids[0]) if len(department_ids) == 1 else None
    bulk = BulkAssignForm(case_choices=[(c.pk, c.reference) for c in cases], staff=staff)
    return render(
        request,
        "cases/backoffice/inbox.html",
        {"cases": cases, "filters": filters, "bulk_form": bulk, "title": _("Case inbox")},
    )


@require_POST
@permission_required("cases.use_inbox")
def bulk_assign(request):
    ids = [value for value in request.POST.getlist("cases") if value.isdigit()]
    cases = Case.objects.filter(pk__in=ids)
    department_ids = set(cases.values_list("department_id", flat=True))
    staff = selectors.department_staff(next(iter(department_ids))) if len(department_ids) == 1 else None
    form = BulkAssignForm(request.POST, case_choices=[(str(c.pk), c.reference) for c in cases], staff=staff)
    if not form.is_valid() or staff is None:
        messages.error(request, _("Please choose cases of one department and a person to assign them to."))
        return redirect("backoffice:inbox")
    assignee = form.cleaned_data["assignee"]
    _run(
        request,
        lambda: services.case_bulk_assign(
            case_ids=form.cleaned_data["cases"], acting_user=request.user, assignee=assignee, request=request
        ),
        _("The cases have been assigned."),
    )
    return redirect("backoffice:inbox")


@login_required_for(PROCESS)
def case_detail(request, reference: str):
    return _detail_page(request, _case(request, reference))


def _detail_page(request, case: Case, *, bound: dict | None = None, status: int = 200):
    """The case page. ``bound`` holds a form the person filled in that was not accepted, by its
    place on the page ("request_form", "decide_form", "note_form", "message_form", or
    "step:<name>" for a workflow step): it is shown again as typed, so nothing is lost, even if
    the step is no longer offered in the case's current state."""
    bound = bound or {}
    services.case_record_read(case=case, acting_user=request.user, request=request)
    workflow = workflow_for_service(case.service)
    roles = services.case_roles(case=case, user=request.user)
    available = workflow.available(case.state, roles)
    plain_steps = [
        t for t in available if workflow.kind(t.target) not in (StateKind.WAITING, StateKind.DECISION)
    ]
    typed_steps = {key.removeprefix("step:"): form for key, form in bound.items() if key.startswith("step:")}
    for name in typed_steps.keys() - {t.name for t in plain_steps}:
        if name in workflow.transitions:
            plain_steps.append(workflow.transitions[name])
    version = {"version": case.version}
    can = {
        kind: any(workflow.kind(t.target) == kind for t in available)
        for kind in (StateKind.WAITING, StateKind.DECISION)
    }
    context = {
        "case": case,
        "title": case.reference,
        "state_label": workflow.state_label(case.state),
        "rows": selectors.submission_summary_rows(case.submission),
        "uploads": selectors.submission_uploads(case.submission),
        "documents": case.documents.all(),
        "notes": case.notes.select_related("author"),
        "timeline": case.events.select_related("actor"),
        "information_requests": case.information_requests.all(),
        "reply_form": bound.get("reply_form") or ReplyRecordForm(),
        "steps": [
            (
                t,
                typed_steps.get(t.name)
                or TransitionForm(initial={**version, "transition": t.name}, prefix=t.name),
            )
            for t in plain_steps
        ],
        "request_form": bound.get("request_form")
        or (InformationRequestForm(initial=version) if can[StateKind.WAITING] else None),
        "decide_form": bound.get("decide_form")
        or (DecideForm(initial=version) if can[StateKind.DECISION] else None),
        "assign_form": AssignForm(
            initial={**version, "assignee": case.assigned_to_id},
            staff=selectors.department_staff(case.department_id),
        ),
        "note_form": bound.get("note_form") or NoteForm(),
        "message_form": bound.get("message_form") or (MessageForm() if case.applicant_id else None),
        "processing_time": selectors.case_processing_time(case),
        "webhooks": case.webhook_deliveries.select_related("case"),
    }
    return render(request, "cases/backoffice/case_detail.html", context, status=status)


def _shown_again(form, case: Case):
    """``form`` as typed, carrying the version of the case as the page now shows it: having
    seen the current state, the person may send it again."""
    if "version" not in form.fields:
        return form
    data = form.data.copy()
    data[form.add_prefix("version")] = str(case.version)
    again = type(form)(data, prefix=form.prefix)
    again.is_valid()
    return again


def _submit(request, reference: str, *, form, slot: str, action, success: str):
    """Run ``action`` with the valid ``form`` and go back to the case page. If the form is not
    valid or the service refuses (someone changed the case meanwhile, the step is no longer
    possible), show the case page again with the form as typed and say why: 409 for a stale
    version, 403 for a refusal, 400 for invalid input."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except services.StaleCaseError as exc:
            messages.error(request, error_text(exc))
            status = 409
        except PermissionDenied as exc:
            messages.error(request, error_text(exc))
            status = 403
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            status = 400
        else:
            messages.success(request, success)
            return redirect("backoffice:detail", reference=reference)
    else:
        _form_errors(request, form)
        status = 400
    case = _case(request, reference)
    return _detail_page(request, case, bound={slot: _shown_again(form, case)}, status=status)


@require_POST
@login_required_for(PROCESS)
def transition(request, reference: str):
    case = _case(request, reference)
    name = request.POST.get("transition_name", "")[:64]
    return _submit(
        request,
        case.reference,
        form=TransitionForm(request.POST, prefix=name),
        slot=f"step:{name}",
        action=lambda data: services.case_transition(
            case=case,
            acting_user=request.user,
            transition=data["transition"],
            message=data["message"],
            expected_version=data["version"],
            request=request,
        ),
        success=_("The status has been changed."),
    )


@require_POST
@login_required_for(PROCESS)
def claim(request, reference: str):
    case = _case(request, reference)
    version = request.POST.get("version", "")
    _run(
        request,
        lambda: services.case_claim(
            case=case,
            acting_user=request.user,
            expected_version=int(version) if version.isdigit() else None,
            request=request,
        ),
        _("You now process this case."),
    )
    if request.POST.get("back") == "inbox":
        return redirect("backoffice:inbox")
    return redirect("backoffice:detail", reference=case.reference)


@require_POST
@login_required_for(PROCESS)
def assign(request, reference: str):
    case = _case(request, reference)
    form = AssignForm(request.POST, staff=selectors.department_staff(case.department_id))
    if form.is_valid():
        _run(
            request,
            lambda: services.case_assign(
                case=case,
                acting_user=request.user,
                assignee=form.cleaned_data["assignee"],
                expected_version=form.cleaned_data["version"],
                request=request,
            ),
            _("The case has been assigned."),
        )
    else:
        _form_errors(request, form)
    return redirect("backoffice:detail", reference=case.reference)


@require_POST
@login_required_for(PROCESS)
def note_add(request, reference: str):
    case = _case(request, reference)
    return _submit(
        request,
        case.reference,
        form=NoteForm(request.POST),
        slot="note_form",
        action=lambda data: services.case_add_note(
            case=case, acting_user=request.user, text=data["text"], request=request
        ),
        success=_("The note has been saved."),
    )


@require_POST
@login_required_for(PROCESS)
def message_send(request, reference: str):
    case = _case(request, reference)
    return _submit(
        request,
        case.reference,
        form=MessageForm(request.POST),
        slot="message_form",
        action=lambda data: services.case_message_send(
            case=case, acting_user=request.user, text=data["text"], request=request
        ),
        success=_("The message has been sent to the applicant's mailbox."),
    )


@require_POST
@login_required_for(PROCESS)
def information_request(request, reference: str):
    case = _case(request, reference)
    return _submit(
        request,
        case.reference,
        form=InformationRequestForm(request.POST),
        slot="request_form",
        action=lambda data: services.information_request_create(
            case=case,
            acting_user=request.user,
            message=data["message"],
            expected_version=data["version"],
            request=request,
        ),
        success=_("The request has been sent to the applicant.")
        if not services.letters_by_post(case)
        else _(
            "The request has been recorded. The person receives letters by post: print the letter "
            "“Request for information” under Documents and send it."
        ),
    )


@require_POST
@login_required_for(PROCESS)
def decide(request, reference: str):
    case = _case(request, reference)
    return _submit(
        request,
        case.reference,
        form=DecideForm(request.POST),
        slot="decide_form",
        action=lambda data: services.case_decide(
            case=case,
            acting_user=request.user,
            outcome=data["outcome"],
            reasoning=data["reasoning"],
            expected_version=data["version"],
            request=request,
        ),
        success=_("The notice has been issued and delivered.")
        if not services.letters_by_post(case)
        else _(
            "The notice has been issued. The person receives letters by post: print the notice "
            "under Documents and send it."
        ),
    )


@require_POST
@login_required_for(PROCESS)
def information_reply_record(request, reference: str, pk: int):
    """The answer to an information request came by post, at the counter or by phone."""
    case = _case(request, reference)
    info = case.information_requests.filter(pk=pk).first()
    if info is None:
        raise Http404
    return _submit(
        request,
        case.reference,
        form=ReplyRecordForm(request.POST, request.FILES),
        slot="reply_form",
        action=lambda data: services.information_request_record_reply(
            information_request=info,
            acting_user=request.user,
            answer=data["answer"],
            upload=data.get("file"),
            request=request,
        ),
        success=_("The answer has been recorded; the case is in processing again."),
    )


def _audit_staff_download(request, case: Case) -> None:
    if case.applicant_id:
        audit_record(
            action=AuditAction.PERSONAL_DATA_READ,
            actor=request.user,
            obj=case,
            subject_user_id=case.applicant_id,
            request=request,
            details={"purpose": f"Vorgang {case.reference}: Dokument"},
        )


@login_required_for(PROCESS)
def document_download(request, reference: str, pk: int):
    case = _case(request, reference)
    document = case.documents.filter(pk=pk).first()
    if document is None:
        raise Http404
    with transaction.atomic():
        _audit_staff_download(request, case)
    return document_response(document)


@login_required_for(PROCESS)
def upload_download(request, reference: str, upload_id):
    case = _case(request, reference)
    upload = Upload.objects.filter(submission_id=case.submission_id, pk=upload_id).first()
    if upload is None:
        raise Http404
    with transaction.atomic():
        _audit_staff_download(request, case)
    from django.http import FileResponse

    response = FileResponse(
        upload.file.open("rb"),
        as_attachment=True,
        filename=selectors.upload_download_name(case, upload),
        content_type=upload.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@permission_required("cases.use_inbox")
def counter_intake(request):
    """Antrag erfassen: start the service's form for a person; submitting it opens the case
    with the channel and the applicant recorded, through the same form and services."""
    form = CounterIntakeForm(request.POST or None, user=request.user)
    if form.person_organisations:
        # The page names the organisations the person acts for: a read of their data, which
        # they see under "who looked at my data".
        person_record_read(
            acting_user=request.user,
            person=form.person,
            purpose=_("Enter an application: the organisations the person acts for"),
            request=request,
        )
    if request.method == "POST" and form.is_valid():
        try:
            draft = services.counter_draft_start(
                acting_user=request.user,
                service=form.cleaned_data["service"],
                channel=form.cleaned_data["channel"],
                applicant=form.cleaned_data["email"],
                organisation=form.cleaned_data.get("organisation"),
                session=request.session,
            )
        except (ValidationError, PermissionDenied) as exc:
            form.add_error("service", error_text(exc))
        else:
            return redirect("forms:resume", draft_id=draft.pk)
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": _("Enter an application"),
            "intro": _(
                "For a person at the counter, by post or by phone. The same form and checks apply as online."
            ),
        },
    )


@permission_required("cases.use_inbox")
def webhook_failures(request):
    """Deliveries to specialised systems that failed, for the caller's departments."""
    deliveries = selectors.failed_webhook_deliveries(request.user)[:200]
    retrying = selectors.retrying_webhook_deliveries(request.user)[:200]
    return render(
        request,
        "cases/backoffice/webhook_failures.html",
        {"deliveries": deliveries, "retrying": retrying, "title": _("Failed webhook deliveries")},
    )


@require_POST
@login_required_for(PROCESS)
def webhook_resend(request, reference: str, pk: int):
    case = _case(request, reference)
    delivery = WebhookDelivery.objects.filter(case=case, pk=pk).first()
    if delivery is None:
        raise Http404
    _run(
        request,
        lambda: services.webhook_resend(delivery=delivery, acting_user=request.user, request=request),
        _("The delivery will be sent again."),
    )
    if request.POST.get("back") == "failures":
        return redirect("backoffice:webhook_failures")
    return redirect("backoffice:detail", reference=case.reference)
