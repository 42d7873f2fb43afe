"""Reading 1:1s: a series, its meetings, agendas, actions and notes are the two people's own.

Only the two people of a series read it: not their managers, not HR, whoever set it
up and whatever the reporting line is now. A series whose other person has left stays
readable to the one still here, read-only (see services.series_closed_reason). Private
notes are read by their author alone; a linked piece of feedback is shown to a reader
only while they may read it (reviews.selectors.feedback).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from ladders.models import Competency
from people.models import User

from ..models import ActionItem, AgendaChange, Feedback, Meeting, PrivateNote, Series, TalkingPoint
from .feedback import competencies_for, feedback_visible_to

# How many pieces of feedback a talking point can be linked to from the page: the latest.
FEEDBACK_CHOICES = 50
ENDED_SHOWN = 50
RUNNING_SHOWN = 200
MY_ACTIONS_SHOWN = 20


def _of(viewer: User) -> Q:
    return Q(organiser=viewer) | Q(attendee=viewer)


def series_visible_to(viewer: User) -> QuerySet[Series]:
    """The series `viewer` is one of the two people of, with both people read along."""
    if not viewer.is_authenticated or not viewer.is_active:
        return Series.objects.none()
    return Series.objects.filter(_of(viewer)).select_related("organiser", "attendee")


def series_get_for_user(viewer: User, pk: int) -> Series:
    series = series_visible_to(viewer).filter(pk=pk).first()
    if series is None:
        raise Http404("No such 1:1 series.")
    return series


def meetings_visible_to(viewer: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(series__in=series_visible_to(viewer).values("pk")).select_related(
        "series__organiser", "series__attendee"
    )


def meeting_get_for_user(viewer: User, pk: int) -> Meeting:
    meeting = meetings_visible_to(viewer).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such 1:1 meeting.")
    return meeting


def point_get_for_user(viewer: User, pk: int) -> TalkingPoint:
    point = (
        TalkingPoint.objects.filter(meeting__series__in=series_visible_to(viewer).values("pk"), pk=pk)
        .select_related("meeting__series__organiser", "meeting__series__attendee", "competency")
        .first()
    )
    if point is None:
        raise Http404("No such talking point.")
    return point


def action_get_for_user(viewer: User, pk: int) -> ActionItem:
    action = (
        ActionItem.objects.filter(series__in=series_visible_to(viewer).values("pk"), pk=pk)
        .select_related("series__organiser", "series__attendee", "meeting", "owner")
        .first()
    )
    if action is None:
        raise Http404("No such action.")
    return action


# --- The list of my 1:1s ---------------------------------------------------------------------


@dataclass
class MyOneOnOnes:
    running: list[Series]
    closed: list[Series]
    closed_more: bool
    my_actions: list[ActionItem] = field(default_factory=list)


def _running() -> Q:
    return Q(ended_at=None, organiser__is_active=True, attendee__is_active=True)


def oneonones_of(viewer: User, *, today: datetime.date | None = None) -> MyOneOnOnes:
    """`viewer`'s series: those under way by their next meeting, with their open actions
    counted (and how many of the viewer's own are overdue); ended ones, and those whose
    other person has left, apart (the latest ENDED_SHOWN); the viewer's own open actions
    in running series, the earliest due first."""
    today = today or timezone.localdate()
    open_ = Q(actions__done_at=None)
    running = list(
        series_visible_to(viewer)
        .filter(_running())
        .annotate(
            open_actions=Count("actions", filter=open_),
            my_overdue=Count("actions", filter=open_ & Q(actions__owner=viewer, actions__due_on__lt=today)),
            # The next meeting itself, so that the list leads straight to its agenda.
            next_meeting_id=Subquery(
                Meeting.objects.filter(series=OuterRef("pk"), starts_at=OuterRef("next_at")).values("pk")[:1]
            ),
        )
        .order_by(F("next_at").asc(nulls_last=True), "pk")[:RUNNING_SHOWN]
    )
    closed = list(
        series_visible_to(viewer)
        .exclude(_running())
        .order_by(F("ended_at").desc(nulls_first=True), "-created_at", "-pk")[: ENDED_SHOWN + 1]
    )
    for series in (*running, *closed):
        series.other_person = series.other(viewer)
    actions = list(
        ActionItem.objects.filter(owner=viewer, done_at=None, series__in=series_visible_to(viewer).filter(_running()).values("pk"))
        .select_related("meeting", "series__organiser", "series__attendee")
        .order_by(F("due_on").asc(nulls_last=True), "created_at", "pk")[:MY_ACTIONS_SHOWN]
    )
    for action in actions:
        action.other_person = action.series.other(viewer)
    return MyOneOnOnes(
        running=running, closed=closed[:ENDED_SHOWN], closed_more=len(closed) > ENDED_SHOWN, my_actions=actions
    )


# --- A series ---------------------------------------------------------------------------------


def next_meeting(series: Series, now: datetime.datetime | None = None) -> Meeting | None:
    """The meeting to come (or, until the series is rolled, the one that just started)."""
    now = now or timezone.now()
    upcoming = series.meetings.filter(starts_at__gt=now).order_by("starts_at").first()
    if upcoming is None and series.next_at is not None:
        upcoming = series.meetings.filter(starts_at=series.next_at).first()
    return upcoming


def meeting_history(series: Series, now: datetime.datetime | None = None) -> QuerySet[Meeting]:
    """The meetings that have started, the latest first, with how much each holds."""
    now = now or timezone.now()
    return (
        series.meetings.filter(starts_at__lte=now)
        .annotate(point_count=Count("points", distinct=True), action_count=Count("actions", distinct=True))
        .order_by("-starts_at", "-pk")
    )


def open_actions(series: Series) -> list[ActionItem]:
    """Everything not done yet, from every meeting of the series: the earliest due first."""
    return list(
        ActionItem.objects.filter(series=series, done_at=None)
        .select_related("owner", "meeting")
        .order_by(F("due_on").asc(nulls_last=True), "created_at", "pk")
    )


# --- A meeting --------------------------------------------------------------------------------


def points_of(meeting: Meeting) -> list[TalkingPoint]:
    return list(
        TalkingPoint.objects.filter(meeting=meeting).select_related("author", "competency", "feedback__giver").order_by("created_at", "pk")
    )


def readable_feedback(viewer: User, points: list[TalkingPoint]) -> set[int]:
    """Which of the feedback these points link to `viewer` may read now: a link is shown
    to them only then (the line may have changed since it was made)."""
    ids = {point.feedback_id for point in points if point.feedback_id}
    if not ids:
        return set()
    return set(feedback_visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))


def actions_at(meeting: Meeting) -> tuple[list[ActionItem], list[ActionItem]]:
    """(carried over, raised here): what earlier meetings of the series left open, and this
    meeting's own actions, done or not."""
    rows = (
        ActionItem.objects.filter(
            Q(meeting=meeting) | Q(done_at=None, meeting__starts_at__lt=meeting.starts_at), series_id=meeting.series_id
        )
        .select_related("owner", "meeting")
        .order_by("meeting__starts_at", "created_at", "pk")
    )
    carried, here = [], []
    for action in rows:
        (here if action.meeting_id == meeting.pk else carried).append(action)
    return carried, here


def note_of(meeting: Meeting, author: User) -> PrivateNote | None:
    """`author`'s own note on the meeting: nobody else's is ever read here."""
    return PrivateNote.objects.filter(meeting=meeting, author=author).first()


def changes_of(meeting: Meeting) -> list[AgendaChange]:
    return list(AgendaChange.objects.filter(meeting=meeting).select_related("actor").order_by("at", "pk"))


def neighbours_of(meeting: Meeting) -> tuple[Meeting | None, Meeting | None]:
    """The meetings of the series just before and just after this one."""
    siblings = Meeting.objects.filter(series_id=meeting.series_id).exclude(pk=meeting.pk)
    before = siblings.filter(starts_at__lt=meeting.starts_at).order_by("-starts_at").first()
    after = siblings.filter(starts_at__gt=meeting.starts_at).order_by("starts_at").first()
    return before, after


def feedback_both_read(one: User, other: User) -> QuerySet[Feedback]:
    """Feedback each of the two may read now: what a talking point may link to. Private
    feedback about either of them is never among it, since they may not read it."""
    return feedback_visible_to(one).filter(pk__in=feedback_visible_to(other).values("pk"))


def feedback_choices(series: Series) -> list[Feedback]:
    return list(
        feedback_both_read(series.organiser, series.attendee)
        .select_related("giver", "subject")
        .order_by("-created_at", "-pk")[:FEEDBACK_CHOICES]
    )


def competency_choices(series: Series) -> list[tuple[str, list[Competency]]]:
    """The competencies of each person's current framework, by person (once when both stand
    on the same one)."""
    groups, seen = [], set()
    for person in (series.organiser, series.attendee):
        found = [c for pk, c in competencies_for(person).items() if pk not in seen]
        seen.update(c.pk for c in found)
        if found:
            groups.append((person.get_short_name(), found))
    return groups

