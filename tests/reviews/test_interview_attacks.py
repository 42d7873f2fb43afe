"""Interviews attacked: by interviewers before and after their scorecard, others of the same
loop and of other loops, the hiring manager, HR, outsiders and people who left. Each test is a
way in that must stay shut."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import Candidate, Kit, Loop, Scorecard, ScorecardRevision
from reviews.services.interviews import (
    ERASED_REASON,
    candidate_erase,
    interview_change,
    interview_schedule,
    loop_create,
    loop_decide,
    scorecard_add,
    scorecard_amend,
    scorecard_save,
    scorecard_submit,
)
from reviews.services.kits import kit_create
from tests.conftest import at_once
from tests.ladders.factories import document, publish
from tests.people.rules import Rules
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

NAME, EMAIL = "Grace Hopper", "grace@example.com"

# A week from now, as a browser's datetime-local field sends it.
SOON = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT10:00")


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


def test_it_takes_no_new_interview_nor_words_about_an_erased_candidate(kit, manager, engineer, peer, hr, as_user):
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer)
    draft = interview.scorecards.get()
    candidate_erase(actor=hr, candidate=loop.candidate)
    focus = list(kit.focus.all())
    start = timezone.now() + datetime.timedelta(days=1)

    with pytest.raises(ValidationError):
        interview_schedule(actor=manager, loop=loop, stage="values", starts_at=start, focus=focus,
                           interviewers=[peer], title="Hopper: values")
    with pytest.raises(ValidationError):
        interview_change(actor=manager, interview=interview, stage="values", starts_at=start, focus=focus,
                         interviewers=[engineer, peer], title="Hopper: values")
    with pytest.raises(ValidationError):
        scorecard_add(actor=manager, interview=interview, interviewer=peer)
    # The scorecard asked for is still written, and reminded of; its words are not kept.
    assert "the words you type are not" in as_user(engineer).get(url("scorecard", draft.pk)).content.decode()
    written = write(draft, engineer, takeaways="Hopper again")
    assert written.submitted_at is not None and written.recommendation == "yes"
    assert written.takeaways == "" and {r.evidence for r in written.ratings.all()} == {ERASED_REASON}
    assert all(r.point_id for r in written.ratings.all())
    response = as_user(manager).post(url("interview_new", loop.pk), {
        "stage": "technical", "starts_at": SOON, "minutes": "60", "title": "Hopper",
        "focus": [focus[0].pk], "interviewer_ids": [peer.pk],
    })
    assert response.status_code == 400
    assert loop.interviews.count() == 1 and not interview.title
    assert list(Scorecard.objects.filter(interview__loop=loop).values_list("interviewer", flat=True)) == [engineer.pk]
    assert not Scorecard.objects.filter(takeaways__contains="Hopper").exists()
    response = as_user(engineer).post(url("scorecard_amend", draft.pk), {
        **{f"point-{f.pk}": kit.scale.get(value=2).pk for f in interview.focus.all()},
        **{f"evidence-{f.pk}": "Hopper, on reflection" for f in interview.focus.all()},
        "takeaways": "Hopper, on reflection", "recommendation": "no",
    })
    assert response.status_code == 302
    assert not ScorecardRevision.objects.filter(takeaways__contains="Hopper").exists()
    assert not Scorecard.objects.filter(takeaways__contains="Hopper").exists()
    assert Scorecard.objects.get(pk=draft.pk).recommendation == "no"

    # Deciding still records the decision, but not words that could name them.
    decided = loop_decide(actor=manager, loop=loop, decision="no_hire", reason="Hopper withdrew.")
    assert decided.decision == "no_hire" and decided.decision_reason == ERASED_REASON


# --- Pages: ids of others, malformed input, forged posts ----------------------------------


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


@pytest.fixture
def panel(kit, manager, engineer, peer):
    """A loop led by `manager`, `engineer` and `peer` on one interview, nothing in yet."""
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    return interview_for(loop, engineer, peer)


def test_it_refuses_malformed_levels_when_deciding(as_user, panel, manager):
    loop = panel.loop
    for level in ("abc", "99999999999999999999", "²", "-1", "1.5"):
        response = as_user(manager).post(
            url("loop_decide", loop.pk), {"decision": "hire", "reason": "Strong panel.", "decided_level": level}
        )
        assert response.status_code == 400, level
    loop.refresh_from_db()
    assert loop.decision == ""
    response = as_user(manager).post(url("loop_decide", loop.pk), {"decision": "hire", "reason": "Strong panel."})
    assert response.status_code == 302


def test_it_refuses_malformed_ids_when_scheduling(as_user, panel, manager, engineer):
    loop = panel.loop
    focus = loop.kit.focus.first()
    for field, value in (
        ("focus", "99999999999999999999"), ("focus", "²"), ("questions", "99999999999999999999"),
        ("interviewer_ids", "99999999999999999999"), ("interviewer_ids", "x"), ("minutes", "99999999999999999999"),
        ("starts_at", "2026-02-30T10:00"), ("starts_at", "99999-01-01T10:00"),
    ):
        data = {"stage": "technical", "starts_at": SOON, "minutes": "60", "focus": [focus.pk],
                "interviewer_ids": [engineer.pk], field: value}
        response = as_user(manager).post(url("interview_new", loop.pk), data)
        assert response.status_code == 400, (field, value)
    assert loop.interviews.count() == 1
    valid = {"stage": "technical", "starts_at": SOON, "minutes": "60", "focus": [focus.pk],
             "interviewer_ids": [engineer.pk]}
    assert as_user(manager).post(url("interview_new", loop.pk), valid).status_code == 302


def test_it_answers_404_for_huge_and_odd_ids_in_addresses(as_user, panel, manager, hr):
    for name in ("scorecard", "scorecard_amend", "loop", "debrief", "kit", "kit_questions", "kit_scale", "kit_copy"):
        assert as_user(hr).get(url(name, 99999999999999999999)).status_code == 404, name
    assert as_user(hr).get(url("kit_questions", panel.loop.kit_id) + "?edit=99999999999999999999").status_code == 404
    assert as_user(hr).get(url("kit_questions", panel.loop.kit_id) + "?edit=%C2%B2").status_code == 404
    assert as_user(hr).get(url("loop_new") + "?candidate=99999999999999999999").status_code == 404
    assert as_user(hr).get(url("loop_new") + "?candidate=%C2%B2").status_code == 404


def test_it_offers_no_schedule_form_on_an_erased_candidates_loop(as_user, panel, manager, hr):
    candidate_erase(actor=hr, candidate=panel.loop.candidate)
    page = as_user(manager).get(url("loop", panel.loop_id)).content.decode()
    assert "Schedule an interview" not in page and "Candidate" in page


# --- Independence and ids of others --------------------------------------------------------


def test_it_keeps_every_page_of_a_loop_shut_to_those_outside_it(as_user, panel, kit, manager, engineer, peer, outsider):
    from tests.people.factories import UserFactory

    loop = panel.loop
    other_loop = loop_for(kit, hiring_manager=UserFactory(), name="Alan Turing", email="alan@example.com")
    stranger = interview_for(other_loop, outsider)
    own = panel.scorecards.get(interviewer=engineer)
    theirs = panel.scorecards.get(interviewer=peer)
    team_member = UserFactory()
    loop.hiring_team.add(team_member)
    for person, forbidden in (
        (engineer, [url("scorecard", theirs.pk), url("scorecard_amend", theirs.pk), url("debrief", loop.pk),
                    url("loop", other_loop.pk), url("scorecard", stranger.scorecards.get().pk)]),
        (outsider, [url("scorecard", own.pk), url("loop", loop.pk), url("debrief", loop.pk)]),
        (manager, [url("scorecard", own.pk), url("loop", other_loop.pk), url("debrief", other_loop.pk)]),
        (team_member, [url("scorecard", own.pk), url("debrief", loop.pk), url("loop", other_loop.pk)]),
    ):
        client = as_user(person)
        for address in forbidden:
            assert client.get(address).status_code == 404, (person, address)
    for address, data in (
        (url("scorecard", theirs.pk), {"takeaways": "mine now", "recommendation": "no", "submit": "1"}),
        (url("scorecard_amend", theirs.pk), {"takeaways": "mine now", "recommendation": "no"}),
        (url("debrief_open", loop.pk), {}),
        (url("loop_decide", loop.pk), {"decision": "hire", "reason": "I say so."}),
        (url("interview_new", loop.pk), {"stage": "technical"}),
        (url("candidate_erase", loop.candidate_id), {}),
    ):
        assert as_user(engineer).post(address, data).status_code == 404, address
    loop.refresh_from_db()
    assert loop.debrief_opened_at is None and loop.decision == ""
    assert Scorecard.objects.get(pk=theirs.pk).takeaways == ""


def test_it_tells_an_interviewer_nothing_of_the_others_until_theirs_are_in(as_user, panel, manager, engineer, peer):
    write(panel.scorecards.get(interviewer=peer), peer, takeaways="Peer thinks highly of them.")
    own = panel.scorecards.get(interviewer=engineer)
    client = as_user(engineer)
    for address in (url("loops"), url("loop", panel.loop_id), url("scorecard", own.pk), url("my_interviews")):
        page = client.get(address).content.decode()
        assert "Peer thinks highly" not in page, address
        assert "1 of 2" not in page and "Scorecard in<" not in page, address
    page = client.get(url("scorecard", own.pk)).content.decode()
    assert "Other scorecards" not in page and peer.name not in page
    write(own, engineer)
    page = client.get(url("scorecard", own.pk)).content.decode()
    assert "Other scorecards" in page and peer.name in page


def test_it_keeps_a_draft_from_everyone_but_its_author(as_user, panel, manager, engineer, peer, hr):
    write(panel.scorecards.get(interviewer=peer), peer, takeaways="Only a draft so far.", submit=False)
    write(panel.scorecards.get(interviewer=engineer), engineer)
    loop = panel.loop
    as_user(manager).post(url("debrief_open", loop.pk))
    for person in (engineer, manager, hr):
        client = as_user(person)
        for address in (url("loop", loop.pk), url("debrief", loop.pk), url("loops"),
                        url("scorecard", panel.scorecards.get(interviewer=engineer).pk)):
            response = client.get(address)
            assert "Only a draft so far." not in response.content.decode(), (person, address)


def test_it_refuses_every_interview_post_without_its_csrf_token(as_user, panel, manager, engineer, hr):
    loop = panel.loop
    own = panel.scorecards.get(interviewer=engineer)
    posts = [
        (engineer, url("scorecard", own.pk), {"takeaways": "x", "recommendation": "yes"}),
        (manager, url("interview_new", loop.pk), {"stage": "technical"}),
        (manager, url("debrief_open", loop.pk), {}),
        (manager, url("loop_decide", loop.pk), {"decision": "hire", "reason": "Yes."}),
        (manager, url("candidate_new"), {"name": "Ada"}),
        (hr, url("candidate_erase", loop.candidate_id), {}),
        (hr, url("kit_new"), {"name": "x"}),
        (hr, url("kit_questions", loop.kit_id), {"action": "add", "new-text": "x"}),
        (hr, url("kit_scale", loop.kit_id), {}),
        (hr, url("kit_copy", loop.kit_id), {"name": "x"}),
    ]
    for person, address, data in posts:
        client = as_user(person)  # HR signed in with their second factor, as the site asks
        client.handler.enforce_csrf_checks = True
        assert client.post(address, data).status_code == 403, address
    loop.refresh_from_db()
    assert loop.debrief_opened_at is None and loop.decision == "" and loop.candidate.erased_at is None


def test_it_escapes_what_people_type_on_every_interview_page(as_user, kit, manager, engineer, hr):
    from reviews.services.kits import question_add

    evil = '<script>alert(1)</script>'
    loop = loop_for(kit, hiring_manager=manager, name=evil, email="x@example.com")
    question_add(actor=hr, kit=kit, text=evil, good_looks_like=evil, follow_ups=evil, red_flags=evil,
                 focus_ids=[kit.focus.first().pk])
    interview = interview_for(loop, engineer)
    interview.questions.set(kit.questions.all())
    scorecard = write(interview.scorecards.get(), engineer, takeaways=evil)
    for person, address in (
        (engineer, url("scorecard", scorecard.pk)), (engineer, url("loop", loop.pk)), (engineer, url("my_interviews")),
        (manager, url("debrief", loop.pk)), (manager, url("loops")), (hr, url("kit", kit.pk)),
        (hr, url("kit_questions", kit.pk)), (hr, url("candidate_erase", loop.candidate_id)),
    ):
        page = as_user(person).get(address).content.decode()
        assert evil not in page, address


def test_it_shows_the_hiring_manager_scorecards_only_once_all_are_in_or_the_debrief_is_opened(
    as_user, panel, manager, engineer, peer, hr
):
    write(panel.scorecards.get(interviewer=peer), peer)
    loop = panel.loop
    for person in (manager, hr):
        page = as_user(person).get(url("debrief", loop.pk)).content.decode()
        assert "Grace Hopper on" not in page and "1 of 2" in page and "Open the debrief now" in page
    as_user(manager).post(url("debrief_open", loop.pk))
    page = as_user(manager).get(url("debrief", loop.pk)).content.decode()
    assert "Grace Hopper on" in page and peer.name in page
    # The interviewer still waiting on their own reads nothing of it.
    own = panel.scorecards.get(interviewer=engineer)
    page = as_user(engineer).get(url("scorecard", own.pk)).content.decode()
    assert "Grace Hopper on" not in page and "Other scorecards" not in page


def test_it_refuses_focus_questions_and_points_of_another_kit(as_user, panel, kit, manager, engineer, hr):
    from reviews.services.kits import kit_copy, question_add

    other, _ = kit_copy(actor=hr, kit=kit, name="Other kit")
    question = question_add(actor=hr, kit=other, text="Elsewhere?", good_looks_like="", follow_ups="", red_flags="",
                            focus_ids=[other.focus.first().pk])
    loop = panel.loop
    base = {"stage": "technical", "starts_at": SOON, "minutes": "60", "interviewer_ids": [engineer.pk]}
    for extra in ({"focus": [other.focus.first().pk]},
                  {"focus": [kit.focus.first().pk], "questions": [question.pk]}):
        assert as_user(manager).post(url("interview_new", loop.pk), {**base, **extra}).status_code == 400
    assert loop.interviews.count() == 1
    own = panel.scorecards.get(interviewer=engineer)
    focus = panel.focus.first()
    response = as_user(engineer).post(url("scorecard", own.pk), {
        f"point-{focus.pk}": other.scale.first().pk, "recommendation": "yes", "submit": "1",
    })
    assert response.status_code == 400
    own.refresh_from_db()
    assert own.submitted_at is None and not own.ratings.exists()
    # A question of another kit is not for editing from this one.
    response = as_user(hr).post(url("kit_questions", kit.pk), {"action": "edit", "question": question.pk, "edit-text": "Mine"})
    assert response.status_code == 404
    question.refresh_from_db()
    assert question.text == "Elsewhere?"


# --- Workflow ------------------------------------------------------------------------------


def test_it_holds_the_workflow_against_repeats_and_people_who_left(as_user, panel, manager, engineer, peer, hr):
    from tests.people.factories import UserFactory

    loop = panel.loop
    own = write(panel.scorecards.get(interviewer=engineer), engineer)
    first = own.submitted_at
    # Submitting again (a double click) changes nothing.
    response = as_user(engineer).post(url("scorecard", own.pk), {"recommendation": "no", "submit": "1"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.submitted_at == first and own.recommendation == "yes"
    # Deciding needs a reason; whitespace is none.
    response = as_user(manager).post(url("loop_decide", loop.pk), {"decision": "hire", "reason": "   "})
    assert response.status_code == 400
    # Someone who left takes no scorecard.
    gone = UserFactory(is_active=False)
    with pytest.raises(ValidationError):
        scorecard_add(actor=manager, interview=panel, interviewer=gone)
    response = as_user(manager).post(url("interview_new", loop.pk), {
        "stage": "technical", "starts_at": SOON, "minutes": "60",
        "focus": [loop.kit.focus.first().pk], "interviewer_ids": [gone.pk],
    })
    assert response.status_code == 400 and not Scorecard.objects.filter(interviewer=gone).exists()
    # Decided once; then nothing is amended, decided again or scheduled.
    assert as_user(manager).post(url("loop_decide", loop.pk), {"decision": "hire", "reason": "Strong."}).status_code == 302
    response = as_user(hr).post(url("loop_decide", loop.pk), {"decision": "no_hire", "reason": "Changed my mind."})
    assert response.status_code == 400
    response = as_user(engineer).post(url("scorecard_amend", own.pk), {"recommendation": "no"})
    assert response.status_code == 302
    loop.refresh_from_db()
    own.refresh_from_db()
    assert loop.decision == "hire" and loop.decided_by == manager and own.recommendation == "yes"
    # A hiring manager who has left runs nothing, and a signed-in session of theirs ends.
    signed_in = as_user(manager)
    manager.is_active = False
    manager.save(update_fields=["is_active"])
    for address in (url("debrief", loop.pk), url("loop", loop.pk), url("loops")):
        response = signed_in.get(address)
        assert response.status_code == 302 and "login" in response.url, address


def test_it_waits_for_every_scorecard_of_an_interviewer_on_two_interviews(as_user, panel, manager, engineer, peer):
    from tests.people.factories import UserFactory

    loop = panel.loop
    later = interview_for(loop, engineer, stage="values")
    write(panel.scorecards.get(interviewer=peer), peer)
    first = write(panel.scorecards.get(interviewer=engineer), engineer)
    page = as_user(engineer).get(url("scorecard", first.pk)).content.decode()
    assert "Other scorecards" not in page and peer.name not in page
    write(later.scorecards.get(), engineer)
    page = as_user(engineer).get(url("scorecard", first.pk)).content.decode()
    assert "Other scorecards" in page and peer.name in page
    # On the hiring team without interviewing: the loop and its schedule, nothing of a scorecard,
    # not even how many are in.
    team_member = UserFactory()
    loop.hiring_team.add(team_member)
    client = as_user(team_member)
    listed = client.get(url("loops")).content.decode()
    assert NAME in listed and " in</td>" not in listed and "Yours:" not in listed
    page = client.get(url("loop", loop.pk)).content.decode()
    assert NAME in page and peer.name in page  # who interviews, when
    for words in ("Scorecard in", "not in yet", "scorecards in", "would do well", f"{NAME} on ", "Debrief"):
        assert words not in page, words


def test_it_answers_malformed_admin_kit_actions_without_failing(as_user, panel, hr):
    kits = reverse("admin:reviews_kit_changelist")
    kit = panel.loop.kit
    # (A malformed _selected_action fails in Django's own admin, for every model alike.)
    for level, selected in (("abc", kit.pk), ("99999999999999999999", kit.pk), ("²", kit.pk)):
        response = as_user(hr).post(kits, {"action": "copy_kits", "_selected_action": [selected], "level": level})
        assert response.status_code in (200, 302), (level, selected)
    assert as_user(hr).get(reverse("admin:reviews_kit_change", args=["99999999999999999999"])).status_code in (302, 404)
    assert kit.__class__.objects.count() == 1


def test_it_keeps_kit_editing_to_hr(as_user, panel, manager, engineer):
    kit = panel.loop.kit
    for person in (manager, engineer):
        client = as_user(person)
        assert client.get(url("kit", kit.pk)).status_code == 200
        for name in ("kit_questions", "kit_scale", "kit_copy"):
            assert client.get(url(name, kit.pk)).status_code == 404, name
            assert client.post(url(name, kit.pk), {"action": "add", "new-text": "Mine?", "name": "Mine"}).status_code == 404
        assert client.post(url("kit_new"), {"name": "Mine"}).status_code == 404
        assert client.get(url("calibration")).status_code == 404
    assert not kit.questions.exists() and kit.__class__.objects.count() == 1


def test_it_keeps_a_hiring_manager_who_interviews_to_the_interviewers_rule(as_user, kit, manager, engineer, hr):
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer, manager)
    write(interview.scorecards.get(interviewer=engineer), engineer, takeaways="Engineer's view.")
    client = as_user(manager)
    client.post(url("debrief_open", loop.pk))
    loop.refresh_from_db()
    assert loop.debrief_opened_at is not None
    own = interview.scorecards.get(interviewer=manager)
    page = client.get(url("debrief", loop.pk)).content.decode()
    assert "Grace Hopper on" not in page and "Engineer's view." not in page
    assert "Submit your own scorecard" in page
    page = client.get(url("scorecard", own.pk)).content.decode()
    assert "Other scorecards" not in page
    # HR, who do not interview here, read it as opened.
    assert "Grace Hopper on" in as_user(hr).get(url("debrief", loop.pk)).content.decode()
    write(own, manager)
    page = client.get(url("debrief", loop.pk)).content.decode()
    assert "Grace Hopper on" in page and "Submit your own scorecard" not in page


def test_it_leaves_out_of_calibration_a_loop_where_hr_still_owe_their_scorecard(kit, manager, engineer, hr):
    from reviews.selectors.calibration import calibration_report

    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer, hr)
    write(interview.scorecards.get(interviewer=engineer), engineer)
    loop.debrief_opened_at = timezone.now()
    loop.save(update_fields=["debrief_opened_at"])
    assert calibration_report(hr, "all").interviewers == []
    write(interview.scorecards.get(interviewer=hr), hr)
    assert {i.interviewer_id for i in calibration_report(hr, "all").interviewers} == {engineer.pk, hr.pk}


def test_it_counts_nothing_for_a_hiring_manager_who_still_owes_their_scorecard(as_user, kit, manager, engineer, peer):
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer, peer, manager)
    write(interview.scorecards.get(interviewer=engineer), engineer)
    client = as_user(manager)
    for address in (url("loops"), url("loop", loop.pk), url("debrief", loop.pk)):
        page = client.get(address).content.decode()
        assert "1 of 3" not in page and "Scorecard in<" not in page, address
    write(interview.scorecards.get(interviewer=manager), manager)
    for address in (url("loops"), url("loop", loop.pk), url("debrief", loop.pk)):
        assert "2 of 3" in client.get(address).content.decode(), address


def test_it_keeps_a_managers_loops_to_candidates_they_added(as_user, panel, kit, manager, skip_level):
    # skip_level manages `manager`: they add candidates, but not loops for someone else's.
    theirs = panel.loop.candidate
    assert as_user(skip_level).get(url("loop_new") + f"?candidate={theirs.pk}").status_code == 404
    response = as_user(skip_level).post(url("loop_new"), {"candidate": theirs.pk, "kit": kit.pk,
                                                          "hiring_manager": skip_level.email})
    assert response.status_code == 404
    assert theirs.loops.count() == 1
    assert as_user(manager).post(url("candidate_erase", theirs.pk)).status_code == 404


def test_it_answers_malformed_kit_forms_at_their_fields(as_user, panel, hr):
    kit = panel.loop.kit
    client = as_user(hr)
    for value in ("abc", "99999999999999999999", "²", "-1"):
        for address, data in (
            (url("kit_new"), {"name": "K", "role": value, "level": value, "version": value, "track": value,
                              "competencies": [value]}),
            (url("kit_questions", kit.pk), {"action": "add", "new-text": "Q?", "new-competencies": [value]}),
            (url("kit_questions", kit.pk), {"action": "edit", "question": value, "edit-text": "Q?"}),
            (url("kit_scale", kit.pk), {"label-1": "x", "offset-1": value, "label-2": "y", "offset-2": "0"}),
            (url("kit_copy", kit.pk), {"name": "Copy", "level": value}),
        ):
            response = client.post(address, data)
            assert response.status_code in (400, 404), (address, value, response.status_code)
    assert kit.__class__.objects.count() == 1 and not kit.questions.exists()


def test_it_shows_an_erased_candidate_nowhere(as_user, rules, kit, manager, engineer, peer, hr):
    rules.keep("reviews.scorecard_overdue", "reviews.loop_scorecards_in")
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer, peer)
    interview.__class__.objects.filter(pk=interview.pk).update(
        starts_at=timezone.now() - datetime.timedelta(days=3), title="Hopper pairing")
    write(interview.scorecards.get(interviewer=peer), peer, takeaways="Hopper was great")
    reminders_dispatch()
    assert as_user(hr).post(url("candidate_erase", loop.candidate_id)).status_code == 302
    own = interview.scorecards.get(interviewer=engineer)
    theirs = interview.scorecards.get(interviewer=peer)
    pages = [
        (engineer, url("my_interviews")), (engineer, url("loops")), (engineer, url("loop", loop.pk)),
        (engineer, url("scorecard", own.pk)), (engineer, reverse("people:notifications")),
        (peer, url("scorecard", theirs.pk)), (manager, url("loop", loop.pk)), (manager, url("debrief", loop.pk)),
        (manager, url("loops")), (hr, url("loops")), (hr, url("candidate_erase", loop.candidate_id)),
        (hr, url("calibration") + "?period=all"),
    ]
    for person, address in pages:
        response = as_user(person).get(address)
        assert response.status_code == 200, address
        page = response.content.decode()
        assert "Hopper" not in page and EMAIL not in page, (person, address)


def test_it_opens_the_debrief_to_a_hiring_manager_who_decided_before_writing_their_own(as_user, kit, manager, engineer):
    loop = loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)
    interview = interview_for(loop, engineer, manager)
    write(interview.scorecards.get(interviewer=engineer), engineer)
    client = as_user(manager)
    assert client.post(url("loop_decide", loop.pk), {"decision": "hire", "reason": "Enough said."}).status_code == 302
    page = client.get(url("debrief", loop.pk)).content.decode()
    assert "Grace Hopper on" in page and "1 of 2" in page
    assert "1 of 2 in" in client.get(url("loops")).content.decode()


def test_it_answers_a_malformed_new_loop_at_its_fields(as_user, kit, hr, manager):
    from reviews.models import Candidate

    candidate = Candidate.objects.create(name="Ada", created_by=hr)
    other = Candidate.objects.create(name="Bob", created_by=hr)
    valid = {"candidate": other.pk, "kit": kit.pk, "hiring_manager": manager.email}
    assert as_user(hr).post(url("loop_new"), valid).status_code == 302
    for field, value in (("target_level", "abc"), ("target_level", "99999999999999999999"), ("target_level", "²"),
                         ("kit", "abc"), ("kit", "99999999999999999999"), ("hiring_manager", "<script>@x"),
                         ("hiring_team", "nobody@nowhere\n" * 3)):
        data = {"candidate": candidate.pk, "kit": kit.pk, "hiring_manager": manager.email, field: value}
        response = as_user(hr).post(url("loop_new"), data)
        assert response.status_code == 400, (field, value)
    assert not candidate.loops.exists()


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_loop_opened_twice_at_once_is_opened_once(kit, hr, manager):
    candidate = Candidate.objects.create(name=NAME, email=EMAIL)

    def open_loop():
        return loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager).pk

    results = at_once(open_loop, open_loop)

    assert len([r for r in results if isinstance(r, int)]) == 1
    refused = next(r for r in results if not isinstance(r, int))
    assert isinstance(refused, ValidationError) and list(refused.message_dict) == ["kit"]
    assert Loop.objects.filter(candidate=candidate).count() == 1


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_kits_made_at_once_under_one_name_make_one(kit, hr):
    def make(name):
        return lambda: kit_create(actor=hr, name=name, version=kit.version, track=kit.track, level=kit.level).pk

    results = at_once(make("Platform engineer"), make("PLATFORM ENGINEER"))

    assert len([r for r in results if isinstance(r, int)]) == 1
    refused = next(r for r in results if not isinstance(r, int))
    assert isinstance(refused, ValidationError) and "has this name already" in refused.message_dict["name"][0]
    assert Kit.objects.filter(name__iexact="platform engineer").count() == 1
