"""1:1s: the rules of a series, its meetings, agenda, actions and private notes, and who reads them."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from ladders.models import Competency
from people.models import Notification
from reviews.models import ActionItem, AgendaChange, Meeting, PrivateNote, Series, TalkingPoint
from reviews.selectors import oneonones as selectors
from reviews.services import oneonones as services
from reviews.services.feedback import feedback_give
from tests.ladders.factories import document, place, publish, reports_to
from tests.people.factories import UserFactory

LONDON = zoneinfo.ZoneInfo("Europe/London")


def at(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """`days` from today at `hour`, on the London clock everyone here keeps."""
    day = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def start(organiser, attendee, *, first_at: datetime.datetime | None = None, cadence: str = "weekly", **extra) -> Series:
    return services.series_create(
        actor=organiser, other=attendee, cadence=cadence, first_at=first_at or at(2), **extra
    )


def started(meeting: Meeting, *, days_ago: float = 0, hours_ago: float = 1) -> Meeting:
    """Move a meeting (and its series' next date, if it was that one) into the past."""
    moment = timezone.now() - datetime.timedelta(days=days_ago, hours=hours_ago)
    Series.objects.filter(pk=meeting.series_id, next_at=meeting.starts_at).update(next_at=moment)
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=moment)
    meeting.refresh_from_db()
    return meeting


def first_meeting(series: Series) -> Meeting:
    return series.meetings.order_by("starts_at").first()


def problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2))


@pytest.fixture
def frontend(db):
    return publish(document(slug="frontend", levels=3, competencies=2))


@pytest.fixture
def weekly(manager, engineer) -> Series:
    return start(manager, engineer)


# --- Setting up -----------------------------------------------------------------------------


def test_it_sets_up_a_series_with_its_first_meeting_and_tells_the_other_person(manager, engineer):
    series = start(manager, engineer, first_at=at(3, 10), minutes=45, title=" Weekly ")

    assert (series.organiser, series.attendee, series.cadence, series.minutes, series.title) == (manager, engineer, "weekly", 45, "Weekly")
    assert series.next_at == at(3, 10)
    assert list(series.meetings.values_list("starts_at", flat=True)) == [at(3, 10)]
    told = Notification.objects.get(recipient=engineer, rule="reviews.series_started")
    assert told.title == f"{manager.name} set up 1:1s with you"
    assert told.url == series.get_absolute_url()


def test_it_refuses_a_series_with_yourself(engineer):
    with pytest.raises(ValidationError) as error:
        start(engineer, engineer)
    assert problems(error.value) == {"other": ["A 1:1 is with someone else: choose a colleague, not yourself."]}
    assert not Series.objects.exists()


def test_it_refuses_someone_who_has_left(engineer, peer):
    peer.is_active = False
    peer.save()
    with pytest.raises(ValidationError) as error:
        start(engineer, peer)
    assert problems(error.value)["other"] == [f"{peer.name} no longer works here."]


def test_one_running_series_per_pair_whichever_way_round(manager, engineer):
    first = start(manager, engineer)
    for organiser, attendee in ((manager, engineer), (engineer, manager)):
        with pytest.raises(ValidationError) as error:
            start(organiser, attendee)
        assert problems(error.value)["other"][0].startswith("You already have 1:1s with")
    assert Series.objects.count() == 1
    services.series_end(series=first, actor=engineer)
    again = start(engineer, manager)
    assert again.pk != first.pk


def test_the_database_keeps_one_running_series_per_pair_too(weekly, manager, engineer):
    with pytest.raises(IntegrityError), transaction.atomic():
        Series.objects.create(organiser=manager, attendee=engineer, next_at=at(5))


