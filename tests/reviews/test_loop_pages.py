"""The hiring pages: the loops, a new candidate and loop, a loop with its interviews, the
debrief and the decision, erasing a candidate; who may see each, and what they read."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Candidate, Interview, KitCompetency, Loop, ScalePoint, Scorecard, ScorecardRating
from reviews.services.interviews import loop_decide
from tests.conftest import page_queries
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

NAME, EMAIL = "Grace Hopper", "grace@example.com"


@pytest.fixture
def version(db):
    return publish(document(levels=4, competencies=3))


@pytest.fixture
def kit(version):
    return kit_for(version, "l2", name="Backend engineer")


@pytest.fixture
def loop(kit, manager):
    return loop_for(kit, hiring_manager=manager, name=NAME, email=EMAIL)


def rate(interview, interviewer, label: str, *, evidence: str = "", submit: bool = True) -> Scorecard:
    """`interviewer` rates every focus of `interview` with the scale point `label`."""
    scorecard = Scorecard.objects.get(interview=interview, interviewer=interviewer)
    point = ScalePoint.objects.get(kit=interview.loop.kit, label=label)
    for focus in interview.focus.all():
        ScorecardRating.objects.create(
            scorecard=scorecard, focus=focus, point=point, evidence=evidence or f"{interviewer.name} saw {label}"
        )
    if submit:
        scorecard.recommendation = Scorecard.Recommendation.YES
        scorecard.submitted_at = timezone.now()
        scorecard.save()
    return scorecard


@pytest.fixture
def rated(loop, engineer, peer):
    """Two interviewers who disagree, both in."""
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Strong yes", evidence="Designed the queue from first principles")
    rate(interview, peer, "No", evidence="Missed the failure modes")
    return interview


# A week from now, as a browser's datetime-local field sends it.
SOON = (timezone.localtime() + datetime.timedelta(days=7)).strftime("%Y-%m-%dT10:00")


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


# --- The loops ----------------------------------------------------------------------------------


def test_it_lists_loops_to_those_who_run_them_with_progress(as_user, loop, rated, manager, hr, outsider, kit):
    other = loop_for(kit, hiring_manager=UserFactory(), name="Alan Turing", email="alan@example.com")
    page = as_user(manager).get(url("loops")).content.decode()
    assert NAME in page and "Backend engineer" in page and "Level 2" in page and "2 of 2 in" in page
    assert "Alan Turing" not in page
    assert '<td data-label="Hiring manager">You</td>' in page
    page = as_user(hr).get(url("loops")).content.decode()
    assert NAME in page and "Alan Turing" in page
    assert other.candidate.name in page
    assert f'<td data-label="Hiring manager">{manager.name}</td>' in page
    assert f'<td data-label="Hiring manager">{other.hiring_manager.name}</td>' in page
    page = as_user(outsider).get(url("loops")).content.decode()
    assert NAME not in page and "No loops to show" in page


def test_it_tells_an_interviewer_only_about_their_own_scorecards(as_user, loop, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    rate(interview, peer, "Yes")
    page = as_user(engineer).get(url("loops")).content.decode()
    assert NAME in page and "Yours: 0 of 1 in" in page and "1 of 2 in" not in page


def test_it_asks_anonymous_visitors_to_sign_in_and_refuses_other_methods(client, as_user, loop, manager):
    for name, args in [("loops", ()), ("loop", (loop.pk,)), ("debrief", (loop.pk,)), ("candidate_new", ()),
                       ("candidate_erase", (loop.candidate_id,))]:
        response = client.get(url(name, *args))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    signed_in = as_user(manager)
    assert signed_in.post(url("loops")).status_code == 405
    assert signed_in.post(url("loop", loop.pk)).status_code == 405
    assert signed_in.post(url("debrief", loop.pk)).status_code == 405
    assert signed_in.get(url("debrief_open", loop.pk)).status_code == 405
    assert signed_in.get(url("loop_decide", loop.pk)).status_code == 405
    assert signed_in.get(url("interview_new", loop.pk)).status_code == 405


def test_it_reads_the_loops_in_the_same_queries_however_many(as_user, kit, manager, engineer):
    def make(n):
        for i in range(n):
            loop = loop_for(kit, hiring_manager=manager, name=f"Candidate person {i}", email=f"c{i}@example.com")
            interview_for(loop, engineer)

    make(2)
    small = page_queries(as_user(manager), url("loops"))
    make(18)
    assert page_queries(as_user(manager), url("loops")) == small


# --- A new candidate and loop -------------------------------------------------------------------


def test_it_adds_a_candidate_then_opens_their_loop(as_user, kit, manager, peer):
    signed_in = as_user(manager)
    assert signed_in.get(url("candidate_new")).status_code == 200
    response = signed_in.post(url("candidate_new"), {"name": "Ada Lovelace", "email": "ada@example.com", "source": "Referral"})
    candidate = Candidate.objects.get(name="Ada Lovelace")
    assert response.status_code == 302 and response["Location"] == f"{url('loop_new')}?candidate={candidate.pk}"
    page = signed_in.get(response["Location"]).content.decode()
    assert "New loop for Ada Lovelace" in page and manager.email in page
    level3 = kit.version.levels.get(code="l3")
    response = signed_in.post(url("loop_new"), {
        "candidate": candidate.pk, "kit": kit.pk, "target_level": level3.pk,
        "hiring_manager": manager.email, "hiring_team": peer.email.upper(),
    })
    loop = Loop.objects.get(candidate=candidate)
    assert response.status_code == 302 and response["Location"] == url("loop", loop.pk)
    assert loop.target_level == level3 and loop.hiring_manager == manager and list(loop.hiring_team.all()) == [peer]
    # Sent twice, the form opens one loop and says the first is still open.
    response = signed_in.post(url("loop_new"), {"candidate": candidate.pk, "kit": kit.pk, "hiring_manager": manager.email})
    assert response.status_code == 400
    assert "loop for this kit is still open" in response.context["form"].errors["kit"][0]
    assert Loop.objects.filter(candidate=candidate).count() == 1


def test_it_says_what_is_wrong_with_a_candidate_at_the_field_and_writes_nothing(as_user, manager, engineer):
    response = as_user(manager).post(url("candidate_new"), {"name": "  ", "email": "not-an-address"})
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["name"] == ["Enter the candidate's name."]
    assert "valid e-mail" in form.errors["email"][0]
    assert not Candidate.objects.exists()


def test_it_says_what_is_wrong_with_a_loop_at_the_field_and_writes_nothing(as_user, kit, manager, engineer):
    candidate = Candidate.objects.create(name="Ada Lovelace", created_by=manager)
    other_track_level = publish(document(slug="other", levels=2)).levels.first()
    response = as_user(manager).post(url("loop_new"), {
        "candidate": candidate.pk, "kit": kit.pk, "target_level": other_track_level.pk,
        "hiring_manager": manager.email, "hiring_team": "nobody@nowhere.test",
    })
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Nobody who works here" in errors["hiring_team"][0]
    response = as_user(manager).post(url("loop_new"), {
        "candidate": candidate.pk, "kit": kit.pk, "target_level": other_track_level.pk, "hiring_manager": manager.email,
    })
    assert response.status_code == 400
    assert "Choose a level on the" in response.context["form"].errors["target_level"][0]
    response = as_user(manager).post(url("loop_new"), {"candidate": candidate.pk, "hiring_manager": manager.email})
    assert response.status_code == 400 and response.context["form"].errors["kit"] == ["Choose a kit in use."]
    assert not Loop.objects.exists()


def test_it_keeps_candidates_and_loops_to_those_who_may_add_them(as_user, kit, manager, engineer, hr):
    assert as_user(engineer).get(url("candidate_new")).status_code == 404
    assert as_user(engineer).post(url("candidate_new"), {"name": "X"}).status_code == 404
    theirs = Candidate.objects.create(name="Someone", created_by=hr)
    assert as_user(manager).get(f"{url('loop_new')}?candidate={theirs.pk}").status_code == 404
    # Without a candidate, the page sends one to add them first.
    response = as_user(manager).get(url("loop_new"), follow=True)
    assert response.redirect_chain == [(url("candidate_new"), 302)]
    assert "add them first" in response.content.decode()
    assert as_user(manager).get(f"{url('loop_new')}?candidate=").status_code == 404
    assert as_user(hr).get(f"{url('loop_new')}?candidate={theirs.pk}").status_code == 200
    response = as_user(manager).post(url("loop_new"), {"candidate": theirs.pk, "kit": kit.pk, "hiring_manager": manager.email})
    assert response.status_code == 404 and not Loop.objects.exists()


# --- A loop -------------------------------------------------------------------------------------


def test_it_shows_the_hiring_manager_the_loop_panel_and_scorecard_states(as_user, loop, engineer, peer, manager):
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Yes", evidence="Secret words")
    page = as_user(manager).get(url("loop", loop.pk)).content.decode()
    assert NAME in page and EMAIL in page and "Backend engineer" in page
    assert engineer.name in page and peer.name in page
    assert "Scorecard in" in page and "Scorecard not in yet" in page and "1 of 2 scorecards in" in page
    assert "Secret words" not in page
    assert "Nobody on the panel is from outside the hiring team" not in page  # both are from outside
    assert f"{engineer.name} rates every focus competency" in page
    assert "Schedule an interview" in page and url("debrief", loop.pk) in page
    # Decided, the loop has no panel left to plan, and a no hire is not shown as a success.
    rate(interview, peer, "No")
    loop_decide(actor=manager, loop=loop, decision="no_hire", reason="Gaps the panel agreed on.")
    page = as_user(manager).get(url("loop", loop.pk)).content.decode()
    assert "About the panel" not in page and "rates every focus competency" not in page
    assert "Schedule an interview" not in page and 'class="message message--plain"' in page


def test_it_shows_an_interviewer_the_loop_without_the_others_progress(as_user, loop, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    rate(interview, peer, "Yes")
    response = as_user(engineer).get(url("loop", loop.pk))
    page = response.content.decode()
    assert response.status_code == 200 and peer.name in page
    assert "Scorecard in" not in page and "Scorecard not in yet" in page  # only their own
    assert "Schedule an interview" not in page and url("debrief", loop.pk) not in page and EMAIL not in page
    mine = Scorecard.objects.get(interview=interview, interviewer=engineer)
    if "Your scorecard" in page:  # where the scorecard pages are in place
        assert url("scorecard", mine.pk) in page


def test_it_hides_a_loop_from_people_outside_it(as_user, loop, outsider, skip_level, peer):
    for person in (outsider, skip_level, peer):
        assert as_user(person).get(url("loop", loop.pk)).status_code == 404


def test_it_schedules_an_interview(as_user, loop, manager, engineer, peer):
    focus = list(KitCompetency.objects.filter(kit=loop.kit))
    response = as_user(manager).post(url("interview_new", loop.pk), {
        "stage": "technical", "starts_at": SOON, "minutes": "45",
        "focus": [focus[0].pk, focus[1].pk], "interviewers": f"{engineer.email}\n{peer.email}",
    })
    assert response.status_code == 302 and response["Location"] == url("loop", loop.pk)
    interview = Interview.objects.get(loop=loop)
    assert interview.minutes == 45 and set(interview.focus.all()) == {focus[0], focus[1]}
    assert set(interview.scorecards.values_list("interviewer", flat=True)) == {engineer.pk, peer.pk}


def test_it_says_what_is_wrong_with_an_interview_at_the_field_and_writes_nothing(as_user, loop, manager):
    response = as_user(manager).post(url("interview_new", loop.pk), {
        "stage": "", "starts_at": "tomorrow", "interviewers": "nobody@nowhere.test",
    })
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Nobody who works here" in errors["interviewers"][0]
    assert "Enter the day and time" in errors["starts_at"][0]
    response = as_user(manager).post(url("interview_new", loop.pk), {"stage": "screen", "starts_at": SOON, "interviewers": manager.email})
    assert response.status_code == 400
    assert response.context["form"].errors["focus"] == ["Choose at least one of the kit's focus competencies."]
    assert 'class="errorlist"' in response.content.decode()
    focus = KitCompetency.objects.filter(kit=loop.kit).first()
    for typo, words in (("2024-12-01T10:00", "in the last 30 days"), ("2062-12-01T10:00", "within a year")):
        response = as_user(manager).post(url("interview_new", loop.pk), {
            "stage": "screen", "starts_at": typo, "focus": [focus.pk], "interviewers": manager.email,
        })
        assert response.status_code == 400
        assert words in response.context["form"].errors["starts_at"][0]
    assert not Interview.objects.exists()


def test_it_lets_only_those_who_run_the_loop_schedule(as_user, loop, engineer, peer, outsider):
    interview_for(loop, engineer)
    focus = KitCompetency.objects.filter(kit=loop.kit).first()
    data = {"stage": "screen", "starts_at": SOON, "focus": [focus.pk], "interviewers": peer.email}
    for person in (engineer, outsider):
        assert as_user(person).post(url("interview_new", loop.pk), data).status_code == 404
    assert Interview.objects.count() == 1


# --- The debrief and the decision ---------------------------------------------------------------


def test_it_waits_for_every_scorecard_unless_the_debrief_is_opened(as_user, loop, manager, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Strong yes", evidence="Designed the queue from first principles")
    signed_in = as_user(manager)
    page = signed_in.get(url("debrief", loop.pk)).content.decode()
    assert "Not all scorecards are in" in page and "Open the debrief now" in page
    assert "Designed the queue" not in page and "Strong yes" not in page
    response = signed_in.post(url("debrief_open", loop.pk))
    assert response.status_code == 302
    loop.refresh_from_db()
    assert loop.debrief_opened_at is not None
    page = signed_in.get(url("debrief", loop.pk)).content.decode()
    assert "Designed the queue" in page and "Strong yes" in page and "still to come" in page


def test_it_shows_the_debrief_per_competency_with_the_disagreement(as_user, loop, rated, manager, engineer, peer):
    response = as_user(manager).get(url("debrief", loop.pk))
    page = response.content.decode()
    assert response.status_code == 200 and "Not all scorecards are in" not in page
    assert "Competency 0.0" in page and "Expected at Level 2" in page
    assert "Strong yes" in page and "Designed the queue from first principles" in page and "Missed the failure modes" in page
    assert engineer.name in page and peer.name in page
    assert "Mean 3" in page and "spread 2 points" in page
    assert "Disagreement" in page
    debrief = response.context["debrief"]
    assert debrief.recommendation.summary in page
    for shortfall in debrief.recommendation.shortfalls:
        assert shortfall.sentence in page
    assert "Record the decision" in page


def test_it_keeps_the_debrief_from_interviewers_and_outsiders(as_user, loop, engineer, peer, outsider, skip_level):
    interview = interview_for(loop, engineer, peer)
    rate(interview, engineer, "Yes")
    for person in (engineer, peer, outsider, skip_level):
        assert as_user(person).get(url("debrief", loop.pk)).status_code == 404
        assert as_user(person).post(url("debrief_open", loop.pk)).status_code == 404
    rate(interview, peer, "Yes")  # all in: still not theirs
    for person in (engineer, peer, outsider):
        assert as_user(person).get(url("debrief", loop.pk)).status_code == 404
        response = as_user(person).post(url("loop_decide", loop.pk), {"decision": "hire", "reason": "Because"})
        assert response.status_code == 404
    loop.refresh_from_db()
    assert loop.debrief_opened_at is None and loop.decision == ""


def test_it_records_the_decision_once_with_a_reason(as_user, loop, rated, manager):
    signed_in = as_user(manager)
    response = signed_in.post(url("loop_decide", loop.pk), {"decision": "hire", "reason": "  "})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == ["Say why: the reason is part of the record."]
    response = signed_in.post(url("loop_decide", loop.pk), {"decision": "maybe", "reason": "Hmm"})
    assert response.status_code == 400 and response.context["form"].errors["decision"] == ["Choose hire or do not hire."]
    loop.refresh_from_db()
    assert loop.decision == ""
    level3 = loop.kit.version.levels.get(code="l3")
    response = signed_in.post(url("loop_decide", loop.pk), {"decision": "hire", "decided_level": level3.pk, "reason": "Strong design work"})
    assert response.status_code == 302
    loop.refresh_from_db()
    assert (loop.decision, loop.decided_level, loop.decided_by) == ("hire", level3, manager)
    page = signed_in.get(url("debrief", loop.pk)).content.decode()
    assert "Strong design work" in page and f"Decided by {manager.name}" in page and "Record the decision" not in page
    response = signed_in.post(url("loop_decide", loop.pk), {"decision": "no_hire", "reason": "Changed my mind"})
    assert response.status_code == 400 and "already been decided" in response.content.decode()
    loop.refresh_from_db()
    assert loop.decision == "hire" and loop.decision_reason == "Strong design work"


def test_it_reads_the_debrief_in_the_same_queries_however_many_interviewers(as_user, kit, manager):
    def debrief_queries(n):
        loop = loop_for(kit, hiring_manager=manager, name=f"Person {n}", email=f"p{n}@example.com")
        panel = [UserFactory() for _ in range(n)]
        interview = interview_for(loop, *panel)
        for i, person in enumerate(panel):
            rate(interview, person, ("Yes", "No", "Strong yes")[i % 3])
        return page_queries(as_user(manager), url("debrief", loop.pk))

    assert debrief_queries(2) == debrief_queries(20)


# --- Erasing a candidate ------------------------------------------------------------------------


def test_it_lets_only_hr_erase_a_candidate(as_user, loop, manager, engineer):
    for person in (manager, engineer):
        assert as_user(person).get(url("candidate_erase", loop.candidate_id)).status_code == 404
        assert as_user(person).post(url("candidate_erase", loop.candidate_id)).status_code == 404
    loop.candidate.refresh_from_db()
    assert loop.candidate.erased_at is None and loop.candidate.name == NAME


def test_it_erases_a_candidate_and_keeps_the_ratings_anonymous(as_user, loop, rated, hr, manager):
    Candidate.objects.filter(pk=loop.candidate_id).update(phone="+44 20 7946 0000", notes="Met at PyCon")
    signed_in = as_user(hr)
    page = signed_in.get(url("candidate_erase", loop.candidate_id)).content.decode()
    assert "What is erased" in page and "What is kept" in page
    response = signed_in.post(url("candidate_erase", loop.candidate_id))
    assert response.status_code == 302 and response["Location"] == url("loops")
    label = f"Candidate {loop.candidate_id}"
    personal = (NAME, EMAIL, "+44 20 7946 0000", "Met at PyCon", "Designed the queue")
    for person in (hr, manager):
        client = as_user(person)
        for address in (url("loops"), url("loop", loop.pk), url("debrief", loop.pk), url("candidate_erase", loop.candidate_id)):
            response = client.get(address)
            if response.status_code == 404:
                assert person == manager and "erase" in address
                continue
            page = response.content.decode()
            for secret in personal:
                assert secret not in page, (address, secret)
            assert label in page or "erased" in page
    page = as_user(manager).get(url("debrief", loop.pk)).content.decode()
    assert "Strong yes" in page and "No" in page and "Disagreement" in page


def test_it_finds_interviewers_by_name_without_javascript_then_schedules_them(as_user, loop, manager, engineer, peer):
    focus = KitCompetency.objects.filter(kit=loop.kit).first()
    signed_in = as_user(manager)
    response = signed_in.post(url("interview_new", loop.pk), {"find": "1", "q": "Okafor", "stage": "screen"})
    assert response.status_code == 200 and f'name="interviewer_ids" value="{engineer.pk}"' in response.content.decode()
    assert not Interview.objects.exists()
    response = signed_in.post(url("interview_new", loop.pk), {
        "stage": "screen", "starts_at": SOON, "focus": [focus.pk],
        "interviewer_ids": [engineer.pk], "interviewers": peer.email,
    })
    assert response.status_code == 302
    interview = Interview.objects.get(loop=loop)
    assert set(interview.scorecards.values_list("interviewer", flat=True)) == {engineer.pk, peer.pk}


def test_it_reads_a_loop_in_the_same_queries_however_many_interviews(as_user, kit, manager):
    def loop_queries(n):
        loop = loop_for(kit, hiring_manager=manager, name=f"Person {n}", email=f"p{n}@example.com")
        for _ in range(n):
            interview_for(loop, UserFactory(), UserFactory())
        return page_queries(as_user(manager), url("loop", loop.pk))

    assert loop_queries(1) == loop_queries(10)


def test_it_lets_hr_open_a_loop_led_by_someone_else(as_user, kit, hr, manager):
    signed_in = as_user(hr)
    response = signed_in.post(url("candidate_new"), {"name": "Ada Lovelace"})
    candidate = Candidate.objects.get(name="Ada Lovelace")
    response = signed_in.post(url("loop_new"), {"candidate": candidate.pk, "kit": kit.pk, "hiring_manager": manager.email})
    loop = Loop.objects.get(candidate=candidate)
    assert response.status_code == 302 and loop.hiring_manager == manager and loop.target_level == kit.level
    assert "Ada Lovelace" in as_user(manager).get(url("loops")).content.decode()


def test_it_says_at_the_field_when_a_ticked_interviewer_is_not_a_colleague(as_user, loop, manager):
    focus = KitCompetency.objects.filter(kit=loop.kit).first()
    data = {"stage": "screen", "starts_at": SOON, "focus": [focus.pk]}
    for ticked, message in (("x", "Choose interviewers among the colleagues found."), ("999999", "Choose interviewers among people who work here.")):
        response = as_user(manager).post(url("interview_new", loop.pk), {**data, "interviewer_ids": ticked})
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not Interview.objects.exists()
