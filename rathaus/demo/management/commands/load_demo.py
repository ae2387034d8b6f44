from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from rathaus.demo import booking_data, data
from rathaus.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the Regensburg demo data (demo mode only; a second run changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, **options):
        try:
            created = load_demo()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        summary = ", ".join(f"{count} {name}" for name, count in created.items())
        self.stdout.write(f"Demo data loaded (new: {summary}).")
        if options["quiet_logins"]:
            return
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {data.DEMO_PASSWORD})")
        for person in data.CITIZENS:
            self.stdout.write(f"  citizen            {person['email']}")
        staff = [*data.STAFF, booking_data.SPORTS_OFFICE_STAFF, booking_data.PARKS_OFFICE_STAFF]
        for email, _first, _last, role, department in staff:
            where = f" ({department})" if department else ""
            self.stdout.write(f"  {role:<18} {email}{where}")
        self.stdout.write("  Staff confirm a second factor: in demo mode the page shows the current code.")
