"""Scorecards: drafts, submission, amendment, one per interviewer, and independence: nobody
reads another's scorecard before their own is in."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reviews.models import Scorecard, ScorecardRating
from reviews.selectors.interviews import (
    loops_with_progress,
    own_scorecard_get,
    ratings_visible_to,
    scorecard_get_for_user,
    scorecards_visible_to,
    scorecards_with_ratings,
)
from reviews.services.interviews import (
    loop_debrief_open,
    loop_decide,
    scorecard_add,
    scorecard_amend,
    scorecard_save,
    scorecard_submit,
)
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for


@pytest.fixture
def kit(db):
    return kit_for(publish(document()), "l2")


@pytest.fixture
def loop(kit, manager):
    return loop_for(kit, hiring_manager=manager)


def points(kit):
    return {p.value: p for p in kit.scale.all()}


def fill(scorecard, kit, value=3, recommendation="yes", evidence="Walked through a design."):
    focus = scorecard.interview.focus.all()
    ratings = {f.pk: (points(kit)[value].pk, evidence) for f in focus}
    return scorecard_save(
        actor=scorecard.interviewer, scorecard=scorecard, ratings=ratings, takeaways="Solid.", recommendation=recommendation
    )


def card(interview, person):
    return Scorecard.objects.get(interview=interview, interviewer=person)


def seen(viewer, loop):
    return {s.interviewer_id for s in scorecards_visible_to(viewer, loop)}


# --- Drafts and submission ----------------------------------------------------------------------


def test_it_saves_a_draft_and_submits_it(loop, kit, engineer):
    interview = interview_for(loop, engineer)
    scorecard = fill(card(interview, engineer), kit)
    assert scorecard.submitted_at is None
    assert ScorecardRating.objects.filter(scorecard=scorecard, point__value=3).count() == kit.focus.count()
    submitted = scorecard_submit(actor=engineer, scorecard=scorecard)
    assert submitted.submitted_at is not None


def test_it_changes_nothing_when_submitted_twice(loop, kit, engineer):
    scorecard = fill(card(interview_for(loop, engineer), engineer), kit)
    first = scorecard_submit(actor=engineer, scorecard=scorecard)
    again = scorecard_submit(actor=engineer, scorecard=scorecard)
    assert again.pk == first.pk and again.submitted_at == first.submitted_at
    assert again.updated_at == first.updated_at
    assert Scorecard.objects.get(pk=first.pk).submitted_at == first.submitted_at


def test_it_submits_only_once_the_interview_has_started(loop, kit, engineer):
    interview = interview_for(loop, engineer)
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    type(interview).objects.filter(pk=interview.pk).update(starts_at=tomorrow)
    scorecard = fill(card(interview, engineer), kit)  # notes saved ahead, as a draft
    with pytest.raises(ValidationError) as error:
        scorecard_submit(actor=engineer, scorecard=scorecard)
    assert "submit your scorecard once it has taken place" in error.value.messages[0]
    assert Scorecard.objects.get(pk=scorecard.pk).submitted_at is None
    type(interview).objects.filter(pk=interview.pk).update(starts_at=timezone.now())
    assert scorecard_submit(actor=engineer, scorecard=scorecard).submitted_at is not None


def test_it_asks_for_every_focus_or_a_note_and_a_recommendation(loop, kit, engineer):
    scorecard = card(interview_for(loop, engineer), engineer)
    first, *rest = list(scorecard.interview.focus.all())
    scorecard_save(actor=engineer, scorecard=scorecard, ratings={first.pk: (points(kit)[3].pk, "")})
    with pytest.raises(ValidationError) as error:
        scorecard_submit(actor=engineer, scorecard=scorecard)
    assert set(error.value.message_dict) == {f"point-{f.pk}" for f in rest} | {"recommendation"}
    assert Scorecard.objects.get(pk=scorecard.pk).submitted_at is None
    # Skipped with a note saying why: accepted.
    scorecard_save(
        actor=engineer,
        scorecard=scorecard,
        ratings={f.pk: (None, "We ran out of time.") for f in rest},
        recommendation="no_decision",
    )
    assert scorecard_submit(actor=engineer, scorecard=scorecard).submitted_at is not None


def test_it_rejects_a_point_of_another_kit_at_the_field(loop, kit, engineer):
    other = kit_for(kit.version, "l3", name="Other")
    scorecard = card(interview_for(loop, engineer), engineer)
    focus = scorecard.interview.focus.first()
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=engineer, scorecard=scorecard, ratings={focus.pk: (points(other)[3].pk, "x")}, takeaways="t")
    assert list(error.value.message_dict) == [f"point-{focus.pk}"]
    assert not ScorecardRating.objects.exists()
    assert Scorecard.objects.get(pk=scorecard.pk).takeaways == ""


def test_it_rejects_a_focus_not_in_the_interview_at_the_field(loop, kit, engineer):
    first, second, *_ = list(kit.focus.all())
    scorecard = card(interview_for(loop, engineer, focus=[first]), engineer)
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=engineer, scorecard=scorecard, ratings={second.pk: (points(kit)[3].pk, "")})
    assert list(error.value.message_dict) == [f"point-{second.pk}"]
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=engineer, scorecard=scorecard, ratings={first.pk: (None, "")}, recommendation="maybe")
    assert list(error.value.message_dict) == ["recommendation"]
    with pytest.raises(ValidationError) as error:
        scorecard_save(actor=engineer, scorecard=scorecard, ratings={first.pk: (None, "x" * 4001)})
    assert list(error.value.message_dict) == [f"evidence-{first.pk}"]
    assert not ScorecardRating.objects.exists()


def test_it_lets_only_the_interviewer_write(loop, kit, engineer, peer, manager, hr):
    scorecard = card(interview_for(loop, engineer, peer), engineer)
    for someone in (peer, manager, hr):
        with pytest.raises(PermissionDenied):
            scorecard_save(actor=someone, scorecard=scorecard, ratings={})
        with pytest.raises(PermissionDenied):
            scorecard_submit(actor=someone, scorecard=scorecard)
    fill(scorecard, kit)
    scorecard_submit(actor=engineer, scorecard=scorecard)
    with pytest.raises(PermissionDenied):
        scorecard_amend(actor=peer, scorecard=scorecard, ratings={}, takeaways="", recommendation="no")


def test_it_amends_a_submitted_scorecard_until_the_loop_is_decided(loop, kit, engineer, manager):
    scorecard = fill(card(interview_for(loop, engineer), engineer), kit)
    with pytest.raises(ValidationError):
        scorecard_amend(actor=engineer, scorecard=scorecard, ratings={}, takeaways="", recommendation="no")
    scorecard_submit(actor=engineer, scorecard=scorecard)
    with pytest.raises(ValidationError):
        scorecard_save(actor=engineer, scorecard=scorecard, ratings={})
    focus = scorecard.interview.focus.first()
    amended = scorecard_amend(
        actor=engineer, scorecard=scorecard, ratings={focus.pk: (points(kit)[4].pk, "Better than I wrote.")},
        takeaways="Stronger on reflection.", recommendation="strong_yes",
    )
    assert amended.recommendation == "strong_yes" and amended.submitted_at is not None
    assert ScorecardRating.objects.get(scorecard=scorecard, focus=focus).point.value == 4
    with pytest.raises(ValidationError) as error:
        scorecard_amend(actor=engineer, scorecard=scorecard, ratings={}, takeaways="", recommendation="")
    assert "recommendation" in error.value.message_dict
    loop_decide(actor=manager, loop=loop, decision="hire", reason="Strong panel.")
    with pytest.raises(ValidationError):
        scorecard_amend(actor=engineer, scorecard=scorecard, ratings={}, takeaways="", recommendation="no")


def test_it_keeps_one_scorecard_per_interviewer_per_interview(loop, kit, engineer, manager):
    interview = interview_for(loop, engineer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.create(interview=interview, interviewer=engineer)
    with pytest.raises(ValidationError) as error:
        scorecard_add(actor=manager, interview=interview, interviewer=engineer)
    assert "already has a scorecard" in error.value.message_dict["interviewer"][0]
    assert Scorecard.objects.filter(interview=interview).count() == 1


def test_it_keeps_a_submitted_scorecard_without_a_recommendation_out_of_the_database(loop, engineer):
    scorecard = card(interview_for(loop, engineer), engineer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Scorecard.objects.filter(pk=scorecard.pk).update(submitted_at=timezone.now())


# --- Independence -------------------------------------------------------------------------------


@pytest.fixture
def panel(loop, kit, engineer, peer, skip_level):
    """Two interviews: engineer and peer on the first, peer and skip_level on the second; drafts filled."""
    first = interview_for(loop, engineer, peer)
    second = interview_for(loop, peer, skip_level, stage="values")
    for interview in (first, second):
        for scorecard in interview.scorecards.all():
            fill(scorecard, kit)
    return first, second


def submit(interview, person):
    return scorecard_submit(actor=person, scorecard=card(interview, person))


def test_it_shows_an_interviewer_only_their_own_before_they_submit(loop, panel, engineer, peer, skip_level):
    first, second = panel
    submit(first, peer)
    submit(second, skip_level)
    assert seen(engineer, loop) == {engineer.pk}
    assert [s.submitted_at for s in scorecards_visible_to(engineer, loop)] == [None]
    assert not ratings_visible_to(engineer, loop).exclude(scorecard__interviewer=engineer).exists()
    with pytest.raises(Http404):
        scorecard_get_for_user(engineer, card(first, peer).pk)
    with pytest.raises(Http404):
        own_scorecard_get(engineer, card(first, peer).pk)


def test_it_shows_an_interviewer_the_others_once_theirs_are_in(loop, panel, engineer, peer, skip_level):
    first, second = panel
    submit(first, peer)
    submit(first, engineer)
    # skip_level's is still a draft: never shown to anyone else.
    assert seen(engineer, loop) == {engineer.pk, peer.pk}
    assert scorecard_get_for_user(engineer, card(first, peer).pk).interviewer == peer
    ratings = ratings_visible_to(engineer, loop)
    assert {r.scorecard.interviewer_id for r in ratings} == {engineer.pk, peer.pk}


def test_it_waits_for_all_of_an_interviewers_own_scorecards_in_the_loop(loop, panel, engineer, peer):
    first, second = panel
    submit(first, engineer)
    submit(first, peer)  # peer's first is in, their second is still a draft
    assert seen(peer, loop) == {peer.pk}
    assert len(scorecards_visible_to(peer, loop)) == 2  # both of their own
    submit(second, peer)
    assert seen(peer, loop) == {peer.pk, engineer.pk}


def test_it_shows_the_hiring_manager_and_hr_nothing_until_all_are_in(loop, panel, manager, hr, engineer, peer, skip_level):
    first, second = panel
    submit(first, engineer)
    submit(first, peer)
    submit(second, peer)
    for lead in (manager, hr):
        assert seen(lead, loop) == set()
        with pytest.raises(Http404):
            scorecard_get_for_user(lead, card(first, engineer).pk)
        assert not ratings_visible_to(lead, loop).exists()
    submit(second, skip_level)
    for lead in (manager, hr):
        assert seen(lead, loop) == {engineer.pk, peer.pk, skip_level.pk}
        assert len(scorecards_visible_to(lead, loop)) == 4


def test_it_shows_the_hiring_manager_submitted_ones_once_the_debrief_is_open(loop, panel, manager, hr, engineer, peer):
    first, second = panel
    submit(first, engineer)
    loop_debrief_open(actor=manager, loop=loop)
    for lead in (manager, hr):
        assert seen(lead, loop) == {engineer.pk}  # drafts stay their author's
    # An interviewer still waits for their own, open debrief or not.
    assert seen(peer, loop) == {peer.pk}


def test_it_shows_nothing_to_anyone_outside_the_loop(loop, panel, outsider, engineer, peer, skip_level):
    first, second = panel
    for interview, person in ((first, engineer), (first, peer), (second, peer), (second, skip_level)):
        submit(interview, person)
    loop_debrief_open(actor=loop.hiring_manager, loop=loop)
    colleague = UserFactory(name="Pat Lee", manager=engineer.manager)
    for stranger in (outsider, colleague):
        assert seen(stranger, loop) == set()
        assert not scorecards_visible_to(stranger).exists()
        assert not ratings_visible_to(stranger).exists()
        with pytest.raises(Http404):
            scorecard_get_for_user(stranger, card(first, engineer).pk)


def test_it_shows_nothing_to_someone_who_has_left(loop, panel, engineer, peer):
    first, _ = panel
    submit(first, engineer)
    engineer.is_active = False
    engineer.save()
    assert not scorecards_visible_to(engineer, loop).exists()


def test_it_keeps_independence_across_loops(kit, manager, engineer, peer):
    """Submitting in one loop opens nothing in another."""
    one, two = loop_for(kit, hiring_manager=manager), loop_for(kit, hiring_manager=manager, name="Alan Turing")
    a = interview_for(one, engineer, peer)
    b = interview_for(two, engineer, peer)
    for interview in (a, b):
        for scorecard in interview.scorecards.all():
            fill(scorecard, kit)
    submit(a, engineer)
    submit(b, peer)
    assert seen(engineer, one) == {engineer.pk}
    assert seen(engineer, two) == {engineer.pk}
    assert {s.pk for s in scorecards_visible_to(engineer)} == {card(a, engineer).pk, card(b, engineer).pk}


def test_it_counts_scorecards_in_only_for_those_who_run_the_loop(loop, panel, manager, hr, engineer, peer):
    first, _ = panel
    submit(first, peer)
    assert [(x.scorecards_in, x.scorecards_total) for x in loops_with_progress(manager)] == [(1, 4)]
    assert [(x.scorecards_in, x.scorecards_total) for x in loops_with_progress(hr)] == [(1, 4)]
    row = loops_with_progress(engineer).get()
    assert (row.scorecards_in, row.scorecards_total) == (None, None)
    assert (row.mine_in, row.mine_total) == (0, 1)
    assert loops_with_progress(peer).get().mine_total == 2


def test_it_reads_scorecards_in_constant_queries(kit, manager, engineer):
    def make(n):
        loop = loop_for(kit, hiring_manager=manager)
        for _ in range(n):
            people = [UserFactory() for _ in range(2)]
            interview = interview_for(loop, *people)
            for scorecard in interview.scorecards.all():
                fill(scorecard, kit)
                scorecard_submit(actor=scorecard.interviewer, scorecard=scorecard)
        return loop

    def cost(loop):
        with CaptureQueriesContext(connection) as captured:
            for scorecard in scorecards_with_ratings(manager, loop):
                [(r.focus.competency.name, r.point.label) for r in scorecard.ratings.all()]
                scorecard.interviewer.name
            list(loops_with_progress(manager))
        return len(captured)

    assert cost(make(1)) == cost(make(10))


def test_it_keeps_the_versions_before_an_amendment_in_the_audit_log(loop, kit, engineer):
    """With Scorecard and ScorecardRating registered for the audit log (reviews/apps.py)."""
    auditlog.register(Scorecard)
    auditlog.register(ScorecardRating)
    try:
        scorecard = fill(card(interview_for(loop, engineer), engineer), kit, recommendation="no")
        scorecard_submit(actor=engineer, scorecard=scorecard)
        focus = scorecard.interview.focus.first()
        scorecard_amend(
            actor=engineer, scorecard=scorecard, ratings={focus.pk: (points(kit)[4].pk, "Better.")},
            takeaways="Better.", recommendation="yes",
        )
        entry = LogEntry.objects.get_for_object(scorecard).filter(changes__has_key="recommendation").latest("pk")
        assert entry.changes["recommendation"] == ["no", "yes"] and entry.actor == engineer
        rating = ScorecardRating.objects.get(scorecard=scorecard, focus=focus)
        assert LogEntry.objects.get_for_object(rating).filter(changes__has_key="point").count() == 2
    finally:
        auditlog.unregister(Scorecard)
        auditlog.unregister(ScorecardRating)
