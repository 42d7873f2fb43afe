"""Feedback requests: asking named colleagues, answering once or declining."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ladders.models import Competency
from people.models import Notification
from people.services.notifications import notification_emails_send
from reviews.models import Feedback, FeedbackAsk, FeedbackRequest
from reviews.selectors.feedback import feedback_visible_to
from reviews.services.requests import (
    feedback_request_answer,
    feedback_request_create,
    feedback_request_decline,
)
from tests.ladders.factories import document, place, publish, reports_to
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


# --- Who may ask, and when a request still stands ------------------------------------


def test_answers_to_a_request_about_yourself_are_shared_with_you(placed, peer):
    with pytest.raises(ValidationError) as error:
        ask_for(placed, placed, [peer], visibility="private")
    assert list(error.value.message_dict) == ["visibility"]
    assert "only your manager can ask" in error.value.message_dict["visibility"][0]
    assert not FeedbackRequest.objects.exists() and not Notification.objects.exists()


def test_a_former_manager_asks_nothing_after_an_org_change(manager, placed, peer, outsider):
    reports_to(placed, outsider.manager)
    placed.refresh_from_db()
    with pytest.raises(PermissionDenied):
        ask_for(manager, placed, [peer], visibility="private")
    # The new manager may.
    ask_for(outsider.manager, placed, [peer], visibility="private")


def test_nobody_asks_about_someone_who_has_left(manager, placed, peer):
    placed.is_active = False
    placed.save()
    with pytest.raises(PermissionDenied):
        ask_for(manager, placed, [peer])


def test_a_request_about_someone_who_left_can_no_longer_be_answered_or_declined(placed, peer, outsider):
    request = ask_for(placed, placed, [peer, outsider])
    placed.is_active = False
    placed.save()
    first, second = request.asks.all()
    with pytest.raises(ValidationError) as error:
        feedback_request_answer(ask=first, respondent=peer, kind="praise", body="Too late.")
    assert error.value.message_dict["body"] == ["Ada Okafor no longer works here, so this request is closed."]
    with pytest.raises(ValidationError) as error:
        feedback_request_decline(ask=second, respondent=outsider)
    assert error.value.message_dict["reason"] == ["Ada Okafor no longer works here, so this request is closed."]
    assert set(FeedbackAsk.objects.values_list("status", flat=True)) == {"open"}
    assert not Feedback.objects.exists()


def test_a_long_decline_reason_is_refused_at_its_field(placed, peer):
    ask = ask_for(placed, placed, [peer]).asks.get()
    with pytest.raises(ValidationError) as error:
        feedback_request_decline(ask=ask, respondent=peer, reason="x" * 301)
    assert list(error.value.message_dict) == ["reason"]
    ask.refresh_from_db()
    assert ask.status == "open"


# --- Who is told, once ---------------------------------------------------------------


def told(person) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(recipient=person).values_list("rule", "subject"))


def test_each_colleague_asked_is_told_once(placed, peer, outsider, manager):
    request = ask_for(placed, placed, [peer, outsider])
    asks = {a.respondent_id: a for a in request.asks.all()}
    for person in (peer, outsider):
        assert told(person) == [("reviews.feedback_asked", f"reviews.ask:{asks[person.pk].pk}")]
    notice = Notification.objects.get(recipient=peer)
    assert notice.title == "Ada Okafor asks for your feedback"
    assert notice.url == f"/feedback/asks/{asks[peer.pk].pk}/"
    assert "checkout migration" in notice.body
    assert told(placed) == [] and told(manager) == []


def test_an_answer_tells_the_requester_and_the_subject_of_a_shared_request_once_each(manager, placed, peer):
    request = ask_for(manager, placed, [peer])
    ask = request.asks.get()
    Notification.objects.all().delete()

    feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="Calm under pressure.")
    with pytest.raises(ValidationError):
        feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="Twice.")

    assert Notification.objects.filter(recipient=manager).count() == 1
    assert Notification.objects.filter(recipient=placed).count() == 1
    assert Notification.objects.filter(recipient=peer).count() == 0
    assert Notification.objects.get(recipient=manager).url == f"/feedback/requests/{request.pk}/"


def test_a_self_request_answered_tells_its_requester_once(placed, peer):
    ask = ask_for(placed, placed, [peer]).asks.get()
    feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="Calm under pressure.")
    assert Notification.objects.filter(recipient=placed).count() == 1


def test_a_decline_tells_the_requester_with_the_reason(placed, peer):
    ask = ask_for(placed, placed, [peer]).asks.get()
    feedback_request_decline(ask=ask, respondent=peer, reason="Not on that project.")
    notice = Notification.objects.get(recipient=placed)
    assert (notice.rule, notice.subject) == ("reviews.request_declined", f"reviews.ask:{ask.pk}")
    assert notice.title == "Sam Rivera declined your request for feedback"
    assert "Not on that project." in notice.body


def test_the_subject_of_a_private_request_hears_nothing_of_it(manager, placed, peer, outsider, mailoutbox):
    request = ask_for(manager, placed, [peer, outsider], visibility="private")
    first, second = request.asks.all()
    feedback_request_answer(ask=first, respondent=peer, kind="growth", body="Share plans earlier.")
    feedback_request_decline(ask=second, respondent=outsider, reason="Never worked with Ada.")
    notification_emails_send()

    assert not Notification.objects.filter(recipient=placed).exists()
    assert placed.email not in {address for message in mailoutbox for address in message.to}
    # The manager who asked hears of both, once each; the colleagues of being asked.
    assert Notification.objects.filter(recipient=manager).count() == 2
    assert manager.email in {address for message in mailoutbox for address in message.to}


def test_a_former_manager_is_not_told_of_answers_to_what_they_asked(manager, placed, peer, outsider):
    request = ask_for(manager, placed, [peer], visibility="private")
    reports_to(placed, outsider.manager)
    Notification.objects.all().delete()
    feedback_request_answer(ask=request.asks.get(), respondent=peer, kind="growth", body="Share plans earlier.")
    assert not Notification.objects.filter(recipient__in=[manager, placed]).exists()
