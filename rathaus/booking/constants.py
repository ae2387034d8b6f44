from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    FACILITY = "facility", _("Sports facility")
    ROOM = "room", _("Room")
    STAFF = "staff", _("Bookable staff time")
    LEISURE = "leisure", _("Leisure facility")
    COURSE = "course", _("Course")


class Audience(models.TextChoices):
    """Who may book a resource."""

    PUBLIC = "public", _("everyone with an account")
    ORGANISATIONS = "organisations", _("organisations such as sports clubs")
    STAFF = "staff", _("staff only")


class BookingStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("provisional, awaiting confirmation")
    PAYMENT_PENDING = "payment_pending", _("payment pending")
    CONFIRMED = "confirmed", _("confirmed")
    CANCELLED = "cancelled", _("cancelled")
    EXPIRED = "expired", _("expired")


# Statuses that hold their units; the others free them.
HOLDING_STATUSES = (BookingStatus.PROVISIONAL, BookingStatus.PAYMENT_PENDING, BookingStatus.CONFIRMED)


class EnrollmentStatus(models.TextChoices):
    REGISTERED = "registered", _("registered")
    WAITLISTED = "waitlisted", _("on the waiting list")
    OFFERED = "offered", _("place offered, awaiting confirmation")
    CANCELLED = "cancelled", _("cancelled")
    OFFER_EXPIRED = "offer_expired", _("offer expired")


class SeasonApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    GRANTED = "granted", _("granted")
    MOVED = "moved", _("granted at another time")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")
