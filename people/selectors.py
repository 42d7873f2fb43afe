from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from .models import Notification, User
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
