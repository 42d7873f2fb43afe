"""Feedback requests: asking named colleagues, answering once or declining."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ladders.models import Competency
from reviews.models import Feedback, FeedbackAsk, FeedbackRequest
from reviews.selectors.feedback import feedback_visible_to
from reviews.services.requests import (
    feedback_request_answer,
    feedback_request_create,
    feedback_request_decline,
)
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


def soon() -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=14)


def ask_for(requester, subject, respondents, **changes) -> FeedbackRequest:
    values = {
        "respondent_ids": [r.pk for r in respondents],
        "visibility": "shared",
        "due_on": soon(),
        "question": "How did the checkout migration go from where you sat?",
        **changes,
    }
    return feedback_request_create(requester=requester, subject=subject, **values)


def test_a_person_asks_colleagues_about_themselves(placed, peer, outsider, backend):
    tag = Competency.objects.get(version=backend, slug="c0-0")
    request = ask_for(placed, placed, [peer, outsider, peer], competency_ids=[tag.pk], project="Checkout")

    assert [a.respondent for a in request.asks.all()] == [peer, outsider]
    assert {a.status for a in request.asks.all()} == {FeedbackAsk.Status.OPEN}
    assert list(request.competencies.all()) == [tag]


def test_a_manager_asks_on_behalf_of_a_report(manager, placed, peer):
    request = ask_for(manager, placed, [peer], visibility="private")
    assert (request.requester, request.subject, request.visibility) == (manager, placed, "private")


def test_nobody_else_asks_on_someones_behalf(peer, placed, skip_level, outsider):
    for requester in (peer, skip_level):  # a skip-level asks through the manager
        with pytest.raises(PermissionDenied):
            ask_for(requester, placed, [outsider])
    assert not FeedbackRequest.objects.exists()


def test_it_says_every_problem_at_its_field_and_writes_nothing(placed, peer, backend):
    other = publish(document(slug="frontend", levels=2, competencies=1))
    leaver = UserFactory(is_active=False)
    with pytest.raises(ValidationError) as error:
        ask_for(
            placed, placed, [leaver],
            visibility="everyone",
            due_on=timezone.localdate() - datetime.timedelta(days=1),
            question="",
            competency_ids=[Competency.objects.get(version=other).pk],
        )
    assert set(error.value.message_dict) == {"respondents", "visibility", "due_on", "competencies"}
    with pytest.raises(ValidationError) as error:
        ask_for(placed, placed, [placed])
    assert error.value.message_dict["respondents"] == ["Ada is who the feedback is about: ask others."]
    with pytest.raises(ValidationError) as error:
        ask_for(placed, placed, [], question="")
    assert set(error.value.message_dict) == {"respondents", "question"}
    with pytest.raises(ValidationError) as error:
        ask_for(placed, placed, [peer], due_on=timezone.localdate() + datetime.timedelta(days=91))
    assert error.value.message_dict["due_on"] == ["Choose a due date within 90 days."]
    assert not FeedbackRequest.objects.exists() and not FeedbackAsk.objects.exists()


def test_an_answer_is_feedback_read_as_the_request_said(manager, placed, peer, backend):
    tag = Competency.objects.get(version=backend, slug="c0-1")
    request = ask_for(manager, placed, [peer], visibility="private", competency_ids=[tag.pk], project="Checkout")
    ask = request.asks.get()

    feedback = feedback_request_answer(ask=ask, respondent=peer, kind="growth", body="Could share plans earlier.")

    assert (feedback.giver, feedback.subject, feedback.visibility, feedback.project) == (peer, placed, "private", "Checkout")
    assert list(feedback.competencies.all()) == [tag]
    ask.refresh_from_db()
    assert (ask.status, ask.answer, ask.closed_at is not None) == ("answered", feedback, True)
    # Private: the manager reads it, the person it is about never does.
    assert feedback_visible_to(manager).filter(pk=feedback.pk).exists()
    assert not feedback_visible_to(placed).filter(pk=feedback.pk).exists()


def test_an_ask_is_answered_once(placed, peer):
    ask = ask_for(placed, placed, [peer]).asks.get()
    feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="Great migration.")
    with pytest.raises(ValidationError) as error:
        feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="And again.")
    assert error.value.message_dict["body"] == ["You have already answered this request."]
    assert Feedback.objects.count() == 1
    with pytest.raises(ValidationError):
        feedback_request_decline(ask=ask, respondent=peer)


def test_a_declined_ask_is_closed(placed, peer):
    ask = ask_for(placed, placed, [peer]).asks.get()
    declined = feedback_request_decline(ask=ask, respondent=peer, reason="  Did not work with Ada on it.  ")
    assert (declined.status, declined.decline_reason) == ("declined", "Did not work with Ada on it.")
    with pytest.raises(ValidationError) as error:
        feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="Changed my mind.")
    assert error.value.message_dict["body"] == ["You declined this request; it is closed."]
    assert not Feedback.objects.exists()


def test_only_the_colleague_asked_answers(placed, peer, manager):
    ask = ask_for(placed, placed, [peer]).asks.get()
    with pytest.raises(PermissionDenied):
        feedback_request_answer(ask=ask, respondent=manager, kind="praise", body="Not asked.")
    with pytest.raises(PermissionDenied):
        feedback_request_decline(ask=ask, respondent=manager)


def test_a_bad_answer_leaves_the_ask_open(placed, peer):
    ask = ask_for(placed, placed, [peer]).asks.get()
    with pytest.raises(ValidationError) as error:
        feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="   ")
    assert "body" in error.value.message_dict
    ask.refresh_from_db()
    assert ask.status == "open" and not Feedback.objects.exists()
