"""One self review and one manager review submitted per participant, and upward reminders under
their own private rule.

Before the constraint, a second submitted self or manager review of the same participant (a
manager who took over and submitted too) goes back to being its author's draft: the first
submitted stays the review. Upward reminders sent under `reviews.cycle_due` move to
`reviews.cycle_upward_due`, so that the admin no longer lists them and nobody is reminded twice.
"""

from django.conf import settings
from django.db import migrations, models


def one_of_each(apps, schema_editor):
    Review = apps.get_model("reviews", "Review")
    seen = set()
    for pk, participant, kind in (
        Review.objects.filter(kind__in=["self", "manager"], submitted_at__isnull=False)
        .order_by("participant_id", "kind", "submitted_at", "pk").values_list("pk", "participant_id", "kind")
    ):
        if (participant, kind) in seen:
            Review.objects.filter(pk=pk).update(submitted_at=None)
        seen.add((participant, kind))


def upward_reminders_apart(apps, schema_editor):
    Notification = apps.get_model("people", "Notification")
    old = Notification.objects.filter(rule="reviews.cycle_due", period="upward")
    moved = set(
        Notification.objects.filter(rule="reviews.cycle_upward_due", period="upward").values_list("subject", "recipient_id")
    )
    twice = [pk for pk, subject, recipient in old.values_list("pk", "subject", "recipient_id") if (subject, recipient) in moved]
    Notification.objects.filter(pk__in=twice).delete()
    old.update(rule="reviews.cycle_upward_due")


def upward_reminders_back(apps, schema_editor):
    Notification = apps.get_model("people", "Notification")
    Notification.objects.filter(rule="reviews.cycle_upward_due").update(rule="reviews.cycle_due")


class Migration(migrations.Migration):

    dependencies = [
        ('ladders', '0005_levels_include_lower'),
        ('people', '0006_stamp_on_department_and_active_name_index'),
        ('reviews', '0008_review_cycles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(one_of_each, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.UniqueConstraint(condition=models.Q(('kind__in', ['self', 'manager']), ('submitted_at__isnull', False)), fields=('participant', 'kind'), name='cycle_review_one_self_and_manager'),
        ),
        migrations.RunPython(upward_reminders_apart, upward_reminders_back),
    ]
