"""Reminders of 1:1s, registered with people.reminders and found by its one dispatcher."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from people.reminders import Due, rule

from ..models import ActionItem, Meeting, TalkingPoint

# A reminder lists the agenda so far, up to this many points.
POINTS_LISTED = 10


def _their_time(moment: datetime.datetime, person) -> datetime.datetime:
    """`moment` on the clock of the person reading the reminder."""
    try:
        return moment.astimezone(zoneinfo.ZoneInfo(person.timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.localtime(moment)


def _when(starts_at: datetime.datetime, now: datetime.datetime, person) -> str:
    """"today at 10:00", "tomorrow at 10:00" or "on Wed 5 Nov at 10:00", on their clock."""
    local, today = _their_time(starts_at, person), _their_time(now, person).date()
    if local.date() == today:
        return f"today at {local:%H:%M}"
    if local.date() == today + datetime.timedelta(days=1):
        return f"tomorrow at {local:%H:%M}"
    return f"on {local:%a %-d %b} at {local:%H:%M}"


def _agenda(points: list[TalkingPoint]) -> str:
    if not points:
        return "Nothing on the agenda yet: add what you want to talk about."
    lines = [f"- {point.text}" for point in points[:POINTS_LISTED]]
    if len(points) > POINTS_LISTED:
        lines.append(f"… and {len(points) - POINTS_LISTED} more.")
    return "Agenda so far:\n" + "\n".join(lines)


def _running(prefix: str = "") -> dict:
    """A series under way, both of its people still working here."""
    return {
        f"{prefix}ended_at": None,
        f"{prefix}organiser__is_active": True,
        f"{prefix}attendee__is_active": True,
    }


@rule(
    "reviews.oneonone_soon",
    name="1:1 coming up",
    description="Both people of a 1:1, the day before it, with the agenda so far.",
    days=1,
    days_label="days before the 1:1",
)
def oneonone_soon(days: int, now: datetime.datetime) -> Iterator[Due]:
    soon = (
        Meeting.objects.filter(starts_at__gt=now, starts_at__lte=now + datetime.timedelta(days=days), **_running("series__"))
        .select_related("series__organiser", "series__attendee")
        .prefetch_related(Prefetch("points", queryset=TalkingPoint.objects.order_by("created_at", "pk")))
        .order_by("starts_at", "pk")
    )
    for meeting in soon.iterator(chunk_size=500):
        series = meeting.series
        body = _agenda(list(meeting.points.all()))
        for recipient, other in ((series.organiser, series.attendee), (series.attendee, series.organiser)):
            yield Due(
                recipient_id=recipient.pk,
                subject=f"reviews.meeting:{meeting.pk}",
                # Moved to another day, it is worth another reminder.
                period=timezone.localtime(meeting.starts_at).date().isoformat(),
                title=f"1:1 with {other.name[:120]} {_when(meeting.starts_at, now, recipient)}",
                body=body,
                url=reverse("reviews:meeting", args=[meeting.pk]),
            )


@rule(
    "reviews.action_overdue",
    name="1:1 action overdue",
    description="Whoever owns an action from a 1:1, once it is past its due date and not done.",
    days=1,
    days_label="days past the due date",
)
def action_overdue(days: int, now: datetime.datetime) -> Iterator[Due]:
    today = timezone.localtime(now).date()
    overdue = (
        ActionItem.objects.filter(done_at=None, due_on__lte=today - datetime.timedelta(days=days), **_running("series__"))
        .select_related("series__organiser", "series__attendee")
        .order_by("due_on", "pk")
    )
    for action in overdue.iterator(chunk_size=1000):
        series = action.series
        other = series.attendee if action.owner_id == series.organiser_id else series.organiser
        yield Due(
            recipient_id=action.owner_id,
            # Given a new date and missed again, it is worth another reminder.
            subject=f"reviews.action:{action.pk}",
            period=action.due_on.isoformat(),
            # On one line: a title is an e-mail's subject, which a line break would stop.
            title=f"Overdue since {action.due_on:%-d %b}: {' '.join(action.text.split())[:100]}",
            body=f"From your 1:1s with {other.name[:120]}. Tick it off when it is done; it stays on every meeting until then.",
            url=reverse("reviews:meeting", args=[action.meeting_id]),
        )
