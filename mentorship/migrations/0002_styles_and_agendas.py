from django.db import migrations

from mentorship.defaults import AGENDAS, STYLES


def add(apps, schema_editor):
    Style = apps.get_model("mentorship", "Style")
    AgendaTemplate = apps.get_model("mentorship", "AgendaTemplate")
    for name, description, position in STYLES:
        Style.objects.get_or_create(name=name, defaults={"description": description, "position": position})
    for name, kind, agenda, position in AGENDAS:
        AgendaTemplate.objects.get_or_create(name=name, defaults={"kind": kind, "agenda": agenda, "position": position})


class Migration(migrations.Migration):
    dependencies = [("mentorship", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
