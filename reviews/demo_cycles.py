"""Review cycles in the demo: one finished and released, one in calibration now.

The finished one (the first half of the year) has self, peer, upward and manager reviews,
calibration moves with reasons, and released results: Ada reads hers, with the peer
reviews, and Marcus what his reports said together. The running one has closed its
writing phases with some reviews late (their managers are told on the first dispatch) and
its calibration open. In a large demo company, reviews are written for the first few
hundred people and the personas; everyone has a rating to calibrate.
"""

from __future__ import annotations

import datetime
import random as _random

from django.db.models import Q
from django.utils import timezone

from people.models import User

from .cycle_rubric import lines_for
from .models import CalibrationMove, Cycle, Nomination, Participant, Phase, Review, ReviewAnswer, ReviewRating
from .models.cycles import Rating
from .services.cycles import Population, cycle_open

WRITTEN_FOR = 300  # people whose reviews are written out, beside the personas
WORDS = {
    Rating.BELOW: "Not yet at the level here: the work needed more help than the level expects.",
    Rating.MEETS: "Solidly at the level: delivered what was asked, with the judgement the level expects.",
    Rating.ABOVE: "Beyond the level: set the direction for others and raised the bar for the team.",
}
ANSWERS = {
    "Strengths": "Clear written plans, and calm when incidents hit; people seek out their reviews.",
    "Growth": "Take on a piece of cross-team design end to end, and say no earlier.",
    "Impact": "The billing migration shipped without downtime; on-call pages halved over the period.",
}


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _plan(start: int, *, upward: bool) -> dict[str, tuple]:
    """Phases from `start` days from today: two weeks of self reviews (nominations in the first
    week), two of peer (and upward) reviews, two of manager reviews, a week of calibration."""
    plan = {
        "self": (_day(start), _day(start + 13)),
        "nominations": (_day(start), _day(start + 6)),
        "peer": (_day(start + 7), _day(start + 20)),
        "manager": (_day(start + 14), _day(start + 27)),
        "calibration": (_day(start + 28), _day(start + 34)),
        "release": (_day(start + 38), None),
    }
    if upward:
        plan["upward"] = plan["peer"]
    return plan


def _rating(rnd: _random.Random) -> str:
    return rnd.choices([Rating.BELOW, Rating.MEETS, Rating.ABOVE], weights=[15, 65, 20])[0]


class _Writer:
    """Reviews written in bulk: each with a rating per line of the person's level and an
    answer per section."""

    def __init__(self, cycle: Cycle, rnd: _random.Random, when: datetime.datetime):
        self.cycle, self.rnd, self.when = cycle, rnd, when
        self.sections = list(cycle.sections.all())
        self.lines: dict[tuple, list] = {}
        self.reviews: list[tuple[Review, Participant, str]] = []

    def add(self, participant: Participant, author_id: int, kind: str, overall: str = "", submitted: bool = True) -> None:
        review = Review(
            participant=participant, author_id=author_id, kind=kind, overall=overall,
            created_at=self.when, updated_at=self.when, submitted_at=self.when if submitted else None,
        )
        self.reviews.append((review, participant, overall or _rating(self.rnd)))

    def save(self) -> int:
        Review.objects.bulk_create([r for r, _, _ in self.reviews], batch_size=1000)
        created = {(r.participant_id, r.author_id, r.kind): r.pk for r in Review.objects.filter(participant__cycle=self.cycle)}
        ratings, answers = [], []
        for review, participant, tendency in self.reviews:
            pk = created[(review.participant_id, review.author_id, review.kind)]
            key = (participant.level_id, participant.track_id)
            if key not in self.lines:
                self.lines[key] = lines_for(*key)[1]
            for line in self.lines[key]:
                rating = tendency if self.rnd.random() < 0.7 else _rating(self.rnd)
                ratings.append(ReviewRating(review_id=pk, competency=line.competency, rating=rating,
                                            proficiency=line.proficiency(rating), comment=WORDS[rating]))
            for section in self.sections:
                answers.append(ReviewAnswer(review_id=pk, section=section, text=ANSWERS.get(section.title, "Good work.")))
        ReviewRating.objects.bulk_create(ratings, batch_size=2000)
        ReviewAnswer.objects.bulk_create(answers, batch_size=2000)
        return len(self.reviews)


def _cycle(hr: User, name: str, start: int, *, upward: bool, shared: bool) -> Cycle:
    cycle = cycle_open(
        actor=hr, name=name, period_start=_day(start - 182), period_end=_day(start - 1),
        population=Population(everyone=True), phases=_plan(start, upward=upward), upward=upward,
        peer_reviews_shared=shared,
    )
    when = timezone.make_aware(datetime.datetime.combine(_day(start - 1), datetime.time(9)))
    Cycle.objects.filter(pk=cycle.pk).update(created_at=when)
    Participant.objects.filter(cycle=cycle).update(added_at=when)
    return cycle


def _written(cycle: Cycle, personas: list[User]) -> list[Participant]:
    """The participants whose reviews are written out: the personas and their teams, then the first others."""
    around = Q(person__in=personas) | Q(person__manager__in=personas)
    chosen = list(cycle.participants.filter(around).select_related("person"))
    seen = {p.pk for p in chosen}
    chosen += [p for p in cycle.participants.select_related("person").order_by("pk")[:WRITTEN_FOR] if p.pk not in seen]
    return chosen


