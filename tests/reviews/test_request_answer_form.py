"""Feedback given in answer to a request says so and leads to the request: the requester and
those who may read it to the request page, the colleague who answered to their own ask."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.services.feedback import feedback_give
from reviews.services.requests import feedback_request_answer, feedback_request_create
from tests.conftest import login


def make(requester, subject, respondent, visibility="shared"):
    request = feedback_request_create(
        requester=requester, subject=subject, respondent_ids=[respondent.pk], visibility=visibility,
        due_on=timezone.localdate() + datetime.timedelta(days=7), question="How did the on-call handover go?",
    )
    ask = request.asks.get()
    answer = feedback_request_answer(ask=ask, respondent=respondent, kind="praise", body="Calm and clear.")
    return request, ask, answer


def page(person, feedback) -> str:
    return login(person).get(reverse("reviews:feedback", args=[feedback.pk])).content.decode()


def test_the_requester_is_led_to_their_request(engineer, peer):
    request, _, answer = make(engineer, engineer, peer)
    html = page(engineer, answer)
    assert "In answer to your request for feedback:" in html
    assert f'<a href="{reverse("reviews:request", args=[request.pk])}">“How did the on-call handover go?”</a>' in html


def test_the_colleague_who_answered_is_led_to_their_ask(engineer, peer):
    _, ask, answer = make(engineer, engineer, peer)
    html = page(peer, answer)
    assert "In answer to Ada Okafor's request for feedback:" in html
    assert f'href="{reverse("reviews:ask", args=[ask.pk])}"' in html


def test_the_manager_reads_whose_request_it_was(engineer, peer, manager):
    request, _, answer = make(manager, engineer, peer, visibility="private")
    html = page(manager, answer)
    assert "In answer to your request for feedback about Ada:" in html
    assert f'href="{reverse("reviews:request", args=[request.pk])}"' in html
    # Private: the subject reads neither the answer nor the request.
    assert login(engineer).get(reverse("reviews:feedback", args=[answer.pk])).status_code == 404


@pytest.mark.parametrize("reader", ["engineer", "peer"])
def test_feedback_given_unasked_says_nothing_of_a_request(engineer, peer, reader, request):
    feedback = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Unasked.")
    assert "In answer to" not in page(request.getfixturevalue(reader), feedback)
