"""Asking for feedback without JavaScript: "Find" looks colleagues up by name and keeps
everything typed so far; with JavaScript, Enter in the search box never sends the request."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.models import FeedbackRequest
from tests.conftest import login


def due() -> str:
    return (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def test_it_finds_colleagues_by_name_without_sending(engineer, peer, outsider):
    response = login(engineer).post(
        reverse("reviews:request_new"),
        {"find": "1", "q": "sam", "question": "How did my demo go?", "due_on": due(), "visibility": "shared"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="respondents" value="{peer.pk}"' in page
    assert "Nora Quinn" not in page
    assert "How did my demo go?" in page
    assert 'value="sam"' in page
    assert "errorlist" not in page
    assert not FeedbackRequest.objects.exists()


def test_it_keeps_who_was_ticked_and_leaves_them_out_of_the_next_search(engineer, peer, outsider):
    response = login(engineer).post(
        reverse("reviews:request_new"), {"find": "1", "q": "o", "respondents": [peer.pk], "due_on": due()}
    )
    page = response.content.decode()
    assert f'name="respondents" value="{peer.pk}" checked' in page
    assert "Type at least 2 letters" in page
    response = login(engineer).post(
        reverse("reviews:request_new"), {"find": "1", "q": "example.com", "respondents": [peer.pk], "due_on": due()}
    )
    page = response.content.decode()
    assert page.count(f'value="{peer.pk}"') == 1
    assert f'name="respondents" value="{outsider.pk}"' in page
    # Nobody asks for feedback about themselves from themselves.
    assert f'value="{engineer.pk}"' not in page


def test_it_sends_with_those_ticked_among_the_people_found(engineer, peer):
    response = login(engineer).post(
        reverse("reviews:request_new"),
        {"q": "sam", "respondents": [peer.pk], "question": "How did my demo go?", "due_on": due(), "visibility": "shared"},
    )
    created = FeedbackRequest.objects.get()
    assert response.status_code == 302
    assert list(created.asks.values_list("respondent", flat=True)) == [peer.pk]


def test_it_offers_find_only_without_javascript_and_stops_enter_sending(engineer):
    page = login(engineer).get(reverse("reviews:request_new")).content.decode()
    assert '<noscript><button type="submit" name="find"' in page
    assert "if (event.key === 'Enter') event.preventDefault()" in page