def test_it_says_every_problem_at_its_field_and_writes_nothing(manager, engineer):
    with pytest.raises(ValidationError) as error:
        services.series_create(
            actor=manager, other=engineer, cadence="daily", first_at=timezone.now() - datetime.timedelta(hours=1),
            minutes=5, title="x" * 200,
        )
    found = problems(error.value)
    assert found["cadence"] == ["Choose every week, every two weeks or every month."]
    assert found["first_at"] == ["Choose a time still to come for the first meeting."]
    assert found["minutes"] == ["A 1:1 lasts between 15 and 120 minutes."]
    assert found["title"][0].startswith("Keep the title under 120 characters")
    assert not Series.objects.exists() and not Meeting.objects.exists() and not Notification.objects.exists()


def test_nobody_else_changes_or_ends_a_series(weekly, peer, hr, skip_level):
    for stranger in (peer, hr, skip_level):
        with pytest.raises(PermissionDenied):
            services.series_update(series=weekly, actor=stranger, cadence="monthly", minutes=30)
        with pytest.raises(PermissionDenied):
            services.series_end(series=weekly, actor=stranger)
    weekly.refresh_from_db()
    assert weekly.cadence == "weekly" and weekly.ended_at is None


# --- Moving and rolling ------------------------------------------------------------------------


def test_moving_the_next_meeting_moves_only_that_one(manager, engineer):
    series = start(manager, engineer, first_at=at(1, 10))
    services.series_roll(series_id=series.pk, now=at(1, 10, 5))
    second = series.meetings.get(starts_at=at(8, 10))

    services.series_update(series=series, actor=engineer, cadence="weekly", minutes=30, next_at=at(9, 14))
    second.refresh_from_db()
    series.refresh_from_db()
    assert second.starts_at == at(9, 14) and series.next_at == at(9, 14)
    assert series.meetings.count() == 2
    # The one after it keeps the series' day and time: a week after the day it was planned for.
    third = services.series_roll(series_id=series.pk, now=at(9, 14, 5))
    assert third.starts_at == at(15, 10)


def test_a_meeting_moved_earlier_is_not_followed_by_one_on_its_old_day(manager, engineer):
    series = start(manager, engineer, first_at=at(1, 10))
    services.series_roll(series_id=series.pk, now=at(1, 10, 5))
    services.series_update(series=series, actor=manager, cadence="weekly", minutes=30, next_at=at(5, 10))
    assert services.series_roll(series_id=series.pk, now=at(5, 10, 5)).starts_at == at(15, 10)


def test_it_refuses_to_move_the_next_meeting_into_the_past_or_onto_another(weekly, engineer):
    meeting = first_meeting(weekly)
    with pytest.raises(ValidationError) as error:
        services.series_update(
            series=weekly, actor=engineer, cadence="weekly", minutes=30, next_at=timezone.now() - datetime.timedelta(days=1)
        )
    assert problems(error.value) == {"next_at": ["Choose a time still to come for the next meeting."]}
    Meeting.objects.create(series=weekly, starts_at=at(-7))
    Meeting.objects.create(series=weekly, starts_at=at(9))
    with pytest.raises(ValidationError) as error:
        services.series_update(series=weekly, actor=engineer, cadence="weekly", minutes=30, next_at=at(9))
    assert problems(error.value) == {"next_at": ["There is already a meeting of this series at that time."]}
    meeting.refresh_from_db()
    assert meeting.starts_at == at(2)


def test_settings_change_without_moving_anything(weekly, manager):
    services.series_update(series=weekly, actor=manager, cadence="biweekly", minutes=60, title="Growth", next_at=at(2))
    weekly.refresh_from_db()
    assert (weekly.cadence, weekly.minutes, weekly.title, weekly.next_at) == ("biweekly", 60, "Growth", at(2))
    assert weekly.meetings.count() == 1


def test_once_a_meeting_has_started_the_next_one_exists_once(manager, engineer):
    series = start(manager, engineer, first_at=at(1, 10))
    meeting = first_meeting(series)
    now = meeting.starts_at + datetime.timedelta(minutes=5)

    assert services.series_roll(series_id=series.pk, now=meeting.starts_at - datetime.timedelta(minutes=1)) is None
    following = services.series_roll(series_id=series.pk, now=now)
    assert following.starts_at == at(8, 10)
    assert services.series_roll(series_id=series.pk, now=now) is None  # twice: nothing more
    assert services.series_roll_due(now=now) == 0
    series.refresh_from_db()
    assert series.next_at == at(8, 10)
    assert list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True)) == [at(1, 10), at(8, 10)]


