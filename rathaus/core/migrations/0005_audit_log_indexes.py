# Indexes of the audit log page: each filter together with the keyset order by sequence.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_action_of_every_app'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['action', 'sequence'], name='core_audit_action_seq'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['actor_id', 'sequence'], name='core_audit_actor_seq'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['subject_user_id', 'sequence'], name='core_audit_subject_seq'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['object_type', 'object_id', 'sequence'], name='core_audit_object_seq'),
        ),
    ]
