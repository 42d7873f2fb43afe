"""Reminders of feedback requests, through the one dispatcher: to the colleague asked, once."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from people.models import Notification, ReminderRule
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import FeedbackRequest
from reviews.services.requests import feedback_request_answer, feedback_request_create, feedback_request_decline
from tests.people.rules import Rules

DUE_SOON, OVERDUE = "reviews.request_due_soon", "reviews.request_overdue"


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    rules.keep(DUE_SOON, OVERDUE)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def asked(requester, subject, respondents, *, due_in: int, asked_days_ago: int = 5, **changes) -> FeedbackRequest:
    """A request made some days ago, due `due_in` days from today."""
    request = feedback_request_create(
        requester=requester, subject=subject, respondent_ids=[r.pk for r in respondents],
        visibility=changes.pop("visibility", "shared"), due_on=timezone.localdate() + datetime.timedelta(days=max(due_in, 0)),
        question="How did the launch go?", **changes,
    )
    FeedbackRequest.objects.filter(pk=request.pk).update(
        due_on=timezone.localdate() + datetime.timedelta(days=due_in),
        created_at=timezone.now() - datetime.timedelta(days=asked_days_ago),
    )
    return request


def reminded(rule: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("recipient__email", "subject"))


def test_the_colleagues_asked_hear_once_that_it_is_due_soon(rules, engineer, peer, outsider, manager):
    soon = asked(engineer, engineer, [peer, outsider], due_in=2)
    asked(engineer, engineer, [peer], due_in=10)  # not yet
    now = at(timezone.localdate())
    reminders_dispatch(now=now)
    reminders_dispatch(now=now)
    asks = {a.respondent.email: a.pk for a in soon.asks.select_related("respondent")}
    assert set(reminded(DUE_SOON)) == {(email, f"reviews.ask:{pk}") for email, pk in asks.items()}
    assert len(reminded(DUE_SOON)) == 2
    notice = Notification.objects.filter(rule=DUE_SOON).first()
    assert notice.title.startswith("Due on ") and "Ada Okafor's request for feedback" in notice.title
    assert notice.url == f"/feedback/asks/{asks[notice.recipient.email]}/"
    # Nobody but those asked: not the subject, not the manager.
    assert not Notification.objects.filter(rule=DUE_SOON, recipient__in=[engineer, manager]).exists()
    # The next day, still the same due date: nothing new.
    reminders_dispatch(now=now + datetime.timedelta(days=1))
    assert Notification.objects.filter(rule=DUE_SOON).count() == 2


def test_only_open_asks_about_people_still_here_are_reminded(rules, engineer, peer, outsider, manager):
    request = asked(engineer, engineer, [peer, outsider], due_in=1)
    first, second = request.asks.order_by("pk")
    feedback_request_answer(ask=first, respondent=peer, kind="praise", body="Went well.")
    feedback_request_decline(ask=second, respondent=outsider)
    gone = asked(manager, engineer, [peer], due_in=1)
    engineer.is_active = False
    engineer.save()
    leaver_asked = asked(manager, peer, [outsider], due_in=1)
    outsider.is_active = False
    outsider.save()
    reminders_dispatch(now=at(timezone.localdate()))
    assert reminded(DUE_SOON) == []
    assert gone.asks.exists() and leaver_asked.asks.exists()


def test_a_request_made_just_now_is_not_reminded_at_once(rules, engineer, peer):
    asked(engineer, engineer, [peer], due_in=1, asked_days_ago=0)
    reminders_dispatch()
    assert reminded(DUE_SOON) == []


def test_an_overdue_ask_is_reminded_once_after_its_due_date(rules, engineer, peer, manager):
    request = asked(manager, engineer, [peer], due_in=-2, visibility="private")
    later = asked(engineer, engineer, [peer], due_in=0)  # due today: not overdue yet
    ask, later_ask = request.asks.get(), later.asks.get()
    today = timezone.localdate()
    reminders_dispatch(now=at(today))
    reminders_dispatch(now=at(today))
    assert reminded(OVERDUE) == [("peer@example.com", f"reviews.ask:{ask.pk}")]
    notice = Notification.objects.get(rule=OVERDUE)
    assert notice.title.startswith("Overdue since") and "about Ada Okafor" in notice.title
    # Days later: the first is not reminded again; the second has become overdue.
    reminders_dispatch(now=at(today + datetime.timedelta(days=3)))
    reminders_dispatch(now=at(today + datetime.timedelta(days=4)))
    assert set(reminded(OVERDUE)) == {("peer@example.com", f"reviews.ask:{ask.pk}"), ("peer@example.com", f"reviews.ask:{later_ask.pk}")}
    assert len(reminded(OVERDUE)) == 2
    # A private request: its subject hears nothing of it, ever.
    assert not Notification.objects.filter(recipient=engineer, subject=f"reviews.ask:{ask.pk}").exists()
    assert not Notification.objects.filter(recipient=engineer, rule__in=[DUE_SOON, OVERDUE]).exists()


def test_an_answered_overdue_ask_is_not_reminded(rules, engineer, peer):
    request = asked(engineer, engineer, [peer], due_in=-3)
    feedback_request_decline(ask=request.asks.get(), respondent=peer)
    reminders_dispatch()
    assert reminded(OVERDUE) == []


def test_hr_switch_the_rules_off_and_change_their_days(rules, engineer, peer):
    asked(engineer, engineer, [peer], due_in=4)
    reminders_dispatch()
    assert reminded(DUE_SOON) == []  # two days by default
    ReminderRule.objects.filter(key=DUE_SOON).update(days=5)
    ReminderRule.objects.filter(key=OVERDUE).update(enabled=False)
    asked(engineer, engineer, [peer], due_in=-3)
    reminders_dispatch()
    assert len(reminded(DUE_SOON)) == 1 and reminded(OVERDUE) == []


def test_the_rules_are_the_code_s_and_run_through_the_one_dispatcher():
    from people.reminders import registered

    keys = registered()
    assert keys[DUE_SOON].finder.__module__ == keys[OVERDUE].finder.__module__ == "reviews.reminders.feedback"
    assert (keys[DUE_SOON].days, keys[OVERDUE].days) == (2, 1)
