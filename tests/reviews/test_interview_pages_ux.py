"""The interview pages read well to those who use them: the debrief shows each interviewer's
overall view, the forms say every problem at once, and pages lead to one another."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Loop, Scorecard
from tests.conftest import page_queries
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for
from tests.reviews.test_loop_pages import rate


@pytest.fixture
def version(db):
    return publish(document(levels=4, competencies=3))


@pytest.fixture
def kit(version):
    return kit_for(version, "l2", name="Backend engineer")


@pytest.fixture
def loop(kit, manager):
    return loop_for(kit, hiring_manager=manager, name="Grace Hopper", email="grace@example.com")


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


def submit(scorecard: Scorecard, recommendation: str, takeaways: str) -> None:
    Scorecard.objects.filter(pk=scorecard.pk).update(recommendation=recommendation, takeaways=takeaways)


# --- The debrief: each interviewer's overall view ---------------------------------------------------


def test_it_shows_each_interviewers_recommendation_and_takeaways_in_the_debrief(as_user, loop, manager, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    submit(rate(interview, engineer, "Strong yes"), "strong_yes", "Would raise the bar")
    submit(rate(interview, peer, "No"), "no", "Missed the failure modes twice")
    page = as_user(manager).get(url("debrief", loop.pk)).content.decode()
    assert "overall view" in page
    assert "Would raise the bar" in page and "Missed the failure modes twice" in page
    assert "<strong>Strong yes</strong>" in page and "<strong>No</strong>" in page


def test_it_keeps_the_overall_view_back_until_the_debrief_is_ready(as_user, loop, manager, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    submit(rate(interview, engineer, "Yes"), "yes", "Secret take-away")
    page = as_user(manager).get(url("debrief", loop.pk)).content.decode()
    assert "Not all scorecards are in" in page and "Secret take-away" not in page and "overall view" not in page
    rate(interview, peer, "Yes", submit=False)
    Loop.objects.filter(pk=loop.pk).update(debrief_opened_at=timezone.now())
    page = as_user(manager).get(url("debrief", loop.pk)).content.decode()
    assert "Secret take-away" in page and f"{peer.name}</strong> <span" not in page


def test_it_reads_the_overall_view_in_the_same_queries_however_many_interviewers(as_user, kit, manager):
    def debrief_queries(n):
        loop = loop_for(kit, hiring_manager=manager, name=f"Person {n}", email=f"p{n}@example.com")
        panel = [UserFactory() for _ in range(n)]
        interview = interview_for(loop, *panel)
        for person in panel:
            rate(interview, person, "Yes")
        return page_queries(as_user(manager), url("debrief", loop.pk))

    assert debrief_queries(2) == debrief_queries(20)


# --- Links between the pages ---------------------------------------------------------------------


def test_it_leads_from_a_scorecard_to_its_loop_and_its_kit(as_user, loop, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    scorecard = Scorecard.objects.get(interview=interview, interviewer=engineer)
    page = as_user(engineer).get(url("scorecard", scorecard.pk)).content.decode()
    assert f'href="{url("loop", loop.pk)}"' in page and f'href="{url("kit", loop.kit_id)}"' in page
    signed_in = as_user(engineer)
    assert signed_in.get(url("loop", loop.pk)).status_code == 200
    assert signed_in.get(url("kit", loop.kit_id)).status_code == 200


def test_it_leads_an_interviewer_from_my_interviews_to_their_loops(as_user, loop, engineer, peer):
    interview_for(loop, engineer, peer)
    page = as_user(engineer).get(url("my_interviews")).content.decode()
    assert f'href="{url("loops")}"' in page and "Your loops and submitted scorecards" in page


# --- Kits: one message for the role ---------------------------------------------------------------


def test_it_asks_once_for_the_role_of_a_new_kit(as_user, hr, version):
    from reviews.models import Kit

    response = as_user(hr).post(url("kit_new"), {"name": "Backend", "role": ""})
    assert response.status_code == 400
    assert list(response.context["form"].errors["role"]) == ["Choose a role: a level of a published ladder."]
    assert not Kit.objects.exists()


def test_it_groups_the_competencies_a_question_probes_in_the_interview_form(as_user, hr, kit):
    page = as_user(hr).get(url("kit_questions", kit.pk)).content.decode()
    assert 'class="form interview-form"' in page and "<legend" in page


def test_it_leads_from_the_calibration_report_back_to_my_interviews(as_user, hr):
    page = as_user(hr).get(url("calibration")).content.decode()
    assert f'<a href="{url("my_interviews")}">My interviews</a>' in page


# --- Every problem at once ----------------------------------------------------------------------


def test_it_names_every_missing_choice_of_a_new_loop_with_an_unknown_address(as_user, manager, engineer, kit):
    from reviews.models import Candidate

    candidate = Candidate.objects.create(name="Sam Okoye", created_by=manager)
    response = as_user(manager).post(
        url("loop_new") + f"?candidate={candidate.pk}",
        {"candidate": candidate.pk, "kit": "", "hiring_manager": "nobody@trellis.test", "hiring_team": ""},
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["kit"] == ["Choose a kit in use."]
    assert "Nobody who works here has the address nobody@trellis.test." in errors["hiring_manager"]
    assert not Loop.objects.filter(candidate=candidate).exists()


def test_it_names_every_missing_choice_of_an_interview_with_an_unknown_address(as_user, loop, manager):
    from reviews.models import Interview

    response = as_user(manager).post(url("interview_new", loop.pk), {"stage": "", "interviewers": "ghost@trellis.test"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["stage"] == ["Choose a stage."]
    assert errors["starts_at"] == ["Choose the day and time of the interview."]
    assert errors["focus"] == ["Choose at least one of the kit's focus competencies."]
    assert errors["interviewers"] == ["Nobody who works here has the address ghost@trellis.test."]
    assert not Interview.objects.filter(loop=loop).exists()


def test_it_does_not_paint_do_not_hire_in_the_colour_of_hire(as_user, loop, manager):
    Loop.objects.filter(pk=loop.pk).update(decision="no_hire", decision_reason="Not yet", decided_at=timezone.now(), decided_by=manager)
    page = as_user(manager).get(url("loops")).content.decode()
    assert '<span class="badge">Do not hire</span>' in page


def test_it_leads_from_a_loop_and_its_debrief_to_the_kits_guide(as_user, loop, manager, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Yes")
    rate(interview, peer, "Yes")
    kit_link = f'href="{url("kit", loop.kit_id)}"'
    assert kit_link in as_user(manager).get(url("loop", loop.pk)).content.decode()
    assert kit_link in as_user(manager).get(url("debrief", loop.pk)).content.decode()
    assert kit_link in as_user(engineer).get(url("loop", loop.pk)).content.decode()
    assert as_user(engineer).get(url("kit", loop.kit_id)).status_code == 200


# --- My interviews: debriefs waiting for the hiring manager ------------------------------------------


def test_it_lists_the_debriefs_waiting_for_the_hiring_managers_decision(as_user, loop, kit, manager, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Yes")
    waiting = as_user(manager).get(url("my_interviews")).content.decode()
    assert "Waiting for your decision" not in waiting  # one scorecard still to come
    rate(interview, peer, "Yes")
    page = as_user(manager).get(url("my_interviews")).content.decode()
    assert "Waiting for your decision" in page and f'href="{url("debrief", loop.pk)}"' in page and "2 of 2 scorecards in" in page
    assert "Waiting for your decision" not in as_user(engineer).get(url("my_interviews")).content.decode()
    Loop.objects.filter(pk=loop.pk).update(decision="hire", decision_reason="Yes", decided_at=timezone.now(), decided_by=manager)
    assert "Waiting for your decision" not in as_user(manager).get(url("my_interviews")).content.decode()


def test_it_lists_debriefs_opened_early_as_waiting_too(as_user, loop, manager, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Yes")
    Loop.objects.filter(pk=loop.pk).update(debrief_opened_at=timezone.now())
    page = as_user(manager).get(url("my_interviews")).content.decode()
    assert "Waiting for your decision" in page and "1 of 2 scorecards in" in page


def test_it_reads_the_waiting_debriefs_in_the_same_queries_however_many(as_user, kit, manager, engineer):
    def queries(n):
        for i in range(n):
            loop = loop_for(kit, hiring_manager=manager, name=f"Person {n}-{i}", email=f"p{n}-{i}@example.com")
            person = UserFactory()
            rate(interview_for(loop, person), person, "Yes")
        return page_queries(as_user(manager), url("my_interviews"))

    assert queries(1) == queries(10)


# --- Kits: the scale's offsets in words ---------------------------------------------------------------


def test_it_offers_each_point_of_the_scale_in_words_against_the_level(as_user, hr, kit):
    page = as_user(hr).get(url("kit_scale", kit.pk)).content.decode()
    assert "Where point 1 stands against the level" in page
    assert "0: meets the level" in page and "+1: 1 proficiency above the level" in page
    assert "\u22122: 2 proficiencies short of the level" in page
