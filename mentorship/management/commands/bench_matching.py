"""Time the matching engine on a generated organisation: scoring, the exact solve, and a preview.

The data is made the way a company's would look: a reporting tree five levels
deep (nobody may mentor up or down their own line), mentees wanting two to
four of a framework's competencies with gaps of one or two steps, mentors
offering three to five at proficiencies above the middle of the scale, some
validated by an agreed assessment and some self-claimed, a few paused,
technical domains, communication styles and time zones from a handful of
offices. Nothing touches the database.
"""

from __future__ import annotations

import resource
import time

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from mentorship.matching import Mentee, Mentor, Weights, match, score, solve

COMPETENCIES = [
    "system-design", "testing", "incident-response", "code-review", "delivery", "communication",
    "mentoring", "technical-writing", "security", "performance", "data-modelling", "planning",
]
DOMAINS = ["web", "mobile", "data", "infrastructure", "machine learning", "payments", "search"]
STYLES = ["async written", "live pairing", "structured agenda"]
OFFICES = [-8.0, -5.0, 0.0, 1.0, 2.0, 5.5, 8.0, 10.0]


def organisation(mentees: int, mentors: int, capacity: int, seed: int = 7) -> tuple[list[Mentee], list[Mentor]]:
    rng = np.random.default_rng(seed)
    people = mentees + mentors
    # A tree: each person's manager is someone earlier, most people five levels down.
    managers = np.concatenate([[-1], rng.integers(0, np.maximum(1, np.arange(1, people) // 8))])
    chains: list[frozenset[int]] = []
    for person in range(people):
        above, boss = [], managers[person]
        while boss >= 0:
            above.append(int(boss))
            boss = managers[boss]
        chains.append(frozenset(above))
    rung = np.clip(6 - np.array([len(c) for c in chains]), 1, 6)
    order = rng.permutation(people)
    mentee_people, mentor_people = order[:mentees], order[mentees:]

    def domains():
        return frozenset(rng.choice(DOMAINS, size=int(rng.integers(1, 3)), replace=False).tolist())

    found_mentees = []
    for person in mentee_people:
        wanted = rng.choice(COMPETENCIES, size=int(rng.integers(2, 5)), replace=False)
        assessed = rng.integers(1, 4, size=len(wanted))
        found_mentees.append(
            Mentee(
                key=int(person),
                gaps={c: (int(a), int(a + rng.integers(1, 3))) for c, a in zip(wanted.tolist(), assessed, strict=True)},
                domains=domains(),
                style=str(rng.choice(STYLES)) if rng.random() < 0.8 else None,
                utc_offset=float(rng.choice(OFFICES)),
                chain=chains[person],
                rung=int(rung[person]),
            )
        )
    found_mentors = []
    for person in mentor_people:
        offered = rng.choice(COMPETENCIES, size=int(rng.integers(3, 6)), replace=False)
        found_mentors.append(
            Mentor(
                key=int(person),
                offers={c: (int(rng.integers(3, 6)), bool(rng.random() < 0.6)) for c in offered.tolist()},
                capacity=capacity,
                domains=domains(),
                style=str(rng.choice(STYLES)),
                utc_offset=float(rng.choice(OFFICES)),
                chain=chains[person],
                rung=int(rung[person]),
                paused=bool(rng.random() < 0.05),
            )
        )
    return found_mentees, found_mentors


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Command(BaseCommand):
    help = "Time mentor matching (scoring, the exact solve, a preview) on generated data."

    def add_arguments(self, parser):
        parser.add_argument("--mentees", type=int, default=2000)
        parser.add_argument("--mentors", type=int, default=700)
        parser.add_argument("--capacity", type=int, default=3)
        parser.add_argument("--preview", type=int, default=500, help="mentees in the preview round")

    def handle(self, *args, mentees: int, mentors: int, capacity: int, preview: int, **options):
        if min(mentees, mentors) < 1 or capacity < 1 or preview < 1:
            raise CommandError("--mentees, --mentors, --capacity and --preview must be at least 1.")
        started = time.perf_counter()
        people, offering = organisation(mentees, mentors, capacity)
        made = time.perf_counter() - started
        weights = Weights()

        started = time.perf_counter()
        scores = score(people, offering, weights)
        scored = time.perf_counter() - started
        started = time.perf_counter()
        pairs = solve(scores)
        solved = time.perf_counter() - started

        small = people[:preview]
        share = max(1, round(len(offering) * len(small) / len(people)))
        started = time.perf_counter()
        round_ = match(small, offering[:share], weights)
        previewed = time.perf_counter() - started

        w = self.stdout.write
        w(f"{mentees:,} mentees × {mentors:,} mentors (capacity {capacity}); data made in {made:.1f} s.")
        w(f"  allowed pairs      {int(scores.allowed.sum()):,} of {mentees * mentors:,}")
        w(f"  scoring            {scored:6.2f} s")
        total = float(sum(scores.total[i, j] for i, j in pairs))
        w(f"  exact solve        {solved:6.2f} s   {len(pairs):,} matched, total score {total:.1f}")
        w(f"  together           {scored + solved:6.2f} s")
        w(f"  preview of {len(small):,} with {share:,} mentors, explained: {previewed * 1000:.0f} ms "
          f"({len(round_.proposals):,} proposals, {len(round_.unmatched):,} unmatched)")
        w(f"  peak memory        {_peak_mb():,.0f} MB (the whole process)")
