"""The stamp (see people.models.Stamp), replaced whenever who reports to whom, who is active, or a name or title changes."""

from django.db import migrations, models

from people.stamp import POSTGRESQL_FUNCTION, POSTGRESQL_FUNCTION_REVERSE, stamp_triggers

COLUMNS = ("manager_id", "is_active", "name", "title")


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    install, _ = stamp_triggers(vendor, "people_user", COLUMNS)
    for statement in ([POSTGRESQL_FUNCTION] if vendor == "postgresql" else []) + install:
        schema_editor.execute(statement)
    apps.get_model("people", "Stamp").objects.create(id=1, value=0)


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
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("value", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(install, uninstall),
    ]
