"""Pages of 1:1s: who may open them, the wrong method, bad input (400 plain, 422 htmx), and
constant queries."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ladders.models import Competency
from reviews.models import ActionItem, AgendaChange, Meeting, PrivateNote, Series, TalkingPoint
from reviews.services import oneonones as services
from reviews.services.feedback import feedback_give
from tests.conftest import flashed, login, page_queries
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory
from tests.reviews.test_oneonones import first_meeting, start, started

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2))


@pytest.fixture
def weekly(manager, engineer, backend) -> Series:
    place(engineer, backend, "l2")
    series = start(manager, engineer, title="Weekly")
    meeting = first_meeting(series)
    services.point_add(meeting=meeting, actor=engineer, text="SHARED-POINT")
    services.action_add(meeting=meeting, actor=manager, text="SHARED-ACTION", owner=engineer)
    services.note_save(meeting=meeting, author=manager, body="MANAGER-PRIVATE-NOTE")
    services.note_save(meeting=meeting, author=engineer, body="ENGINEER-PRIVATE-NOTE")
    return series


def urls(series: Series) -> dict[str, tuple[str, str, dict]]:
    """Every 1:1 address, with a request that would succeed for one of the two people."""
    meeting = first_meeting(series)
    point = TalkingPoint.objects.filter(meeting=meeting).first()
    action = ActionItem.objects.filter(series=series).first()
    return {
        "series_list": ("get", reverse("reviews:series_list"), {}),
        "series_new": ("get", reverse("reviews:series_new"), {}),
        "series": ("get", reverse("reviews:series", args=[series.pk]), {}),
        "series_edit": ("post", reverse("reviews:series_edit", args=[series.pk]), {"cadence": "weekly", "minutes": "30"}),
        "series_end": ("post", reverse("reviews:series_end", args=[series.pk]), {}),
        "meeting": ("get", reverse("reviews:meeting", args=[meeting.pk]), {}),
        "point_add": ("post", reverse("reviews:point_add", args=[meeting.pk]), {"text": "x"}),
        "point": ("post", reverse("reviews:point", args=[point.pk]), {"do": "discussed", "discussed": "1"}),
        "action_add": ("post", reverse("reviews:action_add", args=[meeting.pk]), {"text": "x", "owner": series.organiser_id}),
        "action": ("post", reverse("reviews:action", args=[action.pk]), {"do": "done"}),
        "note": ("post", reverse("reviews:note", args=[meeting.pk]), {"body": "x"}),
    }


def test_every_address_of_1on1s_is_in_the_matrix(weekly):
    from reviews.urls import oneonones

    assert {pattern.name for pattern in oneonones.urlpatterns} == set(urls(weekly))
    assert all(url.startswith("/one-on-ones/") for _, url, _ in urls(weekly).values())


# --- Who may open what ----------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, weekly):
    for name, (method, url, data) in urls(weekly).items():
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, name
        assert response["Location"].startswith(reverse("account_login")), name


OWN = {"series_list", "series_new"}


@pytest.mark.parametrize("who", ["peer", "skip_level", "hr", "outsider"])
def test_nobody_else_opens_or_writes_to_a_1on1(weekly, who, request):
    client = login(request.getfixturevalue(who))
    for name, (method, url, data) in urls(weekly).items():
        response = getattr(client, method)(url, data)
        if name in OWN:
            assert response.status_code == 200, name
            assert b"SHARED-POINT" not in response.content and b"PRIVATE-NOTE" not in response.content
        else:
            assert response.status_code == 404, name
    assert TalkingPoint.objects.count() == 1 and ActionItem.objects.filter(done_at=None).count() == 1
    assert Series.objects.get().ended_at is None
    assert set(PrivateNote.objects.values_list("body", flat=True)) == {"MANAGER-PRIVATE-NOTE", "ENGINEER-PRIVATE-NOTE"}


def test_the_wrong_method_is_refused(weekly, manager):
    client = login(manager)
    for name, (method, url, _) in urls(weekly).items():
        wrong = client.get if method == "post" else client.put
        assert wrong(url).status_code == 405, name
    assert client.post(reverse("reviews:series", args=[weekly.pk])).status_code == 405
    assert client.post(reverse("reviews:series_list")).status_code == 405


@pytest.mark.parametrize("who", ["manager", "engineer"])
def test_each_side_reads_the_shared_agenda_and_only_their_own_note(weekly, who, request):
    client = login(request.getfixturevalue(who))
    mine, theirs = (b"MANAGER-PRIVATE-NOTE", b"ENGINEER-PRIVATE-NOTE") if who == "manager" else (b"ENGINEER-PRIVATE-NOTE", b"MANAGER-PRIVATE-NOTE")
    meeting = first_meeting(weekly)
    pages = [
        client.get(reverse("reviews:series_list")),
        client.get(reverse("reviews:series", args=[weekly.pk])),
        client.get(reverse("reviews:meeting", args=[meeting.pk])),
        # Every partial a write answers with.
        client.post(reverse("reviews:point_add", args=[meeting.pk]), {"text": ""}, **HTMX),
        client.post(reverse("reviews:action_add", args=[meeting.pk]), {"text": ""}, **HTMX),
        client.post(reverse("reviews:note", args=[meeting.pk]), {"body": mine.decode()}, **HTMX),
    ]
    for page in pages:
        assert theirs not in page.content
    meeting_page = pages[2]
    assert b"SHARED-POINT" in meeting_page.content and b"SHARED-ACTION" in meeting_page.content
    assert mine in meeting_page.content and b"Only you can read this" in meeting_page.content
    assert mine in pages[5].content


# --- My 1:1s --------------------------------------------------------------------------------------


def test_my_1on1s_list_whom_how_often_the_next_meeting_and_my_overdue_actions(weekly, engineer, manager, peer):
    action = ActionItem.objects.get()
    ActionItem.objects.filter(pk=action.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=2))
    ended = start(engineer, peer)
    services.series_end(series=ended, actor=peer)

    page = login(engineer).get(reverse("reviews:series_list"))
    assert page.status_code == 200
    text = page.content.decode()
    assert manager.name in text and "Every week" in text and "1 of yours overdue" in text
    assert "Ended" in text and peer.name in text
    assert text.index(manager.name) < text.index("Ended") < text.index(peer.name)
    # The next meeting's date leads straight to its agenda.
    upcoming = weekly.meetings.get(starts_at=weekly.next_at)
    assert reverse("reviews:meeting", args=[upcoming.pk]) in text
    # The manager's count is theirs: the overdue action is the engineer's.
    assert "of yours overdue" not in login(manager).get(reverse("reviews:series_list")).content.decode()


# --- A new series ----------------------------------------------------------------------------------


def new_series_data(**changes) -> dict:
    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    return {"first_at": f"{day}T10:00", "cadence": "biweekly", "minutes": "30", "title": "", **changes}


def test_it_sets_up_1on1s_with_someone_found_by_email_address(manager, engineer):
    response = login(manager).post(reverse("reviews:series_new"), new_series_data(with_email=engineer.email.upper()))
    series = Series.objects.get()
    assert response.status_code == 302 and response["Location"] == series.get_absolute_url()
    assert (series.organiser, series.attendee, series.cadence) == (manager, engineer, "biweekly")
    assert series.meetings.count() == 1


def test_it_sets_up_1on1s_with_someone_picked_in_the_search(manager, engineer):
    response = login(engineer).post(reverse("reviews:series_new"), new_series_data(**{"with": manager.pk}))
    assert response.status_code == 302
    assert Series.objects.get().attendee == manager


def test_the_form_comes_prefilled_with_the_person_named_in_the_address(manager, engineer):
    page = login(manager).get(reverse("reviews:series_new") + f"?with={engineer.pk}")
    assert page.status_code == 200
    assert f'name="with" value="{engineer.pk}" checked'.encode() in page.content
    assert engineer.name.encode() in page.content
    assert b'hx-get="/feedback/people/"' in page.content


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"with_email": "nobody@example.com"}, "with_email", "Nobody working here has that address."),
        ({"with_email": "manager@example.com"}, "with_email", "A 1:1 is with someone else: choose a colleague, not yourself."),
        ({}, "with_email", "Choose who the 1:1s are with: find them by name, or give their e-mail address."),
        ({"with_email": "engineer@example.com", "first_at": "2020-01-01T10:00"}, "first_at", "Choose a time still to come for the first meeting."),
        ({"with_email": "engineer@example.com", "cadence": "daily"}, "cadence", "Choose how often: every week, every two weeks or every month."),
    ],
)
def test_it_says_what_is_wrong_at_the_field_and_writes_nothing(manager, engineer, changes, field, message):
    page = login(manager).post(reverse("reviews:series_new"), new_series_data(**changes))
    assert page.status_code == 400
    form = page.context["form"]
    assert any(message in problem for problem in form.errors[field]), form.errors
    assert message.replace("'", "&#x27;").encode() in page.content or message.split(":")[0].encode() in page.content
    assert not Series.objects.exists() and not Meeting.objects.exists()


def test_a_second_series_with_the_same_person_is_refused_either_way_round(weekly, manager, engineer):
    page = login(engineer).post(reverse("reviews:series_new"), new_series_data(**{"with": manager.pk}))
    assert page.status_code == 400
    assert f"You already have 1:1s with {manager.name}".encode() in page.content
    assert Series.objects.count() == 1


# --- A series --------------------------------------------------------------------------------------


def test_the_series_page_shows_the_next_meeting_open_actions_and_history(weekly, engineer, manager):
    earlier = Meeting.objects.create(series=weekly, starts_at=timezone.now() - datetime.timedelta(days=14))
    ActionItem.objects.create(series=weekly, meeting=earlier, owner=manager, text="CARRIED-ACTION")
    page = login(engineer).get(reverse("reviews:series", args=[weekly.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Next meeting" in text and "SHARED-POINT" in text
    assert "SHARED-ACTION" in text and "CARRIED-ACTION" in text
    assert "Past meetings" in text and earlier.get_absolute_url() in text
    assert "When and how often" in text


def test_either_side_changes_the_settings_and_moves_the_next_meeting(weekly, engineer):
    day = timezone.localdate() + datetime.timedelta(days=4)
    response = login(engineer).post(
        reverse("reviews:series_edit", args=[weekly.pk]),
        {"next_at": f"{day.isoformat()}T15:30", "cadence": "monthly", "minutes": "45", "title": "Monthly"},
    )
    assert response.status_code == 302
    weekly.refresh_from_db()
    assert (weekly.cadence, weekly.minutes, weekly.title) == ("monthly", 45, "Monthly")
    assert timezone.localtime(first_meeting(weekly).starts_at).date() == day


def test_a_move_into_the_past_is_refused_at_the_field(weekly, engineer):
    before = weekly.next_at
    page = login(engineer).post(
        reverse("reviews:series_edit", args=[weekly.pk]),
        {"next_at": "2020-01-01T10:00", "cadence": "weekly", "minutes": "30"},
    )
    assert page.status_code == 400
    assert page.context["settings_form"].errors["next_at"] == ["Choose a time still to come for the next meeting."]
    weekly.refresh_from_db()
    assert weekly.next_at == before


def test_either_side_ends_the_series(weekly, engineer):
    response = login(engineer).post(reverse("reviews:series_end", args=[weekly.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("reviews:series_list")
    weekly.refresh_from_db()
    assert weekly.ended_at is not None
    page = login(engineer).get(reverse("reviews:series", args=[weekly.pk]))
    assert b"ended on" in page.content and b"When and how often" not in page.content


# --- A meeting: the agenda -----------------------------------------------------------------------------


def test_a_point_is_added_without_javascript(weekly, manager, backend):
    meeting = first_meeting(weekly)
    topic = Competency.objects.get(version=backend, slug="c0-1")
    response = login(manager).post(
        reverse("reviews:point_add", args=[meeting.pk]), {"text": "Growth plan", "competency": topic.pk}
    )
    assert response.status_code == 302 and response["Location"] == meeting.get_absolute_url()
    assert flashed(response) == ["Added to the agenda."]
    page = login(manager).get(meeting.get_absolute_url())
    assert b"Growth plan" in page.content and topic.name.encode() in page.content


def test_a_point_is_added_with_htmx_and_only_the_agenda_comes_back(weekly, engineer):
    meeting = first_meeting(weekly)
    response = login(engineer).post(reverse("reviews:point_add", args=[meeting.pk]), {"text": "Conference talk"}, **HTMX)
    assert response.status_code == 200
    assert b'id="agenda"' in response.content and b"Conference talk" in response.content
    assert b"<html" not in response.content and b'id="actions"' not in response.content


def test_a_bad_point_is_refused_at_its_field_422_with_htmx_400_without(weekly, engineer):
    url = reverse("reviews:point_add", args=[first_meeting(weekly).pk])
    client = login(engineer)
    swapped = client.post(url, {"text": "  "}, **HTMX)
    assert swapped.status_code == 422 and b"Write what you want to talk about." in swapped.content
    plain = client.post(url, {"text": "x" * 501})
    assert plain.status_code == 400
    assert plain.context["point_form"].errors["text"] == ["Keep a talking point under 500 characters (it has 501)."]
    assert TalkingPoint.objects.count() == 1


def test_a_competency_of_neither_framework_is_refused_at_its_field(weekly, engineer):
    stray = Competency.objects.get(version=publish(document(slug="data", levels=2, competencies=1)), slug="c0-0")
    page = login(engineer).post(reverse("reviews:point_add", args=[first_meeting(weekly).pk]), {"text": "x", "competency": stray.pk})
    assert page.status_code == 400
    assert page.context["point_form"].errors["competency"]
    assert TalkingPoint.objects.count() == 1


def test_points_are_edited_ticked_and_removed(weekly, manager):
    point = TalkingPoint.objects.get()
    client = login(manager)
    url = reverse("reviews:point", args=[point.pk])
    assert client.post(url, {"do": "edit", "text": "SHARED-POINT, reworded"}).status_code == 302
    assert client.post(url, {"do": "discussed", "discussed": "1"}, **HTMX).status_code == 200
    point.refresh_from_db()
    assert (point.text, point.discussed) == ("SHARED-POINT, reworded", True)
    refused = client.post(url, {"do": "edit", "text": ""}, **HTMX)
    assert refused.status_code == 422 and b"Write what you want to talk about." in refused.content
    assert client.post(url, {"do": "fly"}).status_code == 400
    assert client.post(url, {"do": "remove"}).status_code == 302
    assert not TalkingPoint.objects.exists()


def test_private_feedback_about_the_report_is_neither_offered_nor_shown(weekly, manager, engineer, peer):
    private = feedback_give(giver=peer, subject=engineer, kind="growth", visibility="private", body="PRIVATE-FEEDBACK")
    shared = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="SHARED-FEEDBACK")
    meeting = first_meeting(weekly)
    for person in (manager, engineer):
        page = login(person).get(meeting.get_absolute_url())
        choices = dict(page.context["point_form"].fields["feedback"].choices)
        assert shared.pk in choices and private.pk not in choices
    # Forced through by hand, it is refused and nothing is linked.
    page = login(manager).post(reverse("reviews:point_add", args=[meeting.pk]), {"text": "About it", "feedback": private.pk})
    assert page.status_code == 400
    assert not TalkingPoint.objects.filter(feedback=private).exists()
    # Shared feedback linked shows as a link to both.
    login(manager).post(reverse("reviews:point_add", args=[meeting.pk]), {"text": "Praise", "feedback": shared.pk})
    for person in (manager, engineer):
        page = login(person).get(meeting.get_absolute_url())
        assert f"praise from {peer.name}".encode() in page.content
        assert b"PRIVATE-FEEDBACK" not in page.content


# --- A meeting: actions and notes ------------------------------------------------------------------------


def test_actions_are_added_done_undone_edited_and_removed(weekly, manager, engineer):
    meeting = first_meeting(weekly)
    client = login(engineer)
    response = client.post(reverse("reviews:action_add", args=[meeting.pk]), {"text": "Book the offsite", "owner": manager.pk, "due_on": ""})
    assert response.status_code == 302
    action = ActionItem.objects.get(text="Book the offsite")
    url = reverse("reviews:action", args=[action.pk])
    assert client.post(url, {"do": "done"}, **HTMX).status_code == 200
    action.refresh_from_db()
    assert action.done_at is not None
    assert client.post(url, {"do": "undo", "next": reverse("reviews:series_list")})["Location"] == reverse("reviews:series_list")
    action.refresh_from_db()
    assert action.done_at is None
    due = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert client.post(url, {"do": "edit", "text": "Book it", "owner": engineer.pk, "due_on": due}).status_code == 302
    action.refresh_from_db()
    assert (action.text, action.owner, action.due_on.isoformat()) == ("Book it", engineer, due)
    assert client.post(url, {"do": "remove"}).status_code == 302
    assert not ActionItem.objects.filter(pk=action.pk).exists()


def test_a_bad_action_is_refused_at_its_field(weekly, engineer, outsider):
    url = reverse("reviews:action_add", args=[first_meeting(weekly).pk])
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    page = login(engineer).post(url, {"text": "Late", "owner": engineer.pk, "due_on": yesterday})
    assert page.status_code == 400
    assert page.context["action_form"].errors["due_on"] == ["Choose today or a day to come."]
    swapped = login(engineer).post(url, {"text": "Theirs", "owner": outsider.pk}, **HTMX)
    assert swapped.status_code == 422 and b"Choose one of the two of you." in swapped.content
    assert ActionItem.objects.count() == 1


def test_my_note_is_saved_and_stays_mine(weekly, engineer, manager):
    meeting = first_meeting(weekly)
    response = login(engineer).post(reverse("reviews:note", args=[meeting.pk]), {"body": "Ask about the budget"})
    assert response.status_code == 302
    assert PrivateNote.objects.get(meeting=meeting, author=engineer).body == "Ask about the budget"
    assert b"Ask about the budget" not in login(manager).get(meeting.get_absolute_url()).content
    swapped = login(engineer).post(reverse("reviews:note", args=[meeting.pk]), {"body": "x" * 10001}, **HTMX)
    assert swapped.status_code == 422
    assert PrivateNote.objects.get(meeting=meeting, author=engineer).body == "Ask about the budget"


# --- A meeting after it started, and once it is locked ----------------------------------------------


def test_changes_after_the_start_are_listed_on_the_page(weekly, engineer, manager):
    meeting = started(first_meeting(weekly))
    response = login(engineer).post(reverse("reviews:point_add", args=[meeting.pk]), {"text": "AFTER-THE-START"}, **HTMX)
    assert response.status_code == 200
    assert b'id="changes" class="card"' in response.content and b'hx-swap-oob="true"' in response.content
    page = login(manager).get(meeting.get_absolute_url())
    assert b"Changes since the meeting started" in page.content
    assert f"{engineer.name}</strong> added a talking point".encode() in page.content
    assert AgendaChange.objects.count() == 1


def test_a_locked_meeting_says_so_and_refuses_changes(weekly, engineer):
    meeting = started(first_meeting(weekly), days_ago=8)
    locked = f"Locked on {timezone.localtime(meeting.locks_at):%-d %B %Y}: the agenda and actions are the record."
    client = login(engineer)
    page = client.get(meeting.get_absolute_url())
    assert locked.encode() in page.content
    assert b"Add a talking point" not in page.content and b"Add an action" not in page.content
    assert b"Only you can read this" in page.content  # the note stays the author's to write
    point, action = TalkingPoint.objects.get(), ActionItem.objects.get()
    plain = client.post(reverse("reviews:point", args=[point.pk]), {"do": "remove"})
    assert plain.status_code == 400 and locked.encode() in plain.content
    swapped = client.post(reverse("reviews:action", args=[action.pk]), {"do": "remove"}, **HTMX)
    assert swapped.status_code == 422 and locked.encode() in swapped.content
    refused = client.post(reverse("reviews:point_add", args=[meeting.pk]), {"text": "Late"}, **HTMX)
    assert refused.status_code == 422 and locked.encode() in refused.content
    assert TalkingPoint.objects.count() == 1 and ActionItem.objects.count() == 1
    assert client.post(reverse("reviews:note", args=[meeting.pk]), {"body": "Later thoughts"}).status_code == 302


# --- Constant queries ----------------------------------------------------------------------------------


def _grow(manager, engineer, times: int) -> None:
    """`times` more series of each of the two, with meetings, points, actions, notes and changes."""
    for _ in range(times):
        for person in (manager, engineer):
            series = start(person, UserFactory(manager=manager))
            meeting = first_meeting(series)
            services.point_add(meeting=meeting, actor=person, text="point")
            services.action_add(meeting=meeting, actor=person, text="action", owner=person)
    series = Series.objects.get(organiser=manager, attendee=engineer)
    for n in range(times):
        past = Meeting.objects.create(series=series, starts_at=timezone.now() - datetime.timedelta(days=7 * (n + 2), hours=1))
        TalkingPoint.objects.create(meeting=past, author=engineer, text=f"old {n}")
        ActionItem.objects.create(series=series, meeting=past, owner=engineer, text=f"carried {n}")
    meeting = first_meeting_after_now(series)
    for n in range(times):
        services.point_add(meeting=meeting, actor=manager, text=f"more {n}")
        services.action_add(meeting=meeting, actor=engineer, text=f"more {n}", owner=engineer)
        AgendaChange.objects.create(meeting=meeting, actor=engineer, what="point_added", after=f"change {n}")


def first_meeting_after_now(series: Series) -> Meeting:
    return series.meetings.filter(starts_at__gt=timezone.now()).order_by("starts_at").first()


def test_pages_cost_the_same_queries_with_ten_times_the_data(weekly, manager, engineer, peer):
    feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="x")

    def measure() -> dict[str, int]:
        meeting = first_meeting_after_now(weekly)
        pages = {
            "my 1:1s": (engineer, reverse("reviews:series_list")),
            "series": (engineer, reverse("reviews:series", args=[weekly.pk])),
            "meeting": (engineer, reverse("reviews:meeting", args=[meeting.pk])),
            "manager's meeting": (manager, reverse("reviews:meeting", args=[meeting.pk])),
            "new": (manager, reverse("reviews:series_new")),
        }
        return {name: page_queries(login(user), url) for name, (user, url) in pages.items()}

    _grow(manager, engineer, 2)
    small = measure()
    _grow(manager, engineer, 18)
    large = measure()
    assert small == large
    assert max(large.values()) <= 20, large


def test_their_manager_does_not_open_a_1on1_between_two_reports(engineer, peer, manager, skip_level, hr):
    series = start(engineer, peer)
    meeting = first_meeting(series)
    services.point_add(meeting=meeting, actor=peer, text="BETWEEN-US")
    services.note_save(meeting=meeting, author=peer, body="PEER-NOTE")
    for person in (manager, skip_level, hr):
        client = login(person)
        assert client.get(series.get_absolute_url()).status_code == 404
        assert client.get(meeting.get_absolute_url()).status_code == 404
        assert b"BETWEEN-US" not in client.get(reverse("reviews:series_list")).content
    page = login(engineer).get(meeting.get_absolute_url())
    assert b"BETWEEN-US" in page.content and b"PEER-NOTE" not in page.content
