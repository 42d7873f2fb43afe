from django.db import migrations

STYLES = [
    ("Async written", "Questions and answers in writing, between meetings.", 1),
    ("Live pairing", "Working through real code or designs together.", 2),
    ("Structured agenda", "A short agenda agreed before each meeting.", 3),
]

AGENDAS = [
    ("Code review", "code_review", "A change you are proud of, and one you are unsure of\nWhat a reviewer would ask first\nOne habit to try before next time", 1),
    ("Architecture decision", "architecture", "The decision and its context\nOptions weighed, and what each costs\nWho needs to agree, and how to write it down", 2),
    ("Career progression", "career", "Where your path says you are, and the next level\nOne gap to work on this month\nEvidence you could gather for it", 3),
    ("Custom", "custom", "What went well since we last met\nWhat is in your way\nWhat you will do before next time", 4),
]


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
