"""Reading feedback: always through what the reader may see now.

Shared feedback is read by its subject, by everyone above them in the
reporting line today, by HR admins and by whoever gave it. Private feedback
is read by everyone above the subject today and by whoever gave it; never by
its subject, and not by HR admins for being HR admins. A manager who no
longer manages the person reads nothing of theirs, whoever wrote it when.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from ladders.models import Competency
from ladders.selectors.careers import career_of
from people.models import User
from people.selectors import reporting_chain

from ..models import Feedback, FeedbackReply


def feedback_visible_to(viewer: User) -> QuerySet[Feedback]:
    rule = Q(giver=viewer) | Q(subject=viewer, visibility=Feedback.Visibility.SHARED)
    if viewer.reporting_path:
        rule |= Q(subject__reporting_path__below=viewer.reporting_path, subject__is_active=True)
    if viewer.sees_everyone:
        # HR reads what is shared, but what is private to the manager chain stays there;
        # and nobody, HR included, reads what is private about themselves.
        rule |= Q(visibility=Feedback.Visibility.SHARED)
    return Feedback.objects.filter(rule)


def feedback_get_for_user(viewer: User, pk: int) -> Feedback:
    feedback = (
        feedback_visible_to(viewer).select_related("giver", "subject").prefetch_related("competencies").filter(pk=pk).first()
    )
    if feedback is None:
        raise Http404("No such feedback.")
    return feedback


def competencies_for(subject: User) -> dict[int, Competency]:
    """The competencies feedback about `subject` may be tagged with: those of the current
    version of the framework they stand on today, by id (none without a level)."""
    standing = career_of(subject).standing
    if standing is None:
        return {}
    return {competency.pk: competency for competency in standing.rubric.competencies}


# --- One piece of feedback, on its page ---------------------------------------------------


def feedback_page_get_for_user(viewer: User, pk: int) -> Feedback:
    """Feedback with everything its page shows: tags, replies and earlier versions, read
    by whoever may read the feedback itself."""
    feedback = (
        feedback_visible_to(viewer)
        .select_related("giver", "subject")
        .prefetch_related(
            Prefetch("competencies", queryset=Competency.objects.order_by("area__position", "position", "pk")),
            Prefetch("replies", queryset=FeedbackReply.objects.select_related("author")),
            "revisions",
        )
        .filter(pk=pk)
        .first()
    )
    if feedback is None:
        raise Http404("No such feedback.")
    return feedback


def feedback_given_get(viewer: User, pk: int) -> Feedback:
    """Feedback `viewer` gave, to change or take back; anyone else's is not found."""
    feedback = (
        feedback_visible_to(viewer)
        .filter(giver=viewer)
        .select_related("giver", "subject")
        .prefetch_related("competencies")
        .filter(pk=pk)
        .first()
    )
    if feedback is None:
        raise Http404("No such feedback.")
    return feedback


def feedback_get_to_answer(viewer: User, pk: int, *, subject_only: bool = False) -> Feedback:
    """Feedback `viewer` may answer: shared feedback about them (to react or reply), or,
    unless `subject_only`, feedback they gave (to reply to its subject)."""
    mine = Q(subject=viewer, visibility=Feedback.Visibility.SHARED)
    if not subject_only:
        mine |= Q(giver=viewer)
    feedback = (
        feedback_visible_to(viewer)
        .filter(mine)
        .select_related("giver", "subject")
        .filter(pk=pk)
        .first()
    )
    if feedback is None:
        raise Http404("No such feedback.")
    return feedback


@dataclass(frozen=True)
class Readers:
    """Who reads feedback about a person, in words: the person, their manager chain as it
    is now (nearest first), and HR."""

    subject: User | None
    chain: list[User]

    def _chain(self) -> str:
        if not self.chain:
            return ""
        names = [manager.name for manager in self.chain[:3]]
        if len(self.chain) > 3:
            names.append(f"{len(self.chain) - 3} more above")
        return f" ({', '.join(names)})"

    @property
    def shared(self) -> str:
        if self.subject is None:
            return "The person, their manager chain and HR."
        return f"{self.subject.get_short_name()}, their manager chain{self._chain()} and HR."

    @property
    def private(self) -> str:
        if self.subject is None:
            return "Their manager chain only, never the person."
        if not self.chain:
            return f"{self.subject.get_short_name()} has no manager in Trellis: only you would read it, never {self.subject.get_short_name()}."
        return f"Their manager chain only{self._chain()}, never {self.subject.get_short_name()}."

    def of(self, visibility: str) -> str:
        return self.shared if visibility == Feedback.Visibility.SHARED else self.private


def readers_of(subject: User | None) -> Readers:
    if subject is None:
        return Readers(None, [])
    return Readers(subject, [m for m in reversed(reporting_chain(subject)) if m.is_active])


# --- Finding a colleague ---------------------------------------------------------------

SEARCH_MIN_CHARACTERS = 2
SEARCH_MAX_CHARACTERS = 100
SEARCH_MAX_WORDS = 4


