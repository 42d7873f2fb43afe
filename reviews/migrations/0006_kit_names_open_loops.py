# Kits in use that share a name, and a candidate's open loops for one kit, made ready for
# the constraints of 0007 (in a transaction of its own: PostgreSQL creates no index on a
# table with deferred trigger events pending from these changes).

from django.conf import settings
from django.db import migrations
from django.db.models import Value
from django.db.models.functions import Lower


def name_kits_apart(apps, schema_editor):
    """Kits in use that share a name (as the database lowers it) get a number after it,
    oldest first."""
    Kit = apps.get_model("reviews", "Kit")
    kits = Kit.objects.filter(is_archived=False).annotate(key=Lower("name")).order_by("created_at", "pk")
    taken = set(kits.values_list("key", flat=True).distinct())
    seen: set[str] = set()
    for kit in kits:
        if kit.key not in seen:
            seen.add(kit.key)
            continue
        n = 2
        while True:
            name = f"{kit.name[:110]} ({n})"
            key = Kit.objects.filter(pk=kit.pk).annotate(key=Lower(Value(name))).values_list("key", flat=True)[0]
            if key not in taken:
                break
            n += 1
        taken.add(key)
        Kit.objects.filter(pk=kit.pk).update(name=name)


def merge_open_loops(apps, schema_editor):
    """A candidate's open loops for one kit (the same form sent twice) become the oldest one:
    the others' interviews and hiring team move to it, and they go."""
    Loop = apps.get_model("reviews", "Loop")
    Interview = apps.get_model("reviews", "Interview")
    kept: dict[tuple[int, int], object] = {}
    for loop in Loop.objects.filter(decision="").order_by("created_at", "pk"):
        first = kept.setdefault((loop.candidate_id, loop.kit_id), loop)
        if first.pk == loop.pk:
            continue
        Interview.objects.filter(loop_id=loop.pk).update(loop_id=first.pk)
        team = set(loop.hiring_team.values_list("pk", flat=True)) - {first.hiring_manager_id}
        first.hiring_team.add(*team)
        loop.delete()


class Migration(migrations.Migration):

    dependencies = [
        ('ladders', '0005_levels_include_lower'),
        ('reviews', '0005_scorecard_revisions'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(name_kits_apart, migrations.RunPython.noop),
        migrations.RunPython(merge_open_loops, migrations.RunPython.noop),
    ]
