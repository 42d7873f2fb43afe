"""Setting up 1:1s without JavaScript: "Find" looks colleagues up by name, keeping what was
typed; the one picked among them is who the 1:1s are with."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.models import Series
from tests.conftest import login


def test_it_finds_colleagues_by_name_and_keeps_what_was_typed(manager, engineer, peer):
    response = login(manager).post(
        reverse("reviews:series_new"),
        {"find": "1", "q": "sam", "first_at": "2999-01-04T10:00", "cadence": "biweekly", "minutes": "45"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'<input type="radio" name="with" value="{peer.pk}"> Sam Rivera' in page
    assert "Ada Okafor" not in page
    assert 'value="2999-01-04T10:00"' in page
    assert '<option value="biweekly" selected>' in page
    assert "errorlist" not in page
    assert not Series.objects.exists()


def test_the_one_picked_is_who_the_1on1s_are_with(manager, peer):
    first = (timezone.localtime() + datetime.timedelta(days=3)).strftime("%Y-%m-%dT10:00")
    response = login(manager).post(
        reverse("reviews:series_new"),
        {"q": "sam", "with": peer.pk, "first_at": first, "cadence": "weekly", "minutes": "30"},
    )
    assert response.status_code == 302
    assert Series.objects.get().other(manager) == peer


def test_the_search_is_offered_to_all_with_find_for_those_without_javascript(manager):
    page = login(manager).get(reverse("reviews:series_new")).content.decode()
    assert '<div id="with-search" class="field">' in page
    assert '<noscript><button type="submit" name="find"' in page
