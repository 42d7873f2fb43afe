"""What reviews adds to a person's path: beside each competency, the feedback on it this quarter.

Registered with ladders.path_notes (ladders knows nothing of reviews): the
app's ready() calls `register()`. Counts are of the feedback the viewer may
read now (reviews.selectors.feedback), so a person never counts what is
private about them, and a manager who no longer manages someone counts
nothing of theirs.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from ladders import path_notes
from ladders.path_notes import Column, Note
from ladders.selectors.frameworks import Rubric
from people.models import User

from .selectors.feedback import feedback_visible_to

KEY = "reviews.feedback"
HEADING = "Feedback"


def quarter_start(now: datetime.datetime | None = None) -> datetime.datetime:
    """The first moment of this calendar quarter, on the reader's clock."""
    today = timezone.localdate(now)
    first = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))


def address(name: str, fallback: str, *, args=(), query: dict | None = None) -> str:
    """A reviews page's address, with its query; `fallback` while the page is not there yet."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        url = fallback
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def feedback_counts_on_path(viewer: User, person: User, rubric: Rubric, since: datetime.datetime) -> dict[str, int]:
    """Pieces of feedback about `person` since `since` that `viewer` may read, per
    competency slug of `rubric`'s framework (any version: followed by slug). One query."""
    rows = (
        feedback_visible_to(viewer)
        .filter(subject=person, created_at__gte=since, competencies__version__framework_id=rubric.framework.pk)
        .values_list("competencies__slug")
        .annotate(pieces=Count("pk", distinct=True))
        .order_by()
    )
    return dict(rows)


def _pieces(count: int) -> str:
    return f"{count} piece{'' if count == 1 else 's'} of feedback"


def feedback_on_path(viewer: User, person: User, rubric: Rubric) -> Column:
    """Per competency: "3 pieces of feedback on System design this quarter", linked to
    the timeline filtered to it; none, for oneself, with a way to ask for some."""
    counts = feedback_counts_on_path(viewer, person, rubric, quarter_start())
    is_me = viewer.pk == person.pk
    notes = {}
    for competency in rubric.competencies:
        count = counts.get(competency.slug, 0)
        filtered = {"competency": competency.slug, "period": "quarter"}
        if count:
            if is_me:
                url = address("reviews:timeline", "/feedback/", query=filtered)
            else:
                url = address(
                    "reviews:person_feedback", f"/feedback/people/{person.pk}/", args=[person.pk], query=filtered
                )
            notes[competency.slug] = Note(f"{_pieces(count)} on {competency.name} this quarter", url=url)
        elif is_me:
            notes[competency.slug] = Note(
                f"No feedback on {competency.name} this quarter",
                action="ask for some",
                action_url=address(
                    "reviews:request_new", "/feedback/requests/new/", query={"competency": competency.slug}
                ),
                quiet=True,
            )
        else:
            notes[competency.slug] = Note(f"No feedback on {competency.name} this quarter", quiet=True)
    return Column(HEADING, notes)


def register() -> None:
    """Put the feedback beside each competency's gap on every path (from ReviewsConfig.ready())."""
    path_notes.register(KEY, feedback_on_path, order=10)


def unregister() -> None:
    path_notes.unregister(KEY)
