"""The relying-party endpoints of the OIDC login, always routed; they refuse when not configured."""

from django.urls import path

from .oidc import EidOIDCAuthenticationRequestView, EidOIDCCallbackView

urlpatterns = [
    path("callback/", EidOIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    path("authenticate/", EidOIDCAuthenticationRequestView.as_view(), name="oidc_authentication_init"),
]
