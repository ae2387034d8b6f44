"""Request plumbing shared by every app."""

from django.conf import settings


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
