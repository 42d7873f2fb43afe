"""An interviewer's pages: my interviews, the scorecard form with the kit's guide, submitting,
amending with the earlier versions kept, and independence on every one of them."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from reviews.models import Candidate, Interview, Question, Scorecard, ScorecardRating, ScorecardRevision
from reviews.models.interviews import EVIDENCE_MAX_LENGTH
from reviews.selectors.interviews import scorecard_revisions_for
from reviews.services.interviews import loop_decide, scorecard_amend, scorecard_save, scorecard_submit
from tests.conftest import login, page_queries
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for


@pytest.fixture
def version(db):
    return publish(document())


@pytest.fixture
def kit(version):
    kit = kit_for(version, "l2")
    question = Question.objects.create(
        kit=kit,
        text="Tell me about a design you changed your mind on.",
        good_looks_like="Names the trade-off and what made them change.",
        follow_ups="What would you do differently now?",
        red_flags="Blames others for the first design.",
    )
    question.competencies.set(kit.focus.all()[:1])
    return kit


@pytest.fixture
def loop(kit, manager):
    return loop_for(kit, hiring_manager=manager)


@pytest.fixture
def interview(loop, engineer, peer):
    interview = interview_for(loop, engineer, peer)
    interview.questions.set(loop.kit.questions.all())
    return interview


def card(interview, person) -> Scorecard:
    return Scorecard.objects.get(interview=interview, interviewer=person)


def url(scorecard, name="reviews:scorecard") -> str:
    return reverse(name, args=[scorecard.pk])


def points(kit) -> dict:
    return {p.value: p for p in kit.scale.all()}


def answers(interview, *, value=3, evidence="Walked through a design.", recommendation="yes", takeaways="Solid.", **extra):
    kit = interview.loop.kit
    data = {"takeaways": takeaways, "recommendation": recommendation, **extra}
    for focus in interview.focus.all():
        data[f"point-{focus.pk}"] = str(points(kit)[value].pk) if value else ""
        data[f"evidence-{focus.pk}"] = evidence
    return data


def fill_and_submit(scorecard, *, value=3, evidence="Walked through a design.", recommendation="yes", takeaways="Solid."):
    kit = scorecard.interview.loop.kit
    ratings = {f.pk: (points(kit)[value].pk, evidence) for f in scorecard.interview.focus.all()}
    scorecard_save(
        actor=scorecard.interviewer, scorecard=scorecard, ratings=ratings, takeaways=takeaways, recommendation=recommendation
    )
    return scorecard_submit(actor=scorecard.interviewer, scorecard=scorecard)


def upcoming(loop, *people, days=2) -> Interview:
    interview = interview_for(loop, *people, stage="system_design")
    interview.starts_at = timezone.now() + datetime.timedelta(days=days)
    interview.save(update_fields=["starts_at"])
    return interview


# --- My interviews ------------------------------------------------------------------------------


def test_it_lists_scorecards_to_write_and_interviews_to_prepare(interview, loop, engineer):
    later = upcoming(loop, engineer)
    response = login(engineer).get(reverse("reviews:my_interviews"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Scorecards to write" in page and "To prepare" in page
    assert "Technical interview with Grace Hopper" in page
    assert "System design interview with Grace Hopper" in page
    assert "Overdue" in page  # the technical interview, two hours ago, lasted an hour
    assert url(card(interview, engineer)) in page
    assert url(card(later, engineer)) in page
    assert "Competency 0.0" in page  # a focus competency of the interview to prepare


def test_it_does_not_mark_an_interview_still_running_overdue(loop, engineer):
    interview = interview_for(loop, engineer)
    interview.starts_at = timezone.now() - datetime.timedelta(minutes=10)
    interview.save(update_fields=["starts_at"])
    page = login(engineer).get(reverse("reviews:my_interviews")).content.decode()
    assert "Technical interview with Grace Hopper" in page
    assert "Overdue" not in page


def test_it_leaves_submitted_scorecards_and_other_peoples_interviews_off_my_interviews(interview, engineer, peer, kit, outsider):
    fill_and_submit(card(interview, engineer))
    other_loop = loop_for(kit, hiring_manager=outsider, name="Linus Pauling", email="linus@example.com")
    interview_for(other_loop, peer)
    page = login(engineer).get(reverse("reviews:my_interviews")).content.decode()
    assert "Grace Hopper" not in page
    assert "Linus Pauling" not in page
    assert "No scorecard waiting for you." in page


def test_it_shows_an_erased_candidate_as_a_number(interview, loop, engineer):
    Candidate.objects.filter(pk=loop.candidate_id).update(name="", email="", phone="", erased_at=timezone.now())
    page = login(engineer).get(reverse("reviews:my_interviews")).content.decode()
    assert f"Candidate {loop.candidate_id}" in page
    assert "Grace Hopper" not in page
    page = login(engineer).get(url(card(interview, engineer))).content.decode()
    assert f"Candidate {loop.candidate_id}" in page
    assert "Grace Hopper" not in page


def test_it_asks_an_anonymous_visitor_to_sign_in(interview, engineer, client):
    for address in (reverse("reviews:my_interviews"), url(card(interview, engineer)), url(card(interview, engineer), "reviews:scorecard_amend")):
        response = client.get(address)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(url(card(interview, engineer)), answers(interview, save="1"))
    assert response.status_code == 302
    assert not ScorecardRating.objects.exists()


def test_it_refuses_other_methods(interview, engineer):
    client = login(engineer)
    assert client.post(reverse("reviews:my_interviews")).status_code == 405
    assert client.put(url(card(interview, engineer))).status_code == 405
    assert client.delete(url(card(interview, engineer), "reviews:scorecard_amend")).status_code == 405


def test_it_reads_my_interviews_in_the_same_queries_however_many(kit, manager, engineer):
    def make(n):
        for i in range(n):
            loop = loop_for(kit, hiring_manager=manager, name=f"Candidate name {i}", email=f"c{i}@example.com")
            interview_for(loop, engineer)
            upcoming(loop, engineer)

    make(1)
    client = login(engineer)
    small = page_queries(client, reverse("reviews:my_interviews"))
    make(10)
    assert page_queries(client, reverse("reviews:my_interviews")) == small


# --- The scorecard ------------------------------------------------------------------------------


def test_it_shows_the_kit_guide_anchors_and_expectations_on_the_form(interview, engineer, kit):
    response = login(engineer).get(url(card(interview, engineer)))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tell me about a design you changed your mind on." in page
    assert "Names the trade-off and what made them change." in page
    assert "What would you do differently now?" in page
    assert "Blames others for the first design." in page
    assert "<details" in page
    for point in kit.scale.all():
        assert escape(point.anchor) in page
        assert point.label in page
    for focus in interview.focus.select_related("competency"):
        assert f"<legend>{focus.competency.name}</legend>" in page
        assert f'name="point-{focus.pk}"' in page
        assert f'name="evidence-{focus.pk}"' in page
    assert "Second behaviour at l2" in page  # the level's expectation
    assert "Save draft" in page and "Submit" in page and "locks" in page
    for label in ("Strong no", "No decision", "Strong yes"):
        assert label in page


def test_it_saves_a_draft(interview, engineer):
    scorecard = card(interview, engineer)
    response = login(engineer).post(url(scorecard), answers(interview, value=4, save="1"))
    assert response.status_code == 302 and response["Location"] == url(scorecard)
    scorecard.refresh_from_db()
    assert scorecard.submitted_at is None
    assert scorecard.takeaways == "Solid."
    assert {r.point.value for r in scorecard.ratings.select_related("point")} == {4}
    page = login(engineer).get(url(scorecard)).content.decode()
    assert "Walked through a design." in page and "checked" in page


def test_it_offers_submitting_once_the_interview_has_started(interview, engineer):
    scorecard = card(interview, engineer)
    type(interview).objects.filter(pk=interview.pk).update(starts_at=timezone.now() + datetime.timedelta(hours=20))
    client = login(engineer)
    page = client.get(url(scorecard)).content.decode()
    assert "Save draft" in page and 'name="submit"' not in page and "You can submit once the interview has started" in page
    # Sent anyway: refused with the reason, and nothing written, not even the draft.
    response = client.post(url(scorecard), answers(interview, submit="1"))
    assert response.status_code == 400
    assert "once it has taken place" in response.content.decode()
    scorecard.refresh_from_db()
    assert scorecard.submitted_at is None and scorecard.takeaways == ""


def test_it_saves_a_draft_with_nothing_rated_yet(interview, engineer):
    scorecard = card(interview, engineer)
    response = login(engineer).post(url(scorecard), {"takeaways": "Notes so far", "recommendation": "", "save": "1"})
    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.takeaways == "Notes so far" and scorecard.submitted_at is None


def test_it_submits_and_then_reads_only(interview, engineer):
    scorecard = card(interview, engineer)
    client = login(engineer)
    response = client.post(url(scorecard), answers(interview, recommendation="strong_yes", submit="1"))
    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert scorecard.submitted_at is not None and scorecard.recommendation == "strong_yes"
    page = client.get(url(scorecard)).content.decode()
    assert "Submitted" in page and "Strong yes" in page
    assert "<textarea" not in page
    assert page.count(url(scorecard, "reviews:scorecard_amend")) == 1  # one way to amend


def test_it_changes_nothing_when_submitted_twice(interview, engineer):
    scorecard = card(interview, engineer)
    client = login(engineer)
    client.post(url(scorecard), answers(interview, submit="1"))
    scorecard.refresh_from_db()
    before = (scorecard.submitted_at, scorecard.updated_at, scorecard.takeaways, scorecard.recommendation)
    response = client.post(url(scorecard), answers(interview, value=1, recommendation="strong_no", takeaways="Other", submit="1"))
    assert response.status_code == 302
    scorecard.refresh_from_db()
    assert (scorecard.submitted_at, scorecard.updated_at, scorecard.takeaways, scorecard.recommendation) == before
    assert {r.point.value for r in scorecard.ratings.select_related("point")} == {3}
    assert not ScorecardRevision.objects.exists()


def test_it_refuses_an_incomplete_submission_at_the_field_and_writes_nothing(interview, engineer):
    scorecard = card(interview, engineer)
    focus = interview.focus.first()
    data = answers(interview, submit="1", takeaways="Half done")
    data[f"point-{focus.pk}"] = ""
    data[f"evidence-{focus.pk}"] = ""
    response = login(engineer).post(url(scorecard), data)
    assert response.status_code == 400
    assert f"Rate {focus.competency.name}, or say in the evidence why" in response.content.decode()
    scorecard.refresh_from_db()
    assert scorecard.submitted_at is None and scorecard.takeaways == ""
    assert not ScorecardRating.objects.exists()


@pytest.mark.parametrize("problem", ["unknown point", "another kit's point", "too long evidence", "unknown recommendation"])
def test_it_refuses_bad_input_at_the_field_and_writes_nothing(problem, interview, engineer, version):
    scorecard = card(interview, engineer)
    focus = interview.focus.first()
    data = answers(interview, save="1")
    if problem == "unknown point":
        data[f"point-{focus.pk}"] = "999999"
        expected = f"Choose a point of this kit&#x27;s scale for {focus.competency.name}."
    elif problem == "another kit's point":
        other = kit_for(version, "l3", name="Other kit")
        data[f"point-{focus.pk}"] = str(points(other)[3].pk)
        expected = f"Choose a point of this kit&#x27;s scale for {focus.competency.name}."
    elif problem == "too long evidence":
        data[f"evidence-{focus.pk}"] = "x" * (EVIDENCE_MAX_LENGTH + 1)
        expected = "Keep the evidence under"
    else:
        data["recommendation"] = "maybe"
        expected = "Choose one of the recommendations shown."
    response = login(engineer).post(url(scorecard), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert expected in page
    # The summary above the form leads to the field.
    anchor = "#recommendation" if problem == "unknown recommendation" else f"#focus-{focus.pk}"
    assert f'href="{anchor}"' in page
    assert not ScorecardRating.objects.exists()
    scorecard.refresh_from_db()
    assert scorecard.takeaways == "" and scorecard.submitted_at is None


@pytest.mark.parametrize("who", ["peer", "manager", "hr", "outsider"])
def test_it_is_not_found_for_anyone_but_its_interviewer(who, interview, engineer, request):
    scorecard = card(interview, engineer)
    fill_and_submit(scorecard)
    # Everyone in, debrief-ready: still, only its interviewer opens the form.
    fill_and_submit(card(interview, request.getfixturevalue("peer")))
    client = login(request.getfixturevalue(who))
    assert client.get(url(scorecard)).status_code == 404
    assert client.get(url(scorecard, "reviews:scorecard_amend")).status_code == 404
    assert client.post(url(scorecard), answers(interview, value=1, submit="1")).status_code == 404
    assert client.post(url(scorecard, "reviews:scorecard_amend"), answers(interview, value=1)).status_code == 404
    assert not ScorecardRevision.objects.exists()
    assert {r.point.value for r in card(interview, engineer).ratings.select_related("point")} == {3}


def test_it_does_not_let_a_decided_loop_be_written(interview, engineer, peer, manager, loop):
    scorecard = card(interview, engineer)
    fill_and_submit(card(interview, peer))
    loop_decide(actor=manager, loop=loop, decision="hire", reason="Strong panel.")
    client = login(engineer)
    response = client.post(url(scorecard), answers(interview, save="1"))
    assert response.status_code == 302
    assert not ScorecardRating.objects.filter(scorecard=scorecard).exists()
    page = client.get(url(scorecard)).content.decode()
    assert "<textarea" not in page


# --- Amending -----------------------------------------------------------------------------------


def test_it_keeps_what_a_scorecard_said_when_amended(interview, engineer, kit):
    scorecard = fill_and_submit(card(interview, engineer), evidence="First look.", recommendation="yes", takeaways="First take.")
    scorecard_amend(
        actor=engineer,
        scorecard=scorecard,
        ratings={f.pk: (points(kit)[4].pk, "Second look.") for f in interview.focus.all()},
        takeaways="Second take.",
        recommendation="strong_yes",
    )
    revision = ScorecardRevision.objects.get(scorecard=scorecard)
    assert revision.takeaways == "First take." and revision.recommendation == "yes"
    assert {(r["point"], r["evidence"]) for r in revision.ratings} == {(points(kit)[3].pk, "First look.")}
    assert {r["focus"] for r in revision.ratings} == set(interview.focus.values_list("pk", flat=True))
    scorecard.refresh_from_db()
    assert scorecard.takeaways == "Second take." and scorecard.recommendation == "strong_yes"


def test_it_keeps_no_revision_when_an_amendment_changes_nothing(interview, engineer, kit):
    scorecard = fill_and_submit(card(interview, engineer))
    same = {f.pk: (points(kit)[3].pk, "Walked through a design.") for f in interview.focus.all()}
    scorecard_amend(actor=engineer, scorecard=scorecard, ratings=same, takeaways="Solid.", recommendation="yes")
    assert not ScorecardRevision.objects.exists()


def test_it_amends_through_the_page_and_shows_the_earlier_version(interview, engineer):
    scorecard = fill_and_submit(card(interview, engineer), evidence="First look.", recommendation="yes")
    client = login(engineer)
    form = client.get(url(scorecard, "reviews:scorecard_amend"))
    assert form.status_code == 200 and "First look." in form.content.decode()
    response = client.post(url(scorecard, "reviews:scorecard_amend"), answers(interview, value=2, evidence="Second look.", recommendation="no"))
    assert response.status_code == 302 and response["Location"] == url(scorecard)
    page = client.get(url(scorecard)).content.decode()
    assert "Second look." in page and "Earlier versions" in page and "First look." in page
    assert ScorecardRevision.objects.filter(scorecard=scorecard).count() == 1


def test_it_refuses_a_bad_amendment_at_the_field_and_keeps_no_revision(interview, engineer):
    scorecard = fill_and_submit(card(interview, engineer))
    focus = interview.focus.first()
    data = answers(interview, value=2)
    data[f"evidence-{focus.pk}"] = "x" * (EVIDENCE_MAX_LENGTH + 1)
    response = login(engineer).post(url(scorecard, "reviews:scorecard_amend"), data)
    assert response.status_code == 400 and "Keep the evidence under" in response.content.decode()
    data = answers(interview, recommendation="")
    response = login(engineer).post(url(scorecard, "reviews:scorecard_amend"), data)
    assert response.status_code == 400 and "Choose a recommendation (or No decision)." in response.content.decode()
    assert not ScorecardRevision.objects.exists()
    assert {r.point.value for r in scorecard.ratings.select_related("point")} == {3}


def test_it_sends_a_draft_or_a_decided_loop_back_from_amending(interview, engineer, peer, manager, loop):
    client = login(engineer)
    draft = card(interview, engineer)
    assert client.get(url(draft, "reviews:scorecard_amend"))["Location"] == url(draft)
    fill_and_submit(draft)
    fill_and_submit(card(interview, peer))
    loop_decide(actor=manager, loop=loop, decision="no_hire", reason="Not this time.")
    response = client.post(url(draft, "reviews:scorecard_amend"), answers(interview, value=1, recommendation="no"))
    assert response.status_code == 302
    assert not ScorecardRevision.objects.exists()
    assert url(draft, "reviews:scorecard_amend") not in client.get(url(draft)).content.decode()


def test_it_shows_revisions_only_to_those_who_may_read_the_scorecard(interview, engineer, peer, manager, hr, outsider, kit):
    scorecard = fill_and_submit(card(interview, engineer))
    scorecard_amend(
        actor=engineer, scorecard=scorecard, recommendation="strong_yes", takeaways="Changed.",
        ratings={f.pk: (points(kit)[4].pk, "More.") for f in interview.focus.all()},
    )
    assert scorecard_revisions_for(engineer, scorecard).count() == 1
    # Before the peer's own is in, and before everything is in: nobody else.
    for person in (peer, manager, hr, outsider):
        assert not scorecard_revisions_for(person, scorecard).exists()
    fill_and_submit(card(interview, peer))
    for person in (peer, manager, hr):
        assert scorecard_revisions_for(person, scorecard).count() == 1
    assert not scorecard_revisions_for(outsider, scorecard).exists()


# --- Independence -------------------------------------------------------------------------------


def test_it_never_shows_another_scorecard_before_mine_is_in(interview, engineer, peer):
    fill_and_submit(card(interview, peer), evidence="PEER-EVIDENCE", takeaways="PEER-TAKEAWAYS", recommendation="strong_no")
    mine = card(interview, engineer)
    client = login(engineer)
    for address in (url(mine), reverse("reviews:my_interviews")):
        page = client.get(address).content.decode()
        assert "PEER-EVIDENCE" not in page and "PEER-TAKEAWAYS" not in page
        assert "Other scorecards" not in page and peer.name not in page
    # A refused submission neither shows them.
    page = client.post(url(mine), answers(interview, recommendation="", submit="1")).content.decode()
    assert "Other scorecards" not in page and peer.name not in page
    client.post(url(mine), answers(interview, recommendation="yes", submit="1"))
    page = client.get(url(mine)).content.decode()
    assert "Other scorecards" in page and peer.name in page and "Strong no" in page
    assert "PEER-EVIDENCE" not in page  # a summary only: their words stay on the debrief


def test_it_shows_no_other_draft_even_after_mine_is_in(interview, engineer, peer):
    scorecard_save(actor=peer, scorecard=card(interview, peer), ratings={}, takeaways="PEER-DRAFT", recommendation="no")
    mine = fill_and_submit(card(interview, engineer))
    page = login(engineer).get(url(mine)).content.decode()
    assert "PEER-DRAFT" not in page and "Other scorecards" not in page


def test_it_reads_a_scorecard_in_the_same_queries_however_many(loop, kit, engineer, peer):
    interview = interview_for(loop, engineer, peer)

    def grow(n, start):
        for i in range(n):
            question = Question.objects.create(kit=kit, text=f"Question {start + i}", good_looks_like="Good", position=start + i)
            question.competencies.set(kit.focus.all())
            interview.questions.add(question)
            colleague = UserFactory(email=f"panel{start + i}@example.com", name=f"Panel {start + i}")
            Scorecard.objects.create(interview=interview, interviewer=colleague)
            fill_and_submit(card(interview, colleague))
            mine = card(interview, engineer)
            scorecard_amend(
                actor=engineer, scorecard=mine, recommendation="yes" if (start + i) % 2 else "strong_yes",
                takeaways=f"Take {start + i}", ratings={},
            )

    fill_and_submit(card(interview, engineer))
    fill_and_submit(card(interview, peer))
    grow(1, 0)
    client = login(engineer)
    mine = card(interview, engineer)
    small = page_queries(client, url(mine))
    small_amend = page_queries(client, url(mine, "reviews:scorecard_amend"))
    grow(10, 1)
    assert ScorecardRevision.objects.filter(scorecard=mine).count() == 11
    page = client.get(url(mine)).content.decode()
    assert "Panel 10" in page and "Question 10" in page
    assert page_queries(client, url(mine)) == small
    assert page_queries(client, url(mine, "reviews:scorecard_amend")) == small_amend


def test_my_interviews_leads_each_role_to_its_hiring_pages(as_user, engineer, manager, hr):
    pages = {who: as_user(who).get(reverse("reviews:my_interviews")).content.decode() for who in (engineer, manager, hr)}
    kits, loops, calibration = reverse("reviews:kits"), reverse("reviews:loops"), reverse("reviews:calibration")
    assert kits in pages[engineer] and loops not in pages[engineer] and calibration not in pages[engineer]
    assert loops in pages[manager] and calibration not in pages[manager]
    assert loops in pages[hr] and calibration in pages[hr]
