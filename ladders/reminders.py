"""Ladders' reminder rules, dispatched with every other app's (see people.reminders)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse

from people.models import User
from people.reminders import Due, rule

from .models import Assessment, FrameworkVersion, Placement


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


@rule(
    "ladders.version_published",
    name="New version of your framework",
    description="Everyone whose level is on a framework, when a new version of it is published, with its change notes.",
    days=7,
    days_label="days after publishing that people are still told",
)
def version_published(days: int, now: datetime.datetime) -> Iterator[Due]:
    recent = (
        FrameworkVersion.objects.filter(
            status=FrameworkVersion.Status.PUBLISHED, published_at__gte=now - datetime.timedelta(days=days), number__gt=1
        )
        .select_related("framework")
        .order_by("published_at")
    )
    today = now.date()
    # Each person's framework is that of the placement in force today.
    framework_of = Subquery(
        Placement.objects.filter(person=OuterRef("pk"), effective_date__lte=today)
        .order_by("-effective_date", "-pk")
        .values("level__version__framework")[:1]
    )
    for version in recent:
        people = (
            User.objects.filter(is_active=True, placements__level__version__framework=version.framework_id)
            .annotate(framework=framework_of)
            .filter(framework=version.framework_id)
            .values_list("pk", flat=True)
            .distinct()
        )
        notes = version.change_notes.strip() or version.summary.strip() or "See what changed on the ladder."
        url = reverse("ladders:diff", args=[version.framework.slug])
        for person in people.iterator(chunk_size=2000):
            yield Due(
                recipient_id=person,
                subject=f"ladders.version:{version.pk}",
                period="published",
                title=f"{version.framework.name} version {version.number} is published",
                body=notes[:2000],
                url=url,
            )
