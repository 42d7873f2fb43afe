"""Without JavaScript, a meeting's forms come back to the part they were sent from (the
agenda, the actions, the note), where a problem is said, not to the top of a long page."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.models import Meeting
from reviews.services.feedback import feedback_give
from reviews.services.oneonones import action_add, point_add, series_create
from tests.conftest import login


def test_each_form_is_sent_to_its_part_of_the_page(manager, engineer):
    series = series_create(
        actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2), minutes=30, title=""
    )
    meeting = Meeting.objects.get(series=series)
    point = point_add(meeting=meeting, actor=engineer, text="Conference talk")
    action = action_add(meeting=meeting, actor=engineer, text="Book the room", owner=engineer, due_on=None)
    client = login(engineer)
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert f'action="{reverse("reviews:point_add", args=[meeting.pk])}#agenda"' in page
    # Ticked off from the page; changed or removed from the line's own form, asked for.
    assert page.count(f'action="{reverse("reviews:point", args=[point.pk])}#agenda"') == 1
    assert f'href="?edit=point-{point.pk}#point-{point.pk}"' in page
    editing = client.get(meeting.get_absolute_url(), {"edit": f"point-{point.pk}"}).content.decode()
    assert editing.count(f'action="{reverse("reviews:point", args=[point.pk])}#agenda"') == 3
    assert f'action="{reverse("reviews:action_add", args=[meeting.pk])}#actions"' in page
    assert page.count(f'action="{reverse("reviews:action", args=[action.pk])}#actions"') == 1
    editing = client.get(meeting.get_absolute_url(), {"edit": f"action-{action.pk}"}).content.decode()
    assert editing.count(f'action="{reverse("reviews:action", args=[action.pk])}#actions"') == 3
    assert f'action="{reverse("reviews:note", args=[meeting.pk])}#note"' in page
    # htmx posts to the address itself.
    assert f'hx-post="{reverse("reviews:point_add", args=[meeting.pk])}"' in page


def test_a_reply_or_a_reaction_comes_back_to_its_part_of_the_feedback(engineer, peer):
    feedback = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Thanks.")
    page = login(engineer).get(reverse("reviews:feedback", args=[feedback.pk])).content.decode()
    assert f'action="{reverse("reviews:feedback_react", args=[feedback.pk])}#reaction"' in page
    assert f'action="{reverse("reviews:feedback_reply", args=[feedback.pk])}#replies"' in page


def test_each_change_or_remove_says_what_it_changes_to_screen_readers(manager, engineer):
    series = series_create(
        actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2), minutes=30, title=""
    )
    meeting = Meeting.objects.get(series=series)
    point_add(meeting=meeting, actor=engineer, text="Conference talk")
    action_add(meeting=meeting, actor=engineer, text="Book the room", owner=engineer, due_on=None)
    page = login(manager).get(meeting.get_absolute_url()).content.decode()
    assert 'Change or remove<span class="visually-hidden"> “Conference talk”</span>' in page
    assert 'Change or remove<span class="visually-hidden"> “Book the room”</span>' in page


def test_with_htmx_what_was_done_is_said_to_screen_readers(manager, engineer):
    series = series_create(
        actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2), minutes=30, title=""
    )
    meeting = Meeting.objects.get(series=series)
    htmx = {"HTTP_HX_REQUEST": "true"}
    added = login(engineer).post(reverse("reviews:point_add", args=[meeting.pk]), {"text": "Conference talk"}, **htmx)
    assert '<p class="visually-hidden" role="status">Added to the agenda.</p>' in added.content.decode()
    action = login(engineer).post(
        reverse("reviews:action_add", args=[meeting.pk]), {"text": "Book the room", "owner": engineer.pk}, **htmx
    )
    assert '<p class="visually-hidden" role="status">Action added.</p>' in action.content.decode()
    refused = login(engineer).post(reverse("reviews:point_add", args=[meeting.pk]), {"text": ""}, **htmx)
    assert refused.status_code == 422 and '<p class="visually-hidden" role="status">' not in refused.content.decode()


def test_a_lines_form_asked_for_with_htmx_comes_as_its_part(manager, engineer):
    series = series_create(actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2))
    meeting = Meeting.objects.get(series=series)
    point = point_add(meeting=meeting, actor=engineer, text="Conference talk")
    response = login(manager).get(meeting.get_absolute_url(), {"edit": f"point-{point.pk}"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert body.lstrip().startswith('<section id="agenda"')
    assert 'name="text"' in body and 'value="Conference talk"' in body and "<details open>" in body
    assert "HX-Request" in response["Vary"]