def colleagues_matching(viewer: User, text: str, *, exclude: int | None = None, limit: int = 10) -> list[User]:
    """Up to `limit` people working here whose name, e-mail address or job title holds
    every word of `text`, by name; never `viewer`, nor `exclude`. One query."""
    words = (text or "").replace("\x00", "").strip()[:SEARCH_MAX_CHARACTERS].split()[:SEARCH_MAX_WORDS]
    if not words:
        return []
    people = User.objects.filter(is_active=True).exclude(pk=viewer.pk)
    if exclude is not None:
        people = people.exclude(pk=exclude)
    for word in words:
        people = people.filter(Q(name__icontains=word) | Q(email__icontains=word) | Q(title__icontains=word))
    return list(people.only("name", "email", "title").order_by("name", "pk")[:limit])


def colleague_find(*, pk: int | None = None, email: str = "") -> User | None:
    """Someone working here, by id or by e-mail address (any case)."""
    people = User.objects.filter(is_active=True)
    if pk is not None:
        return people.filter(pk=pk).first()
    email = (email or "").strip()
    if not email:
        return None
    return people.filter(email__iexact=email).first()


def competency_groups(subject: User) -> list[dict]:
    """The competencies feedback about `subject` may be tagged with, by area, as the
    picker shows them (none without a level)."""
    standing = career_of(subject).standing
    if standing is None:
        return []
    groups = []
    for area in standing.rubric.areas:
        competencies = list(area.competency_list)
        if competencies:
            groups.append({"area": area, "competencies": competencies})
    return groups


# --- Timelines -------------------------------------------------------------------------

Through = Feedback.competencies.through


def feedback_received_by(viewer: User) -> QuerySet[Feedback]:
    """What others said to `viewer`: shared feedback only, whatever else they may read."""
    return feedback_visible_to(viewer).filter(subject=viewer, visibility=Feedback.Visibility.SHARED)


def feedback_given_by(viewer: User) -> QuerySet[Feedback]:
    return feedback_visible_to(viewer).filter(giver=viewer)


def feedback_person_get_for_user(viewer: User, pk: int) -> User:
    """A person whose feedback `viewer` may follow: someone below them in the reporting
    line now, or anyone for an HR admin (who reads only what is shared). Themselves too,
    for the page to send them to their own timeline. Anyone else is not found."""
    person = User.objects.select_related("manager").filter(pk=pk).first()
    if person is None:
        raise Http404("No such person.")
    if person.pk == viewer.pk or viewer.sees_everyone or (person.is_active and viewer.manages(person)):
        return person
    raise Http404("No such person.")


def feedback_about(viewer: User, person: User) -> QuerySet[Feedback]:
    """Feedback about `person` as `viewer` may read it now."""
    return feedback_visible_to(viewer).filter(subject=person)


def feedback_filtered(
    feedback: QuerySet[Feedback],
    *,
    competency: str = "",
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[Feedback]:
    """Narrowed to a competency (by slug: tags point at rows of one framework version, and
    later versions keep the slug) and to a period [since, until)."""
    if competency:
        feedback = feedback.filter(
            Exists(Through.objects.filter(feedback_id=OuterRef("pk"), competency__slug=competency))
        )
    if since is not None:
        feedback = feedback.filter(created_at__gte=since)
    if until is not None:
        feedback = feedback.filter(created_at__lt=until)
    return feedback


def feedback_listed(feedback: QuerySet[Feedback]) -> QuerySet[Feedback]:
    """What a row of a timeline shows: both people, the tags and how many replies."""
    replies = (
        FeedbackReply.objects.filter(feedback=OuterRef("pk"))
        .order_by()
        .values("feedback")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        feedback.select_related("giver", "subject")
        .prefetch_related(Prefetch("competencies", queryset=Competency.objects.order_by("area__position", "position", "pk")))
        .annotate(reply_count=Coalesce(Subquery(replies, output_field=IntegerField()), 0))
        .order_by("-created_at", "-pk")
    )


def competencies_tagged(feedback: QuerySet[Feedback]) -> dict[str, str]:
    """The competencies `feedback` is tagged with, slug → name, by name; one query."""
    rows = (
        Competency.objects.filter(pk__in=Through.objects.filter(feedback__in=feedback.order_by().values("pk")).values("competency_id"))
        .order_by("name", "slug")
        .values_list("slug", "name")
    )
    tagged: dict[str, str] = {}
    for slug, name in rows:
        tagged.setdefault(slug, name)
    return dict(sorted(tagged.items(), key=lambda item: item[1].lower()))


def timeline_counts(viewer: User) -> dict[str, int]:
    """How much feedback `viewer` has received (shared only: never a count of what is
    private about them) and given; one query."""
    received = Q(subject=viewer, visibility=Feedback.Visibility.SHARED)
    given = Q(giver=viewer)
    return Feedback.objects.filter(received | given).aggregate(
        received=Count("pk", filter=received), given=Count("pk", filter=given)
    )
