"""Upgrading to one submitted self and manager review per participant, and to upward reminders
under their private rule: a second manager review goes back to its author's draft, and the
upward reminders already sent move to the new rule."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from people.models import Notification
from reviews.models import Review

BEFORE = [("reviews", "0008_review_cycles")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_upgrading_keeps_the_first_manager_review_and_moves_upward_reminders(hr, manager, skip_level, engineer, peer):
    try:
        migrate(BEFORE)
        apps = MigrationExecutor(connection).loader.project_state(BEFORE).apps
        Cycle, Participant = apps.get_model("reviews", "Cycle"), apps.get_model("reviews", "Participant")
        OldReview, OldNotification = apps.get_model("reviews", "Review"), apps.get_model("people", "Notification")
        today = timezone.localdate()
        cycle = Cycle.objects.create(name="H2", period_start=today - datetime.timedelta(days=180), period_end=today,
                                     created_by_id=hr.pk, created_at=timezone.now())
        ada = Participant.objects.create(cycle_id=cycle.pk, person_id=engineer.pk, added_at=timezone.now())
        earlier = timezone.now() - datetime.timedelta(days=2)
        first = OldReview.objects.create(participant_id=ada.pk, author_id=manager.pk, kind="manager", overall="meets",
                                         submitted_at=earlier, updated_at=earlier)
        second = OldReview.objects.create(participant_id=ada.pk, author_id=skip_level.pk, kind="manager", overall="above",
                                          submitted_at=timezone.now(), updated_at=timezone.now())
        subject = f"reviews.cycle:{cycle.pk}"
        for recipient, period in ((engineer, "upward"), (peer, "upward"), (engineer, "self")):
            OldNotification.objects.create(recipient_id=recipient.pk, rule="reviews.cycle_due", subject=subject,
                                           period=period, title="H2: something to write")

        migrate(latest())

        assert Review.objects.get(pk=first.pk).submitted_at is not None
        assert Review.objects.get(pk=second.pk).submitted_at is None  # Daniel's draft again
        rules = sorted(Notification.objects.values_list("recipient__email", "rule", "period"))
        assert rules == sorted([
            (engineer.email, "reviews.cycle_upward_due", "upward"),
            (peer.email, "reviews.cycle_upward_due", "upward"),
            (engineer.email, "reviews.cycle_due", "self"),
        ])
        migrate(BEFORE)  # and back
        assert set(OldNotification.objects.values_list("rule", flat=True)) == {"reviews.cycle_due"}
    finally:
        migrate(latest())
