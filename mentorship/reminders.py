"""Mentorship's reminders, found in the database by the one dispatcher (see people.reminders)."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from people.reminders import Due, rule

from . import selectors
from .models import ActionItem, Program, Relationship, Touchpoint


def _both_sides(relationship: Relationship):
    """(who is reminded, the other side): the mentee, then the mentor."""
    return ((relationship.mentee, relationship.mentor), (relationship.mentor, relationship.mentee))


def _their_time(moment: datetime.datetime, person) -> datetime.datetime:
    """`moment` on the clock of the person reading the reminder."""
    try:
        return moment.astimezone(zoneinfo.ZoneInfo(person.timezone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.localtime(moment)


@rule(
    "mentorship.touchpoint_soon",
    name="Touchpoint coming up",
    description="Both sides of a mentorship, a few days before a planned touchpoint, with its agenda.",
    days=2,
    days_label="days before the touchpoint",
)
def touchpoint_soon(days: int, now: datetime.datetime) -> Iterator[Due]:
    soon = Touchpoint.objects.filter(
        held=False,
        starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=days),
        relationship__status=Relationship.Status.ACTIVE,
    ).select_related("relationship__mentee", "relationship__mentor")
    for touchpoint in soon.iterator(chunk_size=1000):
        relationship = touchpoint.relationship
        for recipient, other in _both_sides(relationship):
            when = _their_time(touchpoint.starts_at, recipient)
            yield Due(
                recipient_id=recipient.pk,
                subject=f"mentorship.touchpoint:{touchpoint.pk}",
                # Moved to another day, it is worth another reminder.
                period=timezone.localtime(touchpoint.starts_at).date().isoformat(),
                title=f"Touchpoint with {other} on {when:%a %-d %b at %H:%M}",
                body=(f"Agenda:\n{touchpoint.agenda}" if touchpoint.agenda else "No agenda yet: add what you want to talk about."),
                url=reverse("mentorship:touchpoint", args=[touchpoint.pk]),
            )


@rule(
    "mentorship.period_missed",
    name="Period passed with no touchpoint",
    description="Both sides of an active mentorship whose last period passed without a touchpoint.",
    days=3,
    days_label="days into the new period before reminding",
)
def period_missed(days: int, now: datetime.datetime) -> Iterator[Due]:
    today = timezone.localtime(now).date()
    for program in Program.objects.filter(
        relationships__status=Relationship.Status.ACTIVE, starts_on__lte=today
    ).distinct():
        current = program.period_of(today)
        if today < current + datetime.timedelta(days=days) or current <= program.period_of(program.starts_on):
            continue
        previous = program.period_of(current - datetime.timedelta(days=1))
        met = Touchpoint.objects.filter(relationship=OuterRef("pk"), period=previous)
        missed = Relationship.objects.filter(
            program=program, status=Relationship.Status.ACTIVE, starts_on__lt=previous + datetime.timedelta(days=14)
        ).filter(~Exists(met)).select_related("mentee", "mentor")
        for relationship in missed.iterator(chunk_size=1000):
            for recipient, other in _both_sides(relationship):
                yield Due(
                    recipient_id=recipient.pk,
                    subject=f"mentorship.relationship:{relationship.pk}",
                    period=previous.isoformat(),
                    title=f"No touchpoint with {other} in {previous:%B}",
                    body="Plan this period's touchpoint: half an hour keeps a mentorship going.",
                    url=reverse("mentorship:relationship", args=[relationship.pk]),
                )


@rule(
    "mentorship.quiet",
    name="Mentorship gone quiet",
    description="Both sides of an active mentorship with no touchpoint held for a while.",
    days=42,
    days_label="days without a touchpoint",
)
def gone_quiet(days: int, now: datetime.datetime) -> Iterator[Due]:
    quiet = selectors.gone_quiet(now - datetime.timedelta(days=days)).select_related("mentee", "mentor")
    for relationship in quiet.iterator(chunk_size=1000):
        last = timezone.localtime(relationship.last_met).date() if relationship.last_met else relationship.starts_on
        for recipient, other in _both_sides(relationship):
            yield Due(
                recipient_id=recipient.pk,
                subject=f"mentorship.relationship:{relationship.pk}",
                # Once per quiet spell: the next touchpoint starts a new one.
                period=f"quiet-since-{last.isoformat()}",
                title=f"Your mentorship with {other} has gone quiet",
                body=f"Nothing since {last:%-d %B}. Plan a touchpoint, pause it, or end it with a word of why.",
                url=reverse("mentorship:relationship", args=[relationship.pk]),
            )


@rule(
    "mentorship.request_unanswered",
    name="Mentoring request unanswered",
    description="A mentor who has not answered a mentee's request.",
    days=5,
    days_label="days without an answer",
)
def request_unanswered(days: int, now: datetime.datetime) -> Iterator[Due]:
    waiting = Relationship.objects.filter(
        status=Relationship.Status.PROPOSED, created_at__lt=now - datetime.timedelta(days=days)
    ).select_related("mentee")
    for relationship in waiting.iterator(chunk_size=1000):
        yield Due(
            recipient_id=relationship.mentor_id,
            subject=f"mentorship.relationship:{relationship.pk}",
            period="unanswered",
            title=f"{relationship.mentee} is waiting for your answer",
            body="Accept, or decline with a reason: either way they can move on.",
            url=reverse("mentorship:relationship", args=[relationship.pk]),
        )


@rule(
    "mentorship.action_overdue",
    name="Mentorship action overdue",
    description="The owner of an action item from a touchpoint, once it is past its due date.",
    days=1,
    days_label="days past the due date",
)
def action_overdue(days: int, now: datetime.datetime) -> Iterator[Due]:
    today = timezone.localtime(now).date()
    overdue = ActionItem.objects.filter(
        done_at=None,
        due_on__lte=today - datetime.timedelta(days=days),
        relationship__status__in=(Relationship.Status.ACTIVE, Relationship.Status.PAUSED),
    ).select_related("touchpoint")
    for action in overdue.iterator(chunk_size=1000):
        yield Due(
            recipient_id=action.owner_id,
            subject=f"mentorship.action:{action.pk}",
            period=action.due_on.isoformat(),
            title=f"Overdue since {action.due_on:%-d %b}: {action.text[:80]}",
            body="Tick it off when it is done; it stays on every touchpoint until then.",
            url=reverse("mentorship:touchpoint", args=[action.touchpoint_id]),
        )
