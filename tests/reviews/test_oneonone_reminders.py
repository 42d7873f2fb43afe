"""1:1 reminders through the one dispatcher: the day before a meeting and for overdue actions,
each once; and the task that plans the next meeting, safe to run twice."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews import tasks
from reviews.models import ActionItem, Meeting, Series
from reviews.services import oneonones as services
from tests.people.factories import UserFactory
from tests.people.rules import Rules
from tests.reviews.test_oneonones import at, first_meeting, start


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


def sent(rule: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("recipient__email", "title"))


def test_both_people_hear_of_a_1on1_the_day_before_once_with_the_agenda(rules, manager, engineer):
    rules.keep("reviews.oneonone_soon")
    series = start(manager, engineer, first_at=at(1, 10))
    meeting = first_meeting(series)
    services.point_add(meeting=meeting, actor=engineer, text="Conference budget")
    services.point_add(meeting=meeting, actor=manager, text="Team offsite")
    start(manager, UserFactory(), first_at=at(5, 10))  # too far ahead
    now = at(0, 11)

    reminders_dispatch(now=now)
    reminders_dispatch(now=now)
    assert sent("reviews.oneonone_soon") == [
        ("engineer@example.com", f"1:1 with {manager.name} tomorrow at 10:00"),
        ("manager@example.com", f"1:1 with {engineer.name} tomorrow at 10:00"),
    ]
    body = Notification.objects.filter(rule="reviews.oneonone_soon").first().body
    assert body == "Agenda so far:\n- Conference budget\n- Team offsite"
    assert {n.url for n in Notification.objects.filter(rule="reviews.oneonone_soon")} == {meeting.get_absolute_url()}

    # Moved to another day, it is worth another reminder.
    services.series_update(series=series, actor=manager, cadence="weekly", minutes=30, next_at=at(1, 16) + datetime.timedelta(days=1))
    reminders_dispatch(now=at(1, 17))
    reminders_dispatch(now=at(1, 17))
    assert Notification.objects.filter(rule="reviews.oneonone_soon").count() == 4


def test_no_reminder_for_an_ended_series_or_when_someone_has_left(rules, manager, engineer, peer):
    rules.keep("reviews.oneonone_soon")
    ended = start(manager, engineer, first_at=at(1, 10))
    Series.objects.filter(pk=ended.pk).update(ended_at=timezone.now())
    start(peer, manager, first_at=at(1, 10))
    peer.is_active = False
    peer.save()
    reminders_dispatch(now=at(0, 11))
    assert sent("reviews.oneonone_soon") == []


def test_the_owner_hears_of_an_overdue_action_once(rules, manager, engineer):
    rules.keep("reviews.action_overdue")
    series = start(manager, engineer)
    meeting = first_meeting(series)
    late = services.action_add(meeting=meeting, actor=manager, text="Write the design doc", owner=engineer)
    done = services.action_add(meeting=meeting, actor=manager, text="Book the room", owner=manager)
    soon = services.action_add(meeting=meeting, actor=manager, text="Share the slides", owner=manager)
    today = timezone.localdate()
    ActionItem.objects.filter(pk__in=[late.pk, done.pk]).update(due_on=today - datetime.timedelta(days=2))
    ActionItem.objects.filter(pk=soon.pk).update(due_on=today)
    services.action_done(action=done, actor=manager, done=True)

    reminders_dispatch()
    reminders_dispatch()
    due = today - datetime.timedelta(days=2)
    assert sent("reviews.action_overdue") == [("engineer@example.com", f"Overdue since {due:%-d %b}: Write the design doc")]
    told = Notification.objects.get(rule="reviews.action_overdue")
    assert told.url == meeting.get_absolute_url() and manager.name in told.body


def test_no_overdue_reminder_in_an_ended_series(rules, manager, engineer):
    rules.keep("reviews.action_overdue")
    series = start(manager, engineer)
    action = services.action_add(meeting=first_meeting(series), actor=manager, text="x", owner=engineer)
    ActionItem.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=3))
    services.series_end(series=series, actor=manager)
    reminders_dispatch()
    assert sent("reviews.action_overdue") == []


def test_the_rolling_task_plans_each_next_meeting_once(manager, engineer, peer):
    rolled = start(manager, engineer, first_at=at(1, 10))
    waiting = start(peer, manager, first_at=at(3, 10))
    past = timezone.now() - datetime.timedelta(minutes=5)
    Series.objects.filter(pk=rolled.pk).update(next_at=past)
    Meeting.objects.filter(series=rolled).update(starts_at=past)

    assert tasks.series_roll_due.apply().get() == 1
    assert tasks.series_roll_due.apply().get() == 0  # a retried or doubled run: nothing more
    assert Meeting.objects.filter(series=rolled).count() == 2
    assert Meeting.objects.filter(series=waiting).count() == 1
    rolled.refresh_from_db()
    assert rolled.next_at > timezone.now()
    assert tasks.series_roll_due.acks_late


