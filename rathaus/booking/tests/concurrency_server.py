"""The app as gunicorn serves it, plus one JSON booking endpoint for ``test_concurrency``.

Loaded only by the gunicorn processes that the concurrency test starts: the full middleware
stack (sessions, login, language) runs as in production, and the endpoint calls the real
``booking_create``, so the race is decided where it is decided for real — in the service and
the database. It answers 201 with the booking, or 409 with the error code and the translated
message.
"""

from __future__ import annotations

import datetime as dt
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from rathaus.booking.errors import BookingError  # noqa: E402
from rathaus.booking.models import Resource  # noqa: E402
from rathaus.booking.services import booking_create  # noqa: E402


def ping(request):
    return HttpResponse(str(os.getpid()))


@csrf_exempt  # the test client has no form to carry a token; login is by session cookie
@require_POST
def book(request):
    if not request.user.is_authenticated:
        return JsonResponse({"code": "login"}, status=403)
    resource = Resource.objects.get(slug=request.POST["resource"])
    starts_at = dt.datetime.fromisoformat(request.POST["starts_at"])
    ends_at = dt.datetime.fromisoformat(request.POST["ends_at"])
    try:
        booking = booking_create(
            resource=resource, starts_at=starts_at, ends_at=ends_at, acting_user=request.user, request=request
        )
    except BookingError as exc:
        return JsonResponse({"code": exc.code, "message": str(exc), "pid": os.getpid()}, status=409)
    return JsonResponse({"booking": booking.pk, "pid": os.getpid()}, status=201)


urlpatterns = [path("ping/", ping), path("book/", book)]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
