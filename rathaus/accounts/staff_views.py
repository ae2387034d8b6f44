"""Back-office pages of accounts: the audit log for the data protection officer and administrators."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.models import AuditChainHead
from rathaus.core.permissions import permission_required

from . import selectors, services
from .forms import AuditLogFilterForm

VIEW_AUDIT_LOG = "accounts.view_audit_log"

# Below this many entries the page checks the chain itself when no result is remembered; above
# it the check waits for the button (it reads every entry once).
AUTO_CHECK_LIMIT = 50_000


def _cursor(request, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() else None


@permission_required(VIEW_AUDIT_LOG)
def audit_log(request):
    filters = AuditLogFilterForm(request.GET or None)
    params = {name: value for name, value in request.GET.items() if name in filters.fields and value}
    values = filters.cleaned_data if filters.is_valid() else {}
    before, after = _cursor(request, "before"), _cursor(request, "after")
    if filters.is_bound and not filters.is_valid():
        page = selectors.AuditLogPage([], older=None, newer=None)
    else:
        entries = selectors.audit_log_filtered(**{name: values.get(name) or None for name in filters.fields})
        page = selectors.audit_log_page(entries, before=before, after=after)
    services.audit_log_read(
        acting_user=request.user,
        filters=values,
        page={"before": before, "after": after, "shown": len(page.entries)},
        request=request,
    )
    check = services.audit_chain_last_check()
    if check is None:
        head = AuditChainHead.objects.filter(pk=1).values_list("sequence", flat=True).first() or 0
        if head <= AUTO_CHECK_LIMIT:
            check = services.audit_chain_check(acting_user=request.user, request=request)
    if check is not None:
        check = {**check, "checked_at": parse_datetime(check["checked_at"])}
    query = urlencode(params)
    return render(
        request,
        "accounts/audit_log.html",
        {
            "title": _("Audit log"),
            "filters": filters,
            "page": page,
            "check": check,
            "older_url": f"?{urlencode({**params, 'before': page.older})}" if page.older else "",
            "newer_url": f"?{urlencode({**params, 'after': page.newer})}" if page.newer else "",
            "first_url": f"?{query}" if (before or after) else "",
        },
    )


@require_POST
@permission_required(VIEW_AUDIT_LOG)
def audit_chain_check(request):
    result = services.audit_chain_check(acting_user=request.user, request=request)
    if result["intact"]:
        messages.success(request, _("The chain of the audit log is intact."))
    else:
        messages.error(request, _("The chain of the audit log is broken. See the result on this page."))
    return redirect("accounts:audit_log")
