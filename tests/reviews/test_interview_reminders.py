"""Interview reminders through the one dispatcher: an overdue scorecard to its interviewer, and
the hiring manager told once a loop's scorecards are all in; each exactly once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from people.models import Notification, ReminderRule
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import Interview, Loop, Scorecard
from reviews.services.interviews import candidate_erase
from tests.ladders.factories import document, publish
from tests.people.rules import Rules
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


@pytest.fixture
def kit(db):
    return kit_for(publish(document(levels=3, competencies=2)), "l2")


def sent(rule: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("recipient__email", "title"))


def started(interview: Interview, ago: datetime.timedelta) -> Interview:
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() - ago)
    return interview


def submit(interview: Interview, interviewer, when=None) -> None:
    Scorecard.objects.filter(interview=interview, interviewer=interviewer).update(
        recommendation="yes", submitted_at=when or timezone.now()
    )


def expected_url(name: str, pk: int, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


# --- reviews.scorecard_overdue ------------------------------------------------------------


def test_it_reminds_an_interviewer_once_a_day_after_the_interview_while_their_scorecard_is_a_draft(
    rules, kit, manager, engineer, peer
):
    rules.keep("reviews.scorecard_overdue")
    loop = loop_for(kit, hiring_manager=manager)
    interview = started(interview_for(loop, engineer, peer), DAY + HOUR)
    submit(interview, peer)
    recent = started(interview_for(loop, manager, stage="values"), 2 * HOUR)  # not a day yet

    reminders_dispatch()
    reminders_dispatch()

    assert sent("reviews.scorecard_overdue") == [
        ("engineer@example.com", "Scorecard overdue: Technical interview with Grace Hopper"),
    ]
    scorecard = Scorecard.objects.get(interview=interview, interviewer=engineer)
    notification = Notification.objects.get(rule="reviews.scorecard_overdue")
    assert notification.subject == f"reviews.scorecard:{scorecard.pk}"
    assert notification.url == expected_url("reviews:scorecard", scorecard.pk, f"/interviews/scorecards/{scorecard.pk}/")

    # A day later the other interview is overdue too; the first is not reminded again.
    reminders_dispatch(now=timezone.now() + DAY)
    reminders_dispatch(now=timezone.now() + 2 * DAY)
    assert sent("reviews.scorecard_overdue") == [
        ("engineer@example.com", "Scorecard overdue: Technical interview with Grace Hopper"),
        ("manager@example.com", "Scorecard overdue: Values interview with Grace Hopper"),
    ]
    assert recent.pk


def test_it_follows_the_days_hr_set(rules, kit, manager, engineer):
    rules.keep("reviews.scorecard_overdue")
    ReminderRule.objects.update_or_create(key="reviews.scorecard_overdue", defaults={"days": 3})
    loop = loop_for(kit, hiring_manager=manager)
    started(interview_for(loop, engineer), 2 * DAY)
    reminders_dispatch()
    assert sent("reviews.scorecard_overdue") == []
    reminders_dispatch(now=timezone.now() + 2 * DAY)
    assert len(sent("reviews.scorecard_overdue")) == 1


def test_it_does_not_remind_of_a_submitted_scorecard_a_decided_loop_or_someone_who_left(
    rules, kit, manager, engineer, peer, outsider
):
    rules.keep("reviews.scorecard_overdue")
    submitted = loop_for(kit, hiring_manager=manager, name="Submitted Sue")
    submit(started(interview_for(submitted, engineer), 2 * DAY), engineer)
    decided = loop_for(kit, hiring_manager=manager, name="Decided Dan")
    started(interview_for(decided, peer), 2 * DAY)
    Loop.objects.filter(pk=decided.pk).update(decision="no_hire", decision_reason="Not now", decided_at=timezone.now())
    left = loop_for(kit, hiring_manager=manager, name="Left Lee")
    started(interview_for(left, outsider), 2 * DAY)
    outsider.is_active = False
    outsider.save()

    reminders_dispatch()
    assert sent("reviews.scorecard_overdue") == []


def test_an_erased_candidates_loop_still_reminds_without_naming_them(rules, kit, manager, engineer, hr):
    rules.keep("reviews.scorecard_overdue", "reviews.loop_scorecards_in")
    loop = loop_for(kit, hiring_manager=manager, name="Grace Hopper")
    interview = started(interview_for(loop, engineer, manager), 2 * DAY)
    candidate_erase(actor=hr, candidate=loop.candidate)

    reminders_dispatch()
    number = loop.candidate_id
    assert sent("reviews.scorecard_overdue") == [
        ("engineer@example.com", f"Scorecard overdue: Technical interview with Candidate {number}"),
        ("manager@example.com", f"Scorecard overdue: Technical interview with Candidate {number}"),
    ]
    submit(interview, engineer)
    submit(interview, manager)
    reminders_dispatch()
    assert sent("reviews.loop_scorecards_in") == [
        ("manager@example.com", f"All 2 scorecards for Candidate {number} are in: open the debrief"),
    ]
    texts = Notification.objects.values_list("title", "body")
    assert not any("Grace" in title or "Grace" in body for title, body in texts)


# --- reviews.loop_scorecards_in -------------------------------------------------------------


def test_it_tells_the_hiring_manager_once_when_every_scorecard_of_the_loop_is_in(
    rules, kit, manager, engineer, peer, skip_level
):
    rules.keep("reviews.loop_scorecards_in")
    loop = loop_for(kit, hiring_manager=manager)
    technical = interview_for(loop, engineer, peer)
    values = interview_for(loop, peer, skip_level, stage="values")
    submit(technical, engineer)
    submit(technical, peer)
    submit(values, peer)

    reminders_dispatch()
    assert sent("reviews.loop_scorecards_in") == []  # one still a draft

    submit(values, skip_level)
    reminders_dispatch()
    reminders_dispatch()
    assert sent("reviews.loop_scorecards_in") == [
        ("manager@example.com", "All 4 scorecards for Grace Hopper are in: open the debrief"),
    ]
    notification = Notification.objects.get(rule="reviews.loop_scorecards_in")
    assert notification.subject == f"reviews.loop:{loop.pk}"
    assert notification.url == expected_url("reviews:debrief", loop.pk, f"/interviews/loops/{loop.pk}/debrief/")
    # The interviewers hear nothing of the others' scorecards from this rule.
    assert not Notification.objects.exclude(recipient=manager).exists()

    # One more interviewer added and submitted later: still once per loop.
    Scorecard.objects.create(interview=values, interviewer=engineer, recommendation="no", submitted_at=timezone.now())
    reminders_dispatch()
    assert Notification.objects.filter(rule="reviews.loop_scorecards_in").count() == 1


def test_it_says_nothing_for_a_loop_without_scorecards_decided_stale_or_whose_manager_left(
    rules, kit, manager, engineer, peer, skip_level
):
    rules.keep("reviews.loop_scorecards_in")
    loop_for(kit, hiring_manager=manager, name="No Interviews")
    decided = loop_for(kit, hiring_manager=manager, name="Decided Dan")
    submit(interview_for(decided, engineer), engineer)
    Loop.objects.filter(pk=decided.pk).update(decision="hire", decision_reason="Strong", decided_at=timezone.now())
    stale = loop_for(kit, hiring_manager=manager, name="Stale Stan")
    submit(interview_for(stale, engineer), engineer, when=timezone.now() - 30 * DAY)
    gone = loop_for(kit, hiring_manager=peer, name="Gone Gail")
    submit(interview_for(gone, engineer), engineer)
    peer.is_active = False
    peer.save()

    reminders_dispatch()
    assert sent("reviews.loop_scorecards_in") == []


def test_it_says_the_scorecard_when_there_is_one(rules, kit, manager, engineer):
    rules.keep("reviews.loop_scorecards_in")
    loop = loop_for(kit, hiring_manager=manager, name="Solo Sol")
    submit(interview_for(loop, engineer), engineer)
    reminders_dispatch()
    assert sent("reviews.loop_scorecards_in") == [
        ("manager@example.com", "The scorecard for Solo Sol is in: open the debrief"),
    ]
