"""Mentor matching: every pair scored at once, then the best assignment overall.

Pure and typed, with no ORM inside: the callers read mentees and mentors from
the database into the dataclasses below, and get back proposals, each with
its score and a plain-words explanation, and the mentees left unmatched,
each with the reason.

A pair's score is a weighted sum of four parts, each between 0 and 1:

- **gap coverage**: for each competency the mentee wants to grow, how much of
  their gap (target minus assessed) the mentor's proficiency covers, the
  gaps weighted by their size; a proficiency the mentor's own manager
  agreed (validated) counts fully, a self-claimed one at a discount;
- **domain overlap**: shared technical domains over all of either's;
- **style fit**: the mentor's communication style is the one the mentee prefers;
- **time zone overlap**: hours of an 8-hour working day (9 to 5 local) the two share.

Hard rules: nobody mentors themselves or anyone in their management chain,
up or down; a paused mentor takes nobody; a mentor takes at most their
capacity; and a mentor must be stronger than the mentee in at least one
competency the mentee wants to grow and the mentor offers (so every allowed
pair scores above zero). Seniority is not a rule: a mentor on a lower rung
who is stronger in a wanted competency is reverse mentoring, and the
explanation says so.

The scoring is vectorised with numpy: whole mentees × mentors matrices, and
gap coverage built one competency at a time over only the mentees who want
it and the mentors who offer it. The assignment is exact: a min-cost flow
over the allowed pairs, with each mentor's capacity on their way out,
solved by OR-Tools (see solve).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow

WORKING_HOURS = 8.0


@dataclass(frozen=True)
class Weights:
    """How much each part of the score counts (HR sets them per program)."""

    gap: float = 1.0
    domain: float = 0.25
    style: float = 0.15
    timezone: float = 0.2
    # What a self-claimed proficiency counts for, against a validated one.
    self_claimed: float = 0.5

    def __post_init__(self) -> None:
        if self.gap <= 0:
            raise ValueError("The gap coverage weight must be above zero.")
        if min(self.domain, self.style, self.timezone) < 0:
            raise ValueError("Weights cannot be negative.")
        if not 0 <= self.self_claimed <= 1:
            raise ValueError("The self-claimed discount is between 0 and 1.")


@dataclass(frozen=True)
class Mentee:
    key: int
    # Competency slug → (assessed value, target value); only gaps (target above assessed) count.
    gaps: Mapping[str, tuple[int, int]]
    domains: frozenset[str] = frozenset()
    style: str | None = None
    utc_offset: float = 0.0
    # Everyone above them in the reporting line.
    chain: frozenset[int] = frozenset()
    rung: int | None = None
    names: Mapping[str, str] = field(default_factory=dict)  # competency slug → name, for explanations


@dataclass(frozen=True)
class Mentor:
    key: int
    # Competency slug → (proficiency value, validated by an agreed assessment).
    offers: Mapping[str, tuple[int, bool]]
    capacity: int
    domains: frozenset[str] = frozenset()
    style: str | None = None
    utc_offset: float = 0.0
    chain: frozenset[int] = frozenset()
    rung: int | None = None
    paused: bool = False


@dataclass(frozen=True)
class Proposal:
    mentee: int
    mentor: int
    score: float
    explanation: str


@dataclass(frozen=True)
class Unmatched:
    mentee: int
    reason: str


@dataclass(frozen=True)
class Round:
    proposals: list[Proposal]
    unmatched: list[Unmatched]

    @property
    def total(self) -> float:
        return float(sum(p.score for p in self.proposals))


@dataclass
class Scores:
    """Every pair's score (0 where the pair is not allowed) and the parts it is made of."""

    mentees: Sequence[Mentee]
    mentors: Sequence[Mentor]
    competencies: list[str]
    total: np.ndarray  # mentees × mentors
    allowed: np.ndarray  # mentees × mentors, bool


def shared_hours(offset, other):
    """Hours of the working day (9 to 5 local) two people share, by their UTC offsets (numbers or arrays)."""
    apart = np.abs(np.subtract(offset, other))
    return np.clip(WORKING_HOURS - np.minimum(apart, 24 - apart), 0, WORKING_HOURS)


def _wanted(mentee: Mentee) -> dict[str, tuple[int, int]]:
    return {c: (a, t) for c, (a, t) in mentee.gaps.items() if t > a}


def _forbidden(mentees: Sequence[Mentee], mentors: Sequence[Mentor]) -> np.ndarray:
    """Pairs the hard rules about people forbid: the same person, or one above the other."""
    forbidden = np.zeros((len(mentees), len(mentors)), dtype=bool)
    mentor_at: dict[int, list[int]] = {}
    for j, mentor in enumerate(mentors):
        mentor_at.setdefault(mentor.key, []).append(j)
        if mentor.paused or mentor.capacity <= 0:
            forbidden[:, j] = True
    mentee_at: dict[int, list[int]] = {}
    for i, mentee in enumerate(mentees):
        mentee_at.setdefault(mentee.key, []).append(i)
        for above in (mentee.key, *mentee.chain):
            for j in mentor_at.get(above, ()):
                forbidden[i, j] = True
    for j, mentor in enumerate(mentors):
        for above in mentor.chain:
            for i in mentee_at.get(above, ()):
                forbidden[i, j] = True
    return forbidden


