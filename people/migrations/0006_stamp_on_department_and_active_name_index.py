"""The stamp is replaced when a person's department or team changes too (HR's home
counts by department), and the directory's list of everyone working here, by name,
reads an index instead of sorting the whole table."""

from django.db import migrations, models
from django.db.models import Q

from people.stamp import stamp_triggers

BEFORE = ("manager_id", "is_active", "name", "title")
AFTER = (*BEFORE, "department_id", "team_id")


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
        ("people", "0005_reminders"),
    ]

    operations = [
        migrations.RunPython(_replace(BEFORE, AFTER), _replace(AFTER, BEFORE)),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["name", "id"], condition=Q(is_active=True), name="user_active_name_idx"),
        ),
    ]
