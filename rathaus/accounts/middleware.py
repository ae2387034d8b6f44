"""Staff must confirm a second factor before they reach anything but the login pages."""

from django.shortcuts import redirect
from django.urls import reverse

_OPEN_PREFIXES = (
    "/static/",
    "/healthz",
    "/metrics",
    "/i18n/",
    "/sprache/",
    "/konto/zwei-faktor",
    "/konto/abmelden",
    "/logo",
    "/gestaltung.css",
)


class StaffSecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.is_staff_member
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
            and not request.path.startswith("/api/")
        ):
            return redirect(f"{reverse('accounts:second_factor')}?next={request.path}")
        return self.get_response(request)


class PreferredLanguageMiddleware:
    """After a login, switch the interface to the person's preferred language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, "rathaus_language", None)
        if language:
            from django.conf import settings

            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
                max_age=365 * 24 * 3600,
            )
        return response
