"""On PostgreSQL the activity log refuses UPDATE and DELETE in the database itself (PIPL / 等保 audit
integrity): not even a raw SQL statement or another program with the portal's credentials can rewrite
or remove an entry. TRUNCATE (used only by test flushes and a deliberate reset) is not a row change and
is not caught. The model already refuses both in Python (core.models.ActivityLog).

It runs after reviews.0002, which relabels old log targets when it adopts the decisions tables."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_activitylog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'core_activitylog is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_activitylog_append_only ON core_activitylog;
CREATE TRIGGER core_activitylog_append_only BEFORE UPDATE OR DELETE ON core_activitylog
    FOR EACH ROW EXECUTE FUNCTION core_activitylog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS core_activitylog_append_only ON core_activitylog;
DROP FUNCTION IF EXISTS core_activitylog_append_only();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_calendar_entries"),
        ("reviews", "0002_adopt_decisions"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
