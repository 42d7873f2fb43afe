"""Mentorship's reminder rules, through the one dispatcher: what is due, to whom, and only once."""

from __future__ import annotations

import datetime
import threading
from dataclasses import replace

import pytest
from django.db import connection
from django.utils import timezone

from mentorship.models import ActionItem, Relationship, Touchpoint
from people.models import Notification, ReminderRule, User
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from tests.conftest import in_thread
from tests.mentorship import factories
from tests.people.factories import UserFactory
from tests.people.rules import Rules

NOW = timezone.now()


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


@pytest.fixture
def pair(engineer, outsider):
    return factories.relationship(engineer, outsider, factories.program())


def sent(rule: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("recipient__email", "title"))


def test_both_sides_hear_of_a_touchpoint_coming_up_once(rules, pair):
    rules.keep("mentorship.touchpoint_soon")
    today = timezone.localdate()
    at = lambda days, hour: timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=days), datetime.time(hour)))  # noqa: E731
    now = at(0, 10)
    soon = factories.touchpoint(pair, starts_at=at(1, 9), agenda="Design review")
    factories.touchpoint(pair, starts_at=at(40, 9))  # too far ahead
    reminders_dispatch(now=now)
    reminders_dispatch(now=now)
    assert [email for email, _ in sent("mentorship.touchpoint_soon")] == ["engineer@example.com", "outsider@example.com"]
    assert Notification.objects.filter(rule="mentorship.touchpoint_soon", body__contains="Design review").count() == 2
    # Moved to another day, it is worth a reminder again.
    soon.starts_at = at(2, 9)
    soon.save()
    reminders_dispatch(now=now)
    assert Notification.objects.filter(rule="mentorship.touchpoint_soon").count() == 4
    # Held, it is not.
    soon.held = True
    soon.starts_at = at(1, 11)
    soon.save()
    reminders_dispatch(now=now)
    assert Notification.objects.filter(rule="mentorship.touchpoint_soon").count() == 4


def test_no_reminder_for_a_paused_mentorship_or_a_rule_hr_switched_off(rules, pair):
    rules.keep("mentorship.touchpoint_soon")
    factories.touchpoint(pair, starts_at=NOW + datetime.timedelta(days=1))
    pair.status = Relationship.Status.PAUSED
    pair.save()
    reminders_dispatch()
    assert sent("mentorship.touchpoint_soon") == []
    pair.status = Relationship.Status.ACTIVE
    pair.save()
    ReminderRule.objects.filter(key="mentorship.touchpoint_soon").update(enabled=False)
    reminders_dispatch()
    assert sent("mentorship.touchpoint_soon") == []


def test_a_period_without_a_touchpoint_is_noticed_once(rules, engineer, outsider):
    rules.keep("mentorship.period_missed")
    today = timezone.localdate()
    program = factories.program(starts_on=(today.replace(day=1) - datetime.timedelta(days=70)).replace(day=1))
    relationship = factories.relationship(engineer, outsider, program, starts_on=program.starts_on)
    now = timezone.make_aware(datetime.datetime.combine(today.replace(day=1) + datetime.timedelta(days=5), datetime.time(9)))
    reminders_dispatch(now=now)
    reminders_dispatch(now=now)
    previous = program.period_of(today.replace(day=1) - datetime.timedelta(days=1))
    assert sent("mentorship.period_missed") == [
        ("engineer@example.com", f"No touchpoint with {outsider.name} in {previous:%B}"),
        ("outsider@example.com", f"No touchpoint with {engineer.name} in {previous:%B}"),
    ]
    assert relationship.pk


def test_a_quiet_mentorship_and_an_unanswered_request_and_an_overdue_action(rules, engineer, outsider, peer):
    rules.keep("mentorship.quiet", "mentorship.request_unanswered", "mentorship.action_overdue")
    program = factories.program()
    quiet = factories.relationship(engineer, outsider, program, starts_on=timezone.localdate() - datetime.timedelta(days=90))
    met = factories.touchpoint(quiet, starts_at=NOW - datetime.timedelta(days=50), held=True)
    ActionItem.objects.create(relationship=quiet, touchpoint=met, text="Read the RFC", owner=engineer, due_on=timezone.localdate() - datetime.timedelta(days=3))
    waiting = factories.relationship(peer, outsider, program, status=Relationship.Status.PROPOSED)
    Relationship.objects.filter(pk=waiting.pk).update(created_at=NOW - datetime.timedelta(days=6))
    reminders_dispatch()
    reminders_dispatch()
    assert [email for email, _ in sent("mentorship.quiet")] == ["engineer@example.com", "outsider@example.com"]
    assert sent("mentorship.request_unanswered") == [("outsider@example.com", f"{peer.name} is waiting for your answer")]
    assert [email for email, _ in sent("mentorship.action_overdue")] == ["engineer@example.com"]


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_racing_over_a_thousand_due_touchpoints(monkeypatch):
    rules = Rules(monkeypatch)
    rules.keep("mentorship.touchpoint_soon")
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    program = factories.program()
    mentor = UserFactory(email="mentor@example.com")
    mentees = User.objects.bulk_create(
        [User(email=f"mentee{n}@example.com", name=f"Mentee {n}", timezone="UTC") for n in range(1000)]
    )
    today = timezone.localdate()
    relationships = Relationship.objects.bulk_create(
        Relationship(
            program=program, mentee=mentee, mentor=mentor, source=Relationship.Source.ROUND, status=Relationship.Status.ACTIVE,
            starts_on=today - datetime.timedelta(days=30), ends_on=today + datetime.timedelta(days=90),
        )
        for mentee in mentees
    )
    when = NOW + datetime.timedelta(days=1)
    Touchpoint.objects.bulk_create(
        Touchpoint(relationship=r, period=program.period_of(timezone.localtime(when).date()), starts_at=when) for r in relationships
    )
    # Both dispatchers read what is due before either inserts anything.
    together = threading.Barrier(2, timeout=30)
    finder = rules.registry["mentorship.touchpoint_soon"].finder

    def in_step(days, now):
        found = list(finder(days, now))
        together.wait()
        return found

    rules.registry["mentorship.touchpoint_soon"] = replace(rules.registry["mentorship.touchpoint_soon"], finder=in_step)
    results = {}
    threads = [in_thread(reminders_dispatch, results, name) for name in ("first", "second")]
    for thread in threads:
        thread.join(60)
    assert not any(isinstance(results[name], Exception) for name in ("first", "second")), results
    # One reminder per touchpoint to the mentee, and to the mentor: never a second.
    assert Notification.objects.filter(rule="mentorship.touchpoint_soon").exclude(recipient=mentor).count() == 1000
    assert Notification.objects.filter(rule="mentorship.touchpoint_soon", recipient=mentor).count() == 1000
    made = [len(run.created) for name in ("first", "second") for run in results[name] if run.key == "mentorship.touchpoint_soon"]
    assert sum(made) == 2000
