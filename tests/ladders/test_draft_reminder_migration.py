"""Upgrading to draft reminders as a rule reminds nobody a second time; going back restores `reminded_at`."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from ladders.models import Assessment
from people.models import Notification
from people.services import reminders_dispatch
from tests.ladders.factories import assess, document, publish
from tests.people.factories import NotificationFactory
from tests.people.rules import Rules

BEFORE = [("ladders", "0003_stamp_triggers")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def reminded_at(pk: int):
    with connection.cursor() as cursor:
        cursor.execute("SELECT reminded_at FROM ladders_assessment WHERE id = %s", [pk])
        (value,) = cursor.fetchone()
    return value


@pytest.mark.django_db(transaction=True)
def test_a_reminder_sent_before_the_upgrade_counts_as_the_rules(engineer, monkeypatch):
    version = publish(document(slug="backend", levels=3, competencies=2))
    draft = assess(engineer, engineer, version, "l2", default=None, submit=False)
    left = timezone.now() - datetime.timedelta(days=9)
    Assessment.objects.filter(pk=draft.pk).update(updated_at=left)
    reminder = NotificationFactory(
        recipient=engineer,
        title="Finish your self-assessment",
        url=f"/assessments/{draft.pk}/",
        created_at=left + datetime.timedelta(days=7),
        email_sent_at=left + datetime.timedelta(days=7),
    )
    try:
        migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ladders_assessment SET reminded_at = %s WHERE id = %s", [reminder.created_at, draft.pk]
            )

        migrate(latest())

        reminder.refresh_from_db()
        assert (reminder.rule, reminder.subject, reminder.period) == (
            "ladders.assessment_draft",
            f"ladders.assessment:{draft.pk}",
            left.astimezone(datetime.UTC).date().isoformat(),
        )
        Rules(monkeypatch).keep("ladders.assessment_draft")
        monkeypatch.setattr("people.services.reminders.notification_emails_queue", lambda ids: None)
        (run,) = reminders_dispatch()
        assert run.created == []
        assert Notification.objects.count() == 1

        migrate(BEFORE)
        assert reminded_at(draft.pk) is not None
        reminder.refresh_from_db()
        assert (reminder.rule, reminder.subject, reminder.period) == ("", "", "")
    finally:
        migrate(latest())
