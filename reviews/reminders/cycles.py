"""Reminders of review cycles: what someone has still to write while a phase is open (once per
person per phase; upward reviews under a private rule of their own, whose notifications
nobody but their recipients sees listed), the late escalated to their manager after a
deadline (once per manager per phase, never for upward reviews), and each participant told
once when their results are released.

Everyone is counted as they are now: the manager who is told is today's manager. Nothing
here says what any review says, nor who wrote an upward review.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterator

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from people.models import User
from people.reminders import Due, rule

from ..models import Cycle, Nomination, Participant, Phase, Review

# A deadline passed longer ago than this is history: nobody is told about it any more.
LATE_WINDOW_DAYS = 14


def _url(name: str, args: list, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


def my_reviews_url() -> str:
    return _url("reviews:my_reviews", [], "/reviews/")


def team_url(cycle_id: int) -> str:
    return _url("reviews:cycle_team", [cycle_id], f"/reviews/cycles/{cycle_id}/team/")


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# --- Who owes what --------------------------------------------------------------------------------


def owed(cycle: Cycle, kind: str) -> Counter:
    """For one phase of `cycle`: who owes how many pieces of it, by person id. Active people
    and participants still in the cycle only. A constant number of queries."""
    people = Participant.objects.filter(cycle=cycle, removed_at=None, person__is_active=True)
    done = Review.objects.filter(participant__cycle=cycle, kind=kind, submitted_at__isnull=False)
    counts: Counter = Counter()
    if kind == Phase.Kind.SELF:
        written = set(done.values_list("participant__person_id", flat=True))
        counts.update(pk for pk in people.values_list("person_id", flat=True) if pk not in written)
    elif kind == Phase.Kind.NOMINATIONS:
        nominated = set(
            Nomination.objects.filter(participant__cycle=cycle).exclude(status=Nomination.Status.DECLINED)
            .values_list("participant_id", flat=True)
        )
        counts.update(person for pk, person in people.values_list("pk", "person_id") if pk not in nominated)
        # Managers with proposals to approve or decline, counted by proposal.
        counts.update(
            Nomination.objects.filter(
                participant__in=people, status=Nomination.Status.PROPOSED, participant__person__manager__is_active=True
            ).values_list("participant__person__manager_id", flat=True)
        )
    elif kind == Phase.Kind.PEER:
        written = set(done.values_list("participant_id", "author_id"))
        for participant, peer in Nomination.objects.filter(
            participant__in=people, status=Nomination.Status.APPROVED, peer__is_active=True
        ).values_list("participant_id", "peer_id"):
            if (participant, peer) not in written:
                counts[peer] += 1
    elif kind == Phase.Kind.UPWARD:
        written = set(done.values_list("participant_id", "author_id"))
        participant_of = dict(people.values_list("person_id", "pk"))
        reports = User.objects.filter(is_active=True, manager_id__in=people.values("person_id"))
        for manager, report in reports.values_list("manager_id", "pk"):
            if (participant_of[manager], report) not in written:
                counts[report] += 1
    elif kind == Phase.Kind.MANAGER:
        written = set(done.values_list("participant_id", flat=True))
        for participant, manager in people.filter(person__manager__is_active=True).values_list(
            "pk", "person__manager_id"
        ):
            if participant not in written:
                counts[manager] += 1
    return counts


WRITING_PHASES = [Phase.Kind.SELF, Phase.Kind.NOMINATIONS, Phase.Kind.PEER, Phase.Kind.UPWARD, Phase.Kind.MANAGER]
WHAT = {
    Phase.Kind.SELF: ("your self review", "your self review"),
    Phase.Kind.NOMINATIONS: ("a peer nomination to make or approve", "peer nominations to make or approve"),
    Phase.Kind.PEER: ("a peer review to write", "peer reviews to write"),
    Phase.Kind.UPWARD: ("an upward review of your manager", "upward reviews to write"),
    Phase.Kind.MANAGER: ("a manager review to write", "manager reviews to write"),
}


def _phases(**filters):
    return (
        Phase.objects.filter(kind__in=WRITING_PHASES, closed_early_at=None, cycle__released_at=None, **filters)
        .select_related("cycle")
        .order_by("closes_on", "pk")
    )


def _due(days: int, now: datetime.datetime, phases) -> Iterator[Due]:
    today = timezone.localdate(now)
    for phase in phases.filter(opens_on__lte=today, closes_on__gte=today, closes_on__lte=today + datetime.timedelta(days=days)):
        one, many = WHAT[phase.kind]
        for person, count in sorted(owed(phase.cycle, phase.kind).items()):
            what = one if count == 1 else f"{count} {many}"
            yield Due(
                recipient_id=person,
                subject=f"reviews.cycle:{phase.cycle_id}",
                period=phase.kind,
                title=f"{phase.cycle.name}: {what}, due {phase.closes_on.day} {phase.closes_on:%b}"[:200],
                body=f"{phase.get_kind_display()} closes at the end of {phase.closes_on.day} {phase.closes_on:%B}.",
                url=my_reviews_url(),
            )


@rule(
    "reviews.cycle_due",
    name="Review cycle: still to write",
    description=(
        "Everyone with something still to do in an open phase of a review cycle (their self review, peer "
        "nominations, peer or manager reviews), once per phase, some days before its deadline."
    ),
    days=3,
    days_label="days before the deadline",
)
def cycle_due(days: int, now: datetime.datetime) -> Iterator[Due]:
    yield from _due(days, now, _phases().exclude(kind=Phase.Kind.UPWARD))


@rule(
    "reviews.cycle_upward_due",
    name="Review cycle: upward review still to write",
    description=(
        "Everyone whose upward review of their manager is still to write, once per cycle, some days before "
        "its deadline. Private: who was reminded would say who had answered, so the admin lists none of them."
    ),
    days=3,
    days_label="days before the deadline",
    private=True,
)
def cycle_upward_due(days: int, now: datetime.datetime) -> Iterator[Due]:
    yield from _due(days, now, _phases(kind=Phase.Kind.UPWARD))


@rule(
    "reviews.cycle_late",
    name="Review cycle: late, to the manager",
    description=(
        "A manager whose reports (or who themselves) missed a review cycle phase's deadline, once per phase, "
        "some days after it, so that they can follow up (HR may extend the deadline)."
    ),
    days=1,
    days_label="days after the deadline",
)
def cycle_late(days: int, now: datetime.datetime) -> Iterator[Due]:
    today = timezone.localdate(now)
    latest = today - datetime.timedelta(days=days)
    phases = _phases(closes_on__lte=latest, closes_on__gte=today - datetime.timedelta(days=LATE_WINDOW_DAYS))
    # Not upward reviews: the manager told would be the one reviewed, and how many of their
    # reports did not answer says how many did.
    for phase in phases.exclude(kind=Phase.Kind.UPWARD):
        late = owed(phase.cycle, phase.kind)
        if not late:
            continue
        managers = dict(User.objects.filter(pk__in=list(late), manager__is_active=True).values_list("pk", "manager_id"))
        by_manager: dict[int, int] = defaultdict(int)
        for person, manager in managers.items():
            by_manager[manager] += 1
        for manager, count in sorted(by_manager.items()):
            yield Due(
                recipient_id=manager,
                subject=f"reviews.cycle:{phase.cycle_id}",
                period=f"{phase.kind}:late",
                title=(
                    f"{phase.cycle.name}: {_plural(count, 'person', 'people')} reporting to you missed "
                    f"the {phase.get_kind_display().lower()} deadline"
                )[:200],
                body=f"It was {phase.closes_on.day} {phase.closes_on:%B}. See who is late, and ask HR if they need longer.",
                url=team_url(phase.cycle_id),
            )


@rule(
    "reviews.cycle_released",
    name="Review results released",
    description="Each participant of a review cycle, once, when its results are released.",
    days=7,
    days_label="days after the release, at most",
)
def cycle_released(days: int, now: datetime.datetime) -> Iterator[Due]:
    since = now - datetime.timedelta(days=days)
    for cycle in Cycle.objects.filter(released_at__gte=since, released_at__lte=now).order_by("pk"):
        people = Participant.objects.filter(cycle=cycle, removed_at=None, person__is_active=True)
        for person in people.values_list("person_id", flat=True).order_by("person_id").iterator(chunk_size=2000):
            yield Due(
                recipient_id=person,
                subject=f"reviews.cycle:{cycle.pk}",
                period="released",
                title=f"{cycle.name}: your review results are ready"[:200],
                body="Read your overall rating, your manager's review and what it says about each competency.",
                url=my_reviews_url(),
            )
