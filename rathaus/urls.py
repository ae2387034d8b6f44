from django.contrib import admin
from django.urls import include, path
from django_otp.admin import OTPAdminSite
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from rathaus.core import views as core_views


class RathausAdminSite(OTPAdminSite):
    """The operators' admin: only for staff who confirmed their second factor."""

    site_header = "Rathaus – Administration"
    site_title = "Rathaus"
    index_title = "Betrieb und Stammdaten"


admin.site.__class__ = RathausAdminSite

urlpatterns = [
    path("", include("rathaus.core.urls")),
    path("konto/", include("rathaus.accounts.urls")),
    path("leistungen/", include("rathaus.catalog.urls")),
    path("antrag/", include("rathaus.forms.urls")),
    path("konto/antraege/", include("rathaus.cases.urls")),
    path("konto/postfach/", include("rathaus.mailbox.urls")),
    path("buchen/", include("rathaus.booking.urls")),
    path("verwaltung/vorgaenge/", include("rathaus.cases.backoffice_urls")),
    path("verwaltung/buchungen/", include("rathaus.booking.staff_urls")),
    path("belegung/", include("rathaus.booking.occupancy_urls")),
    path("verwaltung/strategie/", include("rathaus.strategy.urls")),
    path("transparenz/strategie/", include("rathaus.strategy.public_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/accounts/", include("rathaus.accounts.api_urls")),
    path("api/v1/catalog/", include("rathaus.catalog.api_urls")),
    path("api/v1/forms/", include("rathaus.forms.api_urls")),
    path("api/v1/cases/", include("rathaus.cases.api_urls")),
    path("api/v1/booking/", include("rathaus.booking.api_urls")),
    path("api/v1/strategy/", include("rathaus.strategy.api_urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start script as a file: the CSP allows no inline script.
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

# eID endpoints are always routed; their views refuse politely when the protocol is not configured.
urlpatterns.append(path("oidc/", include("rathaus.accounts.eid.oidc_urls")))
urlpatterns.append(path("saml2/", include("rathaus.accounts.eid.saml_urls")))

handler400 = core_views.error_400
handler403 = core_views.error_403
handler404 = core_views.error_404
handler500 = core_views.error_500
