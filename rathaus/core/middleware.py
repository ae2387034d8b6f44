"""Request plumbing shared by every app."""

from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def client_address(request) -> str | None:
    """The caller's address. Behind TRUSTED_PROXY_COUNT proxies, read X-Forwarded-For from the
    right, so a client cannot forge its address by sending the header itself."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [part for part in forwarded if part]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.client_address = client_address(request)
        return self.get_response(request)


class GermanFirstLocaleMiddleware(LocaleMiddleware):
    """German unless the person chose English (language switch or account preference).

    The browser's Accept-Language is not consulted: an official German portal speaks German by
    default, and the English version is one click away on every page.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
