from django.core.management.base import BaseCommand, CommandError

from rathaus.core.audit import audit_unsealed_count, verify_chain
from rathaus.core.models import AuditEntry


class Command(BaseCommand):
    help = "Verify the hash chain of the audit log and name the first broken entry."

    def handle(self, *args, **options):
        broken = verify_chain()
        if broken is None:
            sealed = AuditEntry.objects.filter(sequence__isnull=False).count()
            self.stdout.write(f"Audit log intact: {sealed} entries verified.")
            if waiting := audit_unsealed_count():
                self.stdout.write(f"{waiting} newer entries are waiting for the task worker to seal them.")
            return
        if isinstance(broken, int):
            raise CommandError(f"Audit log broken: entry #{broken} is missing.")
        raise CommandError(
            f"Audit log broken at entry #{broken.sequence} (id {broken.pk}, {broken.created_at:%Y-%m-%d %H:%M:%S}):"
            " its content or link to the previous entry was changed."
        )
