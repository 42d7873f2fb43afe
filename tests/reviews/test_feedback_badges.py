"""Growth looks the same on every page, and "private to the manager chain" never looks like growth."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.services.feedback import feedback_give
from reviews.services.requests import feedback_request_answer, feedback_request_create
from tests.conftest import login

PRIVATE = '<span class="badge badge--private">Private to the manager chain</span>'
GROWTH = '<span class="badge badge--raised">Growth</span>'


def test_private_and_growth_are_told_apart_on_every_page(manager, engineer, peer):
    feedback = feedback_give(giver=peer, subject=engineer, kind="growth", visibility="private", body="Slipped twice.")
    request = feedback_request_create(
        requester=manager, subject=engineer, respondent_ids=[peer.pk], visibility="private",
        due_on=timezone.localdate() + datetime.timedelta(days=7), question="Ready to lead?",
    )
    feedback_request_answer(ask=request.asks.get(), respondent=peer, kind="growth", body="Not yet.")
    client = login(manager)
    for url in (
        reverse("reviews:person_feedback", args=[engineer.pk]),
        reverse("reviews:feedback", args=[feedback.pk]),
        reverse("reviews:requests"),
        reverse("reviews:request", args=[request.pk]),
    ):
        page = client.get(url).content.decode()
        assert PRIVATE in page, url
        assert "badge--draft" not in page and "badge badge--new\">Growth" not in page, url
    assert GROWTH in client.get(reverse("reviews:request", args=[request.pk])).content.decode()
    assert GROWTH in login(peer).get(reverse("reviews:ask", args=[request.asks.get().pk])).content.decode()