def _write(cycle: Cycle, rnd: _random.Random, people: list[Participant], *, days_before: int, late: float,
           peers: dict[int, list[int]], upward: bool) -> tuple[int, dict[int, str]]:
    when = timezone.make_aware(datetime.datetime.combine(_day(days_before), datetime.time(15)))
    writer = _Writer(cycle, rnd, when)
    reports_of: dict[int, list[int]] = {}
    if upward:
        for manager, report in User.objects.filter(
            manager_id__in=[p.person_id for p in people], is_active=True
        ).order_by("pk").values_list("manager_id", "pk"):
            reports_of.setdefault(manager, []).append(report)
    proposals: dict[int, str] = {}
    nominations = []
    for participant in people:
        person = participant.person
        if rnd.random() >= late:
            writer.add(participant, person.pk, Review.Kind.SELF)
        for peer in peers.get(person.pk, []):
            nominations.append(Nomination(participant=participant, peer_id=peer, status=Nomination.Status.APPROVED,
                                          nominated_by_id=person.pk, decided_by_id=person.manager_id, decided_at=when))
            if rnd.random() >= late:
                writer.add(participant, peer, Review.Kind.PEER)
        if person.manager_id and rnd.random() >= late / 2:
            overall = _rating(rnd)
            proposals[participant.pk] = overall
            writer.add(participant, person.manager_id, Review.Kind.MANAGER, overall=overall)
        for report in reports_of.get(person.pk, [])[:5]:
            writer.add(participant, report, Review.Kind.UPWARD)
    Nomination.objects.bulk_create(nominations, batch_size=1000)
    return writer.save(), proposals


def _peers(personas: dict[str, User]) -> dict[int, list[int]]:
    """Ada's peers: her teammates."""
    ada = personas["engineer"]
    team = list(User.objects.filter(manager_id=ada.manager_id, is_active=True).exclude(pk=ada.pk).values_list("pk", flat=True)[:3])
    return {ada.pk: team}


def _rate_everyone(cycle: Cycle, rnd: _random.Random, proposals: dict[int, str]) -> None:
    """Everyone's rating to calibrate: the manager's proposal, or (beyond the written ones) a draw."""
    rows = list(cycle.participants.values_list("pk", flat=True))
    by_rating: dict[str, list[int]] = {}
    for pk in rows:
        by_rating.setdefault(proposals.get(pk) or _rating(rnd), []).append(pk)
    for rating, pks in by_rating.items():
        for start in range(0, len(pks), 2000):
            Participant.objects.filter(pk__in=pks[start:start + 2000]).update(rating=rating)


def _moves(cycle: Cycle, hr: User, people: list[Participant], count: int, when: datetime.datetime) -> None:
    reasons = [
        "Compared with others at the level, the launch work carried more of the team than the review says.",
        "The period's incidents were handled by others; the impact was narrower than proposed.",
        "Consistent with the rest of the department once the on-call load is taken into account.",
    ]
    for n, participant in enumerate(people[:count]):
        participant.refresh_from_db()
        after = Rating.ABOVE if participant.rating != Rating.ABOVE else Rating.MEETS
        CalibrationMove.objects.create(participant=participant, before=participant.rating, after=after,
                                       reason=reasons[n % len(reasons)], moved_by=hr, moved_at=when)
        Participant.objects.filter(pk=participant.pk).update(rating=after)


def seed(sender, *, personas: dict[str, User], random: _random.Random, stdout, **kwargs) -> None:
    rnd = random
    hr = personas["hr"]
    key_people = [personas[name] for name in ("engineer", "manager", "director") if name in personas]

    # Finished and released: the first half of the year.
    done = _cycle(hr, "2026 H1 reviews", -140, upward=True, shared=True)
    people = _written(done, key_people)
    written, proposals = _write(done, rnd, people, days_before=-125, late=0.05, peers=_peers(personas), upward=True)
    _rate_everyone(done, rnd, proposals)
    locked = timezone.make_aware(datetime.datetime.combine(_day(-106), datetime.time(17)))
    _moves(done, hr, [p for p in people if p.person_id not in {k.pk for k in key_people}], 3, locked)
    released = timezone.make_aware(datetime.datetime.combine(_day(-102), datetime.time(9)))
    Cycle.objects.filter(pk=done.pk).update(calibration_locked_at=locked, calibration_locked_by=hr, released_at=released)

    # Running: the writing phases are over, some reviews late; calibration is open now.
    running = _cycle(hr, "2026 H2 reviews", -30, upward=False, shared=False)
    people = _written(running, key_people)
    now_written, proposals = _write(running, rnd, people, days_before=-5, late=0.2, peers=_peers(personas), upward=False)
    _rate_everyone(running, rnd, proposals)
    # Calibration is open now: the manager-review deadline has just passed.
    Phase.objects.filter(cycle=running, kind="calibration").update(opens_on=_day(-2), closes_on=_day(5))
    Phase.objects.filter(cycle=running, kind="release").update(opens_on=_day(9), closes_on=_day(9))
    _moves(running, hr, [p for p in people if p.person_id not in {k.pk for k in key_people}], 1, timezone.now())
    stdout.write(f"Review cycles: {done.name} released ({written} reviews); {running.name} in calibration ({now_written} reviews).")
