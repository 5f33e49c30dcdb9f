"""Readings keyed (ts, sensor) instead of an id plus a unique (sensor, ts) index.

Readings arrive in time order: with time first in the key every batch is appended at the
end of one B-tree, where (sensor, ts) put each batch at one place per sensor. On SQLite the
table becomes WITHOUT ROWID (the key is the table: one B-tree per row, not two); on
PostgreSQL the id column goes and the key becomes the primary key. Rows are kept.
"""

from django.db import migrations, models

SQLITE = [
    'CREATE TABLE "monitoring_reading_new" ('
    '"ts" bigint NOT NULL, '
    '"sensor_id" bigint NOT NULL REFERENCES "monitoring_sensor" ("id") DEFERRABLE INITIALLY DEFERRED, '
    '"value" real NOT NULL, '
    'PRIMARY KEY ("ts", "sensor_id")) WITHOUT ROWID',
    'INSERT INTO "monitoring_reading_new" ("ts", "sensor_id", "value") '
    'SELECT "ts", "sensor_id", "value" FROM "monitoring_reading" ORDER BY "ts", "sensor_id"',
    'DROP TABLE "monitoring_reading"',
    'ALTER TABLE "monitoring_reading_new" RENAME TO "monitoring_reading"',
]

POSTGRESQL = [
    'ALTER TABLE "monitoring_reading" DROP CONSTRAINT "mon_reading_sensor_ts"',
    'ALTER TABLE "monitoring_reading" DROP COLUMN "id"',
    'ALTER TABLE "monitoring_reading" ADD PRIMARY KEY ("ts", "sensor_id")',
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE
    elif vendor == "postgresql":
        statements = POSTGRESQL
    else:  # another backend: Django's own statements for the same state change
        raise RuntimeError(f"migration 0003 of monitoring has no statements for {vendor}")
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0002_engine"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="reading", name="mon_reading_sensor_ts"),
                migrations.RemoveField(model_name="reading", name="id"),
                migrations.AddField(
                    model_name="reading",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "ts", "sensor", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, migrations.RunPython.noop)],
        ),
    ]
