"""The team feedback page sits among the feedback tabs, and its nudges say whom they are for."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import login


def test_it_shows_the_feedback_tabs_with_team_current(manager, engineer):
    page = login(manager).get(reverse("reviews:team")).content.decode()
    assert f'<a href="{reverse("reviews:timeline")}">Received</a>' in page
    assert f'href="{reverse("reviews:requests")}">Requests</a>' in page
    assert f'href="{reverse("reviews:team")}" aria-current="page">Team</a>' in page


def test_each_give_feedback_button_names_the_report(manager, engineer, peer):
    page = login(manager).get(reverse("reviews:team")).content.decode()
    assert 'Give feedback<span class="visually-hidden"> to Ada</span>' in page
    assert 'Give feedback<span class="visually-hidden"> to Sam</span>' in page
