"""Reading loops and scorecards, with independence.

Nobody is swayed by another's scorecard before writing their own:
- an interviewer always reads their own scorecard, and the other submitted scorecards of
  a loop only once every one of their own scorecards in that loop is submitted;
- the hiring manager and HR read a loop's submitted scorecards once all of them are in,
  or once the debrief has been opened;
- a draft is read by its author alone; anyone else reads nothing (the hiring team, who
  read the loop and its schedule, included).
Someone who is both (a hiring manager, or HR, who also interviews in the loop) is an
interviewer first: nothing of the others until their own are in, debrief opened or not
(waits_for_own). Counts follow the same rule: how many scorecards are in is shown to those who
run the loop only (loops_with_progress); an interviewer is told about their own.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from people.models import User

from ..models import Candidate, Interview, KitCompetency, Loop, Scorecard, ScorecardRating, ScorecardRevision

MY_INTERVIEWS_SHOWN = 100


def _active(viewer: User) -> bool:
    return bool(viewer.is_authenticated and viewer.is_active)


def _hr(viewer: User) -> bool:
    return _active(viewer) and viewer.sees_everyone


def _released_q(viewer: User) -> Q:
    """Which submitted scorecards (of any loop, by anyone) `viewer` may read."""
    same_loop = Scorecard.objects.filter(interview__loop=OuterRef("interview__loop"))
    own_all_in = Exists(same_loop.filter(interviewer=viewer)) & ~Exists(
        same_loop.filter(interviewer=viewer, submitted_at=None)
    )
    loop_open = Q(interview__loop__debrief_opened_at__isnull=False) | ~Exists(same_loop.filter(submitted_at=None))
    runs = Q() if _hr(viewer) else Q(interview__loop__hiring_manager=viewer)
    # Running the loop does not excuse an interviewer of it from writing their own first.
    # (Once the loop is decided their draft can no longer be written: nothing to wait for.)
    own_draft = Exists(same_loop.filter(interviewer=viewer, submitted_at=None, interview__loop__decision=""))
    return Q(submitted_at__isnull=False) & (own_all_in | (runs & loop_open & ~own_draft))


def scorecards_visible_to(viewer: User, loop: Loop | None = None) -> QuerySet[Scorecard]:
    """The scorecards `viewer` may read (of `loop`, or of every loop), with their interview and
    interviewer; ratings are read through ratings_visible_to or prefetched from here."""
    if not _active(viewer):
        return Scorecard.objects.none()
    scorecards = Scorecard.objects.filter(Q(interviewer=viewer) | _released_q(viewer))
    if loop is not None:
        scorecards = scorecards.filter(interview__loop=loop)
    return scorecards.select_related("interview", "interviewer").order_by("interview__starts_at", "interview_id", "pk")


def scorecards_with_ratings(viewer: User, loop: Loop) -> QuerySet[Scorecard]:
    """scorecards_visible_to with each one's ratings, their focus competency and point: three queries."""
    return scorecards_visible_to(viewer, loop).prefetch_related(
        Prefetch("ratings", queryset=ScorecardRating.objects.select_related("focus__competency", "point"))
    )


def ratings_visible_to(viewer: User, loop: Loop | None = None) -> QuerySet[ScorecardRating]:
    """The ratings of the scorecards `viewer` may read."""
    return ScorecardRating.objects.filter(
        scorecard__in=scorecards_visible_to(viewer, loop).order_by().values("pk")
    ).select_related("scorecard__interviewer", "focus__competency", "point")


def waits_for_own(viewer: User, loop: Loop) -> bool:
    """Whether `viewer` has a scorecard of `loop` still to submit while the loop is open: until
    then they read none of the others', whatever else they are to the loop. One query."""
    if loop.decision:
        return False  # a draft of a decided loop can no longer be written
    return Scorecard.objects.filter(interview__loop=loop, interviewer=viewer, submitted_at=None).exists()


