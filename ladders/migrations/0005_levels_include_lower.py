from django.db import migrations, models

from people.stamp import stamp_triggers


def stamp_reinstall(apps, schema_editor):
    # SQLite adds the column by rebuilding the table, which drops its triggers.
    remove, install = stamp_triggers(schema_editor.connection.vendor, "ladders_frameworkversion")[::-1]
    for statement in remove + install:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("ladders", "0004_draft_reminders_as_a_rule"),
    ]

    operations = [
        migrations.AddField(
            model_name="frameworkversion",
            name="levels_include_lower",
            field=models.BooleanField(
                default=False,
                help_text="Set when a level lists only what it adds: its pages then show what it inherits from the levels below.",
                verbose_name="each level includes the expectations of the levels below",
            ),
        ),
        migrations.RunPython(stamp_reinstall, migrations.RunPython.noop),
    ]
