"""The service-provider endpoints of the SAML login, always routed; they refuse when not configured."""

from django.urls import path

from . import saml

urlpatterns = [
    path("login/", saml.LoginView.as_view(), name="saml2_login"),
    path("acs/", saml.AssertionConsumerServiceView.as_view(), name="saml2_acs"),
    path("logout/", saml.LogoutInitView.as_view(), name="saml2_logout"),
    path("ls/", saml.LogoutView.as_view(), name="saml2_ls"),
    path("ls/post/", saml.LogoutView.as_view(), name="saml2_ls_post"),
    path("metadata/", saml.MetadataView.as_view(), name="saml2_metadata"),
]
