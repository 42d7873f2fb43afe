"""Reminders about feedback and its requests, registered with people.reminders.

Only colleagues asked are reminded, about asks still open, in requests about
someone who still works here. A request about someone whose answers are private
reaches the colleague asked, never its subject: nothing here is sent to a subject.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from people.reminders import Due, rule

from ..models import FeedbackAsk

# A request made this recently was news a moment ago: its own notice is reminder enough.
JUST_ASKED = datetime.timedelta(days=1)


def _open_asks():
    return FeedbackAsk.objects.filter(
        status=FeedbackAsk.Status.OPEN,
        respondent__is_active=True,
        request__subject__is_active=True,
    ).select_related("request__subject", "request__requester")


def _about(ask: FeedbackAsk) -> str:
    request = ask.request
    if request.requester_id == request.subject_id:
        return f"{request.subject.name}'s request for feedback"
    return f"{request.requester.name}'s request for feedback about {request.subject.name}"


@rule(
    "reviews.request_due_soon",
    name="Feedback request due soon",
    description="A colleague asked for feedback who has not answered or declined, a few days before it is due.",
    days=2,
    days_label="days before the due date",
)
def request_due_soon(days: int, now: datetime.datetime) -> Iterator[Due]:
    today = timezone.localtime(now).date()
    soon = _open_asks().filter(
        request__due_on__gte=today,
        request__due_on__lte=today + datetime.timedelta(days=days),
        request__created_at__lte=now - JUST_ASKED,
    )
    for ask in soon.iterator(chunk_size=1000):
        due_on = ask.request.due_on
        when = "today" if due_on == today else f"on {due_on:%A %-d %B}"
        yield Due(
            recipient_id=ask.respondent_id,
            subject=f"reviews.ask:{ask.pk}",
            # Once per due date.
            period=due_on.isoformat(),
            title=f"Due {when}: {_about(ask)}"[:200],
            body="Answer, or decline with a word of why: either way they can move on.",
            url=reverse("reviews:ask", args=[ask.pk]),
        )


@rule(
    "reviews.request_overdue",
    name="Feedback request overdue",
    description="A colleague asked for feedback who has not answered or declined, once after the due date has passed.",
    days=1,
    days_label="days past the due date",
)
def request_overdue(days: int, now: datetime.datetime) -> Iterator[Due]:
    today = timezone.localtime(now).date()
    overdue = _open_asks().filter(request__due_on__lte=today - datetime.timedelta(days=days))
    for ask in overdue.iterator(chunk_size=1000):
        due_on = ask.request.due_on
        yield Due(
            recipient_id=ask.respondent_id,
            subject=f"reviews.ask:{ask.pk}",
            # Once: an overdue ask is not reminded again and again.
            period="overdue",
            title=f"Overdue since {due_on:%-d %b}: {_about(ask)}"[:200],
            body="It is past its due date but still open: a short answer now beats none, or decline so they know.",
            url=reverse("reviews:ask", args=[ask.pk]),
        )
