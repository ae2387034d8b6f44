"""Entry points of the eID logins; they explain themselves when a protocol is not configured."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def _next(request) -> str:
    target = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("accounts:home")


def oidc_start(request):
    if not settings.OIDC_ENABLED:
        messages.info(request, _("The eID login is not configured for this installation yet."))
        return redirect("accounts:trust_level")
    return redirect(f"{reverse('oidc_authentication_init')}?next={_next(request)}")


def saml_start(request):
    if not settings.SAML_ENABLED:
        messages.info(request, _("The eID login is not configured for this installation yet."))
        return redirect("accounts:trust_level")
    return redirect(f"{reverse('saml2_login')}?next={_next(request)}")