def score(mentees: Sequence[Mentee], mentors: Sequence[Mentor], weights: Weights = Weights()) -> Scores:
    """Every pair's score, at once (see the module's description)."""
    competencies = sorted({c for m in mentees for c in _wanted(m)} | {c for m in mentors for c in m.offers})
    at = {c: k for k, c in enumerate(competencies)}
    n, m, k = len(mentees), len(mentors), len(competencies)

    assessed = np.zeros((n, k), dtype=np.float32)
    gap = np.zeros((n, k), dtype=np.float32)
    for i, mentee in enumerate(mentees):
        for c, (a, t) in _wanted(mentee).items():
            assessed[i, at[c]], gap[i, at[c]] = a, t - a
    proficiency = np.zeros((m, k), dtype=np.float32)
    counts = np.zeros((m, k), dtype=np.float32)
    for j, mentor in enumerate(mentors):
        for c, (value, validated) in mentor.offers.items():
            proficiency[j, at[c]] = value
            counts[j, at[c]] = 1.0 if validated else weights.self_claimed
    gap_total = gap.sum(axis=1)

    domains = sorted({d for p in (*mentees, *mentors) for d in p.domains})
    d_at = {d: x for x, d in enumerate(domains)}
    mentee_domains = np.zeros((n, len(domains)), dtype=np.float32)
    for i, mentee in enumerate(mentees):
        mentee_domains[i, [d_at[d] for d in mentee.domains]] = 1
    mentor_domains = np.zeros((m, len(domains)), dtype=np.float32)
    for j, mentor in enumerate(mentors):
        mentor_domains[j, [d_at[d] for d in mentor.domains]] = 1
    shared = mentee_domains @ mentor_domains.T
    either = mentee_domains.sum(axis=1)[:, None] + mentor_domains.sum(axis=1)[None, :] - shared
    domain = np.divide(shared, either, out=np.zeros_like(shared), where=either > 0)

    style_at = {s: x for x, s in enumerate(sorted({p.style for p in (*mentees, *mentors) if p.style}), start=1)}
    mentee_style = np.array([style_at.get(m.style, 0) for m in mentees], dtype=np.int32)
    mentor_style = np.array([style_at.get(m.style, -1) for m in mentors], dtype=np.int32)
    style = (mentee_style[:, None] == mentor_style[None, :]).astype(np.float32)

    offsets = np.array([m.utc_offset for m in mentees])[:, None], np.array([m.utc_offset for m in mentors])[None, :]
    timezone = (shared_hours(*offsets) / WORKING_HOURS).astype(np.float32)

    # One competency at a time, over only the mentees who want it and the
    # mentors who offer it: each pair costs as many steps as they share.
    coverage = np.zeros((n, m), dtype=np.float32)
    stronger = np.zeros((n, m), dtype=bool)
    for c in range(k):
        rows, cols = np.flatnonzero(gap[:, c] > 0), np.flatnonzero(counts[:, c] > 0)
        if not len(rows) or not len(cols):
            continue
        ahead = proficiency[cols, c][None, :] - assessed[rows, c][:, None]
        covered = np.minimum(np.clip(ahead, 0, None), gap[rows, c][:, None])
        pairs = np.ix_(rows, cols)
        coverage[pairs] += covered * counts[cols, c][None, :]
        stronger[pairs] |= covered > 0
    coverage = np.divide(coverage, gap_total[:, None], out=np.zeros_like(coverage), where=gap_total[:, None] > 0)

    allowed = stronger & ~_forbidden(mentees, mentors)
    total = weights.gap * coverage + weights.domain * domain + weights.style * style + weights.timezone * timezone
    total = np.where(allowed, total, 0.0).astype(np.float64)
    return Scores(mentees, mentors, competencies, total, allowed)


# Scores become whole numbers for the solver: nine decimal places, so the
# total found is the best to within a billionth per pair.
_SCALE = 10**9


