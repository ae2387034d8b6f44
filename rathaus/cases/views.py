"""Citizen pages of cases ("Meine Anträge") and the submit endpoint of the form summary.

Every case and document is fetched through ``access_object``: a stranger's case reads as
missing (404) and the refusal is audited.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.accounts.trust import current_trust_level
from rathaus.core.errors import error_text
from rathaus.core.forms import add_service_error
from rathaus.core.permissions import access_object, login_required_for

from . import selectors, services
from .constants import StateKind, WorkflowRole
from .forms import AnswerForm, WithdrawForm
from .models import Case, Document
from .workflow import workflow_for_service

VIEW_OWN = "cases.view_own_case"
SUBMITTED_SESSION_KEY = "cases_submitted"


def _own_case(request, reference: str) -> Case:
    return access_object(
        request,
        Case.objects.select_related("service", "department", "organisation"),
        perm=VIEW_OWN,
        reference=reference,
    )


def document_response(document: Document) -> FileResponse:
    """Stream a private document as a download; the browser must not guess another type. A
    receipt whose PDF the task worker has not made yet is rendered now (once, then stored)."""
    document = services.document_file_ensure(document=document)
    extension = document.file.name.rsplit(".", 1)[-1] if "." in document.file.name else "pdf"
    filename = f"{document.case.reference}-{document.kind}.{extension}"
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=filename, content_type=document.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required_for(VIEW_OWN)
def case_list(request):
    cases = selectors.cases_of_applicant(request.user)
    template = "cases/partials/case_rows.html" if request.htmx else "cases/case_list.html"
    return render(request, template, {"cases": cases, "title": _("My applications")})


def _withdrawable(case: Case) -> bool:
    workflow = workflow_for_service(case.service)
    return any(
        workflow.is_final(t.target) for t in workflow.available(case.state, {WorkflowRole.APPLICANT.value})
    )


def _detail_context(case: Case, *, answer_form=None) -> dict:
    workflow = workflow_for_service(case.service)
    open_request = case.information_requests.open().first()
    return {
        "case": case,
        "title": case.service.display_name,
        "state_label": workflow.state_label(case.state),
        "waiting": workflow.kind(case.state) == StateKind.WAITING,
        "timeline": selectors.public_timeline(case).select_related("actor"),
        "documents": case.documents.filter(visible_to_applicant=True),
        "open_request": open_request,
        "answer_form": (answer_form or AnswerForm()) if open_request else None,
        "withdraw_form": WithdrawForm(initial={"version": case.version}) if _withdrawable(case) else None,
    }


@login_required_for(VIEW_OWN)
def case_detail(request, reference: str):
    case = _own_case(request, reference)
    return render(request, "cases/case_detail.html", _detail_context(case))


@login_required_for(VIEW_OWN)
def case_status(request, reference: str):
    """The live status of one case (htmx polling)."""
    case = _own_case(request, reference)
    workflow = workflow_for_service(case.service)
    return render(
        request, "cases/partials/status.html", {"case": case, "state_label": workflow.state_label(case.state)}
    )


@login_required_for("cases.view_document")
def document_download(request, reference: str, pk: int):
    queryset = Document.objects.select_related("case").filter(case__reference=reference)
    document = access_object(request, queryset, perm="cases.view_document", pk=pk)
    return document_response(document)


@require_POST
@login_required_for(VIEW_OWN)
def information_answer(request, reference: str, pk: int):
    case = _own_case(request, reference)
    info = case.information_requests.filter(pk=pk).first()
    if info is None:
        raise Http404
    form = AnswerForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.information_request_answer(
                information_request=info,
                acting_user=request.user,
                answer=form.cleaned_data["answer"],
                upload=form.cleaned_data.get("file"),
                request=request,
            )
        except (ValidationError, PermissionDenied) as exc:
            add_service_error(
                form, exc if isinstance(exc, ValidationError) else ValidationError(error_text(exc))
            )
        else:
            messages.success(request, _("Thank you. Your answer has been sent; we continue processing."))
            return redirect("cases:detail", reference=case.reference)
    context = _detail_context(case, answer_form=form)
    if context["open_request"] is None or context["open_request"].pk != info.pk:
        # Answered meanwhile (another tab): nothing to show the form for any more.
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("cases:detail", reference=case.reference)
    # The page again with what was typed and each error at its input (a browser cannot keep a
    # chosen file; the error next to the file input says what to choose instead).
    return render(request, "cases/case_detail.html", context, status=422)


@require_POST
@login_required_for(VIEW_OWN)
def withdraw(request, reference: str):
    case = _own_case(request, reference)
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            services.case_withdraw(
                case=case,
                acting_user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
                request=request,
            )
            messages.success(request, _("Your application has been withdrawn."))
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc))
    return redirect("cases:detail", reference=case.reference)


def _retried_case(request, key: str) -> Case | None:
    """The case a first request with this key already opened (the draft is gone by then)."""
    case = Case.objects.filter(submission__idempotency_key=key).select_related("submission").first()
    if case is None:
        return None
    user = request.user
    mine = user.is_authenticated and user.pk in (case.submission.applicant_id, case.submission.entered_by_id)
    if mine or case.pk in request.session.get(SUBMITTED_SESSION_KEY, []):
        return case
    raise Http404


def _after_submit(request, case: Case):
    submitted = request.session.get(SUBMITTED_SESSION_KEY, [])
    if case.pk not in submitted:
        request.session[SUBMITTED_SESSION_KEY] = [*submitted[-9:], case.pk]
    if request.user.is_authenticated and case.submission.entered_by_id == request.user.pk:
        messages.success(
            request, _("The application has been recorded as %(reference)s.") % {"reference": case.reference}
        )
        # Staff enter applications of their own departments (counter_draft_start); should the role
        # have ended meanwhile, the confirmation with reference and receipt is still theirs to see.
        if request.user.has_perm("cases.process_case", case):
            return redirect("backoffice:detail", reference=case.reference)
    return redirect("cases:submitted", reference=case.reference)


@require_POST
def submit(request, draft_id):
    """The form summary's "submit": thin wrapper around ``services.application_submit``."""
    from rathaus.forms.engine import FillContext, FormValidationError
    from rathaus.forms.selectors import access_draft

    key = (request.POST.get("idempotency_key") or "").strip()[:80]
    if not key:
        return HttpResponseBadRequest(_("The form is incomplete. Please reload the page."))
    retried = _retried_case(request, key)
    if retried is not None:
        return _after_submit(request, retried)
    draft = access_draft(request, draft_id, related=("department", "workflow"))
    trust_level = current_trust_level(request) or ""
    user = request.user if request.user.is_authenticated else None
    try:
        case = services.application_submit(
            draft=draft,
            acting_user=request.user,
            idempotency_key=key,
            trust_level=trust_level,
            context=FillContext(
                user=user, trust_level=trust_level, language=request.LANGUAGE_CODE, draft=draft
            ),
            request=request,
        )
    except (ValidationError, PermissionDenied, FormValidationError) as exc:
        messages.error(
            request,
            error_text(exc)
            if not isinstance(exc, FormValidationError)
            else _("Some answers are not valid any more. Please check the form."),
        )
        return redirect(request.META.get("HTTP_REFERER") or "cases:list")
    return _after_submit(request, case)


def submitted(request, reference: str):
    """Confirmation after submitting; also for applications without an account (the session
    remembers which cases it submitted, so the receipt can be downloaded once)."""
    case = (
        Case.objects.select_related("service")
        .filter(reference=reference, pk__in=request.session.get(SUBMITTED_SESSION_KEY, []))
        .first()
    )
    if case is None:
        raise Http404
    receipt = case.documents.filter(kind="receipt").first()
    return render(
        request,
        "cases/submitted.html",
        {"case": case, "receipt": receipt, "title": _("Application submitted")},
    )


def submitted_receipt(request, reference: str):
    case = Case.objects.filter(
        reference=reference, pk__in=request.session.get(SUBMITTED_SESSION_KEY, [])
    ).first()
    receipt = case.documents.filter(kind="receipt").first() if case else None
    if receipt is None:
        raise Http404
    return document_response(receipt)
