"""PostgreSQL refuses two active occupancies of one unit whose time ranges overlap.

SQLite has no exclusion constraints; there every write transaction is serialised (IMMEDIATE
mode) and the booking service checks for overlaps inside it.
"""

from django.db import migrations

FORWARD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE booking_occupancy ADD CONSTRAINT booking_occupancy_no_overlap
    EXCLUDE USING gist (unit_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (active);
"""
BACKWARD = "ALTER TABLE booking_occupancy DROP CONSTRAINT IF EXISTS booking_occupancy_no_overlap;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
