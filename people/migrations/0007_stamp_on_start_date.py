"""The stamp is replaced when a person's start date changes too: HR's promotion fairness
counts people by tenure."""

from django.db import migrations

from people.stamp import stamp_triggers

BEFORE = ("manager_id", "is_active", "name", "title", "department_id", "team_id")
AFTER = (*BEFORE, "start_date")


def _replace(columns_from, columns_to):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for statement in stamp_triggers(vendor, "people_user", columns_from)[1]:
            schema_editor.execute(statement)
        for statement in stamp_triggers(vendor, "people_user", columns_to)[0]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_stamp_on_department_and_active_name_index"),
    ]

    operations = [
        migrations.RunPython(_replace(BEFORE, AFTER), _replace(AFTER, BEFORE)),
    ]
