"""What the last year already says about a packet's person, per expectation of its target
level, for its writers to pull into the evidence with one click.

Only what the person reads themselves is offered, so that nothing reaches the packet (and from
it the committee) that was kept from them: feedback shared with them, and the ratings and
comments of their self and manager reviews (and peer reviews, where the cycle shares them) in
cycles released within the year. Feedback counts under the competencies it was tagged with;
a review rating under its competency. Competencies are matched by slug, so that a tag on an
earlier version of the framework still finds its expectation.

Four queries, whatever the packet or the year held.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.formats import date_format

from ladders.models import Competency

from ..models import Evidence, Feedback, Packet, Review, ReviewRating

WINDOW_DAYS = 365


@dataclass(frozen=True)
class Source:
    key: str  # "feedback:<pk>" or "rating:<pk>": what Evidence.sources records
    when: datetime.date
    label: str
    rating: str
    text: str

    def quote(self) -> str:
        """The words added to the evidence, saying where they came from."""
        said = f"From {self.label}, {date_format(self.when, 'j F Y')}"
        if self.rating:
            said += f", rated {self.rating.lower()}"
        return f"{said}: “{self.text}”" if self.text else f"{said}."


def _since() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=WINDOW_DAYS)


def sources_for(packet: Packet) -> dict[int, list[Source]]:
    """By competency id of the packet's evidence: what the last year offers for it, newest first."""
    slugs: dict[str, list[int]] = defaultdict(list)
    for competency, slug in Evidence.objects.filter(packet=packet).values_list("competency_id", "competency__slug"):
        slugs[slug].append(competency)
    if not slugs:
        return {}
    found: dict[int, list[Source]] = defaultdict(list)
    since = _since()
    feedback = (
        Feedback.objects.filter(
            subject_id=packet.person_id, visibility=Feedback.Visibility.SHARED, created_at__gte=since,
            editable_until__lt=timezone.now(),  # settled: its giver can no longer change or take it back
        )
        .select_related("giver")
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.only("pk", "slug")))
        .order_by("-created_at", "-pk")
    )
    for row in feedback:
        source = Source(
            key=f"feedback:{row.pk}", when=timezone.localdate(row.created_at),
            label=f"{row.get_kind_display().lower()} feedback from {row.giver.name}"
            + (f" ({row.project})" if row.project else ""),
            rating="", text=row.body.strip(),
        )
        for slug in {c.slug for c in row.competencies.all()}:
            for competency in slugs.get(slug, []):
                found[competency].append(source)
    shown = Q(review__kind__in=[Review.Kind.SELF, Review.Kind.MANAGER]) | Q(
        review__kind=Review.Kind.PEER, review__participant__cycle__peer_reviews_shared=True
    )
    ratings = (
        ReviewRating.objects.filter(
            shown,
            review__participant__person_id=packet.person_id,
            review__submitted_at__isnull=False,
            review__participant__removed_at__isnull=True,  # their results are not theirs to read
            review__participant__cycle__released_at__gte=since,
            competency__slug__in=list(slugs),
        )
        .exclude(rating="", comment="")
        .select_related("review__author", "review__participant__cycle", "competency")
        .order_by("-review__participant__cycle__released_at", "review__kind", "pk")
    )
    for row in ratings:
        review = row.review
        whose = "their" if review.kind == Review.Kind.SELF else f"{review.author.name}'s"
        source = Source(
            key=f"rating:{row.pk}", when=timezone.localdate(review.participant.cycle.released_at),
            label=f"{whose} {review.get_kind_display().lower()} in {review.participant.cycle.name}",
            rating=row.get_rating_display() if row.rating else "", text=row.comment.strip(),
        )
        for competency in slugs.get(row.competency.slug, []):
            found[competency].append(source)
    return dict(found)


def source_find(packet: Packet, competency_id: int, key: str) -> Source | None:
    return next((source for source in sources_for(packet).get(competency_id, []) if source.key == key), None)
