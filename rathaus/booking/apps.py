import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "rathaus.booking"
    label = "booking"
    verbose_name = _("Appointments and bookings")

    def ready(self):
        from rathaus.core.periodic import register_periodic

        from . import services, tasks  # noqa: F401 - services registers its audit actions

        # Unpaid bookings free their slot soon after the payment time; lapsed course offers pass on.
        register_periodic(tasks.expire_bookings, every=dt.timedelta(minutes=1))
        register_periodic(tasks.course_offers_expire, every=dt.timedelta(minutes=5))
        register_periodic(tasks.course_reminders_send, every=dt.timedelta(hours=1))
