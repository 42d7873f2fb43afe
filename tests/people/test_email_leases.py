"""Notification e-mails are claimed with a lease, sent, and only then marked sent."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from people.models import Notification
from people.services import notification_email_deliver, notification_emails_send, notification_send
from people.services.notifications import EMAIL_MAX_ATTEMPTS, notification_emails_claim
from tests.conftest import in_thread
from tests.people.factories import NotificationFactory, UserFactory

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
sends_seen: list[tuple[datetime.datetime | None, datetime.datetime | None]] = []


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("The mail server is down.")


class WatchingEmailBackend(LocmemBackend):
    """Sends, noting what the row said about its e-mail at that moment."""

    def send_messages(self, email_messages):
        for message in email_messages:
            row = Notification.objects.get(title=message.subject.removeprefix("[Trellis] "))
            sends_seen.append((row.email_sent_at, row.email_lease_until))
        return super().send_messages(email_messages)


class FlakyEmailBackend(LocmemBackend):
    """Refuses every e-mail whose title says so."""

    def send_messages(self, email_messages):
        if any("refused" in message.subject for message in email_messages):
            raise ConnectionRefusedError("550 refused")
        return super().send_messages(email_messages)


def later(seconds: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(seconds=seconds)


def test_it_marks_an_email_sent_only_after_sending_it(engineer, settings):
    settings.EMAIL_BACKEND = "tests.people.test_email_leases.WatchingEmailBackend"
    sends_seen.clear()
    notification = NotificationFactory(recipient=engineer)

    assert notification_emails_send() == 1

    ((sent_at_while_sending, lease_while_sending),) = sends_seen
    assert sent_at_while_sending is None
    assert lease_while_sending is not None
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_lease_until is None
    assert notification.email_attempts == 1


def test_a_claimed_email_is_not_claimed_again_until_its_lease_runs_out(engineer, settings):
    settings.REMINDER_LEASE_SECONDS = 300
    notification = NotificationFactory(recipient=engineer)

    assert notification_emails_claim() == [notification.pk]
    # Its sender died here: nothing was sent and the row still holds the lease.
    assert notification_emails_claim() == []
    assert notification_emails_send(now=later(299)) == 0
    assert notification_email_deliver(notification_id=notification.pk) is False

    assert notification_emails_send(now=later(301)) == 1
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_sent_at is not None
    assert notification.email_attempts == 2


def test_two_claimers_share_nothing(engineer):
    NotificationFactory.create_batch(5, recipient=engineer)

    first = notification_emails_claim(limit=3)
    second = notification_emails_claim(limit=3)

    assert len(first) == 3 and len(second) == 2
    assert not set(first) & set(second)


def test_it_claims_the_oldest_first_and_no_more_than_asked(engineer):
    now = timezone.now()
    newest = NotificationFactory(recipient=engineer, created_at=now - datetime.timedelta(minutes=1))
    oldest = NotificationFactory(recipient=engineer, created_at=now - datetime.timedelta(hours=2))
    middle = NotificationFactory(recipient=engineer, created_at=now - datetime.timedelta(hours=1))

    assert notification_emails_claim(limit=2) == [oldest.pk, middle.pk]
    assert notification_emails_claim(limit=2) == [newest.pk]


def test_it_claims_only_the_notifications_named(engineer):
    named, other = NotificationFactory.create_batch(2, recipient=engineer)

    assert notification_emails_send(notification_ids=[named.pk]) == 1

    assert [m.subject for m in mail.outbox] == [f"[Trellis] {named.title}"]
    other.refresh_from_db()
    assert other.email_lease_until is None and other.email_attempts == 0


def test_it_skips_sent_stale_and_departed(engineer):
    NotificationFactory(recipient=engineer, email_sent_at=timezone.now())
    NotificationFactory(recipient=engineer, created_at=timezone.now() - datetime.timedelta(days=4))
    NotificationFactory(recipient=UserFactory(is_active=False))

    assert notification_emails_claim() == []


def test_a_failed_send_gives_the_lease_back_and_is_tried_again(engineer, settings):
    notification = NotificationFactory(recipient=engineer)
    settings.EMAIL_BACKEND = "tests.people.test_email_leases.BrokenEmailBackend"

    assert notification_emails_send() == 0

    notification.refresh_from_db()
    assert notification.email_sent_at is None
    assert notification.email_lease_until is None
    assert notification.email_attempts == 1

    settings.EMAIL_BACKEND = LOCMEM
    assert notification_emails_send() == 1
    assert len(mail.outbox) == 1


def test_it_gives_up_after_a_few_attempts(engineer, settings):
    notification = NotificationFactory(recipient=engineer)
    settings.EMAIL_BACKEND = "tests.people.test_email_leases.BrokenEmailBackend"
    for _ in range(EMAIL_MAX_ATTEMPTS + 2):
        notification_emails_send()
    settings.EMAIL_BACKEND = LOCMEM

    assert notification_emails_send() == 0

    notification.refresh_from_db()
    assert notification.email_attempts == EMAIL_MAX_ATTEMPTS
    assert mail.outbox == []


def test_one_refused_email_does_not_hold_up_the_rest(engineer, settings):
    settings.EMAIL_BACKEND = "tests.people.test_email_leases.FlakyEmailBackend"
    now = timezone.now()
    refused = NotificationFactory(recipient=engineer, title="refused", created_at=now - datetime.timedelta(minutes=2))
    NotificationFactory(recipient=engineer, title="fine", created_at=now - datetime.timedelta(minutes=1))

    assert notification_emails_send() == 1

    assert [m.subject for m in mail.outbox] == ["[Trellis] fine"]
    refused.refresh_from_db()
    assert (refused.email_sent_at, refused.email_lease_until, refused.email_attempts) == (None, None, 1)


def test_a_mail_server_that_is_down_stops_the_batch_and_counts_no_attempt_for_the_rest(engineer, settings):
    settings.EMAIL_BACKEND = "tests.people.test_email_leases.BrokenEmailBackend"
    NotificationFactory.create_batch(5, recipient=engineer)

    assert notification_emails_send() == 0

    attempts = sorted(Notification.objects.values_list("email_attempts", flat=True))
    assert attempts == [0, 0, 1, 1, 1]
    assert not Notification.objects.filter(email_lease_until__isnull=False).exists()


def test_it_stops_before_the_lease_runs_out(engineer, settings, monkeypatch):
    # A sender that has held its claim this long may have lost it to another:
    # what it has not sent yet goes back, uncounted.
    settings.REMINDER_LEASE_SECONDS = 1
    NotificationFactory.create_batch(3, recipient=engineer)
    clock = iter([0.0, 0.1, 5.0, 5.0])
    monkeypatch.setattr("people.services.notifications.monotonic", lambda: next(clock))

    assert notification_emails_send() == 1

    assert len(mail.outbox) == 1
    assert sorted(Notification.objects.values_list("email_attempts", flat=True)) == [0, 0, 1]
    assert not Notification.objects.filter(email_lease_until__isnull=False).exists()


def test_the_same_notice_asked_for_twice_is_made_and_emailed_once(engineer, django_capture_on_commit_callbacks):
    notice = {"recipient": engineer, "title": "Your 1:1 is tomorrow", "rule": "tests.soon", "subject": "tests.thing:4"}

    with django_capture_on_commit_callbacks() as callbacks:
        first = notification_send(**notice, period="2026-11-23")
        again = notification_send(**notice, period="2026-11-23")
        other_day = notification_send(**notice, period="2026-11-24")

    assert first == again != other_day
    assert len(callbacks) == 2
    assert Notification.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_each_send_their_own():
    recipient = UserFactory()
    NotificationFactory.create_batch(150, recipient=recipient)
    results = {}

    threads = [in_thread(lambda: notification_emails_send(limit=100), results, name) for name in "ab"]
    for thread in threads:
        thread.join(30)

    assert results["a"] + results["b"] == 150
    assert len(mail.outbox) == 150
    assert len({m.subject for m in mail.outbox}) == 150
    assert not Notification.objects.filter(email_sent_at=None).exists()
