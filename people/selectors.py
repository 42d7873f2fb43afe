from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Department, Notification, Team, User
from .stamp import stamp_subquery


def people_in_tree(manager: User) -> QuerySet[User]:
    """Everyone below `manager` in the reporting line, at any depth."""
    if not manager.reporting_path:
        return User.objects.none()
    return User.objects.filter(reporting_path__startswith=manager.reporting_path).exclude(
        pk=manager.pk
    )


def person_get_for_user(user: User, pk: int) -> User:
    """The directory is open to everyone signed in; inactive people are HR's business."""
    people = User.objects.select_related("manager", "department", "team")
    if not user.sees_everyone:
        people = people.filter(is_active=True)
    try:
        return people.get(pk=pk)
    except User.DoesNotExist:
        raise Http404("No such person.") from None


def direct_reports(person: User) -> QuerySet[User]:
    return person.reports.filter(is_active=True).select_related("department", "team")


def reporting_chain(person: User) -> list[User]:
    """The managers above `person`, top first, in one query."""
    ids = [int(part) for part in person.reporting_path.strip("/").split("/") if part]
    ids = [pk for pk in ids if pk != person.pk]
    managers = User.objects.in_bulk(ids)
    return [managers[pk] for pk in ids if pk in managers]


# --- The directory and the org chart ---------------------------------------------------

DIRECTORY_PAGE = 25
SEARCH_MAX_CHARACTERS = 100
SEARCH_MAX_WORDS = 6
# What a row of the directory or the org chart shows of a person.
_LISTED = ("name", "email", "title", "reporting_path", "is_active", "manager_id", "department__name", "team__name")


@dataclass(frozen=True)
class Search:
    """Words to find in the directory, as typed and as searched."""

    text: str
    words: tuple[str, ...]
    shortened: bool


def directory_search(typed: str | None) -> Search:
    """The words of a directory search, bounded: a long paste searches its first
    words rather than building a query with a condition per word."""
    text = (typed or "").replace("\x00", "").strip()
    shortened = len(text) > SEARCH_MAX_CHARACTERS
    text = text[:SEARCH_MAX_CHARACTERS]
    words = text.split()
    shortened = shortened or len(words) > SEARCH_MAX_WORDS
    return Search(text=text, words=tuple(words[:SEARCH_MAX_WORDS]), shortened=shortened)


def people_directory(words: tuple[str, ...] = ()) -> QuerySet[User]:
    """Everyone working here, by name, with what a directory row shows; each word
    must appear in the person's name, title, team or department.

    The same for everyone signed in, HR admins included: people who have left
    are not colleagues any more (HR find them in the admin).
    """
    people = User.objects.filter(is_active=True)
    for word in words:
        # Teams and departments are few: matched in their own small tables, so
        # that the people are filtered on their own columns, without joins.
        people = people.filter(
            Q(name__icontains=word)
            | Q(title__icontains=word)
            | Q(team__in=Team.objects.filter(name__icontains=word).values("pk"))
            | Q(department__in=Department.objects.filter(name__icontains=word).values("pk"))
        )
    return (
        people.select_related("manager", "department", "team")
        .only(*_LISTED, "manager__name", "manager__is_active")
        .order_by("name", "pk")
    )


ORG_PAGE = 50
ORG_TOPS = 20


def _under(path) -> Subquery:
    # How many active people are anywhere below `path`: a COUNT(*) over a
    # range of the partial index of active people, not a visit to each row.
    return Subquery(
        User.objects.filter(reporting_path__below=path, is_active=True)
        .order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )


def _direct(pk) -> Subquery:
    return Subquery(
        User.objects.filter(manager_id=pk, is_active=True)
        .order_by()
        .annotate(n=Func(template="COUNT(*)", output_field=IntegerField()))
        .values("n")
    )


def _charted(people: QuerySet[User]) -> QuerySet[User]:
    # Each with `under` (their whole organisation) and `direct` (their direct reports).
    return (
        people.select_related("department", "team")
        .only(*_LISTED)
        .annotate(under=_under(OuterRef("reporting_path")), direct=_direct(OuterRef("pk")))
    )


def _at_the_top() -> Q:
    # Nobody above them, or only someone who has left: they head a branch
    # of the chart rather than disappearing from it.
    return Q(manager__isnull=True) | Q(manager__is_active=False)


def org_root_get(pk: str | None) -> User | None:
    """The person an org chart starts from: anyone working here (the chart is
    open to everyone signed in, as the directory is); None for the top."""
    if pk is None or pk == "":
        return None
    if not (pk.isascii() and pk.isdigit() and len(pk) < 18):
        raise Http404("No such person.")
    root = _charted(User.objects.filter(pk=int(pk), is_active=True)).first()
    if root is None:
        raise Http404("No such person.")
    return root


def org_tops(limit: int = ORG_TOPS) -> list[User]:
    """Up to `limit` (+1, to tell whether there are more) of the people at the
    top of the organisation, whoever leads the most people first."""
    tops = _charted(User.objects.filter(_at_the_top(), is_active=True)).order_by("-under", "name", "pk")
    return list(tops[: limit + 1])


def org_reports(head: User, page: int, per_page: int = ORG_PAGE) -> list[User]:
    """One page of `head`'s active direct reports, by name, each with their counts."""
    start = (page - 1) * per_page
    reports = _charted(User.objects.filter(manager_id=head.pk, is_active=True)).order_by("name", "pk")
    return list(reports[start : start + per_page])


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient=user)


def notification_get_for_user(user: User, pk: int) -> Notification:
    try:
        return notifications_for(user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification.") from None


def with_navigation_facts(people: QuerySet[User]) -> QuerySet[User]:
    """`unread_notifications` and `has_reports` on each person, from two indexes, and
    the current `stamp` (see people.stamp), which costs one more index probe."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at__isnull=True)
        .order_by()
        .values("recipient")
        .annotate(count=Count("pk"))
        .values("count")
    )
    reports = User.objects.filter(manager=OuterRef("pk"), is_active=True)
    return people.annotate(
        unread_notifications=Coalesce(Subquery(unread), 0), has_reports=Exists(reports), stamp=stamp_subquery()
    )


def navigation_facts(user: User) -> tuple[int, bool]:
    """What every page's header shows: unread notifications, and whether `user` has
    anyone reporting to them. Read with the person when they signed in (see
    people.backends), else in one query."""
    if hasattr(user, "unread_notifications"):
        return user.unread_notifications, user.has_reports
    row = with_navigation_facts(User.objects.filter(pk=user.pk)).values_list("unread_notifications", "has_reports").first()
    return row or (0, False)
