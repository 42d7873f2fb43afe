"""1:1s: setting up a series, keeping its next meeting in place, and the shared agenda,
private notes and actions of its meetings. The rules in one place.

Both people of a series have the same rights over it. A meeting's shared agenda and
actions can be changed until a week after it started (Meeting.locked); every change
made once it has started is kept as an AgendaChange. Private notes are their author's
alone and stay theirs to change. A series someone has ended, or whose other person has
left, is kept as it was: only private notes are still written.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from people.models import User
from people.services import notification_send

from ..models import ActionItem, AgendaChange, Meeting, PrivateNote, Series, TalkingPoint
from ..models.oneonones import ACTION_MAX_LENGTH, NOTE_MAX_LENGTH, POINT_MAX_LENGTH, TITLE_MAX_LENGTH
from ..selectors.feedback import competencies_for
from ..selectors.oneonones import feedback_both_read

MINUTES_MIN, MINUTES_MAX = 15, 120
# A double click adds a point or an action once: the same words, just added, are the ones returned.
DOUBLE_CLICK = datetime.timedelta(minutes=1)
# How far ahead a first meeting or a move may be planned.
PLAN_AHEAD = datetime.timedelta(days=366)
# A meeting moved by a few days keeps the rhythm: the one after it is the first regular
# slot at least half a cadence later (a Monday 1:1 moved to Friday is not followed by
# another on Monday).
HALF_CADENCE = {
    Series.Cadence.WEEKLY: datetime.timedelta(days=3, hours=12),
    Series.Cadence.BIWEEKLY: datetime.timedelta(days=7),
    Series.Cadence.MONTHLY: datetime.timedelta(days=14),
}


# --- Who may write, and when ---------------------------------------------------------------------


def _side(series: Series, actor: User) -> None:
    if actor.pk not in (series.organiser_id, series.attendee_id):
        raise PermissionDenied("Only the two people of a 1:1 series change it.")


def series_closed_reason(series: Series) -> str:
    """Why the shared side of a series can no longer be changed ("" while it runs): ended,
    or one of the two has left. Reads `organiser` and `attendee`."""
    if series.ended_at is not None:
        return f"These 1:1s ended on {timezone.localtime(series.ended_at):%-d %B %Y}: they are kept as they were."
    for person in (series.organiser, series.attendee):
        if not person.is_active:
            return f"{person.name} no longer works here: these 1:1s are kept as they were."
    return ""


def meeting_closed_reason(meeting: Meeting, now: datetime.datetime | None = None) -> str:
    """Why a meeting's shared agenda and actions can no longer be changed ("" if they can)."""
    reason = series_closed_reason(meeting.series)
    if reason:
        return reason
    if meeting.locked(now):
        return f"Locked on {timezone.localtime(meeting.locks_at):%-d %B %Y}: the agenda and actions are the record."
    return ""


def _locked_series(series_id: int) -> Series:
    """The series, its row locked: every write to a series and its meetings queues here."""
    return (
        Series.objects.select_for_update(of=("self",))
        .select_related("organiser", "attendee")
        .get(pk=series_id)
    )


def _writable_meeting(meeting: Meeting, actor: User, now: datetime.datetime) -> Meeting:
    """The meeting fresh from the database with its series locked, once `actor` may change its
    shared agenda and actions; otherwise PermissionDenied or a ValidationError saying why not."""
    series = _locked_series(meeting.series_id)
    _side(series, actor)
    meeting = Meeting.objects.get(pk=meeting.pk)
    meeting.series = series
    reason = meeting_closed_reason(meeting, now)
    if reason:
        raise ValidationError(reason)
    _roll(series, now)
    return meeting


def _record(meeting: Meeting, actor: User, what: str, *, before: str = "", after: str = "", now: datetime.datetime) -> None:
    """A change to a meeting that has started is kept, with the words before and after."""
    if meeting.happened(now):
        AgendaChange.objects.create(
            meeting=meeting, actor=actor, what=what, before=before[:POINT_MAX_LENGTH], after=after[:POINT_MAX_LENGTH], at=now
        )


