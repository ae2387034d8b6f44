"""The app as gunicorn serves it, plus two JSON endpoints for ``test_concurrency``.

Loaded only by the gunicorn processes that the concurrency test starts: the full middleware
stack (sessions, login, language) runs as in production, and the endpoints call the real
services, so the race is decided where it is decided for real — in the service and the
database.

``book/`` calls ``booking_create``: 201 with the booking, or 409 with the error code and the
translated message. ``register/`` calls ``course_register`` for the logged-in person: 201 with
the enrollment's status (``registered`` or ``waitlisted``) and waiting-list position, 409 with
the code and message when the service refuses (closed, already registered), 403 when nobody is
logged in or the service denies it, 404 for an unknown course.
"""

from __future__ import annotations

import datetime as dt
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rathaus.settings")
django.setup()

from django.conf import settings  # noqa: E402
from django.core.exceptions import PermissionDenied, ValidationError  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from rathaus.booking.errors import BookingError  # noqa: E402
from rathaus.booking.models import Course, Resource  # noqa: E402
from rathaus.booking.services import booking_create, course_register  # noqa: E402


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


@csrf_exempt
@require_POST
def register(request):
    if not request.user.is_authenticated:
        return JsonResponse({"code": "login", "pid": os.getpid()}, status=403)
    course = Course.objects.filter(slug=request.POST.get("course", "")).first()
    if course is None:
        return JsonResponse({"code": "not_found", "pid": os.getpid()}, status=404)
    try:
        enrollment = course_register(course=course, acting_user=request.user, request=request)
    except PermissionDenied as exc:
        return JsonResponse({"code": "forbidden", "message": str(exc), "pid": os.getpid()}, status=403)
    except ValidationError as exc:
        message = " ".join(exc.messages)
        return JsonResponse({"code": exc.code, "message": message, "pid": os.getpid()}, status=409)
    return JsonResponse(
        {
            "enrollment": enrollment.pk,
            "status": enrollment.status,
            "position": enrollment.position,
            "pid": os.getpid(),
        },
        status=201,
    )


# The test endpoints first, then the project's own URLs, so that ``reverse()`` in the services
# (e.g. the link in a course notice) finds what it finds in production.
urlpatterns = [
    path("ping/", ping),
    path("book/", book),
    path("register/", register),
    path("", include(settings.ROOT_URLCONF)),
]
settings.ROOT_URLCONF = __name__
application = get_wsgi_application()
