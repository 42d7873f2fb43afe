"""Draft reminders move to the one reminder mechanism (people.reminders, rule "ladders.assessment_draft").

Whether a draft had been reminded was `Assessment.reminded_at`; it is now the
reminder's notification, keyed by rule, draft, author and the day the draft
last changed. The reminders already sent become those keys, so nobody is
reminded a second time of a draft they were reminded of before the upgrade;
going back, `reminded_at` is read from them again.
"""

from django.db import migrations

RULE = "ladders.assessment_draft"
TITLE = "Finish "


def _subject(pk: int) -> str:
    return f"ladders.assessment:{pk}"


def _url(pk: int) -> str:
    # What reverse("ladders:assessment") gave the reminders when they were sent.
    return f"/assessments/{pk}/"


def reminded_to_notifications(apps, schema_editor):
    Assessment = apps.get_model("ladders", "Assessment")
    Notification = apps.get_model("people", "Notification")
    reminded = Assessment.objects.filter(status="draft", reminded_at__isnull=False).values_list(
        "pk", "author_id", "updated_at"
    )
    for pk, author_id, updated_at in reminded.iterator(chunk_size=500):
        sent = (
            Notification.objects.filter(
                recipient_id=author_id, url=_url(pk), title__startswith=TITLE, created_at__gte=updated_at, subject=""
            )
            .order_by("-created_at")
            .first()
        )
        if sent is None:
            continue
        sent.rule = RULE
        sent.subject = _subject(pk)
        sent.period = updated_at.date().isoformat()
        sent.save(update_fields=["rule", "subject", "period"])


def notifications_to_reminded(apps, schema_editor):
    Assessment = apps.get_model("ladders", "Assessment")
    Notification = apps.get_model("people", "Notification")
    reminders = Notification.objects.filter(rule=RULE).values_list("pk", "subject", "period", "created_at")
    for pk, subject, period, created_at in reminders.iterator(chunk_size=500):
        assessment_id = int(subject.rsplit(":", 1)[1])
        # Only the reminder of the draft as it stands means "reminded".
        for draft in Assessment.objects.filter(pk=assessment_id, status="draft"):
            if draft.updated_at.date().isoformat() == period:
                Assessment.objects.filter(pk=assessment_id).update(reminded_at=created_at)
        Notification.objects.filter(pk=pk).update(rule="", subject="", period="")


class Migration(migrations.Migration):
    dependencies = [
        ("ladders", "0003_stamp_triggers"),
        ("people", "0005_reminders"),
    ]

    operations = [
        migrations.RunPython(reminded_to_notifications, notifications_to_reminded),
        migrations.RemoveField(model_name="assessment", name="reminded_at"),
    ]