# --- The rhythm of a series ---------------------------------------------------------------------


def _zone(series: Series) -> zoneinfo.ZoneInfo | datetime.tzinfo:
    """The organiser's clock: a 10:00 1:1 stays at 10:00 through summer time."""
    try:
        return zoneinfo.ZoneInfo(series.organiser.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def _slots(series: Series, anchor: datetime.datetime) -> Iterator[datetime.datetime]:
    slot = anchor
    while True:
        yield slot
        slot = series.step(slot)


def _following(series: Series, after: datetime.datetime, now: datetime.datetime) -> datetime.datetime:
    """When the meeting after one at `after` is: the first slot of the series' rhythm (counted
    by its cadence from its first meeting) half a cadence after `after` and still to come.

    Counting from the first meeting keeps a moved meeting from moving the ones after it;
    slots missed while nobody was there to roll the series are skipped, not invented.
    """
    zone = _zone(series)
    first = series.meetings.order_by("starts_at").values_list("starts_at", flat=True).first() or after
    bound = max(after + HALF_CADENCE[series.cadence], now)
    with timezone.override(zone):
        for slot in _slots(series, first.astimezone(zone)):
            if slot > bound:
                return slot
    raise AssertionError("unreachable")  # pragma: no cover  (slots never end)


def _roll(series: Series, now: datetime.datetime) -> Meeting | None:
    """Once the upcoming meeting has started, the one after it exists, so both can add to
    its agenda. Idempotent: with the series row locked, a second run finds `next_at` ahead
    and does nothing; the unique (series, starts_at) keeps one meeting per moment."""
    if series_closed_reason(series) or series.next_at is None or series.next_at > now:
        return None
    following = _following(series, series.next_at, now)
    meeting, _ = Meeting.objects.get_or_create(series=series, starts_at=following)
    series.next_at = following
    series.save(update_fields=["next_at"])
    return meeting


@transaction.atomic
def series_roll(*, series_id: int, now: datetime.datetime | None = None) -> Meeting | None:
    """Plan the next meeting of a series whose upcoming one has started; the new meeting, or
    None when there was nothing to do (not due yet, ended, someone left, already rolled)."""
    series = Series.objects.filter(pk=series_id).select_for_update(of=("self",)).select_related("organiser", "attendee").first()
    if series is None:
        return None
    return _roll(series, now or timezone.now())


def series_roll_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Roll every running series whose upcoming meeting has started (beat runs it every few
    minutes; running it twice at once plans nothing twice). Returns how many were rolled."""
    now = now or timezone.now()
    due = list(
        Series.objects.filter(
            ended_at=None, next_at__lte=now, organiser__is_active=True, attendee__is_active=True
        )
        .order_by("next_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for pk in due if series_roll(series_id=pk, now=now) is not None)


# --- Series -------------------------------------------------------------------------------------


def _settings_problems(*, cadence: str, minutes, title: str, errors: dict[str, str]) -> str:
    if cadence not in Series.Cadence.values:
        errors["cadence"] = "Choose every week, every two weeks or every month."
    if not isinstance(minutes, int) or not MINUTES_MIN <= minutes <= MINUTES_MAX:
        errors["minutes"] = f"A 1:1 lasts between {MINUTES_MIN} and {MINUTES_MAX} minutes."
    title = (title or "").strip()
    if len(title) > TITLE_MAX_LENGTH:
        errors["title"] = f"Keep the title under {TITLE_MAX_LENGTH} characters (it has {len(title)})."
    return title


def _when_problem(starts_at: datetime.datetime | None, now: datetime.datetime, *, what: str) -> str:
    if starts_at is None:
        return f"Choose the day and time of the {what}."
    if starts_at <= now:
        return f"Choose a time still to come for the {what}."
    if starts_at > now + PLAN_AHEAD:
        return f"Plan the {what} within a year."
    return ""


def _running_between(one: User, other: User) -> Series | None:
    """The pair's series under way, whichever of them set it up (the constraint sees one way)."""
    pair = Q(organiser=one, attendee=other) | Q(organiser=other, attendee=one)
    return Series.objects.filter(pair, ended_at=None).first()


@transaction.atomic
def series_create(
    *,
    actor: User,
    other: User | None,
    cadence: str,
    first_at: datetime.datetime | None,
    minutes: int = 30,
    title: str = "",
) -> Series:
    """Start regular 1:1s of `actor` and `other` (any two people working here), with its
    first meeting; every problem is said at its field and nothing is written."""
    now = timezone.now()
    errors: dict[str, str] = {}
    if other is None:
        errors["other"] = "Choose who the 1:1s are with."
    elif other.pk == actor.pk:
        errors["other"] = "A 1:1 is with someone else: choose a colleague, not yourself."
    elif not other.is_active:
        errors["other"] = f"{other.name} no longer works here."
    else:
        # Both people's rows, in one order, so that two of them setting up 1:1s with each
        # other at the same moment wait for each other instead of both getting through.
        list(User.objects.select_for_update().filter(pk__in=(actor.pk, other.pk)).order_by("pk").values_list("pk"))
        running = _running_between(actor, other)
        if running is not None:
            errors["other"] = f"You already have 1:1s with {other.name}: change those instead."
    title = _settings_problems(cadence=cadence, minutes=minutes, title=title, errors=errors)
    problem = _when_problem(first_at, now, what="first meeting")
    if problem:
        errors["first_at"] = problem
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            series = Series.objects.create(
                organiser=actor, attendee=other, cadence=cadence, minutes=minutes, title=title, next_at=first_at, created_at=now
            )
    except IntegrityError:
        raise ValidationError({"other": f"You already have 1:1s with {other.name}: change those instead."}) from None
    Meeting.objects.create(series=series, starts_at=first_at, created_at=now)
    notification_send(
        recipient=other,
        title=f"{actor.name} set up 1:1s with you",
        body=(
            f"{series.get_cadence_display()}, {minutes} minutes, starting "
            f"{timezone.localtime(first_at):%A %-d %B at %H:%M}. Add what you want to talk about to the agenda."
        ),
        url=series.get_absolute_url(),
        rule="reviews.series_started",
        subject=f"reviews.series:{series.pk}",
    )
    return series


@transaction.atomic
def series_update(
    *,
    series: Series,
    actor: User,
    cadence: str,
    minutes: int,
    title: str = "",
    next_at: datetime.datetime | None = None,
) -> Series:
    """Change how often and how long, the title, or when the next meeting is. Moving the next
    meeting moves only that one: the ones after it keep the series' rhythm."""
    now = timezone.now()
    series = _locked_series(series.pk)
    _side(series, actor)
    reason = series_closed_reason(series)
    if reason:
        raise ValidationError(reason)
    shown = series.next_at  # what the form was filled with, if the series rolled since
    _roll(series, now)
    errors: dict[str, str] = {}
    title = _settings_problems(cadence=cadence, minutes=minutes, title=title, errors=errors)
    moving = next_at is not None and next_at not in (shown, series.next_at)
    upcoming = Meeting.objects.filter(series=series, starts_at=series.next_at).first() if moving else None
    if moving:
        problem = _when_problem(next_at, now, what="next meeting")
        if not problem and Meeting.objects.filter(series=series, starts_at=next_at).exists():
            problem = "There is already a meeting of this series at that time."
        if problem:
            errors["next_at"] = problem
    if errors:
        raise ValidationError(errors)
    series.cadence, series.minutes, series.title = cadence, minutes, title
    fields = ["cadence", "minutes", "title"]
    if moving:
        if upcoming is None:
            upcoming = Meeting.objects.create(series=series, starts_at=next_at, created_at=now)
        else:
            upcoming.starts_at = next_at
            upcoming.save(update_fields=["starts_at"])
        series.next_at = next_at
        fields.append("next_at")
    series.save(update_fields=fields)
    return series


def _empty(meeting: Meeting) -> bool:
    return not (
        TalkingPoint.objects.filter(meeting=meeting).exists()
        or ActionItem.objects.filter(meeting=meeting).exists()
        or PrivateNote.objects.filter(meeting=meeting).exclude(body="").exists()
        or AgendaChange.objects.filter(meeting=meeting).exists()
    )


@transaction.atomic
def series_end(*, series: Series, actor: User) -> Series:
    """Stop the 1:1s; what was said stays readable to the two. The meeting still to come goes
    too when nothing was written for it. Ending twice changes nothing."""
    series = _locked_series(series.pk)
    _side(series, actor)
    if series.ended_at is not None:
        return series
    now = timezone.now()
    for meeting in Meeting.objects.filter(series=series, starts_at__gt=now):
        if _empty(meeting):
            meeting.delete()
    series.ended_at = now
    series.next_at = None
    series.save(update_fields=["ended_at", "next_at"])
    return series


# --- Talking points ------------------------------------------------------------------------------


def _point_words(point: TalkingPoint) -> str:
    """How a point reads in the history: its words, whether it was discussed, and the
    competency it is about (never the words of linked feedback)."""
    words = point.text
    if point.competency_id:
        words += f" · about {point.competency.name}"
    if point.feedback_id:
        words += " · with feedback"
    if point.discussed:
        words += " · discussed"
    return words


def _point_problems(
    *, series: Series, text: str, competency_id: int | None, feedback_id: int | None, errors: dict[str, str]
):
    """The cleaned text, competency and feedback of a point, problems into `errors`."""
    text = (text or "").strip()
    if not text:
        errors["text"] = "Write what you want to talk about."
    elif len(text) > POINT_MAX_LENGTH:
        errors["text"] = f"Keep a talking point under {POINT_MAX_LENGTH} characters (it has {len(text)})."
    competency = None
    if competency_id:
        allowed = {**competencies_for(series.organiser), **competencies_for(series.attendee)}
        competency = allowed.get(competency_id)
        if competency is None:
            errors["competency"] = "Choose a competency of either person's current framework."
    feedback = None
    if feedback_id:
        # Feedback one of the two may not read (private feedback about one of them above
        # all) is not there to be linked: the same words as for feedback that does not exist.
        feedback = feedback_both_read(series.organiser, series.attendee).filter(pk=feedback_id).first()
        if feedback is None:
            errors["feedback"] = "Choose feedback both of you can read."
    return text, competency, feedback


@transaction.atomic
def point_add(
    *,
    meeting: Meeting,
    actor: User,
    text: str,
    competency_id: int | None = None,
    feedback_id: int | None = None,
) -> TalkingPoint:
    """Add a line to a meeting's shared agenda, maybe about a competency or feedback."""
    now = timezone.now()
    meeting = _writable_meeting(meeting, actor, now)
    errors: dict[str, str] = {}
    text, competency, feedback = _point_problems(
        series=meeting.series, text=text, competency_id=competency_id, feedback_id=feedback_id, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    just_added = TalkingPoint.objects.filter(
        meeting=meeting, author=actor, text=text, competency=competency, feedback=feedback, created_at__gte=now - DOUBLE_CLICK
    ).first()
    if just_added is not None:
        return just_added
    point = TalkingPoint.objects.create(
        meeting=meeting, author=actor, text=text, competency=competency, feedback=feedback, created_at=now
    )
    _record(meeting, actor, AgendaChange.What.POINT_ADDED, after=_point_words(point), now=now)
    return point


def _locked_point(point: TalkingPoint, actor: User, now: datetime.datetime) -> TalkingPoint:
    meeting = _writable_meeting(point.meeting, actor, now)
    point = TalkingPoint.objects.select_related("competency").filter(pk=point.pk).first()
    if point is None:
        raise ValidationError("This talking point was removed.")
    point.meeting = meeting
    return point


@transaction.atomic
def point_edit(
    *,
    point: TalkingPoint,
    actor: User,
    text: str,
    competency_id: int | None = None,
    feedback_id: int | None = None,
) -> TalkingPoint:
    """Change a talking point's words or what it is about (either side may)."""
    now = timezone.now()
    point = _locked_point(point, actor, now)
    errors: dict[str, str] = {}
    text, competency, feedback = _point_problems(
        series=point.meeting.series, text=text, competency_id=competency_id, feedback_id=feedback_id, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    if (point.text, point.competency_id, point.feedback_id) == (text, competency_id or None, feedback_id or None):
        return point
    before = _point_words(point)
    point.text, point.competency, point.feedback = text, competency, feedback
    point.save(update_fields=["text", "competency", "feedback"])
    _record(point.meeting, actor, AgendaChange.What.POINT_CHANGED, before=before, after=_point_words(point), now=now)
    return point


@transaction.atomic
def point_discussed(*, point: TalkingPoint, actor: User, discussed: bool) -> TalkingPoint:
    """Tick a point as talked about, or take the tick back."""
    now = timezone.now()
    point = _locked_point(point, actor, now)
    if point.discussed == discussed:
        return point
    before = _point_words(point)
    point.discussed = discussed
    point.save(update_fields=["discussed"])
    _record(point.meeting, actor, AgendaChange.What.POINT_CHANGED, before=before, after=_point_words(point), now=now)
    return point


@transaction.atomic
def point_remove(*, point: TalkingPoint, actor: User) -> Meeting:
    """Take a point off the agenda; once the meeting has started, the history keeps its words."""
    now = timezone.now()
    meeting = _writable_meeting(point.meeting, actor, now)
    point = TalkingPoint.objects.select_related("competency").filter(pk=point.pk).first()
    if point is None:
        return meeting  # removed already: a second click changes nothing
    before = _point_words(point)
    point.delete()
    _record(meeting, actor, AgendaChange.What.POINT_REMOVED, before=before, now=now)
    return meeting


# --- Private notes -------------------------------------------------------------------------------


@transaction.atomic
def note_save(*, meeting: Meeting, author: User, body: str) -> PrivateNote:
    """Keep `author`'s own note on a meeting: one per meeting per author, read by them alone,
    theirs to change whenever they like (a lock or an ended series does not stop it)."""
    series = Series.objects.select_for_update(of=("self",)).get(pk=meeting.series_id)
    _side(series, author)
    body = (body or "").strip()
    if len(body) > NOTE_MAX_LENGTH:
        raise ValidationError({"body": f"Keep your note under {NOTE_MAX_LENGTH:,} characters (it has {len(body):,}). Nothing was cut."})
    note, created = PrivateNote.objects.get_or_create(
        meeting_id=meeting.pk, author=author, defaults={"body": body, "updated_at": timezone.now()}
    )
    if not created and note.body != body:
        note.body, note.updated_at = body, timezone.now()
        note.save(update_fields=["body", "updated_at"])
    return note


# --- Actions -------------------------------------------------------------------------------------


def _action_words(action: ActionItem) -> str:
    words = f"{action.text} · {action.owner.name}"
    if action.due_on:
        words += f" · due {action.due_on:%-d %b %Y}"
    if action.done_at:
        words += " · done"
    return words


def _action_problems(
    *, series: Series, text: str, owner: User | None, due_on: datetime.date | None, due_changed: bool, errors: dict[str, str]
) -> str:
    text = (text or "").strip()
    if not text:
        errors["text"] = "Say what will be done."
    elif len(text) > ACTION_MAX_LENGTH:
        errors["text"] = f"Keep an action under {ACTION_MAX_LENGTH} characters (it has {len(text)})."
    if owner is None or owner.pk not in (series.organiser_id, series.attendee_id):
        errors["owner"] = f"An action belongs to {series.organiser.name} or {series.attendee.name}."
    if due_changed and due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = "Choose today or a day to come."
    return text


@transaction.atomic
def action_add(
    *, meeting: Meeting, actor: User, text: str, owner: User | None, due_on: datetime.date | None = None
) -> ActionItem:
    """Something one of the two will do, raised in `meeting` and shown at every later meeting
    of the series until it is done."""
    now = timezone.now()
    meeting = _writable_meeting(meeting, actor, now)
    series = meeting.series
    errors: dict[str, str] = {}
    text = _action_problems(series=series, text=text, owner=owner, due_on=due_on, due_changed=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    just_added = ActionItem.objects.filter(
        meeting=meeting, text=text, owner=owner, due_on=due_on, created_at__gte=now - DOUBLE_CLICK
    ).first()
    if just_added is not None:
        return just_added
    action = ActionItem.objects.create(series=series, meeting=meeting, owner=owner, text=text, due_on=due_on, created_at=now)
    _record(meeting, actor, AgendaChange.What.ACTION_ADDED, after=_action_words(action), now=now)
    return action


def _fresh_action(action: ActionItem) -> ActionItem | None:
    return ActionItem.objects.select_related("owner", "meeting").filter(pk=action.pk).first()


@transaction.atomic
def action_edit(
    *, action: ActionItem, actor: User, text: str, owner: User | None, due_on: datetime.date | None = None
) -> ActionItem:
    """Change what an action says, who owns it or when it is due, until its meeting locks."""
    now = timezone.now()
    meeting = _writable_meeting(action.meeting, actor, now)
    action = _fresh_action(action)
    if action is None:
        raise ValidationError("This action was removed.")
    errors: dict[str, str] = {}
    text = _action_problems(
        series=meeting.series, text=text, owner=owner, due_on=due_on, due_changed=due_on != action.due_on, errors=errors
    )
    if errors:
        raise ValidationError(errors)
    if (action.text, action.owner_id, action.due_on) == (text, owner.pk, due_on):
        return action
    before = _action_words(action)
    action.text, action.owner, action.due_on = text, owner, due_on
    action.save(update_fields=["text", "owner", "due_on"])
    _record(meeting, actor, AgendaChange.What.ACTION_CHANGED, before=before, after=_action_words(action), now=now)
    return action


@transaction.atomic
def action_done(*, action: ActionItem, actor: User, done: bool) -> ActionItem:
    """Tick an action off, or take the tick back.

    Unlike its words, whether an action is done is not frozen by its meeting's lock: an
    action carries over from meeting to meeting until it is done, weeks later as often as
    not. A series that has ended, or whose other person left, is kept as it was.
    """
    now = timezone.now()
    series = _locked_series(action.series_id)
    _side(series, actor)
    reason = series_closed_reason(series)
    if reason:
        raise ValidationError(reason)
    action = _fresh_action(action)
    if action is None:
        raise ValidationError("This action was removed.")
    if (action.done_at is not None) == done:
        return action
    before = _action_words(action)
    action.done_at = now if done else None
    action.save(update_fields=["done_at"])
    _record(action.meeting, actor, AgendaChange.What.ACTION_CHANGED, before=before, after=_action_words(action), now=now)
    return action


@transaction.atomic
def action_remove(*, action: ActionItem, actor: User) -> Meeting:
    """Take an action back, until its meeting locks; the history keeps its words."""
    now = timezone.now()
    meeting = _writable_meeting(action.meeting, actor, now)
    action = _fresh_action(action)
    if action is None:
        return meeting
    before = _action_words(action)
    action.delete()
    _record(meeting, actor, AgendaChange.What.ACTION_REMOVED, before=before, now=now)
    return meeting