def test_a_monthly_series_keeps_its_day_and_slots_nobody_was_there_for_are_skipped(manager, engineer):
    series = start(manager, engineer, first_at=at(1, 9, 30), cadence="monthly")
    first = first_meeting(series)
    three_months_on = first.starts_at + datetime.timedelta(days=75)
    following = services.series_roll(series_id=series.pk, now=three_months_on)
    assert following.starts_at > three_months_on
    assert following.starts_at - three_months_on < datetime.timedelta(days=32)
    assert timezone.localtime(following.starts_at, LONDON).time() == datetime.time(9, 30)
    assert series.meetings.count() == 2  # the months in between are not invented


def test_an_ended_series_or_one_whose_other_person_left_is_not_rolled(manager, engineer, peer):
    ended, left = start(manager, engineer, first_at=at(1)), start(peer, manager, first_at=at(1))
    services.series_end(series=ended, actor=manager)
    peer.is_active = False
    peer.save()
    assert services.series_roll_due(now=at(1) + datetime.timedelta(hours=1)) == 0
    assert Meeting.objects.filter(series=left).count() == 1


def test_writing_to_a_meeting_that_has_started_plans_the_next(weekly, engineer):
    meeting = started(first_meeting(weekly))
    services.point_add(meeting=meeting, actor=engineer, text="How did the launch go?")
    weekly.refresh_from_db()
    assert weekly.meetings.count() == 2 and weekly.next_at > timezone.now()


def test_ending_drops_the_empty_meeting_to_come_and_keeps_what_was_said(weekly, manager, engineer):
    meeting = first_meeting(weekly)
    services.series_end(series=weekly, actor=engineer)
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    other = start(manager, engineer)
    kept = first_meeting(other)
    services.point_add(meeting=kept, actor=manager, text="Promotion timeline")
    ended = services.series_end(series=other, actor=manager)
    assert services.series_end(series=other, actor=manager).ended_at == ended.ended_at  # twice: the same
    assert Meeting.objects.filter(pk=kept.pk).exists()
    with pytest.raises(ValidationError) as error:
        services.point_add(meeting=kept, actor=engineer, text="One more")
    assert "ended on" in error.value.messages[0]


# --- Talking points --------------------------------------------------------------------------


@pytest.fixture
def placed(manager, engineer, backend, frontend):
    place(engineer, backend, "l2")
    place(manager, frontend, "l3")
    return engineer


def test_a_point_may_be_about_a_competency_of_either_persons_framework(placed, weekly, manager, backend, frontend):
    meeting = first_meeting(weekly)
    mine = Competency.objects.get(version=backend, slug="c0-0")
    theirs = Competency.objects.get(version=frontend, slug="c0-1")
    assert services.point_add(meeting=meeting, actor=manager, text="Code review", competency_id=mine.pk).competency == mine
    assert services.point_add(meeting=meeting, actor=placed, text="Hiring", competency_id=theirs.pk).competency == theirs


def test_it_refuses_a_competency_of_neither_framework(placed, weekly, manager):
    other = publish(document(slug="data", levels=2, competencies=1))
    stray = Competency.objects.get(version=other, slug="c0-0")
    with pytest.raises(ValidationError) as error:
        services.point_add(meeting=first_meeting(weekly), actor=manager, text="x", competency_id=stray.pk)
    assert problems(error.value) == {"competency": ["Choose a competency of either person's current framework."]}
    assert not TalkingPoint.objects.exists()


