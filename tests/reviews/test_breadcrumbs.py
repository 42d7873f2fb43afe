"""Every request page leads back through Feedback and Requests; a report's feedback back to the team view."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.services.requests import feedback_request_create
from tests.conftest import login

FEEDBACK = f'<a href="{reverse("reviews:timeline")}">Feedback</a> / <a href="{reverse("reviews:requests")}">Requests</a> / '


def test_request_pages_lead_back_through_feedback_and_requests(engineer, peer):
    request = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared",
        due_on=timezone.localdate() + datetime.timedelta(days=7), question="How did it go?",
    )
    ask = request.asks.get()
    assert FEEDBACK + "About you</div>" in login(engineer).get(reverse("reviews:request", args=[request.pk])).content.decode()
    assert FEEDBACK + "Asked of you</div>" in login(peer).get(reverse("reviews:ask", args=[ask.pk])).content.decode()
    assert FEEDBACK in login(peer).get(reverse("reviews:ask_decline", args=[ask.pk])).content.decode()


def test_a_reports_feedback_leads_back_to_the_team(manager, engineer, hr):
    team = f'<a href="{reverse("reviews:team")}">Team</a> / Ada Okafor</div>'
    assert team in login(manager).get(reverse("reviews:person_feedback", args=[engineer.pk])).content.decode()
    assert team not in login(hr).get(reverse("reviews:person_feedback", args=[engineer.pk])).content.decode()
