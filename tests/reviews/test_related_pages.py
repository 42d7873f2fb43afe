"""Related pages lead to each other: a person's feedback to the 1:1s with them and to asking
colleagues about them; a 1:1 to feedback about the other person and to giving them some."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import Meeting
from reviews.services.oneonones import series_create
from tests.conftest import login


@pytest.fixture
def series(manager, engineer):
    first = timezone.now() + datetime.timedelta(days=2)
    return series_create(actor=manager, other=engineer, cadence="weekly", first_at=first, minutes=30, title="")


def test_a_reports_feedback_leads_to_asking_about_them_and_setting_up_1on1s(manager, engineer):
    page = login(manager).get(reverse("reviews:person_feedback", args=[engineer.pk])).content.decode()
    assert f'href="{reverse("reviews:request_new")}?about={engineer.pk}">Ask colleagues about Ada</a>' in page
    assert f'href="{reverse("reviews:series_new")}?with={engineer.pk}">Set up 1:1s with Ada</a>' in page


def test_it_leads_to_the_1on1s_there_are(series, manager, engineer):
    page = login(manager).get(reverse("reviews:person_feedback", args=[engineer.pk])).content.decode()
    assert f'href="{series.get_absolute_url()}">1:1s with Ada</a>' in page
    assert "Set up 1:1s" not in page


def test_the_skip_level_is_offered_neither_asking_nor_their_1on1s(series, skip_level, engineer):
    page = login(skip_level).get(reverse("reviews:person_feedback", args=[engineer.pk])).content.decode()
    assert "Ask colleagues about" not in page
    assert "1:1s with Ada" not in page and "Set up 1:1s" not in page
    assert series.get_absolute_url() not in page


def test_a_1on1_leads_the_manager_to_feedback_about_their_report(series, manager):
    meeting = Meeting.objects.get(series=series)
    about = reverse("reviews:person_feedback", args=[series.attendee_id])
    for url in (series.get_absolute_url(), meeting.get_absolute_url()):
        page = login(manager).get(url).content.decode()
        assert f'href="{about}"' in page and "Feedback about Ada" in page
        assert f'{reverse("reviews:give")}?to={series.attendee_id}' in page


def test_a_1on1_offers_the_report_to_give_their_manager_feedback_and_no_more(series, engineer, manager):
    meeting = Meeting.objects.get(series=series)
    for url in (series.get_absolute_url(), meeting.get_absolute_url()):
        page = login(engineer).get(url).content.decode()
        assert f'{reverse("reviews:give")}?to={manager.pk}">Give Marcus feedback</a>' in page
        assert "Feedback about Marcus" not in page
        assert reverse("reviews:person_feedback", args=[manager.pk]) not in page
