"""Promotion packets in the demo: a committee, and packets in every state around Ada's team.

Ada withdrew a packet she opened herself half a year ago; her packet now is a draft Marcus
opened, half written, with a teammate asked to endorse it.
Of the rest of Marcus's team, in order: one packet is submitted and waits for HR to route it
(it started from the level his latest manager review proposed); one is in committee with the
outside members' votes in, for Sofia (the chair) to decide; one was approved last month and
moved the level; one was declined; one was deferred and opened again as a new draft. The next
teammate was proposed for their next level in the latest cycle and has no packet yet. Daniel
sits on the committee but is above them all: he sees that he does not vote on them.
"""

from __future__ import annotations

import datetime
import random as _random

from django.db.models import Q
from django.utils import timezone

from ladders.selectors.careers import placement_current
from people.models import User

from .cycle_rubric import levels_above, lines_for
from .models import Committee, Endorsement, Packet, Review, Vote
from .services import packets as services

EVIDENCE = [
    "Led the billing migration end to end: design, rollout plan and the cut-over weekend.",
    "Ran the incident review for the March outage and turned it into three fixes that shipped.",
    "Mentored two new engineers through their first on-call rotations.",
    "Wrote the service-ownership proposal adopted by four teams.",
]
LINKS = [
    {"title": "Billing migration design", "url": "https://docs.example.com/billing-migration"},
    {"title": "Incident review: checkout outage", "url": "https://incidents.example.com/2026-03-12"},
    {"title": "PR: idempotent payment retries", "url": "https://git.example.com/payments/pull/482"},
]


