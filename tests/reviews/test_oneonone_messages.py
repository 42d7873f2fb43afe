"""1:1 forms say what is wrong in the site's own words, at the field, and write nothing."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ActionItem, Meeting, PrivateNote, Series, TalkingPoint
from reviews.services.oneonones import series_create
from tests.conftest import login


@pytest.fixture
def meeting(manager, engineer) -> Meeting:
    first = timezone.now() + datetime.timedelta(days=2)
    series = series_create(actor=manager, other=engineer, cadence="weekly", first_at=first, minutes=30, title="")
    return Meeting.objects.get(series=series)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "Write what you want to talk about."),
        ({"text": "x" * 501}, "text", "Keep a talking point under 500 characters (it has 501)."),
    ],
)
def test_a_talking_point_says_what_is_wrong(meeting, engineer, data, field, message):
    page = login(engineer).post(reverse("reviews:point_add", args=[meeting.pk]), data)
    assert page.status_code == 400
    assert page.context["point_form"].errors[field] == [message]
    assert message.encode() in page.content
    assert not TalkingPoint.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"text": ""}, "text", "Say what will be done."),
        ({"text": "x" * 301}, "text", "Keep an action under 300 characters (it has 301)."),
        ({"text": "Do it", "due_on": "soon"}, "due_on", "Write a date as year-month-day, e.g. 2026-03-14."),
    ],
)
def test_an_action_says_what_is_wrong(meeting, engineer, data, field, message):
    page = login(engineer).post(reverse("reviews:action_add", args=[meeting.pk]), {"owner": engineer.pk, **data})
    assert page.status_code == 400
    assert page.context["action_form"].errors[field] == [message]
    assert not ActionItem.objects.exists()


def test_a_note_too_long_says_so(meeting, engineer):
    page = login(engineer).post(reverse("reviews:note", args=[meeting.pk]), {"body": "x" * 10001})
    assert page.status_code == 400
    assert page.context["note_form"].errors["body"] == ["Keep your note under 10000 characters (it has 10001)."]
    assert not PrivateNote.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_at": ""}, "first_at", "Choose the day and time of the first meeting."),
        ({"first_at": "soon"}, "first_at", "Write a day and a time, e.g. 2026-03-14 10:00."),
        ({"title": "x" * 121}, "title", "Keep the title under 120 characters (it has 121)."),
        ({"minutes": "7"}, "minutes", "Choose how long from the list."),
    ],
)
def test_a_new_series_says_what_is_wrong(manager, engineer, data, field, message):
    values = {"with_email": engineer.email, "first_at": "2999-01-01T10:00", "cadence": "weekly", "minutes": "30", **data}
    page = login(manager).post(reverse("reviews:series_new"), values)
    assert page.status_code == 400
    assert page.context["form"].errors[field] == [message]
    assert not Series.objects.exists()


def test_moving_the_next_meeting_to_nowhere_says_so(meeting, manager):
    page = login(manager).post(
        reverse("reviews:series_edit", args=[meeting.series_id]), {"next_at": "", "cadence": "weekly", "minutes": "30"}
    )
    assert page.status_code == 400
    assert page.context["settings_form"].errors["next_at"] == ["Choose the day and time of the next meeting."]
