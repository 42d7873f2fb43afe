import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("reviews", "0006_kit_names_open_loops"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='kit',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), condition=models.Q(('is_archived', False)), name='kit_name_once_in_use', violation_error_message='A kit in use has this name already: name this one apart, e.g. by its level or stage.'),
        ),
        migrations.AddConstraint(
            model_name='loop',
            constraint=models.UniqueConstraint(condition=models.Q(('decision', '')), fields=('candidate', 'kit'), name='loop_open_once_per_kit'),
        ),
    ]
