from django.conf import settings
from django.core.cache import cache

from .models import SiteBranding

BRANDING_CACHE_KEY = "core:branding"


def current_branding() -> SiteBranding:
    branding = cache.get(BRANDING_CACHE_KEY)
    if branding is None:
        branding = SiteBranding.current()
        cache.set(BRANDING_CACHE_KEY, branding, 300)
    return branding


def site(request):
    return {
        "branding": current_branding(),
        "demo_mode": settings.DEMO_MODE,
        "oidc_enabled": settings.OIDC_ENABLED,
        "saml_enabled": settings.SAML_ENABLED,
    }
