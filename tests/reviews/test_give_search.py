"""Giving feedback without JavaScript: a name typed instead of an address brings the
colleagues it matches onto the page as choices; with JavaScript, Enter in the search box
never sends the feedback."""

from __future__ import annotations

from django.urls import reverse

from reviews.models import Feedback
from tests.conftest import login


def test_it_offers_the_colleagues_a_typed_name_matches(engineer, peer, outsider):
    response = login(engineer).post(
        reverse("reviews:give"),
        {"person": "sam", "choose": "1", "kind": "praise", "body": "Half written", "visibility": "shared"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert f'<input type="radio" name="to" value="{peer.pk}"> Sam Rivera' in page
    assert "Nora Quinn" not in page
    assert "Choose them among the colleagues found below" in page
    assert "Half written</textarea>" in page
    assert not Feedback.objects.exists()


def test_it_then_takes_the_colleague_chosen_among_them(engineer, peer):
    response = login(engineer).post(
        reverse("reviews:give"),
        {"person": "sam", "to": peer.pk, "kind": "praise", "body": "Thank you.", "visibility": "shared"},
    )
    assert response.status_code == 302
    assert Feedback.objects.get().subject == peer


def test_it_never_offers_yourself_and_says_when_nobody_matches(engineer):
    page = login(engineer).post(reverse("reviews:give"), {"person": "ada okafor", "choose": "1"}).content.decode()
    assert "Nobody working here matches “ada okafor”." in page
    assert "Nobody found by that name" in page
    assert 'name="to" value=' not in page


def test_enter_in_the_search_box_does_not_send_the_feedback(engineer):
    page = login(engineer).get(reverse("reviews:give")).content.decode()
    assert "if (event.key === 'Enter') event.preventDefault()" in page