@dataclass(frozen=True)
class DebriefState:
    """How far a loop's scorecards are in, and whether its debrief is released to a reader who
    runs the loop: once all are in or the debrief is opened, and never while the reader owes
    a scorecard of the loop themselves (`own_first`)."""

    total: int
    submitted: int
    own_first: bool
    ready: bool

    @property
    def outstanding(self) -> int:
        return self.total - self.submitted


def debrief_state(viewer: User, loop: Loop) -> DebriefState:
    """The DebriefState of `loop` for `viewer`, who runs it (the caller checks that): the rule
    of _released_q for one loop, in one query."""
    counts = Scorecard.objects.filter(interview__loop=loop).aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(submitted_at__isnull=False)),
        owed=Count("pk", filter=Q(interviewer=viewer, submitted_at=None)),
    )
    own_first = bool(counts["owed"]) and not loop.decision and _active(viewer)
    released = loop.debrief_opened_at is not None or counts["total"] == counts["submitted"]
    return DebriefState(
        total=counts["total"], submitted=counts["submitted"], own_first=own_first, ready=released and not own_first
    )


def scorecard_get_for_user(viewer: User, pk: int) -> Scorecard:
    scorecard = scorecards_visible_to(viewer).select_related("interview__loop__kit").filter(pk=pk).first()
    if scorecard is None:
        raise Http404("No such scorecard.")
    return scorecard


def scorecard_revisions_for(viewer: User, scorecard: Scorecard) -> QuerySet[ScorecardRevision]:
    """What `scorecard` said before each amendment, newest first: only for those who may read
    the scorecard itself (scorecards_visible_to), nothing for anyone else. One query."""
    readable = scorecards_visible_to(viewer).filter(pk=scorecard.pk).order_by().values("pk")
    return ScorecardRevision.objects.filter(scorecard__in=readable).order_by("-replaced_at", "-pk")


def own_scorecard_get(viewer: User, pk: int) -> Scorecard:
    """A scorecard of the viewer's own, to write (404 for anyone else's)."""
    if not _active(viewer):
        raise Http404("No such scorecard.")
    scorecard = (
        Scorecard.objects.filter(pk=pk, interviewer=viewer)
        .select_related("interview__loop__kit", "interview__loop__candidate")
        .first()
    )
    if scorecard is None:
        raise Http404("No such scorecard.")
    return scorecard


def loops_visible_to(viewer: User) -> QuerySet[Loop]:
    """HR read every loop; a hiring manager their loops; the hiring team and interviewers the
    loops they are on (where what they read of scorecards is still limited as above: the
    hiring team reads none but their own)."""
    if not _active(viewer):
        return Loop.objects.none()
    loops = Loop.objects.all()
    if not _hr(viewer):
        interviews_in = Scorecard.objects.filter(interview__loop=OuterRef("pk"), interviewer=viewer)
        on_team = Loop.hiring_team.through.objects.filter(loop=OuterRef("pk"), user=viewer)
        loops = loops.filter(Q(hiring_manager=viewer) | Exists(interviews_in) | Exists(on_team))
    return loops.select_related("candidate", "kit", "target_level", "hiring_manager", "decided_level")


def loop_get_for_user(viewer: User, pk: int) -> Loop:
    loop = loops_visible_to(viewer).filter(pk=pk).first()
    if loop is None:
        raise Http404("No such loop.")
    return loop


