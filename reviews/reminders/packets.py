"""Reminders of promotion packets: a colleague asked to endorse one who has not answered (some
days after the ask, once), a committee member who has not voted on a packet in committee
(some days after it was routed, once), and the chair once every member who may vote has.

Everyone is counted as they are now. Nothing here says what an endorsement or a vote says.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.urls import NoReverseMatch, reverse

from people.reminders import Due, rule

from ..models import Endorsement, Packet, Vote


def _url(name: str, args: list, fallback: str) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return fallback


@rule(
    "reviews.endorsement_asked",
    name="Promotion packet: endorsement not yet given",
    description="A colleague asked to endorse a promotion packet who has not answered, once, some days after the ask.",
    days=3,
    days_label="days after the ask",
)
def endorsement_asked(days: int, now: datetime.datetime) -> Iterator[Due]:
    asked = (
        Endorsement.objects.filter(
            submitted_at=None, declined_at=None, requested_at__lte=now - datetime.timedelta(days=days),
            packet__status__in=Packet.OPEN, endorser__is_active=True,
        )
        .select_related("packet__person", "packet__target_level")
        .order_by("pk")
    )
    for row in asked.iterator(chunk_size=500):
        yield Due(
            recipient_id=row.endorser_id,
            subject=f"reviews.endorsement:{row.pk}",
            period="asked",
            title=f"Endorse {row.packet.person.name} for {row.packet.target_level.title}"[:200],
            body="You were asked what you saw of their work at that level. You may also say you cannot say.",
            url=_url("reviews:endorsement", [row.pk], f"/reviews/endorsements/{row.pk}/"),
        )


def _voters(packet: Packet) -> list:
    """The members who vote on `packet`: active, not its chair (who decides), and not in the
    person's reporting tree (who may not)."""
    committee = packet.committee
    return [
        m for m in committee.members.all()
        if m.is_active and m.pk not in (committee.chair_id, packet.person_id) and not m.manages(packet.person)
    ]


@rule(
    "reviews.packet_vote_due",
    name="Promotion packet: vote not yet recorded",
    description=(
        "Each member of a committee who may vote on a packet routed to it and has not, once, some days after it "
        "was routed; and its chair once, when every member who may vote has."
    ),
    days=5,
    days_label="days after the packet is routed",
)
def packet_vote_due(days: int, now: datetime.datetime) -> Iterator[Due]:
    waiting = (
        Packet.objects.filter(status=Packet.Status.IN_COMMITTEE, committee__is_active=True)
        .select_related("person", "target_level", "committee__chair")
        .prefetch_related("committee__members")
        .order_by("pk")
    )
    voted: dict[int, set[int]] = {}
    for packet_id, member in Vote.objects.filter(packet__status=Packet.Status.IN_COMMITTEE).values_list("packet_id", "member_id"):
        voted.setdefault(packet_id, set()).add(member)
    for packet in waiting:
        members = _voters(packet)
        done = voted.get(packet.pk, set())
        url = _url("reviews:packet", [packet.pk], f"/reviews/packets/{packet.pk}/")
        title = f"{packet.person.name} for {packet.target_level.title}"
        if packet.routed_at and packet.routed_at <= now - datetime.timedelta(days=days):
            for member in members:
                if member.pk not in done:
                    yield Due(recipient_id=member.pk, subject=f"reviews.packet:{packet.pk}", period="vote",
                              title=f"Your vote on {title}"[:200],
                              body=f"{packet.committee.name} is waiting for your vote and your reasons.", url=url)
        chair = packet.committee.chair
        if members and all(member.pk in done for member in members) and chair.is_active and not chair.manages(packet.person):
            yield Due(recipient_id=packet.committee.chair_id, subject=f"reviews.packet:{packet.pk}", period="decide",
                      title=f"Every vote is in: decide on {title}"[:200],
                      body="Record the decision with its reason; the person and their manager read it.", url=url)
