"""Ladders' reminder rules, dispatched with every other app's (see people.reminders)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import F, Q
from django.urls import reverse

from people.reminders import Due, rule

from .models import Assessment


@rule(
    "ladders.assessment_draft",
    name="Unfinished assessment draft",
    description="The author of a draft assessment left untouched, once each time it is left.",
    days=settings.ASSESSMENT_DRAFT_REMINDER_DAYS,
    days_label="days a draft is left untouched",
)
def stale_drafts(days: int, now: datetime.datetime) -> Iterator[Due]:
    stale = now - datetime.timedelta(days=days)
    # Only drafts their author may still finish: a manager whose report has
    # moved on is not nagged about an assessment they can no longer open.
    still_theirs = Q(kind=Assessment.Kind.SELF) | Q(subject__manager=F("author"), subject__is_active=True)
    drafts = (
        Assessment.objects.filter(
            still_theirs, status=Assessment.Status.DRAFT, updated_at__lte=stale, author__is_active=True
        )
        .select_related("subject")
        .only("pk", "kind", "author_id", "updated_at", "subject__name", "subject__email")
        .order_by("pk")
    )
    for draft in drafts.iterator(chunk_size=500):
        whom = "your self-assessment" if draft.kind == Assessment.Kind.SELF else f"your assessment of {draft.subject}"
        changed = draft.updated_at.astimezone(datetime.UTC)
        yield Due(
            recipient_id=draft.author_id,
            subject=f"ladders.assessment:{draft.pk}",
            # The day it was last changed: touched again and left again, a
            # draft earns a new reminder; left alone, it never earns a second.
            period=changed.date().isoformat(),
            title=f"Finish {whom}",
            body=f"The draft has not changed since {changed.day} {changed:%B}. Submit it when it says what you mean.",
            url=reverse("ladders:assessment", args=[draft.pk]),
        )