def test_it_says_what_is_wrong_with_a_point_at_its_field(weekly, engineer):
    for text, message in (("  ", "Write what you want to talk about."), ("x" * 501, "Keep a talking point under 500 characters (it has 501).")):
        with pytest.raises(ValidationError) as error:
            services.point_add(meeting=first_meeting(weekly), actor=engineer, text=text)
        assert problems(error.value) == {"text": [message]}


def test_shared_feedback_both_read_can_be_linked(placed, weekly, manager, peer):
    shared = feedback_give(giver=peer, subject=placed, kind="praise", visibility="shared", body="Great incident review.")
    point = services.point_add(meeting=first_meeting(weekly), actor=placed, text="This praise", feedback_id=shared.pk)
    assert point.feedback == shared


def test_private_feedback_about_the_report_is_never_linkable_in_their_1on1(placed, weekly, manager, peer):
    private = feedback_give(giver=peer, subject=placed, kind="growth", visibility="private", body="PRIVATE-ABOUT-ADA")
    assert private not in selectors.feedback_choices(weekly)
    for actor in (manager, placed):
        with pytest.raises(ValidationError) as error:
            services.point_add(meeting=first_meeting(weekly), actor=actor, text="About that", feedback_id=private.pk)
        assert problems(error.value) == {"feedback": ["Choose feedback both of you can read."]}
    # The same words as for feedback that does not exist: nothing is given away.
    with pytest.raises(ValidationError) as error:
        services.point_add(meeting=first_meeting(weekly), actor=manager, text="About that", feedback_id=private.pk + 999)
    assert problems(error.value) == {"feedback": ["Choose feedback both of you can read."]}


def test_a_linked_feedback_is_shown_only_to_whoever_may_read_it_now(placed, weekly, manager, peer, skip_level):
    shared = feedback_give(giver=peer, subject=placed, kind="praise", visibility="shared", body="Calm on call.")
    services.point_add(meeting=first_meeting(weekly), actor=placed, text="This praise", feedback_id=shared.pk)
    points = selectors.points_of(first_meeting(weekly))
    assert selectors.readable_feedback(manager, points) == {shared.pk}
    reports_to(placed, skip_level)  # the manager no longer manages them
    manager.refresh_from_db()
    assert selectors.readable_feedback(manager, points) == set()
    assert selectors.readable_feedback(placed, points) == {shared.pk}


def test_either_side_edits_ticks_and_removes_points(weekly, manager, engineer):
    meeting = first_meeting(weekly)
    point = services.point_add(meeting=meeting, actor=manager, text="Roadmap")
    assert services.point_add(meeting=meeting, actor=manager, text="Roadmap").pk == point.pk  # a double click
    services.point_edit(point=point, actor=engineer, text="Roadmap for Q3")
    services.point_discussed(point=point, actor=engineer, discussed=True)
    point.refresh_from_db()
    assert (point.text, point.discussed) == ("Roadmap for Q3", True)
    services.point_remove(point=point, actor=manager)
    services.point_remove(point=point, actor=manager)  # twice: nothing more
    assert not TalkingPoint.objects.exists()
    assert not AgendaChange.objects.exists()  # all before the meeting started


# --- The record: changes after the start, and the lock a week later --------------------------------


def test_changes_are_recorded_only_once_the_meeting_has_started(weekly, manager, engineer):
    meeting = first_meeting(weekly)
    before_start = services.point_add(meeting=meeting, actor=manager, text="Before")
    action = services.action_add(meeting=meeting, actor=manager, text="Write the RFC", owner=engineer)
    assert not AgendaChange.objects.exists()

    meeting = started(meeting)
    services.point_add(meeting=meeting, actor=engineer, text="During")
    services.point_edit(point=before_start, actor=engineer, text="Before, reworded")
    services.point_discussed(point=before_start, actor=manager, discussed=True)
    services.action_done(action=action, actor=engineer, done=True)
    services.point_remove(point=before_start, actor=manager)

    changes = list(AgendaChange.objects.filter(meeting=meeting).order_by("pk").values_list("actor", "what", "before", "after"))
    assert changes == [
        (engineer.pk, "point_added", "", "During"),
        (engineer.pk, "point_changed", "Before", "Before, reworded"),
        (manager.pk, "point_changed", "Before, reworded", "Before, reworded · discussed"),
        (engineer.pk, "action_changed", f"Write the RFC · {engineer.name}", f"Write the RFC · {engineer.name} · done"),
        (manager.pk, "point_removed", "Before, reworded · discussed", ""),
    ]


