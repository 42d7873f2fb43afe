"""Interviews attacked: by interviewers before and after their scorecard, others of the same
loop and of other loops, the hiring manager, HR, outsiders and people who left. Each test is a
way in that must stay shut."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import Scorecard, ScorecardRevision
from reviews.services.interviews import candidate_erase, scorecard_amend, scorecard_save, scorecard_submit
from tests.ladders.factories import document, publish
from tests.people.rules import Rules
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

NAME, EMAIL = "Grace Hopper", "grace@example.com"


@pytest.fixture
def kit(db):
    return kit_for(publish(document(levels=3, competencies=2)), "l2")


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


def write(scorecard: Scorecard, person, *, value: int = 3, takeaways: str = "", submit: bool = True) -> Scorecard:
    kit = scorecard.interview.loop.kit
    point = kit.scale.get(value=value)
    scorecard_save(
        actor=person, scorecard=scorecard,
        ratings={f.pk: (point.pk, f"{NAME} on {f.competency.name}") for f in scorecard.interview.focus.all()},
        takeaways=takeaways or f"{NAME} would do well.", recommendation="yes",
    )
    if submit:
        scorecard_submit(actor=person, scorecard=scorecard)
    return Scorecard.objects.get(pk=scorecard.pk)


# --- Erasure --------------------------------------------------------------------------------


def test_it_erases_what_an_amended_scorecard_said_before(kit, manager, engineer, hr):
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer)
    scorecard = write(interview.scorecards.get(), engineer, takeaways="Hopper was sharp.")
    point = kit.scale.get(value=4)
    scorecard_amend(
        actor=engineer, scorecard=scorecard,
        ratings={f.pk: (point.pk, "Strong.") for f in interview.focus.all()},
        takeaways="Strong.", recommendation="strong_yes",
    )
    assert ScorecardRevision.objects.filter(scorecard=scorecard).exists()

    candidate_erase(actor=hr, candidate=loop.candidate)

    for revision in ScorecardRevision.objects.filter(scorecard=scorecard):
        text = f"{revision.takeaways} {revision.ratings}"
        assert "Hopper" not in text
        # The scores stay, anonymous, like the scorecard's own.
        assert revision.recommendation == "yes"
        assert all(r["point"] for r in revision.ratings)


def test_it_erases_the_candidates_name_from_reminders_already_sent(kit, rules, manager, engineer, hr):
    rules.keep("reviews.scorecard_overdue", "reviews.loop_scorecards_in")
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    late = interview_for(loop, engineer)
    late.__class__.objects.filter(pk=late.pk).update(starts_at=timezone.now() - datetime.timedelta(days=3))
    reminders_dispatch()
    assert Notification.objects.filter(title__contains=NAME).exists()
    write(late.scorecards.get(), engineer)
    reminders_dispatch()
    assert Notification.objects.filter(rule="reviews.loop_scorecards_in", title__contains=NAME).exists()

    candidate_erase(actor=hr, candidate=loop.candidate)

    assert not Notification.objects.filter(title__icontains="Hopper").exists()
    assert not Notification.objects.filter(body__icontains="Hopper").exists()
    assert Notification.objects.filter(rule="reviews.scorecard_overdue").count() == 1
    assert Notification.objects.filter(rule="reviews.loop_scorecards_in", title__contains=f"Candidate {loop.candidate.pk}").exists()
