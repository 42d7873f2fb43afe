"""Notifications: shown in the app at once, e-mailed once after the commit."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from config.celery_app import app as celery_app
from people.models import Notification
from people.services import notification_email_deliver, notification_send, notifications_mark_read
from people.tasks import EMAIL_BATCH, notifications_email_pending
from tests.people.factories import NotificationFactory, UserFactory


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server is down.")


@pytest.fixture
def tasks_run_eagerly():
    """Run queued tasks in the test's own thread instead of sending them to the broker."""
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = before


def minutes_ago(minutes: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=minutes)


# --- notification_send ----------------------------------------------------------


def test_it_shows_the_notification_at_once_and_emails_it_after_commit(
    engineer, django_capture_on_commit_callbacks, tasks_run_eagerly
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notification_send(recipient=engineer, title="Your assessment was shared", body="Have a look.")
        assert list(engineer.notifications.all()) == [notification]
        assert mail.outbox == []

    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["engineer@example.com"]
    assert mail.outbox[0].subject == "[Trellis] Your assessment was shared"
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.read_at is None


def test_it_sends_nothing_when_the_transaction_rolls_back(
    engineer, django_capture_on_commit_callbacks, tasks_run_eagerly
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notification_send(recipient=engineer, title="Never happened")
            raise RuntimeError

    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.exists()


def test_it_sends_exactly_one_email_even_when_delivered_twice(
    engineer, django_capture_on_commit_callbacks, tasks_run_eagerly
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(recipient=engineer, title="Shared")

    # A retried task and the safety net both try again.
    assert notification_email_deliver(notification_id=notification.pk) is False
    assert notification_email_deliver(notification_id=notification.pk) is False

    assert len(mail.outbox) == 1


def test_a_second_delivery_of_a_sent_email_sends_nothing(engineer):
    notification = NotificationFactory(recipient=engineer)

    assert notification_email_deliver(notification_id=notification.pk) is True
    assert notification_email_deliver(notification_id=notification.pk) is False

    assert len(mail.outbox) == 1


def test_it_links_to_the_site_in_the_email(engineer, settings):
    settings.SITE_URL = "https://trellis.example.com"
    notification = NotificationFactory(recipient=engineer, body="Marcus shared it.", url="/assessments/7/")

    notification_email_deliver(notification_id=notification.pk)

    assert mail.outbox[0].body == "Marcus shared it.\n\nhttps://trellis.example.com/assessments/7/"


def test_it_keeps_an_absolute_link_as_it_is(engineer):
    notification = NotificationFactory(recipient=engineer, body="", url="https://example.org/guide")

    notification_email_deliver(notification_id=notification.pk)

    assert mail.outbox[0].body == "https://example.org/guide"


def test_it_sends_no_email_to_someone_who_has_left(engineer, django_capture_on_commit_callbacks, tasks_run_eagerly):
    engineer.is_active = False
    engineer.save()

    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_send(recipient=engineer, title="Shared")

    assert notification_email_deliver(notification_id=notification.pk) is False
    assert mail.outbox == []


def test_it_gives_the_claim_back_when_sending_fails(engineer, settings):
    notification = NotificationFactory(recipient=engineer)
    settings.EMAIL_BACKEND = "tests.people.test_notifications.BrokenEmailBackend"

    with pytest.raises(ConnectionRefusedError):
        notification_email_deliver(notification_id=notification.pk)

    notification.refresh_from_db()
    assert notification.email_sent_at is None
    assert notification.email_lease_until is None

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notification_email_deliver(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_it_does_nothing_for_a_notification_that_no_longer_exists(db):
    assert notification_email_deliver(notification_id=987654) is False
    assert mail.outbox == []


# --- The safety net (beat, every minute) ---------------------------------------------


def test_the_safety_net_only_picks_up_notifications_older_than_a_minute(engineer, tasks_run_eagerly):
    old = NotificationFactory(recipient=engineer, title="Lost task", created_at=minutes_ago(2))
    fresh = NotificationFactory(recipient=engineer, title="Still queued", created_at=minutes_ago(0.5))

    assert notifications_email_pending() == 1

    assert [message.subject for message in mail.outbox] == ["[Trellis] Lost task"]
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.email_sent_at is not None
    assert fresh.email_sent_at is None


def test_the_safety_net_skips_sent_notifications_and_people_who_have_left(engineer, tasks_run_eagerly):
    NotificationFactory(recipient=engineer, created_at=minutes_ago(5), email_sent_at=minutes_ago(4))
    NotificationFactory(recipient=UserFactory(is_active=False), created_at=minutes_ago(5))

    assert notifications_email_pending() == 0
    assert mail.outbox == []


def test_the_safety_net_running_twice_sends_once(engineer, tasks_run_eagerly):
    NotificationFactory(recipient=engineer, created_at=minutes_ago(3))

    assert notifications_email_pending() == 1
    assert notifications_email_pending() == 0

    assert len(mail.outbox) == 1


def test_the_safety_net_sends_the_oldest_first(engineer, tasks_run_eagerly):
    NotificationFactory(recipient=engineer, title="Second", created_at=minutes_ago(5))
    NotificationFactory(recipient=engineer, title="First", created_at=minutes_ago(50))

    notifications_email_pending()

    assert [message.subject for message in mail.outbox] == ["[Trellis] First", "[Trellis] Second"]


def test_the_safety_net_takes_over_an_email_whose_sender_died_once_its_lease_runs_out(engineer, settings):
    settings.REMINDER_LEASE_SECONDS = 60
    notification = NotificationFactory(recipient=engineer, created_at=minutes_ago(5))
    # A worker claimed it, then was killed before sending.
    Notification.objects.filter(pk=notification.pk).update(email_lease_until=minutes_ago(-0.5), email_attempts=1)

    assert notifications_email_pending() == 0

    Notification.objects.filter(pk=notification.pk).update(email_lease_until=minutes_ago(0.1))
    assert notifications_email_pending() == 1
    assert len(mail.outbox) == 1


def test_the_safety_net_sends_more_than_one_batch(engineer):
    NotificationFactory.create_batch(EMAIL_BATCH + 5, recipient=engineer, created_at=minutes_ago(3))

    assert notifications_email_pending() == EMAIL_BATCH + 5
    assert len(mail.outbox) == EMAIL_BATCH + 5


def test_the_safety_net_gives_up_on_e_mails_older_than_three_days(engineer, tasks_run_eagerly):
    stale = NotificationFactory(recipient=engineer, title="Old news", created_at=minutes_ago(4 * 24 * 60))
    due = NotificationFactory(recipient=engineer, title="Still news", created_at=minutes_ago(2 * 24 * 60))

    assert notifications_email_pending() == 1

    assert [message.subject for message in mail.outbox] == ["[Trellis] Still news"]
    stale.refresh_from_db()
    due.refresh_from_db()
    assert stale.email_sent_at is None
    assert due.email_sent_at is not None


# --- Marking as read ---------------------------------------------------------------


def test_it_marks_all_of_ones_own_notifications_read(engineer, peer):
    mine = NotificationFactory.create_batch(2, recipient=engineer)
    theirs = NotificationFactory(recipient=peer)

    assert notifications_mark_read(user=engineer) == 2

    assert all(n.read_at for n in Notification.objects.filter(pk__in=[n.pk for n in mine]))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_it_marks_only_the_given_notifications_read(engineer, peer):
    first, second = NotificationFactory.create_batch(2, recipient=engineer)
    theirs = NotificationFactory(recipient=peer)

    assert notifications_mark_read(user=engineer, notification_ids=[first.pk, theirs.pk]) == 1

    first.refresh_from_db()
    second.refresh_from_db()
    theirs.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert theirs.read_at is None


def test_it_keeps_the_first_read_time(engineer):
    read_at = minutes_ago(60)
    notification = NotificationFactory(recipient=engineer, read_at=read_at)

    assert notifications_mark_read(user=engineer) == 0

    notification.refresh_from_db()
    assert notification.read_at == read_at

