"""Candidates, loops and their interviews: who runs them, the panel hints, the debrief and
the decision, and who reads which loop."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladders.models import Level
from reviews.models import Candidate, Interview, Loop, Scorecard, ScorecardRating
from reviews.selectors.interviews import loop_get_for_user, loops_visible_to, my_interviews
from reviews.services.interviews import (
    candidate_create,
    interview_change,
    interview_schedule,
    loop_create,
    loop_debrief_open,
    loop_decide,
    panel_hints,
    scorecard_save,
    scorecard_submit,
)
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

SOON = timezone.now() + datetime.timedelta(days=2)


@pytest.fixture
def version(db):
    return publish(document(fork_at=3))


@pytest.fixture
def kit(version):
    return kit_for(version, "l2")


@pytest.fixture
def loop(kit, manager):
    return loop_for(kit, hiring_manager=manager)


def schedule(loop, actor, *people, focus=None, **extra):
    fields = {
        "stage": "technical",
        "starts_at": SOON,
        "focus": focus if focus is not None else list(loop.kit.focus.all()),
        "interviewers": people,
    }
    fields.update(extra)
    return interview_schedule(actor=actor, loop=loop, **fields)


# --- Candidates ---------------------------------------------------------------------------------


def test_it_adds_a_candidate_with_little_about_them(hr, manager, engineer):
    candidate = candidate_create(actor=hr, name="  Grace Hopper ", source="Referral")
    assert (candidate.name, candidate.email, candidate.created_by) == ("Grace Hopper", "", hr)
    assert candidate_create(actor=manager, name="Alan", email="alan@example.com").email == "alan@example.com"


def test_it_rejects_a_candidate_without_a_name_or_with_a_bad_email_at_the_field(hr):
    with pytest.raises(ValidationError) as error:
        candidate_create(actor=hr, name=" ", email="not an address")
    assert set(error.value.message_dict) == {"name", "email"}
    assert not Candidate.objects.exists()


def test_it_lets_only_hr_and_managers_add_candidates(engineer, outsider):
    for someone in (engineer, outsider):
        with pytest.raises(PermissionDenied):
            candidate_create(actor=someone, name="Grace")
    assert not Candidate.objects.exists()


# --- Loops --------------------------------------------------------------------------------------


def test_it_opens_a_loop_on_the_kits_track(hr, kit, manager, peer):
    candidate = candidate_create(actor=hr, name="Grace")
    loop = loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager, hiring_team=[peer])
    assert loop.target_level == kit.level
    assert list(loop.hiring_team.all()) == [peer]
    higher = Level.objects.get(version=kit.version, code="l3-ic")
    other = candidate_create(actor=hr, name="Alan")
    assert loop_create(actor=hr, candidate=other, kit=kit, hiring_manager=manager, target_level=higher).target_level == higher


def test_it_keeps_one_open_loop_per_candidate_and_kit(hr, kit, manager, version):
    candidate = candidate_create(actor=hr, name="Grace")
    first = loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager)
    with pytest.raises(ValidationError) as error:
        loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager)
    assert error.value.message_dict == {"kit": ["This candidate's loop for this kit is still open: schedule its interviews there."]}
    # Another role's kit is another loop; once the first is decided, the candidate may come again.
    other_kit = kit_for(version, "l1", name="Another role")
    assert loop_create(actor=hr, candidate=candidate, kit=other_kit, hiring_manager=manager).kit == other_kit
    loop_decide(actor=hr, loop=first, decision="no_hire", reason="Not yet; encouraged to apply again.")
    assert loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager).candidate == candidate
    assert Loop.objects.filter(candidate=candidate).count() == 3


def test_it_rejects_a_target_level_off_the_track_or_version_at_the_field(hr, kit, manager):
    candidate = candidate_create(actor=hr, name="Grace")
    other_version = publish(document(slug="other"))
    for level in (
        Level.objects.get(version=kit.version, code="l3-mgr"),
        Level.objects.get(version=other_version, code="l2"),
    ):
        with pytest.raises(ValidationError) as error:
            loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager, target_level=level)
        assert list(error.value.message_dict) == ["target_level"]
    assert not Loop.objects.exists()


def test_it_wants_a_hiring_manager_who_works_here(hr, kit, manager):
    candidate = candidate_create(actor=hr, name="Grace")
    manager.is_active = False
    manager.save()
    with pytest.raises(ValidationError) as error:
        loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager)
    assert list(error.value.message_dict) == ["hiring_manager"]
    assert not Loop.objects.exists()


def test_it_lets_a_manager_open_only_their_own_loops(hr, kit, manager, skip_level, engineer):
    theirs = candidate_create(actor=manager, name="Grace")
    assert loop_create(actor=manager, candidate=theirs, kit=kit, hiring_manager=manager).hiring_manager == manager
    with pytest.raises(PermissionDenied):
        loop_create(actor=manager, candidate=theirs, kit=kit, hiring_manager=skip_level)
    hrs = candidate_create(actor=hr, name="Alan")
    with pytest.raises(PermissionDenied):
        loop_create(actor=manager, candidate=hrs, kit=kit, hiring_manager=manager)
    with pytest.raises(PermissionDenied):
        loop_create(actor=engineer, candidate=theirs, kit=kit, hiring_manager=engineer)
    assert Loop.objects.count() == 1


# --- Interviews ---------------------------------------------------------------------------------


def test_it_schedules_an_interview_with_a_draft_scorecard_per_interviewer(loop, manager, engineer, peer):
    first, second, *_ = list(loop.kit.focus.all())
    question = loop.kit.questions.create(text="Tell me about a design you changed your mind on.")
    interview = schedule(loop, manager, engineer, peer, focus=[first, second.pk], questions=[question])
    assert set(interview.focus.all()) == {first, second}
    assert list(interview.questions.all()) == [question]
    assert set(interview.scorecards.values_list("interviewer", "submitted_at")) == {(engineer.pk, None), (peer.pk, None)}


def test_it_rejects_a_bad_interview_at_the_field_writing_nothing(loop, manager, engineer, version):
    other = kit_for(version, "l1", name="Other")
    leaver = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        schedule(
            loop, manager, leaver,
            focus=[other.focus.first()], questions=[other.questions.create(text="?")],
            stage="chat", starts_at=None, minutes=5,
        )
    assert set(error.value.message_dict) == {"focus", "questions", "interviewers", "stage", "starts_at", "minutes"}
    with pytest.raises(ValidationError) as error:
        schedule(loop, manager, focus=[])
    assert set(error.value.message_dict) == {"focus", "interviewers"}
    assert not Interview.objects.exists() and not Scorecard.objects.exists()


def test_it_takes_times_from_a_month_ago_to_a_year_ahead(loop, manager, engineer):
    now = timezone.now()
    recorded = schedule(loop, manager, engineer, starts_at=now - datetime.timedelta(days=29))
    for when, words in ((now - datetime.timedelta(days=31), "in the last 30 days"), (now + datetime.timedelta(days=366), "within a year")):
        with pytest.raises(ValidationError) as error:
            schedule(loop, manager, engineer, starts_at=when)
        assert words in error.value.message_dict["starts_at"][0]
    # An interview recorded long ago keeps its time through a change of panel.
    long_ago = now - datetime.timedelta(days=90)
    Interview.objects.filter(pk=recorded.pk).update(starts_at=long_ago)
    recorded.refresh_from_db()
    interview_change(
        actor=manager, interview=recorded, stage="values", starts_at=recorded.starts_at,
        focus=list(loop.kit.focus.all()), interviewers=[engineer],
    )
    recorded.refresh_from_db()
    assert recorded.stage == "values" and recorded.starts_at == long_ago
    assert Interview.objects.count() == 1


def test_it_lets_only_those_who_run_the_loop_schedule(loop, engineer, peer, hr):
    with pytest.raises(PermissionDenied):
        schedule(loop, engineer, peer)
    assert schedule(loop, hr, peer).loop == loop


def test_it_keeps_submitted_scorecards_when_the_panel_changes(loop, manager, engineer, peer, skip_level):
    interview = schedule(loop, manager, engineer, peer, starts_at=timezone.now() - datetime.timedelta(hours=2))
    focus = list(loop.kit.focus.all())
    yes = loop.kit.scale.get(value=3)
    for person in (engineer, peer):
        scorecard = Scorecard.objects.get(interview=interview, interviewer=person)
        scorecard_save(actor=person, scorecard=scorecard, ratings={f.pk: (yes.pk, "") for f in focus}, recommendation="yes")
    scorecard_submit(actor=engineer, scorecard=Scorecard.objects.get(interview=interview, interviewer=engineer))
    # Scorecards are in: the interview took place, and cannot be moved ahead.
    with pytest.raises(ValidationError) as error:
        interview_change(
            actor=manager, interview=interview, stage="technical", starts_at=SOON, focus=focus[:1], interviewers=[skip_level]
        )
    assert "has taken place" in error.value.message_dict["starts_at"][0]
    interview_change(
        actor=manager, interview=interview, stage="technical", starts_at=interview.starts_at, focus=focus[:1],
        interviewers=[skip_level],
    )
    kept = dict(interview.scorecards.values_list("interviewer", "submitted_at"))
    assert set(kept) == {engineer.pk, skip_level.pk}  # peer's draft went, engineer's submitted one stays
    assert kept[engineer.pk] is not None and kept[skip_level.pk] is None
    assert ScorecardRating.objects.filter(scorecard__interviewer=engineer).count() == len(focus)


def test_it_hints_when_nobody_is_from_outside_the_hiring_team(loop, manager, engineer, peer, outsider):
    loop.hiring_team.set([engineer])
    focus = list(loop.kit.focus.all())
    schedule(loop, manager, manager, engineer, focus=focus[:1])
    schedule(loop, manager, engineer, focus=focus[1:])
    hints = panel_hints(loop)
    assert "Nobody on the panel is from outside the hiring team" in hints
    assert "Ada Okafor rates every focus competency" in hints
    assert "Marcus Chen rates every focus competency" not in hints
    schedule(loop, manager, outsider, focus=focus[:1])
    assert "Nobody on the panel is from outside the hiring team" not in panel_hints(loop)


def test_it_leaves_the_same_rater_hint_out_when_configured(loop, manager, outsider):
    schedule(loop, manager, outsider)
    assert panel_hints(loop) == ["Nora Quinn rates every focus competency"]
    with override_settings(PANEL_HINT_SAME_RATER=False):
        assert panel_hints(loop) == []


def test_it_gives_no_hints_for_an_empty_panel(loop):
    assert panel_hints(loop) == []


# --- Debrief and decision -----------------------------------------------------------------------


def test_it_opens_the_debrief_once(loop, manager, hr, engineer):
    with pytest.raises(PermissionDenied):
        loop_debrief_open(actor=engineer, loop=loop)
    opened = loop_debrief_open(actor=manager, loop=loop).debrief_opened_at
    assert opened is not None
    assert loop_debrief_open(actor=hr, loop=loop).debrief_opened_at == opened


def test_it_decides_once_with_a_reason(loop, manager, hr, version):
    offered = Level.objects.get(version=version, code="l3-ic")
    decided = loop_decide(actor=manager, loop=loop, decision="hire", reason="Clear yes from the panel.", decided_level=offered)
    assert (decided.decision, decided.decided_level, decided.decided_by) == ("hire", offered, manager)
    assert decided.debrief_opened_at is not None and decided.decided_at is not None
    with pytest.raises(ValidationError) as error:
        loop_decide(actor=hr, loop=loop, decision="no_hire", reason="Changed our minds.")
    assert list(error.value.message_dict) == ["decision"]
    loop.refresh_from_db()
    assert (loop.decision, loop.decision_reason) == ("hire", "Clear yes from the panel.")


def test_it_rejects_a_decision_without_a_reason_or_off_the_track_at_the_field(loop, manager, version):
    with pytest.raises(ValidationError) as error:
        loop_decide(
            actor=manager, loop=loop, decision="maybe", reason=" ",
            decided_level=Level.objects.get(version=version, code="l3-mgr"),
        )
    assert set(error.value.message_dict) == {"decision", "reason", "decided_level"}
    loop.refresh_from_db()
    assert (loop.decision, loop.decided_at, loop.debrief_opened_at) == ("", None, None)


def test_it_lets_only_those_who_run_the_loop_decide(loop, engineer, outsider, skip_level):
    for someone in (engineer, outsider, skip_level):
        with pytest.raises(PermissionDenied):
            loop_decide(actor=someone, loop=loop, decision="hire", reason="Why not.")
    loop.refresh_from_db()
    assert loop.decision == ""


def test_it_freezes_a_decided_loop(loop, manager, engineer):
    interview = schedule(loop, manager, engineer)
    loop_decide(actor=manager, loop=loop, decision="no_hire", reason="Not this time.")
    with pytest.raises(ValidationError):
        schedule(loop, manager, engineer)
    with pytest.raises(ValidationError):
        scorecard_save(actor=engineer, scorecard=interview.scorecards.get(), ratings={})


# --- Who reads which loop -----------------------------------------------------------------------


def test_it_shows_each_their_loops(kit, manager, skip_level, engineer, peer, hr, outsider):
    mine = loop_for(kit, hiring_manager=manager)
    theirs = loop_for(kit, hiring_manager=skip_level, name="Alan")
    interview_for(theirs, engineer)
    mine.hiring_team.set([peer])
    assert set(loops_visible_to(hr)) == {mine, theirs}
    assert set(loops_visible_to(manager)) == {mine}
    assert set(loops_visible_to(skip_level)) == {theirs}
    assert set(loops_visible_to(engineer)) == {theirs}
    assert set(loops_visible_to(peer)) == {mine}  # on the hiring team
    assert set(loops_visible_to(outsider)) == set()
    assert loop_get_for_user(engineer, theirs.pk) == theirs
    # Leading, on the team and interviewing in one loop at once, one still reads it once.
    mine.hiring_team.set([peer, engineer, skip_level])
    interview_for(mine, engineer, peer)
    Loop.objects.filter(pk=mine.pk).update(hiring_manager=engineer)
    assert list(loops_visible_to(engineer).order_by("pk")) == [mine, theirs]
    Loop.objects.filter(pk=mine.pk).update(hiring_manager=manager)
    mine.hiring_team.set([])
    Interview.objects.filter(loop=mine).delete()
    for someone, loop in ((engineer, mine), (outsider, mine), (manager, theirs), (peer, mine)):
        with pytest.raises(Http404):
            loop_get_for_user(someone, loop.pk)


def test_it_lists_interviews_to_prepare_and_scorecards_to_write(loop, manager, engineer, peer):
    coming = schedule(loop, manager, engineer)
    past = interview_for(loop, engineer, peer)  # started two hours ago
    done = interview_for(loop, engineer, stage="values")
    scorecard = done.scorecards.get()
    scorecard_save(
        actor=engineer, scorecard=scorecard,
        ratings={f.pk: (None, "Not reached.") for f in done.focus.all()}, recommendation="no_decision",
    )
    scorecard_submit(actor=engineer, scorecard=scorecard)
    todo = my_interviews(engineer)
    assert todo.to_prepare == [coming]
    assert [s.interview for s in todo.to_write] == [past]
    assert my_interviews(manager).to_prepare == [] and my_interviews(manager).to_write == []
    loop_decide(actor=manager, loop=loop, decision="no_hire", reason="Not this time.")
    assert my_interviews(engineer).to_write == []


def test_it_lists_my_interviews_in_constant_queries(kit, manager, engineer):
    def make(n):
        for _ in range(n):
            loop = loop_for(kit, hiring_manager=manager)
            schedule(loop, manager, engineer)
            interview_for(loop, engineer)

    def cost():
        with CaptureQueriesContext(connection) as captured:
            todo = my_interviews(engineer)
            for interview in todo.to_prepare:
                [f.competency.name for f in interview.focus.all()]
                list(interview.questions.all())
                str(interview.loop.candidate)
            for scorecard in todo.to_write:
                str(scorecard.interview.loop.candidate)
            [str(x.candidate) for x in loops_visible_to(engineer)]
        return len(captured)

    make(1)
    small = cost()
    make(9)
    assert cost() == small


def test_it_follows_who_works_here_now(loop, manager, hr):
    manager.is_active = False
    manager.save()
    with pytest.raises(PermissionDenied):
        loop_debrief_open(actor=manager, loop=loop)
    assert list(loops_visible_to(manager)) == []
    assert loop_decide(actor=hr, loop=loop, decision="no_hire", reason="Role closed.").decided_by == hr
