"""The stamp (see people.models.Stamp) is replaced when a packet is opened, removed or moves
to another status: HR's promotion fairness, kept under it, counts packets' outcomes."""

from django.db import migrations

from people.stamp import stamp_triggers

TABLE, COLUMNS = "reviews_packet", ("status",)


def install(apps, schema_editor):
    for statement in stamp_triggers(schema_editor.connection.vendor, TABLE, COLUMNS)[0]:
        schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for statement in stamp_triggers(schema_editor.connection.vendor, TABLE, COLUMNS)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_stamp_on_start_date"),
        ("reviews", "0011_evidence_sources"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
