"""The stamp (see people.models.Stamp) is replaced when a packet is opened, removed or moves
to another status: HR's promotion fairness, kept under it, counts packets' outcomes.

SQLite rebuilds a table to alter it, and its triggers go with the old one: a later migration
that alters reviews_packet installs these again after it (as ladders' 0005 does for
framework versions).
"""

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
        ("reviews", "0012_packet_withdrawn"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
