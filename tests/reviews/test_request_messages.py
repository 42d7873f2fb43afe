"""Request forms say every problem at once, in the site's own words, and write nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Feedback, FeedbackAsk, FeedbackRequest
from reviews.services.requests import feedback_request_create
from tests.conftest import login


@pytest.fixture
def ask(engineer, peer) -> FeedbackAsk:
    request = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared",
        due_on=timezone.localdate() + datetime.timedelta(days=7), question="How did my demo go?",
    )
    return request.asks.get()


def test_an_empty_answer_names_both_what_is_missing(ask, peer):
    page = login(peer).post(reverse("reviews:ask", args=[ask.pk]), {"body": ""})
    assert page.status_code == 400
    errors = page.context["form"].errors
    assert errors["kind"] == ["Choose praise or growth."]
    assert errors["body"] == ["Write what they did and why it mattered."]
    assert not Feedback.objects.exists()


def test_a_reason_too_long_says_so(ask, peer):
    page = login(peer).post(reverse("reviews:ask_decline", args=[ask.pk]), {"reason": "x" * 301})
    assert page.status_code == 400
    assert page.context["form"].errors["reason"] == ["Keep the reason under 300 characters: it has 301."]
    ask.refresh_from_db()
    assert ask.status == "open"


def test_a_question_too_long_says_so(engineer, peer):
    data = {
        "respondents": [peer.pk], "question": "x" * 1001, "visibility": "shared",
        "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
    }
    page = login(engineer).post(reverse("reviews:request_new"), data)
    assert page.status_code == 400
    assert page.context["form"].errors["question"] == ["Keep the question under 1000 characters: it has 1001."]
    assert not FeedbackRequest.objects.exists()