def solve(scores: Scores) -> list[tuple[int, int]]:
    """The (mentee index, mentor index) pairs with the greatest total score, capacities kept.

    A min-cost flow: one unit from each mentee, either through a mentor it
    may have (costing minus the pair's score) to that mentor's capacity, or
    straight on (unmatched, costing nothing). OR-Tools solves it exactly.
    """
    n, m = len(scores.mentees), len(scores.mentors)
    capacity = np.array([0 if mentor.paused else max(mentor.capacity, 0) for mentor in scores.mentors], dtype=np.int64)
    rows, cols = np.nonzero(scores.allowed & (capacity > 0)[None, :])
    if not len(rows):
        return []
    source, sink = n + m, n + m + 1
    mentees, mentors = np.arange(n), n + np.arange(m)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(
        np.concatenate([np.full(n, source), rows, mentors, mentees]),
        np.concatenate([mentees, n + cols, np.full(m, sink), np.full(n, sink)]),
        np.concatenate([np.ones(n, np.int64), np.ones(len(rows), np.int64), capacity, np.ones(n, np.int64)]),
        np.concatenate([np.zeros(n, np.int64), -np.rint(scores.total[rows, cols] * _SCALE).astype(np.int64),
                        np.zeros(m + n, np.int64)]),
    )
    supplies = np.zeros(n + m + 2, dtype=np.int64)
    supplies[source], supplies[sink] = n, -n
    flow.set_nodes_supplies(np.arange(n + m + 2), supplies)
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"The assignment could not be solved ({status}).")
    chosen = flow.flows(np.arange(n, n + len(rows))) > 0
    return list(zip(rows[chosen].tolist(), cols[chosen].tolist(), strict=True))


def _hours(value: float) -> str:
    hours = round(value)
    return f"{hours} working hour{'s' if hours != 1 else ''} shared"


def explain(scores: Scores, i: int, j: int, weights: Weights = Weights()) -> str:
    """Why mentee i and mentor j fit, in plain words."""
    mentee, mentor = scores.mentees[i], scores.mentors[j]
    wanted = _wanted(mentee)
    covered = []
    for c, (a, t) in sorted(wanted.items(), key=lambda item: item[1][0] - item[1][1]):
        if c in mentor.offers:
            value, validated = mentor.offers[c]
            step = min(max(value - a, 0), t - a)
            if step > 0:
                name = mentee.names.get(c, c)
                covered.append(f"{name} +{step} ({'validated' if validated else 'self-claimed'})")
    parts = [f"covers {len(covered)} of {len(wanted)} gap{'s' if len(wanted) != 1 else ''}: {', '.join(covered)}"]
    parts.append(_hours(float(shared_hours(mentee.utc_offset, mentor.utc_offset))))
    if mentee.domains & mentor.domains:
        parts.append(f"shared domains: {', '.join(sorted(mentee.domains & mentor.domains))}")
    if mentee.style and mentee.style == mentor.style:
        parts.append(f"both prefer {mentee.style}")
    if mentee.rung is not None and mentor.rung is not None and mentor.rung < mentee.rung:
        parts.append("reverse mentoring: a more junior colleague who is stronger here")
    return "; ".join(parts)


def unmatched_reason(scores: Scores, i: int) -> str:
    """Why mentee i has no mentor this round."""
    mentee = scores.mentees[i]
    wanted = _wanted(mentee)
    names = lambda slugs: ", ".join(mentee.names.get(c, c) for c in sorted(slugs))  # noqa: E731
    if not wanted:
        return "no competency to grow was given"
    offered = {c for mentor in scores.mentors for c in mentor.offers} & set(wanted)
    if not offered:
        return f"no mentor offers {names(wanted)}"
    stronger = [
        j
        for j, mentor in enumerate(scores.mentors)
        if any(c in mentor.offers and mentor.offers[c][0] > wanted[c][0] for c in wanted)
    ]
    if not stronger:
        return f"no mentor who offers {names(offered)} is further along in it"
    def related(j: int) -> bool:
        mentor = scores.mentors[j]
        return mentor.key == mentee.key or mentor.key in mentee.chain or mentee.key in mentor.chain

    # Allowed mentors left out are full: the assignment is optimal (see solve).
    full = [j for j in stronger if scores.allowed[i, j] or (scores.mentors[j].capacity <= 0 and not scores.mentors[j].paused and not related(j))]
    if full:
        return "the one who could is full" if len(full) == 1 else f"the {len(full)} who could are full"
    paused = [j for j in stronger if scores.mentors[j].paused and not related(j)]
    chain = [j for j in stronger if related(j)]
    parts = []
    if chain:
        parts.append("the one who could is in their management chain" if len(chain) == 1 else f"the {len(chain)} who could are in their management chain")
    if paused:
        parts.append("the one who could is paused" if len(paused) == 1 and not chain else f"{len(paused)} {'is' if len(paused) == 1 else 'are'} paused")
    return "; ".join(parts)


def match(mentees: Sequence[Mentee], mentors: Sequence[Mentor], weights: Weights = Weights()) -> Round:
    """A round: the best assignment overall, each pair explained, each mentee left out with the reason."""
    scores = score(mentees, mentors, weights)
    pairs = solve(scores)
    matched = {i for i, _ in pairs}
    proposals = [
        Proposal(mentees[i].key, mentors[j].key, float(scores.total[i, j]), explain(scores, i, j, weights))
        for i, j in pairs
    ]
    unmatched = [Unmatched(mentee.key, unmatched_reason(scores, i)) for i, mentee in enumerate(mentees) if i not in matched]
    return Round(proposals, unmatched)
