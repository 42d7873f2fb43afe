"""Reading promotion packets, always through what the reader may see now.

- The person reads their own packets: the evidence, the case, who was asked to endorse and
  whether they did, the status and the decision with its reason; never the endorsements'
  words nor the committee's votes.
- Everyone above the person in the reporting line today reads their packets whole, but the
  votes, even when they sit on the packet's committee (where they take no part in it).
- A committee's members and chair read the packets routed to their committee, with the
  frozen rubric and the endorsements. A member reads the other votes once they have voted
  themselves (or the packet is decided); the chair reads them all, to decide.
- HR read every packet, and its votes, unless they sit on its committee and have not voted.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from people.models import User

from ..models import Committee, Endorsement, Packet, Vote


def _active(viewer: User) -> bool:
    return bool(viewer.is_authenticated and viewer.is_active)


def _committees_of(viewer: User) -> QuerySet[Committee]:
    return Committee.objects.filter(Q(chair=viewer) | Q(members=viewer)).values("pk")


def packets_visible_to(viewer: User) -> QuerySet[Packet]:
    """Every packet `viewer` may open: their own, those of people below them, those routed to
    a committee they sit on, and all of them for HR."""
    if not _active(viewer):
        return Packet.objects.none()
    if viewer.sees_everyone:
        return Packet.objects.all()
    rules = Q(person=viewer) | Q(committee__in=_committees_of(viewer), routed_at__isnull=False)
    if viewer.reporting_path:
        rules |= Q(person__reporting_path__below=viewer.reporting_path)
    return Packet.objects.filter(rules).distinct()


def packet_get_for(viewer: User, pk: int) -> Packet:
    # Whether they may, then the packet with what its pages show: the two apart cost a
    # tenth of planning the joins beside the rule's ORs.
    if not packets_visible_to(viewer).filter(pk=pk).exists():
        raise Http404("No such packet.")
    packet = Packet.objects.select_related(
        "person", "sponsor", "current_level", "target_level", "committee", "decided_by"
    ).filter(pk=pk).first()
    if packet is None:
        raise Http404("No such packet.")
    return packet


def role_of(viewer: User, packet: Packet) -> str:
    """How `viewer` reads `packet`: "person", "manager" (above them now), "chair", "member",
    "hr", or "" for nobody."""
    if not _active(viewer):
        return ""
    if viewer.pk == packet.person_id:
        return "person"
    # Above the person before anything else: a manager on the committee reads it as a manager
    # (never the votes), and takes no part in its decision.
    if viewer.manages(packet.person):
        return "manager"
    committee = packet.committee
    if committee is not None and packet.routed_at is not None:
        if committee.chair_id == viewer.pk:
            return "chair"
        if committee.members.filter(pk=viewer.pk).exists():
            return "member"
    if viewer.sees_everyone:
        return "hr"
    return ""


def votes_visible(viewer: User, packet: Packet, role: str) -> tuple[list[Vote], Vote | None]:
    """The votes `viewer` reads on `packet` and their own vote: the others' once theirs is in
    or the packet is decided (members and HR on the committee), all for the chair and for HR
    off it, none for the person and their managers. Two queries at most."""
    votes = list(Vote.objects.filter(packet=packet).select_related("member"))
    own = next((vote for vote in votes if vote.member_id == viewer.pk), None)
    decided = packet.status in Packet.CLOSED
    if role == "chair" or (role == "hr" and not _sits_on(viewer, packet)):
        return votes, own
    if role == "member" or (role == "hr" and _sits_on(viewer, packet)):
        return (votes if own is not None or decided else []), own
    return [], own


def _sits_on(viewer: User, packet: Packet) -> bool:
    committee = packet.committee
    return bool(committee and (committee.chair_id == viewer.pk or committee.members.filter(pk=viewer.pk).exists()))


def endorsements_visible(viewer: User, packet: Packet, role: str) -> tuple[list[Endorsement], bool]:
    """The packet's endorsements and whether `viewer` reads their words (everyone who reads
    the packet but the person, who sees who was asked and who answered)."""
    rows = list(Endorsement.objects.filter(packet=packet).select_related("endorser"))
    return rows, role in ("manager", "chair", "member", "hr")