def test_a_week_after_it_started_the_agenda_and_actions_are_the_record(weekly, manager, engineer):
    meeting = first_meeting(weekly)
    point = services.point_add(meeting=meeting, actor=manager, text="Before")
    action = services.action_add(meeting=meeting, actor=manager, text="Write the RFC", owner=engineer)
    meeting = started(meeting, days_ago=7, hours_ago=0.1)
    locked = f"Locked on {timezone.localtime(meeting.locks_at):%-d %B %Y}: the agenda and actions are the record."

    attempts = [
        lambda: services.point_add(meeting=meeting, actor=engineer, text="Late"),
        lambda: services.point_edit(point=point, actor=engineer, text="Changed"),
        lambda: services.point_discussed(point=point, actor=engineer, discussed=True),
        lambda: services.point_remove(point=point, actor=engineer),
        lambda: services.action_add(meeting=meeting, actor=engineer, text="Late", owner=engineer),
        lambda: services.action_edit(action=action, actor=engineer, text="Changed", owner=engineer),
        lambda: services.action_remove(action=action, actor=engineer),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as error:
            attempt()
        assert error.value.messages == [locked]
    point.refresh_from_db()
    action.refresh_from_db()
    assert (point.text, point.discussed, action.text) == ("Before", False, "Write the RFC")
    assert not AgendaChange.objects.exists()
    # A private note stays its author's to change; an action carried over can still be done.
    assert services.note_save(meeting=meeting, author=engineer, body="Still mine").body == "Still mine"
    assert services.action_done(action=action, actor=engineer, done=True).done_at is not None


def test_the_lock_is_a_week_from_the_start_not_sooner(weekly, engineer):
    meeting = started(first_meeting(weekly), days_ago=6, hours_ago=23)
    assert services.point_add(meeting=meeting, actor=engineer, text="Just in time").pk


# --- Private notes -----------------------------------------------------------------------------


def test_a_private_note_is_its_authors_alone(weekly, manager, engineer, hr, skip_level):
    meeting = first_meeting(weekly)
    services.note_save(meeting=meeting, author=manager, body="MANAGER-ONLY")
    services.note_save(meeting=meeting, author=manager, body="MANAGER-ONLY, revised")
    services.note_save(meeting=meeting, author=engineer, body="ENGINEER-ONLY")

    assert PrivateNote.objects.filter(meeting=meeting, author=manager).count() == 1
    assert selectors.note_of(meeting, manager).body == "MANAGER-ONLY, revised"
    assert selectors.note_of(meeting, engineer).body == "ENGINEER-ONLY"
    for stranger in (hr, skip_level):
        assert selectors.note_of(meeting, stranger) is None
        with pytest.raises(PermissionDenied):
            services.note_save(meeting=meeting, author=stranger, body="x")


def test_a_note_too_long_is_refused_at_its_field(weekly, engineer):
    with pytest.raises(ValidationError) as error:
        services.note_save(meeting=first_meeting(weekly), author=engineer, body="x" * 10001)
    assert list(problems(error.value)) == ["body"]
    assert not PrivateNote.objects.exists()


# --- Actions ------------------------------------------------------------------------------------


def test_an_action_belongs_to_one_of_the_two_and_is_due_today_or_later(weekly, manager, peer):
    with pytest.raises(ValidationError) as error:
        services.action_add(
            meeting=first_meeting(weekly), actor=manager, text="", owner=peer,
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    found = problems(error.value)
    assert found["text"] == ["Say what will be done."]
    assert found["owner"] == [f"An action belongs to {manager.name} or {weekly.attendee.name}."]
    assert found["due_on"] == ["Choose today or a day to come."]
    assert not ActionItem.objects.exists()


def test_open_actions_carry_over_to_later_meetings_until_done(weekly, manager, engineer):
    first = first_meeting(weekly)
    open_one = services.action_add(meeting=first, actor=manager, text="Draft the RFC", owner=engineer, due_on=timezone.localdate())
    done_one = services.action_add(meeting=first, actor=manager, text="Book the room", owner=manager)
    services.action_done(action=done_one, actor=manager, done=True)
    first = started(first)
    services.series_roll(series_id=weekly.pk)
    second = weekly.meetings.order_by("starts_at").last()
    here = services.action_add(meeting=second, actor=engineer, text="Share the slides", owner=engineer)

    carried, own = selectors.actions_at(second)
    assert (carried, own) == ([open_one], [here])
    assert selectors.open_actions(weekly) == [open_one, here]
    services.action_done(action=open_one, actor=engineer, done=True)
    assert selectors.actions_at(second) == ([], [here])
    services.action_done(action=open_one, actor=engineer, done=False)  # undone: it carries over again
    assert selectors.actions_at(second)[0] == [open_one]


def test_either_side_edits_and_removes_an_action(weekly, manager, engineer):
    action = services.action_add(meeting=first_meeting(weekly), actor=manager, text="Draft", owner=engineer)
    services.action_edit(action=action, actor=engineer, text="Draft the RFC", owner=manager, due_on=timezone.localdate())
    action.refresh_from_db()
    assert (action.text, action.owner, action.due_on) == ("Draft the RFC", manager, timezone.localdate())
    services.action_remove(action=action, actor=engineer)
    assert not ActionItem.objects.exists()


# --- Who reads a series -----------------------------------------------------------------------------


def test_only_the_two_people_read_a_series_and_its_meetings(weekly, manager, engineer, peer, skip_level, hr, outsider):
    meeting = first_meeting(weekly)
    point = services.point_add(meeting=meeting, actor=engineer, text="x")
    action = services.action_add(meeting=meeting, actor=engineer, text="y", owner=engineer)
    for person in (manager, engineer):
        assert selectors.series_get_for_user(person, weekly.pk) == weekly
        assert selectors.meeting_get_for_user(person, meeting.pk) == meeting
    for stranger in (peer, skip_level, hr, outsider):
        assert not selectors.series_visible_to(stranger).exists()
        for read, pk in (
            (selectors.series_get_for_user, weekly.pk),
            (selectors.meeting_get_for_user, meeting.pk),
            (selectors.point_get_for_user, point.pk),
            (selectors.action_get_for_user, action.pk),
        ):
            with pytest.raises(Http404):
                read(stranger, pk)


def test_a_series_stays_the_two_peoples_after_the_line_changes(weekly, manager, engineer, skip_level):
    reports_to(engineer, skip_level)
    assert selectors.series_get_for_user(manager, weekly.pk) == weekly
    assert selectors.series_get_for_user(engineer, weekly.pk) == weekly
    with pytest.raises(Http404):
        selectors.series_get_for_user(skip_level, weekly.pk)


def test_when_the_other_person_leaves_the_series_is_kept_read_only(weekly, manager, engineer):
    meeting = first_meeting(weekly)
    point = services.point_add(meeting=meeting, actor=manager, text="Handover")
    engineer.is_active = False
    engineer.save()

    assert selectors.series_get_for_user(manager, weekly.pk) == weekly
    mine = selectors.oneonones_of(manager)
    assert mine.running == [] and mine.closed == [weekly]
    with pytest.raises(ValidationError) as error:
        services.point_edit(point=point, actor=manager, text="Changed")
    assert error.value.messages == [f"{engineer.name} no longer works here: these 1:1s are kept as they were."]
    assert services.note_save(meeting=meeting, author=manager, body="For me").body == "For me"
    # Someone else can be met instead of them.
    assert start(manager, UserFactory()).pk