def _when(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


def _next_level(person: User):
    placed = placement_current(person)
    if placed is None:
        return None
    current, _ = lines_for(placed.level_id, placed.track_id)
    above = levels_above(current, placed.track_id)
    return above[0] if above else None


def _written(packet: Packet, manager: User, rnd: _random.Random, *, share: float = 1.0) -> None:
    rows = list(packet.evidence.order_by("pk"))
    for n, row in enumerate(rows):
        if n >= round(len(rows) * share):
            break
        services.evidence_save(actor=packet.person, packet=packet, competency=row.competency_id,
                               text=EVIDENCE[n % len(EVIDENCE)], links=[LINKS[n % len(LINKS)]], rating="meets")
        services.evidence_save(actor=manager, packet=packet, competency=row.competency_id,
                               rating=rnd.choice(["meets", "meets", "above"]))
    if share >= 1:
        services.case_save(actor=manager, packet=packet,
                           case=f"{packet.person.name} has worked at {packet.target_level.title} scope for two quarters: "
                                "owning a system end to end, raising the bar in reviews, and growing the people around them.")


def _endorsed(packet: Packet, asker: User, endorsers: list[User], *, answered: bool = True) -> None:
    for endorser in endorsers:
        row = services.endorsement_request(actor=asker, packet=packet, endorser=endorser)
        if answered:
            services.endorsement_give(actor=endorser, endorsement=row,
                                      text=f"I worked with {packet.person.name.split()[0]} on the migration: they set the "
                                           "technical direction and brought the team with them.")


def _dated(packet: Packet, *, opened: int, submitted: int | None = None, routed: int | None = None, decided: int | None = None) -> None:
    Packet.objects.filter(pk=packet.pk).update(
        created_at=_when(opened), updated_at=_when(decided or routed or submitted or opened),
        **({"submitted_at": _when(submitted)} if submitted is not None else {}),
        **({"routed_at": _when(routed)} if routed is not None else {}),
        **({"decided_at": _when(decided)} if decided is not None else {}),
    )
    Vote.objects.filter(packet=packet).update(voted_at=_when((routed or 0) + 2))
    Endorsement.objects.filter(packet=packet).update(requested_at=_when(opened + 1))


def _propose(manager: User, person: User) -> Review | None:
    """Marcus's latest submitted manager review of `person`, now proposing their next level."""
    review = (
        Review.objects.filter(kind=Review.Kind.MANAGER, author=manager, participant__person=person, submitted_at__isnull=False)
        .order_by("-participant__cycle__period_end", "-pk").first()
    )
    if review is None:
        return None
    Review.objects.filter(pk=review.pk).update(proposed_level=_next_level(person), overall="above")
    review.refresh_from_db()
    return review


def seed(sender, *, personas: dict[str, User], random: _random.Random, stdout, **kwargs) -> None:
    rnd = random
    hr, manager, ada = personas["hr"], personas["manager"], personas["engineer"]
    director, chair = personas.get("director"), personas.get("datalead")
    if chair is None or director is None:
        return
    outside = list(
        User.objects.filter(is_active=True, manager__isnull=False).exclude(department=ada.department)
        .exclude(Q(pk__in=[chair.pk, hr.pk]) | Q(reporting_path="")).order_by("pk")[:2]
    )
    committee = Committee.objects.create(name="Engineering promotions", chair=chair)
    committee.members.add(chair, director, *outside)

    team = [p for p in User.objects.filter(manager=manager, is_active=True).exclude(pk=ada.pk).order_by("pk") if _next_level(p)]
    made = 0

    # Ada's: an earlier one she opened herself and withdrew, then a draft Marcus opened, half
    # written, with a teammate asked to endorse it.
    if _next_level(ada):
        early = services.packet_open(actor=ada, person=ada, target_level=_next_level(ada))
        services.packet_withdraw(actor=ada, packet=early, reason="Opened too early: another half-year leading "
                                 "the on-call rotation first, as Marcus and I agreed.")
        _dated(early, opened=-200, decided=-190)
        made += 1
        packet = services.packet_open(actor=manager, person=ada, target_level=_next_level(ada))
        _written(packet, manager, rnd, share=0.5)
        if team:
            _endorsed(packet, manager, team[:1], answered=False)
        _dated(packet, opened=-6)
        made += 1

    stages = ["submitted", "in_committee", "approved", "declined", "deferred"]
    for person, stage in zip(team, stages):
        # Ben's packet started from the level his latest manager review proposed.
        proposal = _propose(manager, person) if stage == "submitted" else None
        packet = services.packet_open(actor=manager, person=person, target_level=_next_level(person), source_review=proposal)
        _written(packet, manager, rnd)
        _endorsed(packet, manager, [p for p in team if p != person][:2])
        services.packet_submit(actor=manager, packet=packet)
        made += 1
        if stage == "submitted":
            _dated(packet, opened=-20, submitted=-3)
            continue
        services.packet_route(actor=hr, packet=packet, committee=committee)
        for member in outside:
            services.vote_record(actor=member, packet=packet, choice="approve" if stage != "declined" else "decline",
                                 comment="The evidence covers every expectation, with the migration as the strongest case."
                                 if stage != "declined" else "Scope is there for two expectations; the others rest on one project.")
        if stage == "in_committee":
            _dated(packet, opened=-40, submitted=-25, routed=-10)
            continue
        outcome = {"approved": "approved", "declined": "declined", "deferred": "deferred"}[stage]
        reasons = {
            "approved": "Every expectation is met with sustained evidence; the endorsements agree.",
            "declined": "Strong delivery, but the design and mentoring expectations rest on a single project. Build a second example.",
            "deferred": "Close: one more quarter leading the on-call rotation would settle the leadership expectation.",
        }
        effective = None
        if outcome == "approved":  # last month, after the level they hold
            latest = person.placements.order_by("-effective_date").values_list("effective_date", flat=True).first()
            effective = max(timezone.localdate() - datetime.timedelta(days=30), latest + datetime.timedelta(days=1))
        services.packet_decide(actor=chair, packet=packet, outcome=outcome, reason=reasons[outcome], effective_date=effective)
        _dated(packet, opened=-90, submitted=-70, routed=-60, decided=-45)
        if outcome == "deferred":
            again = services.packet_reopen(actor=manager, packet=packet)
            _dated(again, opened=-10)
            made += 1
    # The next of Marcus's team was proposed for their next level in the latest cycle, and has
    # no packet yet: Marcus starts it from the cycle.
    for person in team[len(stages):len(stages) + 1]:
        _propose(manager, person)
    stdout.write(f"Promotion packets: {made} around Ada's team, a committee chaired by {chair.name}.")
