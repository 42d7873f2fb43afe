"""A person's page offers feedback and 1:1s with them, and their feedback to those who may follow it."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.services.oneonones import series_create
from tests.conftest import page_queries
from tests.people.factories import UserFactory


def test_it_offers_a_colleague_feedback_and_1on1s(as_user, engineer, peer):
    page = as_user(peer).get(reverse("people:person", args=[engineer.pk])).content.decode()
    assert f'{reverse("reviews:give")}?to={engineer.pk}' in page
    assert f'{reverse("reviews:series_new")}?with={engineer.pk}' in page
    # A teammate does not follow her feedback.
    assert reverse("reviews:person_feedback", args=[engineer.pk]) not in page


def test_it_leads_the_manager_chain_and_hr_to_their_feedback(as_user, engineer, manager, skip_level, hr):
    for reader in (manager, skip_level, hr):
        page = as_user(reader).get(reverse("people:person", args=[engineer.pk])).content.decode()
        assert reverse("reviews:person_feedback", args=[engineer.pk]) in page, reader


def test_it_leads_to_the_1on1s_under_way(as_user, engineer, manager, peer):
    series = series_create(actor=engineer, other=manager, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=1))
    page = as_user(manager).get(reverse("people:person", args=[engineer.pk])).content.decode()
    assert series.get_absolute_url() in page and "Set up 1:1s" not in page
    # Someone else's 1:1s are not theirs to see.
    assert series.get_absolute_url() not in as_user(peer).get(reverse("people:person", args=[engineer.pk])).content.decode()


def test_it_shows_nothing_on_ones_own_page(as_user, engineer):
    assert "Feedback and 1:1s" not in as_user(engineer).get(reverse("people:person", args=[engineer.pk])).content.decode()


def test_it_costs_the_same_queries_with_more_series(as_user, engineer, manager):
    client = as_user(manager)
    url = reverse("people:person", args=[engineer.pk])
    before = page_queries(client, url)
    for n in range(10):
        other = UserFactory(email=f"p{n}@example.com", manager=manager)
        series_create(actor=manager, other=other, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=1))
    series_create(actor=engineer, other=manager, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=1))
    assert page_queries(client, url) == before
