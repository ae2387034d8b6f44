from django.core.management.base import BaseCommand, CommandError

from rathaus.core.audit import verify_chain
from rathaus.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and name the first broken entry."

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is None:
            self.stdout.write(f"Audit log intact: {AuditEntry.objects.count()} entries verified.")
            return
        if isinstance(broken, int):
            raise CommandError(f"Audit log broken: entry #{broken} is missing.")
        raise CommandError(
            f"Audit log broken at entry #{broken.sequence} (id {broken.pk}, {broken.created_at:%Y-%m-%d %H:%M:%S}):"
            " its content or link to the previous entry was changed."
        )
