"""How far a review cycle has come: per phase, per department and per manager, and who is late.

For HR's dashboard (the whole cycle) and a manager's team status (their reports). Counts
are of what is owed and what is submitted; upward reviews are never counted (a count of
fewer than three answers would say who answered). A constant
number of queries however many people the cycle reviews.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.utils import timezone

from people.models import User
from people.stamp import Stamped

from ..models import Cycle, Nomination, Participant, Phase, Review
from ..services.cycles import phase_state

LATE_SHOWN = 50
TRACKED = (Phase.Kind.SELF, Phase.Kind.PEER, Phase.Kind.MANAGER)


@dataclass
class Tally:
    owed: int = 0
    done: int = 0

    @property
    def percent(self) -> int | None:
        """Done as a share of owed, in per cent; None when nothing is owed."""
        return round(100 * self.done / self.owed) if self.owed else None


@dataclass
class Row:
    """One department's or manager's progress, by phase."""

    label: str
    people: int = 0
    phases: dict[str, Tally] = field(default_factory=lambda: {kind: Tally() for kind in TRACKED})
    late: int = 0


@dataclass(frozen=True)
class Late:
    person_id: int
    name: str
    what: str
    manager: str


@dataclass
class Progress:
    phases: list[tuple[Phase, str, Tally | None]]
    departments: list[Row]
    managers: list[Row]
    late: list[Late]
    late_total: int
    participants: int
    removed: int


def cycle_progress(cycle: Cycle, *, under: User | None = None) -> Progress:
    """`cycle`'s progress, for everyone or for the people below `under` in the reporting line."""
    today = timezone.localdate()
    phases = list(Phase.objects.filter(cycle=cycle).order_by("opens_on", "pk"))
    rows = Participant.objects.filter(cycle=cycle)
    if under is not None:
        rows = rows.filter(person__reporting_path__below=under.reporting_path) if under.reporting_path else rows.none()
    people = list(
        rows.values_list(
            "pk", "person_id", "person__name", "person__is_active", "removed_at",
            "person__department__name", "person__manager_id", "person__manager__name",
        )
    )
    active = [p for p in people if p[4] is None and p[3]]
    ids = {p[0] for p in active}
    submitted: dict[str, set] = defaultdict(set)
    # Only the rows' reviews and peers, unsorted: a manager's team reads its own, not the cycle's.
    scope = {"participant__cycle": cycle} if under is None else {"participant__in": rows.values("pk")}
    for participant, kind, author in Review.objects.filter(
        submitted_at__isnull=False, **scope
    ).order_by().values_list("participant_id", "kind", "author_id"):
        if participant in ids:
            submitted[kind].add((participant, author) if kind in (Review.Kind.PEER, Review.Kind.UPWARD) else participant)
    peers: dict[int, list[int]] = defaultdict(list)
    for participant, peer in Nomination.objects.filter(
        status=Nomination.Status.APPROVED, peer__is_active=True, **scope
    ).order_by().values_list("participant_id", "peer_id"):
        if participant in ids:
            peers[participant].append(peer)
    state = {phase.kind: phase_state(phase, today) for phase in phases}
    closed_by_date = {phase.kind: phase.closed_early_at is None and today > phase.closes_on for phase in phases}

    totals = {kind: Tally() for kind in TRACKED}
    departments: dict[str, Row] = {}
    managers: dict[int, Row] = {}
    late: list[Late] = []
    for pk, person, name, _, _, department, manager_id, manager_name in active:
        owed = {
            Phase.Kind.SELF: (1, int(pk in submitted[Review.Kind.SELF])),
            Phase.Kind.PEER: (len(peers[pk]), sum((pk, peer) in submitted[Review.Kind.PEER] for peer in peers[pk])),
            Phase.Kind.MANAGER: (int(manager_id is not None), int(manager_id is not None and pk in submitted[Review.Kind.MANAGER])),
        }
        dept = departments.setdefault(department or "No department", Row(department or "No department"))
        team = managers.setdefault(manager_id or 0, Row(manager_name or "No manager"))
        missing = []
        for row in (dept, team):
            row.people += 1
        for kind, (n, done) in owed.items():
            if kind not in state:
                continue
            for tally in (totals[kind], dept.phases[kind], team.phases[kind]):
                tally.owed += n
                tally.done += done
            if closed_by_date.get(kind) and done < n:
                missing.append(Phase.Kind(kind).label.lower())
        if missing:
            dept.late += 1
            team.late += 1
            late.append(Late(person, name, ", ".join(missing), manager_name or ""))
    # Upward reviews are not counted here at all: in a cycle of one team, a count is one
    # manager's, and below three it says who answered.
    shown = [(phase, state[phase.kind], totals.get(phase.kind)) for phase in phases]
    late.sort(key=lambda row: row.name)
    return Progress(
        phases=shown,
        departments=sorted(departments.values(), key=lambda row: row.label),
        managers=sorted(managers.values(), key=lambda row: (-row.late, row.label)),
        late=late[:LATE_SHOWN],
        late_total=len(late),
        participants=len(active),
        removed=sum(1 for p in people if p[4] is not None),
    )


# Progress kept per process while the organisation (the stamp), the day and the cycle's own
# marks stay the same: HR's dashboard, and the team status of a manager with thousands below
# them, read 10,000 people once, not on every visit. The whole cycles' apart from the teams',
# so that many managers' visits do not push HR's out.
_kept_whole = Stamped(size=8)
_kept_teams = Stamped(size=64)


def _marks(cycle: Cycle) -> tuple:
    """What changes whenever the cycle's progress may: its phases, who is in or out, the
    reviews submitted and the peers approved. Four small queries."""
    phases = tuple(Phase.objects.filter(cycle=cycle).order_by("pk").values_list("pk", "opens_on", "closes_on", "closed_early_at"))
    people = Participant.objects.filter(cycle=cycle).aggregate(
        n=Count("pk"), out=Count("pk", filter=Q(removed_at__isnull=False)), last_out=Max("removed_at"), last_in=Max("added_at"),
    )
    reviews = Review.objects.filter(participant__cycle=cycle, submitted_at__isnull=False).aggregate(
        n=Count("pk"), last=Max("submitted_at")
    )
    peers = Nomination.objects.filter(participant__cycle=cycle, status=Nomination.Status.APPROVED).aggregate(
        n=Count("pk"), last=Max("decided_at"), first=Max("created_at")
    )
    return phases, tuple(sorted(people.items())), tuple(sorted(reviews.items())), tuple(sorted(peers.items()))


def cycle_progress_kept(cycle: Cycle, *, stamp: int | None, under: User | None = None) -> Progress:
    """cycle_progress, kept under the stamp (which any change to the reporting lines moves)
    and the cycle's marks."""
    kept = _kept_whole if under is None else _kept_teams
    return kept.get_or_build(
        stamp,
        ("cycle", cycle.pk, under.pk if under is not None else None, timezone.localdate(), _marks(cycle)),
        lambda: cycle_progress(cycle, under=under),
    )
