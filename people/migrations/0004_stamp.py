"""The stamp (see people.models.Stamp), replaced whenever who reports to whom, who is active, or a name or title changes."""

import random

from django.db import migrations, models

from people.stamp import POSTGRESQL_FUNCTION, POSTGRESQL_FUNCTION_REVERSE, stamp_triggers

COLUMNS = ("manager_id", "is_active", "name", "title")


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    install, _ = stamp_triggers(vendor, "people_user", COLUMNS)
    for statement in ([POSTGRESQL_FUNCTION] if vendor == "postgresql" else []) + install:
        schema_editor.execute(statement)
    # Random from the start: a process still running from a database created
    # before must not find what it kept under the same value.
    apps.get_model("people", "Stamp").objects.create(id=1, value=random.randrange(-(2**63), 2**63))


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _, reverse = stamp_triggers(vendor, "people_user", COLUMNS)
    for statement in reverse + ([POSTGRESQL_FUNCTION_REVERSE] if vendor == "postgresql" else []):
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_active_reporting_path_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="Stamp",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("value", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
