"""Members of an organisation: invitations, removing members, the manager right, leaving.

Managers (``accounts.change_organisation``) invite and remove people and hand the manager
right on; every member may leave. The services keep at least one manager."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from rathaus.core.forms import add_service_error
from rathaus.core.permissions import access_object, login_required_for

from . import services
from .forms import OrganisationInviteForm
from .models import Organisation, OrganisationMembership

VIEW = "accounts.view_organisation"
CHANGE = "accounts.change_organisation"


def _base_url(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def organisation_page(request, organisation: Organisation, *, invite_form=None, status: int = 200):
    can_manage = request.user.has_perm(CHANGE, organisation)
    context = {
        "organisation": organisation,
        "members": organisation.memberships.select_related("user").order_by("user__last_name", "user__pk"),
        "title": organisation.name,
        "can_manage": can_manage,
        "own_membership": organisation.memberships.filter(user=request.user).first(),
    }
    if can_manage:
        context["invite_form"] = invite_form or OrganisationInviteForm()
        context["invitations"] = organisation.invitations.filter(accepted_at__isnull=True).order_by(
            "created_at"
        )
    return render(request, "accounts/organisation_detail.html", context, status=status)


def _run(request, action, success: str) -> None:
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@require_POST
@login_required_for(CHANGE)
def invite(request, pk: int):
    organisation = access_object(request, Organisation.objects.all(), perm=CHANGE, pk=pk)
    form = OrganisationInviteForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_invite(
                acting_user=request.user,
                organisation=organisation,
                email=form.cleaned_data["email"],
                base_url=_base_url(request),
                request=request,
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The invitation has been sent."))
            return redirect("accounts:organisation_detail", pk=organisation.pk)
    return organisation_page(request, organisation, invite_form=form, status=400)


@require_POST
@login_required_for(CHANGE)
def invitation_withdraw(request, pk: int, invitation_pk: int):
    organisation = access_object(request, Organisation.objects.all(), perm=CHANGE, pk=pk)
    invitation = get_object_or_404(
        organisation.invitations.filter(accepted_at__isnull=True), pk=invitation_pk
    )
    services.organisation_invitation_withdraw(
        acting_user=request.user, invitation=invitation, request=request
    )
    messages.success(request, _("The invitation has been withdrawn."))
    return redirect("accounts:organisation_detail", pk=organisation.pk)


def _membership(request, pk: int, membership_pk: int, *, perm: str) -> OrganisationMembership:
    organisation = access_object(request, Organisation.objects.all(), perm=perm, pk=pk)
    return get_object_or_404(
        organisation.memberships.select_related("user", "organisation"), pk=membership_pk
    )


@require_POST
@login_required_for(CHANGE)
def member_remove(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk, perm=CHANGE)
    if membership.user_id == request.user.pk:
        return leave(request, pk)
    name = membership.user.get_full_name() or membership.user.email
    _run(
        request,
        lambda: services.organisation_member_remove(
            acting_user=request.user, membership=membership, request=request
        ),
        _("%(name)s no longer acts for the organisation.") % {"name": name},
    )
    return redirect("accounts:organisation_detail", pk=pk)


@require_POST
@login_required_for(CHANGE)
def member_manager(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk, perm=CHANGE)
    is_admin = request.POST.get("is_admin") == "1"
    name = membership.user.get_full_name() or membership.user.email
    success = (
        _("%(name)s now manages the organisation.")
        if is_admin
        else _("%(name)s no longer manages the organisation.")
    ) % {"name": name}
    _run(
        request,
        lambda: services.organisation_manager_set(
            acting_user=request.user, membership=membership, is_admin=is_admin, request=request
        ),
        success,
    )
    return redirect("accounts:organisation_detail", pk=pk)


@require_POST
@login_required_for(VIEW)
def leave(request, pk: int):
    organisation = access_object(request, Organisation.objects.all(), perm=VIEW, pk=pk)
    membership = organisation.memberships.filter(user=request.user).first()
    if membership is None:  # an administrator sees organisations without belonging to them
        return redirect("accounts:organisation_detail", pk=pk)
    try:
        services.organisation_member_remove(acting_user=request.user, membership=membership, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("accounts:organisation_detail", pk=pk)
    messages.success(request, _("You no longer act for %(name)s.") % {"name": organisation.name})
    return redirect("accounts:organisations")


@login_required
def invitation(request, token: str):
    """The link of an invitation e-mail: shows which organisation invites, and accepts it."""
    found = services.organisation_invitation_find(token)
    context = {"title": _("Invitation to an organisation"), "invitation": found}
    if found is None:
        return render(request, "accounts/organisation_invitation.html", context, status=400)
    context["other_address"] = found.email.lower() != request.user.email.lower()
    if request.method == "POST" and not context["other_address"]:
        try:
            organisation = services.organisation_invitation_accept(
                acting_user=request.user, token=token, request=request
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("You now act for %(name)s.") % {"name": organisation.name})
            return redirect("accounts:organisation_detail", pk=organisation.pk)
    return render(request, "accounts/organisation_invitation.html", context)