def loops_with_progress(viewer: User) -> QuerySet[Loop]:
    """loops_visible_to, each with `scorecards_total` and `scorecards_in` filled only where the
    viewer runs the loop and owes no scorecard of it (None elsewhere: an interviewer learns
    nothing of the others from a count), and `mine_total` / `mine_in`: the viewer's own scorecards in it."""
    loops = loops_visible_to(viewer)
    of_loop = Scorecard.objects.filter(interview__loop=OuterRef("pk")).order_by().values("interview__loop")
    counted = Count("pk")

    def count(queryset):
        return Subquery(queryset.annotate(n=counted).values("n"), output_field=IntegerField())

    runs = Q(pk__isnull=False) if _hr(viewer) else Q(hiring_manager=viewer)
    # An interviewer first: no count while they owe a scorecard of the loop themselves.
    owes = Scorecard.objects.filter(interview__loop=OuterRef("pk"), interviewer=viewer, submitted_at=None)
    runs &= Q(~Exists(owes)) | ~Q(decision="")
    total = Coalesce(count(of_loop), Value(0))
    submitted = Coalesce(count(of_loop.filter(submitted_at__isnull=False)), Value(0))
    return loops.annotate(
        scorecards_total=Case(When(runs, then=total), default=None, output_field=IntegerField()),
        scorecards_in=Case(When(runs, then=submitted), default=None, output_field=IntegerField()),
        mine_total=Coalesce(count(of_loop.filter(interviewer=viewer)), Value(0)),
        mine_in=Coalesce(count(of_loop.filter(interviewer=viewer, submitted_at__isnull=False)), Value(0)),
    )


@dataclass
class MyInterviews:
    to_prepare: list[Interview]  # still to come, with their focus and questions
    to_write: list[Scorecard]  # drafts of interviews that have started, oldest first


def my_interviews(viewer: User, now: datetime.datetime | None = None) -> MyInterviews:
    """What `viewer` has to do as an interviewer in loops not yet decided: four queries."""
    if not _active(viewer):
        return MyInterviews([], [])
    now = now or timezone.now()
    mine = Scorecard.objects.filter(interviewer=viewer, interview__loop__decision="")
    to_prepare = list(
        Interview.objects.filter(pk__in=mine.values("interview_id"), starts_at__gt=now)
        .select_related("loop__candidate", "loop__kit", "loop__target_level")
        .prefetch_related(
            Prefetch("focus", queryset=KitCompetency.objects.select_related("competency")),
            "questions",
        )
        .order_by("starts_at", "pk")[:MY_INTERVIEWS_SHOWN]
    )
    to_write = list(
        mine.filter(submitted_at=None, interview__starts_at__lte=now)
        .select_related("interview__loop__candidate", "interview__loop__kit")
        .order_by("interview__starts_at", "pk")[:MY_INTERVIEWS_SHOWN]
    )
    return MyInterviews(to_prepare=to_prepare, to_write=to_write)


def runs_hiring(viewer: User) -> bool:
    """Whether `viewer` runs hiring: HR admins, managers (who add candidates and lead
    loops) and anyone leading a loop. One query at most."""
    if viewer.sees_everyone:
        return True
    manages = User.objects.filter(manager=viewer, is_active=True)
    leads = Loop.objects.filter(hiring_manager=viewer)
    return User.objects.filter(Q(Exists(manages)) | Q(Exists(leads)), pk=viewer.pk).exists()


def candidate_for_new_loop(viewer: User, pk: int) -> Candidate:
    """A candidate `viewer` may start a loop for: any not erased for an HR admin, one they
    added themselves for anyone else. Anyone else's is not found."""
    candidates = Candidate.objects.filter(pk=pk, erased_at=None)
    if not (viewer.is_active and viewer.sees_everyone):
        candidates = candidates.filter(created_by=viewer)
    candidate = candidates.first()
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def candidate_get_for_hr(viewer: User, pk: int) -> Candidate:
    """Any candidate, erased or not, for an HR admin (who alone erases them); nobody else's."""
    candidate = Candidate.objects.filter(pk=pk).first() if viewer.is_active and viewer.sees_everyone else None
    if candidate is None:
        raise Http404("No such candidate.")
    return candidate


def own_scorecard_ids(viewer: User, interviews) -> dict[int, int]:
    """`viewer`'s own scorecard of each of these interviews, by interview id: one query."""
    return dict(
        Scorecard.objects.filter(interviewer=viewer, interview__in=[i.pk for i in interviews]).values_list("interview_id", "pk")
    )
