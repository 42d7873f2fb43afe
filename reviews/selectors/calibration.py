"""Interviewer calibration, for HR: how each interviewer rates against their panels.

Per interviewer, over their submitted scorecards of interviews in the period:
- how many scorecards they submitted;
- their rating distribution: how many of their ratings fell on each value of the scale;
- their no-decision rate: the share of their scorecards recommending "No decision";
- how often their recommendation diverges from the panel's majority: each of their
  decisive scorecards (yes or strong yes against no or strong no) is compared with the
  majority of the other interviewers' decisive scorecards of the same loop (any
  period: the panel is the whole loop); a tie or nobody else decisive compares nothing;
- how often it diverges from the hiring decision: yes-ish against "do not hire", no-ish
  against "hire", on decided loops.

Only loops whose scorecards HR may read count (every scorecard in, or the debrief
opened; for an HR admin who interviews in it, once their own are in too): calibration must
not tell anyone how a loop is going before that. Scores of
erased candidates count like any other (their loops keep who rated what).
Three queries, whatever the number of interviewers, loops or ratings: the scorecards
in one list, the ratings counted in the database, the scale's labels.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from people.models import User

from ..models import Interview, Loop, ScalePoint, Scorecard, ScorecardRating

# Period key -> (label, days back, or None for all time).
PERIODS: dict[str, tuple[str, int | None]] = {
    "90d": ("Last 90 days", 90),
    "year": ("Last 12 months", 365),
    "all": ("All time", None),
}
DEFAULT_PERIOD = "year"

YES = {Scorecard.Recommendation.YES, Scorecard.Recommendation.STRONG_YES}
NO = {Scorecard.Recommendation.NO, Scorecard.Recommendation.STRONG_NO}


def may_see_calibration(viewer: User) -> bool:
    """HR admins only."""
    return bool(viewer.is_authenticated and viewer.is_active and viewer.sees_everyone)


def period_start(period: str, now: datetime.datetime | None = None) -> datetime.datetime | None:
    days = PERIODS[period][1]
    if days is None:
        return None
    return (now or timezone.now()) - datetime.timedelta(days=days)


def _leaning(recommendation: str) -> str:
    if recommendation in YES:
        return "yes"
    if recommendation in NO:
        return "no"
    return ""


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class InterviewerCalibration:
    interviewer_id: int
    name: str
    is_active: bool
    submitted: int = 0
    no_decision: int = 0
    distribution: dict[int, int] = field(default_factory=dict)  # scale value -> ratings
    panel_compared: int = 0
    panel_diverged: int = 0
    decision_compared: int = 0
    decision_diverged: int = 0

    @property
    def ratings(self) -> int:
        return sum(self.distribution.values())

    @property
    def no_decision_rate(self) -> float | None:
        return _rate(self.no_decision, self.submitted)

    @property
    def panel_divergence(self) -> float | None:
        return _rate(self.panel_diverged, self.panel_compared)

    @property
    def decision_divergence(self) -> float | None:
        return _rate(self.decision_diverged, self.decision_compared)

    def sort_key(self) -> tuple:
        # Most divergent first; those with nothing to compare last; then by name.
        panel, decision = self.panel_divergence, self.decision_divergence
        return (panel is None, -(panel or 0), decision is None, -(decision or 0), self.name.lower(), self.interviewer_id)


@dataclass
class CalibrationReport:
    period: str
    since: datetime.datetime | None
    interviewers: list[InterviewerCalibration]
    scale: list[tuple[int, str]]  # (value, label) of every value rated, in order


def calibration_report(viewer: User, period: str = DEFAULT_PERIOD, *, now: datetime.datetime | None = None) -> CalibrationReport:
    """The report for `viewer` (HR admins; anyone else reads an empty report). Three queries."""
    if period not in PERIODS:
        raise ValueError(f"Unknown period {period!r}.")
    since = period_start(period, now)
    if not may_see_calibration(viewer):
        return CalibrationReport(period=period, since=since, interviewers=[], scale=[])

    submitted = Scorecard.objects.filter(submitted_at__isnull=False)
    in_period = submitted if since is None else submitted.filter(interview__starts_at__gte=since)
    # Only loops whose scorecards HR may read (selectors.interviews): every one in, or the
    # debrief opened. A loop still collecting scorecards says nothing yet, not even a count.
    drafts = Scorecard.objects.filter(interview__loop=OuterRef("pk"), submitted_at=None)
    # Nor a loop the viewer interviews in with a scorecard still to submit (an interviewer
    # first: selectors.interviews.waits_for_own).
    loops = Loop.objects.filter(
        Q(debrief_opened_at__isnull=False) | ~Exists(drafts),
        Q(~Exists(drafts.filter(interviewer=viewer))) | ~Q(decision=""),
        pk__in=Interview.objects.filter(scorecards__in=in_period).values("loop_id"),
    )
    rows = list(
        submitted.filter(interview__loop__in=loops)
        .order_by()
        .values_list(
            "interviewer_id",
            "interviewer__name",
            "interviewer__is_active",
            "interview__loop_id",
            "interview__starts_at",
            "recommendation",
            "interview__loop__decision",
        )
    )

    # Per loop, each interviewer's decisive leanings (an interviewer may sit on two interviews).
    leanings: dict[int, dict[int, Counter]] = defaultdict(lambda: defaultdict(Counter))
    for interviewer_id, _, _, loop_id, _, recommendation, _ in rows:
        leaning = _leaning(recommendation)
        if leaning:
            leanings[loop_id][interviewer_id][leaning] += 1

    people: dict[int, InterviewerCalibration] = {}
    for interviewer_id, name, is_active, loop_id, starts_at, recommendation, decision in rows:
        if since is not None and starts_at < since:
            continue  # part of a panel only
        person = people.get(interviewer_id)
        if person is None:
            person = people[interviewer_id] = InterviewerCalibration(interviewer_id, name, is_active)
        person.submitted += 1
        if recommendation == Scorecard.Recommendation.NO_DECISION:
            person.no_decision += 1
        leaning = _leaning(recommendation)
        if not leaning:
            continue
        others = Counter()
        for other_id, counts in leanings[loop_id].items():
            if other_id != interviewer_id:
                others.update(counts)
        if others["yes"] != others["no"]:
            majority = "yes" if others["yes"] > others["no"] else "no"
            person.panel_compared += 1
            person.panel_diverged += leaning != majority
        if decision:
            person.decision_compared += 1
            person.decision_diverged += leaning != ("yes" if decision == Loop.Decision.HIRE else "no")

    ratings = ScorecardRating.objects.filter(
        scorecard__in=in_period, scorecard__interview__loop__in=loops, point__isnull=False
    )
    values = set()
    for interviewer_id, value, count in (
        ratings.order_by().values_list("scorecard__interviewer_id", "point__value").annotate(n=Count("pk"))
    ):
        if interviewer_id in people:
            people[interviewer_id].distribution[value] = count
            values.add(value)

    return CalibrationReport(
        period=period,
        since=since,
        interviewers=sorted(people.values(), key=InterviewerCalibration.sort_key),
        scale=_scale(values, loops),
    )


def _scale(values: set[int], loops) -> list[tuple[int, str]]:
    """Every point of the scales of these loops' kits (a point nobody gave says something too),
    and any other value rated, each with the label most kits give it. One query."""
    labels: dict[int, Counter] = defaultdict(Counter)
    for value, label, kits in (
        ScalePoint.objects.filter(Q(value__in=values) | Q(kit__loops__in=loops))
        .order_by("value", "label")
        .values_list("value", "label")
        .annotate(n=Count("pk", distinct=True))
    ):
        labels[value][label] += kits
    return [(value, labels[value].most_common(1)[0][0] if labels[value] else str(value)) for value in sorted(values | set(labels))]
