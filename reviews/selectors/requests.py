"""Reading feedback requests: always through what the reader may see now.

A request is read by everyone above its subject in the reporting line today
and, when its answers are shared with the subject, by the
subject and by HR admins. A request whose answers are private to the manager
chain is never seen by its subject: not the question, not that it exists. A
manager who asked about a report and no longer manages them reads nothing of it.
Colleagues asked read the request through their own ask (`asks_of`), not here.
"""

from __future__ import annotations

from django.db.models import Case, DateField, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from ladders.models import Competency
from ladders.selectors.careers import career_of
from people.models import User

from ..models import Feedback, FeedbackAsk, FeedbackRequest
from .feedback import feedback_visible_to


# The largest id a row can have: a larger one, typed into an address, names nobody (and
# the database refuses to compare with it).
ID_MAX = 2**63 - 1


def ids_storable(pks) -> list[int]:
    """`pks` less those no row can have, so that looking them up finds nobody instead of failing."""
    return [pk for pk in pks if 0 < pk <= ID_MAX]


def requests_visible_to(viewer: User) -> QuerySet[FeedbackRequest]:
    shared = Feedback.Visibility.SHARED
    rule = Q(subject=viewer, visibility=shared)
    if viewer.reporting_path:
        rule |= Q(subject__reporting_path__below=viewer.reporting_path, subject__is_active=True)
    if viewer.sees_everyone:
        rule |= Q(visibility=shared)
    # Whatever else would let them in, nobody reads a private request about themselves.
    return FeedbackRequest.objects.filter(rule).exclude(Q(subject=viewer) & ~Q(visibility=shared))


def request_get_for_user(viewer: User, pk: int) -> FeedbackRequest:
    request = (
        requests_visible_to(viewer)
        .select_related("requester", "subject")
        .prefetch_related("competencies")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such feedback request.")
    return request


def asks_of(respondent: User) -> QuerySet[FeedbackAsk]:
    """What `respondent` has been asked, newest first, with what each request is about."""
    return (
        FeedbackAsk.objects.filter(respondent=respondent)
        .select_related("request__requester", "request__subject")
        .order_by("-request__created_at", "-pk")
    )


def ask_get_for_user(respondent: User, pk: int) -> FeedbackAsk:
    ask = asks_of(respondent).prefetch_related("request__competencies").filter(pk=pk).first()
    if ask is None:
        raise Http404("No such feedback request.")
    return ask


def ask_in_request(respondent: User, request_pk: int) -> FeedbackAsk | None:
    """`respondent`'s ask in the request `request_pk`, if they were asked in it."""
    if not 0 < request_pk <= ID_MAX:
        return None
    return asks_of(respondent).filter(request_id=request_pk).first()


def requests_listed_for(viewer: User) -> QuerySet[FeedbackRequest]:
    """The requests on the viewer's list: those they made, those about them (shared only:
    the selector keeps private ones from their subject) and, for a manager, those about
    the people who report to them today; newest first, each with its colleagues asked."""
    mine = Q(requester=viewer) | Q(subject=viewer) | Q(subject__manager=viewer, subject__is_active=True)
    return (
        requests_visible_to(viewer)
        .filter(mine)
        .select_related("requester", "subject")
        .prefetch_related(Prefetch("asks", queryset=FeedbackAsk.objects.select_related("respondent").order_by("pk")))
        .order_by("-created_at", "-pk")
    )


def asks_listed_for(respondent: User) -> QuerySet[FeedbackAsk]:
    """What `respondent` has been asked: what they can still answer first, soonest due
    first; then the rest, most recently closed first. An ask about someone who has left
    can no longer be answered, so it goes with the closed ones."""
    still_open = Q(status=FeedbackAsk.Status.OPEN, request__subject__is_active=True)
    return asks_of(respondent).annotate(
        closed_rank=Case(When(still_open, then=Value(0)), default=Value(1), output_field=IntegerField()),
        open_due=Case(When(still_open, then=F("request__due_on")), default=None, output_field=DateField()),
    ).order_by("closed_rank", "open_due", F("closed_at").desc(nulls_last=True), "-request__created_at", "-pk")


def answers_readable(viewer: User, request: FeedbackRequest) -> QuerySet[Feedback]:
    """The answers to `request` that the viewer may read, as any feedback is read."""
    return (
        feedback_visible_to(viewer)
        .filter(ask__request=request)
        .select_related("giver")
        .prefetch_related("competencies")
        .order_by("created_at", "pk")
    )


def answer_of(viewer: User, ask: FeedbackAsk) -> Feedback | None:
    """The feedback an ask was answered with, if the viewer may read it."""
    if ask.answer_id is None:
        return None
    return feedback_visible_to(viewer).prefetch_related("competencies").filter(pk=ask.answer_id).first()


def reports_of(manager: User, *, limit: int = 50) -> list[User]:
    """The people who report to `manager` directly today: those they may ask about."""
    return list(User.objects.filter(manager=manager, is_active=True).order_by("name", "pk")[:limit])


def request_subject_for(viewer: User, about: str | None) -> User:
    """Who a new request is about: the viewer, or (`about`) one of their direct reports today."""
    if about in (None, ""):
        return viewer
    try:
        pk = int(about)
    except (TypeError, ValueError):
        raise Http404("No such person to ask about.") from None
    if pk == viewer.pk:
        return viewer
    subject = User.objects.filter(pk=pk, manager=viewer, is_active=True).first()
    if subject is None:
        raise Http404("You can ask for feedback about yourself, or about someone who reports to you.")
    return subject


def colleagues_picked(pks, *, subject: User, limit: int) -> list[User]:
    """Colleagues named by id to be asked (from a link, or picked in the search): those who
    work here, the subject left out, at most `limit`."""
    wanted = []
    for value in pks:
        try:
            wanted.append(int(value))
        except (TypeError, ValueError):
            continue
    wanted = ids_storable(wanted)
    wanted = list(dict.fromkeys(wanted))[:limit]
    if not wanted:
        return []
    found = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True).exclude(pk=subject.pk)}
    return [found[pk] for pk in wanted if pk in found]


def competency_groups(subject: User) -> list[tuple[str, list[Competency]]]:
    """The competencies a request about `subject` may name, by area, in the framework's
    order: those of the current version of the framework they stand on (none without a level)."""
    standing = career_of(subject).standing
    if standing is None:
        return []
    rubric = standing.rubric
    groups = []
    for area in rubric.areas:
        members = [c for c in rubric.competencies if c.area_id == area.pk]
        if members:
            groups.append((area.name, members))
    return groups
