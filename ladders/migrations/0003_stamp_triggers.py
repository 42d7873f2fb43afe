"""The stamp (see people.models.Stamp) is replaced with every change to placements, frameworks and their
versions, and whenever an assessment is started, submitted or removed (saving a draft leaves it)."""

from django.db import migrations

from people.stamp import stamp_triggers

TABLES = {
    "ladders_placement": (),
    "ladders_framework": (),
    "ladders_frameworkversion": (),
    "ladders_assessment": ("status",),
}


def install(apps, schema_editor):
    for table, columns in TABLES.items():
        for statement in stamp_triggers(schema_editor.connection.vendor, table, columns)[0]:
            schema_editor.execute(statement)


def uninstall(apps, schema_editor):
    for table, columns in TABLES.items():
        for statement in stamp_triggers(schema_editor.connection.vendor, table, columns)[1]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("ladders", "0002_newest_assessments_index"),
        ("people", "0004_stamp"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
