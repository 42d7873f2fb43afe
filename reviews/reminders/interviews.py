"""Reminders of interviews: scorecards overdue, and a hiring manager told when a loop's are all in.

Only loops not yet decided remind anyone. A candidate whose personal data has been
erased is never named: their loops still remind, as "Candidate <pk>". Nothing here
says what any scorecard says, or how many of the others are in, to an interviewer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, Max, Q
from django.urls import NoReverseMatch, reverse

from people.reminders import Due, rule

from ..models import Loop, Scorecard


def _url(name: str, pk: int, fallback: str) -> str:
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return fallback


def scorecard_url(pk: int) -> str:
    return _url("reviews:scorecard", pk, f"/interviews/scorecards/{pk}/")


def debrief_url(pk: int) -> str:
    return _url("reviews:debrief", pk, f"/interviews/loops/{pk}/debrief/")


@rule(
    "reviews.scorecard_overdue",
    name="Interview scorecard overdue",
    description=(
        "An interviewer whose scorecard is still a draft, once, some days after the interview started, "
        "while the loop is not decided."
    ),
    days=1,
    days_label="days after the interview started",
)
def scorecard_overdue(days: int, now: datetime.datetime) -> Iterator[Due]:
    overdue = (
        Scorecard.objects.filter(
            submitted_at=None,
            interviewer__is_active=True,
            interview__loop__decision="",
            interview__starts_at__lte=now - datetime.timedelta(days=days),
        )
        .select_related("interview__loop__candidate")
        .only(
            "pk",
            "interviewer_id",
            "interview__stage",
            "interview__starts_at",
            "interview__loop__candidate__name",
            "interview__loop__candidate__erased_at",
        )
        .order_by("pk")
    )
    for scorecard in overdue.iterator(chunk_size=1000):
        interview = scorecard.interview
        # str() of an erased candidate is "Candidate <pk>": never their name.
        candidate = str(interview.loop.candidate)
        yield Due(
            recipient_id=scorecard.interviewer_id,
            subject=f"reviews.scorecard:{scorecard.pk}",
            # Once: an overdue scorecard is not reminded again and again.
            period="overdue",
            title=f"Scorecard overdue: {interview.get_stage_display()} interview with {candidate}"[:200],
            body=(
                f"The interview was on {interview.starts_at:%-d %b}. Write your scorecard while you remember it: "
                "the debrief waits for it, and the others' scorecards open to you once yours is in."
            ),
            url=scorecard_url(scorecard.pk),
        )


@rule(
    "reviews.loop_scorecards_in",
    name="Interview loop: all scorecards in",
    description=(
        "The hiring manager of a loop not yet decided, once, when every scorecard of it has been submitted "
        "(the last one within the days set)."
    ),
    days=7,
    days_label="days since the last scorecard went in, at most",
)
def loop_scorecards_in(days: int, now: datetime.datetime) -> Iterator[Due]:
    complete = (
        Loop.objects.filter(decision="", hiring_manager__is_active=True)
        .annotate(
            scorecards_total=Count("interviews__scorecards"),
            scorecards_draft=Count("interviews__scorecards", filter=Q(interviews__scorecards__submitted_at=None)),
            last_in=Max("interviews__scorecards__submitted_at"),
        )
        .filter(scorecards_total__gt=0, scorecards_draft=0, last_in__gte=now - datetime.timedelta(days=days))
        .select_related("candidate")
        .only("pk", "hiring_manager_id", "candidate__name", "candidate__erased_at")
        .order_by("pk")
    )
    for loop in complete.iterator(chunk_size=1000):
        total = loop.scorecards_total
        scorecards = "The scorecard" if total == 1 else f"All {total} scorecards"
        verb = "is" if total == 1 else "are"
        yield Due(
            recipient_id=loop.hiring_manager_id,
            subject=f"reviews.loop:{loop.pk}",
            # Once per loop.
            period="scorecards_in",
            title=f"{scorecards} for {loop.candidate} {verb} in: open the debrief"[:200],
            body="Read who said what, per competency, and the level the evidence supports, then record the decision.",
            url=debrief_url(loop.pk),
        )
