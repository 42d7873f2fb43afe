"""Promotion packets: opened, written, submitted, routed to a committee, voted on and decided.

Who does what (relationships as they are now):
- The person's manager opens a packet for them (sponsoring it), or the person opens their own
  and their manager sponsors it. The target is the next level above theirs on their ladder.
- While it is a draft, the person and the sponsor write the evidence for each expectation of
  the target level (each their own rating against it) and the sponsor the case; either asks
  named colleagues to endorse it. The sponsor submits it, which freezes the target level's
  expectations into it.
- HR route a submitted packet to a committee. Its members vote, each with a comment; the
  chair decides, with a reason. Nobody votes or decides on a packet for someone in their own
  reporting tree, nor on their own.
- Approval moves the person to the target level from the effective date, through the
  placement service, exactly once. A declined or deferred packet can be opened again as a
  new draft that keeps the old one and what it was told.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ladders.models import Competency, Level, Placement
from ladders.selectors.careers import placement_current
from ladders.services.placements import placement_record
from people.audit import acting_as
from people.models import User

from ..cycle_rubric import levels_above, lines_for
from ..models import Committee, Endorsement, Evidence, Packet, Review, Vote
from ..models.cycles import Rating
from ..models.packets import LINKS_MAX, NAME_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH
from ..selectors.packet_sources import source_find
from .cycles import day_name

# The furthest an effective date lies from the decision, either way.
EFFECTIVE_WITHIN_DAYS = 366


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _hr(user: User) -> bool:
    return _active(user) and user.sees_everyone


def _manager_of(actor: User, person: User) -> bool:
    return _active(actor) and person.manager_id == actor.pk


def _locked(packet: Packet) -> Packet:
    return Packet.objects.select_for_update(of=("self",)).select_related("person", "target_level", "track").get(pk=packet.pk)


def _in_tree(actor: User, person: User) -> bool:
    """Whether `person` is `actor` or someone below them in the reporting line today."""
    return actor.pk == person.pk or actor.manages(person)


# --- Opening ------------------------------------------------------------------------------------


@transaction.atomic
def packet_open(*, actor: User, person: User, target_level: Level | int, case: str = "", source_review=None) -> Packet:
    """A draft packet for `person`'s move to `target_level`, opened by their manager (who
    sponsors it) or by the person (whose manager is asked to). One evidence row per expectation
    of the target level."""
    person = User.objects.select_for_update().get(pk=person.pk)  # one opening at a time
    by_manager = _manager_of(actor, person)
    if not (by_manager or (_active(actor) and actor.pk == person.pk)):
        raise PermissionDenied("A packet is opened by the person or their manager.")
    if not person.is_active:
        raise ValidationError({"target_level": f"{person.name} no longer works here."})
    if person.manager_id is None:
        raise ValidationError({"target_level": f"{person.name} has no manager to sponsor the packet."})
    placed = placement_current(person)
    if placed is None:
        raise ValidationError({"target_level": f"{person.name} is on no ladder yet: HR place them first."})
    target_pk = getattr(target_level, "pk", target_level)
    current, _ = lines_for(placed.level_id, placed.track_id)  # the level as its published rubric has it
    above = {level.pk: level for level in levels_above(current, placed.track_id)}
    target = above.get(target_pk)
    if target is None:
        raise ValidationError({"target_level": f"Choose the next level above {placed.level.title} on {person.name}'s ladder."})
    upcoming = (
        Placement.objects.filter(person=person, effective_date__gt=timezone.localdate())
        .select_related("level").order_by("effective_date", "pk").first()
    )
    if upcoming is not None:
        raise ValidationError({"target_level": f"{person.name} becomes {upcoming.level.title} on "
                                               f"{day_name(upcoming.effective_date)}: open the next packet after that."})
    if Packet.objects.filter(person=person, status__in=Packet.OPEN).exists():
        raise ValidationError({"target_level": f"{person.name} has a packet under way already: finish or withdraw it first."})
    if source_review is not None and not (
        source_review.kind == Review.Kind.MANAGER and source_review.submitted_at is not None
        and source_review.participant.person_id == person.pk and source_review.proposed_level_id == target.pk
    ):
        raise ValidationError({"target_level": "That manager review did not propose this level for them."})
    case = (case or "").strip()
    if len(case) > TEXT_MAX_LENGTH:
        raise ValidationError({"case": f"Keep the case under {TEXT_MAX_LENGTH:,} characters."})
    now = timezone.now()
    try:
        with transaction.atomic(), acting_as(actor):
            packet = Packet.objects.create(
                person=person, sponsor_id=person.manager_id, sponsored_at=now if by_manager else None,
                opened_by=actor, current_level=placed.level, target_level=target, track_id=placed.track_id,
                case=case, created_at=now, updated_at=now, source_review=source_review,
            )
    except IntegrityError:  # opened twice at the same moment
        raise ValidationError({"target_level": f"{person.name} has a packet under way already."}) from None
    _, lines = lines_for(target.pk, placed.track_id)
    Evidence.objects.bulk_create(Evidence(packet=packet, competency=line.competency, updated_at=now) for line in lines)
    return packet


@transaction.atomic
def packet_sponsor(*, actor: User, packet: Packet) -> Packet:
    """The person's manager agrees to stand behind a packet the person opened, or one their
    manager before them sponsored."""
    packet = _locked(packet)
    if not _manager_of(actor, packet.person):
        raise PermissionDenied("Their manager sponsors the packet.")
    _draft(packet)
    if not packet.sponsored_by(actor):
        with acting_as(actor):
            packet.sponsor, packet.sponsored_at, packet.updated_at = actor, timezone.now(), timezone.now()
            packet.save(update_fields=["sponsor", "sponsored_at", "updated_at"])
    return packet


def _draft(packet: Packet) -> None:
    if packet.status != Packet.Status.DRAFT:
        raise ValidationError(f"This packet is {packet.get_status_display().lower()}: it no longer changes.")


def _writers(actor: User, packet: Packet) -> str:
    """"person", "sponsor" or "" for who `actor` is to a draft packet."""
    if _active(actor) and actor.pk == packet.person_id:
        return "person"
    if _manager_of(actor, packet.person):
        return "sponsor"
    return ""


# --- Writing ------------------------------------------------------------------------------------


def _clean_links(links: Iterable) -> tuple[list[dict], str]:
    cleaned = []
    for n, link in enumerate(links or [], start=1):
        url = (link.get("url") if isinstance(link, dict) else str(link or "")).strip()
        title = (link.get("title", "") if isinstance(link, dict) else "").strip()
        if not url and not title:
            continue
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or len(url) > 500:
            return [], f"Link {n}: give a web address starting with https:// (a design doc, a pull request, an incident)."
        if len(title) > NAME_MAX_LENGTH:
            return [], f"Link {n}: keep its title under {NAME_MAX_LENGTH} characters."
        cleaned.append({"title": title or url, "url": url})
    if len(cleaned) > LINKS_MAX:
        return [], f"Keep to {LINKS_MAX} links for one expectation: the strongest ones."
    return cleaned, ""


def words_digest(text: str, links: list) -> str:
    """A short fingerprint of an expectation's words and links, as a writer's page showed them."""
    return hashlib.sha256(json.dumps([text, links], sort_keys=True).encode()).hexdigest()[:32]


@transaction.atomic
def evidence_save(
    *,
    actor: User,
    packet: Packet,
    competency: Competency | int,
    text: str | None = None,
    links: Iterable | None = None,
    rating: str | None = None,
    seen: str | None = None,
) -> Evidence:
    """The evidence for one expectation: its text and links (the person or the sponsor) and
    the writer's own rating against it (the person's self rating, the sponsor's manager
    rating); only what is given changes. With `seen` (words_digest of the text and links the
    writer's copy showed), words the other writer saved since are not overwritten. Problems are raised at
    their field: `text`, `links`, `rating`."""
    packet = _locked(packet)
    role = _writers(actor, packet)
    if not role:
        raise PermissionDenied("The person and their manager write the evidence.")
    _draft(packet)
    row = Evidence.objects.select_for_update().filter(packet=packet, competency_id=getattr(competency, "pk", competency)).first()
    if row is None:
        raise ValidationError({"text": "This expectation is not on the target level."})
    errors = {}
    if text is not None:
        text = text.strip()
        if len(text) > TEXT_MAX_LENGTH:
            errors["text"] = f"Keep the evidence under {TEXT_MAX_LENGTH:,} characters."
    if links is not None:
        links, problem = _clean_links(links)
        if problem:
            errors["links"] = problem
    if rating is not None and rating not in ("", *Rating.values):
        errors["rating"] = "Choose below, meets or above the expectation."
    if not errors and seen is not None and seen != words_digest(row.text, row.links) and (
        (text is not None and text != row.text) or (links is not None and links != row.links)
    ):
        errors["text"] = ("This evidence changed after you opened the page (the other writer saved theirs): "
                          "your words are below; reload, then add them to what is there now.")
    if errors:
        raise ValidationError(errors)
    fields = ["updated_at"]
    if text is not None:
        row.text = text
        fields.append("text")
    if links is not None:
        row.links = links
        fields.append("links")
    if rating is not None:
        field = "self_rating" if role == "person" else "manager_rating"
        setattr(row, field, rating)
        fields.append(field)
    row.updated_at = timezone.now()
    with acting_as(actor):
        row.save(update_fields=fields)
        Packet.objects.filter(pk=packet.pk).update(updated_at=row.updated_at)
    return row


@transaction.atomic
def evidence_pull(*, actor: User, packet: Packet, competency: Competency | int, key: str) -> Evidence:
    """Add to one expectation's evidence, with where it came from, a piece of the last year's
    feedback or review results the person reads (`key` as selectors.packet_sources gives it).
    Each piece once per expectation. Problems are raised at `text`."""
    packet = _locked(packet)
    if not _writers(actor, packet):
        raise PermissionDenied("The person and their manager write the evidence.")
    _draft(packet)
    competency_id = getattr(competency, "pk", competency)
    row = Evidence.objects.select_for_update().filter(packet=packet, competency_id=competency_id).first()
    if row is None:
        raise ValidationError({"text": "This expectation is not on the target level."})
    if key in row.sources:
        raise ValidationError({"text": "That is in the evidence already."})
    source = source_find(packet, competency_id, key)
    if source is None:
        raise ValidationError({"text": "That is not feedback or a review result of theirs from the last year on this expectation."})
    text = f"{row.text}\n\n{source.quote()}" if row.text else source.quote()
    if len(text) > TEXT_MAX_LENGTH:
        raise ValidationError({"text": f"The evidence would run over {TEXT_MAX_LENGTH:,} characters: shorten it first."})
    row.text, row.sources, row.updated_at = text, [*row.sources, key], timezone.now()
    with acting_as(actor):
        row.save(update_fields=["text", "sources", "updated_at"])
        Packet.objects.filter(pk=packet.pk).update(updated_at=row.updated_at)
    return row


@transaction.atomic
def case_save(*, actor: User, packet: Packet, case: str) -> Packet:
    """The manager's case, while the packet is a draft."""
    packet = _locked(packet)
    if _writers(actor, packet) != "sponsor":
        raise PermissionDenied("The manager writes the case.")
    _draft(packet)
    case = (case or "").strip()
    if len(case) > TEXT_MAX_LENGTH:
        raise ValidationError({"case": f"Keep the case under {TEXT_MAX_LENGTH:,} characters."})
    with acting_as(actor):
        packet.case, packet.updated_at = case, timezone.now()
        packet.save(update_fields=["case", "updated_at"])
    return packet


def missing(packet: Packet, rows: Iterable[Evidence] | None = None) -> dict[int, list[str]]:
    """What each expectation still lacks, by competency id: evidence, the self rating, the
    manager's rating. Only what is missing is listed."""
    gaps: dict[int, list[str]] = {}
    for row in rows if rows is not None else packet.evidence.all():
        lacks = []
        if not row.text and not row.links:
            lacks.append("evidence")
        if not row.self_rating:
            lacks.append("a self rating")
        if not row.manager_rating:
            lacks.append("the manager's rating")
        if lacks:
            gaps[row.competency_id] = lacks
    return gaps


def _snapshot(packet: Packet) -> list[dict]:
    level, lines = lines_for(packet.target_level_id, packet.track_id)
    return [
        {
            "competency": line.competency.pk,
            "name": line.competency.name,
            "area": line.competency.area.name,
            "proficiency": line.expected,
            "proficiency_name": line.expected_name,
            "criteria": line.expectation.criteria_list,
            "examples": line.expectation.examples_list,
        }
        for line in lines
    ]


@transaction.atomic
def packet_submit(*, actor: User, packet: Packet) -> Packet:
    """Submit a draft (the sponsor): it needs the sponsorship, the case, and for every
    expectation evidence and both ratings. The target level's expectations are frozen into it."""
    packet = _locked(packet)
    if _writers(actor, packet) != "sponsor":
        raise PermissionDenied("The manager sponsoring the packet submits it.")
    _draft(packet)
    errors: dict[str, str] = {}
    if not packet.case.strip():
        errors["case"] = "Write the case: why they work at the target level now."
    gaps = missing(packet)
    if gaps:
        names = dict(Competency.objects.filter(pk__in=gaps).values_list("pk", "name"))
        errors["evidence"] = "Still missing: " + "; ".join(
            f"{names.get(pk, 'an expectation')}: {', '.join(lacks)}" for pk, lacks in gaps.items()
        ) + "."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with acting_as(actor):
        packet.snapshot = _snapshot(packet)
        packet.status, packet.submitted_at, packet.updated_at = Packet.Status.SUBMITTED, now, now
        if not packet.sponsored_by(actor):
            packet.sponsored_at = now
        packet.sponsor = actor  # the manager who submits it stands behind it
        packet.save(update_fields=["snapshot", "status", "submitted_at", "updated_at", "sponsor", "sponsored_at"])
    return packet


# --- Endorsements -------------------------------------------------------------------------------


@transaction.atomic
def endorsement_request(*, actor: User, packet: Packet, endorser: User) -> Endorsement:
    """Ask a named colleague to endorse the packet (the person or the sponsor), before it is decided."""
    packet = _locked(packet)
    if not _writers(actor, packet):
        raise PermissionDenied("The person and their manager ask for endorsements.")
    if not packet.is_open:
        raise ValidationError({"endorser": f"This packet is {packet.get_status_display().lower()}: it takes no more endorsements."})
    endorser = User.objects.filter(pk=getattr(endorser, "pk", endorser), is_active=True).first() if endorser else None
    if endorser is None:
        raise ValidationError({"endorser": "Give the address of someone who works here."})
    if endorser.pk == packet.person_id:
        raise ValidationError({"endorser": "Nobody endorses their own packet: ask a colleague."})
    if endorser.pk in (packet.sponsor_id, packet.person.manager_id):
        raise ValidationError({"endorser": "The manager's word is the case: ask a colleague."})
    try:
        with transaction.atomic(), acting_as(actor):
            return Endorsement.objects.create(packet=packet, endorser=endorser, requested_by=actor)
    except IntegrityError:
        raise ValidationError({"endorser": f"{endorser.name} has been asked already."}) from None


@transaction.atomic
def endorsement_give(*, actor: User, endorsement: Endorsement, text: str = "", decline: bool = False) -> Endorsement:
    """The colleague asked writes their endorsement, or declines; once."""
    endorsement = Endorsement.objects.select_for_update().select_related("packet").get(pk=endorsement.pk)
    if not _active(actor) or endorsement.endorser_id != actor.pk:
        raise PermissionDenied("Only the colleague asked endorses.")
    if actor.pk == endorsement.packet.person_id:
        raise ValidationError({"text": "Nobody endorses their own packet."})
    if endorsement.submitted_at or endorsement.declined_at:
        raise ValidationError({"text": "You have answered this request already."})
    if not endorsement.packet.is_open:
        raise ValidationError({"text": f"This packet is {endorsement.packet.get_status_display().lower()}: it takes no more endorsements."})
    text = (text or "").strip()
    with acting_as(actor):
        if decline:
            endorsement.declined_at = timezone.now()
            endorsement.save(update_fields=["declined_at"])
            return endorsement
        if not text:
            raise ValidationError({"text": "Say what you saw of their work at the target level."})
        if len(text) > TEXT_MAX_LENGTH:
            raise ValidationError({"text": f"Keep it under {TEXT_MAX_LENGTH:,} characters."})
        endorsement.text, endorsement.submitted_at = text, timezone.now()
        endorsement.save(update_fields=["text", "submitted_at"])
    return endorsement


# --- Committees ---------------------------------------------------------------------------------


def committees_for(packet: Packet) -> list[Committee]:
    """The active committees that cover `packet`: its person's department and its target
    level's code (a committee that names none covers all), with a chair who works here and
    may decide on it (not the person, nor above them)."""
    department = packet.person.department_id
    covering = []
    for committee in Committee.objects.filter(is_active=True).select_related("chair").prefetch_related("departments"):
        departments = {d.pk for d in committee.departments.all()}
        if departments and department not in departments:
            continue
        if committee.level_codes and packet.target_level.code not in committee.level_codes:
            continue
        if not _active(committee.chair) or _in_tree(committee.chair, packet.person):
            continue
        covering.append(committee)
    return covering


@transaction.atomic
def packet_route(*, actor: User, packet: Packet, committee: Committee) -> Packet:
    """HR send a submitted packet to a committee that covers it; or a packet in committee to
    another one (its chair has left or moved above the person, say), the votes kept."""
    if not _hr(actor):
        raise PermissionDenied("HR route packets to committees.")
    packet = _locked(packet)
    if packet.status not in (Packet.Status.SUBMITTED, Packet.Status.IN_COMMITTEE):
        raise ValidationError({"committee": f"This packet is {packet.get_status_display().lower()}: only a submitted packet or one in committee is routed."})
    committee = Committee.objects.filter(pk=getattr(committee, "pk", committee), is_active=True).first()
    if committee is None or committee not in committees_for(packet):
        raise ValidationError({"committee": "Choose an active committee that covers their department and the target level, "
                                            "chaired by someone who may decide on it."})
    if committee.pk == packet.committee_id:
        raise ValidationError({"committee": f"It is with {committee.name} already."})
    now = timezone.now()
    with acting_as(actor):
        packet.committee, packet.status, packet.routed_at, packet.updated_at = committee, Packet.Status.IN_COMMITTEE, now, now
        packet.save(update_fields=["committee", "status", "routed_at", "updated_at"])
    return packet


def sits_on(actor: User, committee: Committee | None) -> bool:
    return bool(
        committee is not None and _active(actor)
        and (committee.chair_id == actor.pk or committee.members.filter(pk=actor.pk).exists())
    )


def _not_own_tree(actor: User, packet: Packet, doing: str) -> None:
    if _in_tree(actor, packet.person):
        whose = "your own packet" if actor.pk == packet.person_id else f"a packet for {packet.person.name}, who is in your reporting tree"
        raise ValidationError(f"You cannot {doing} on {whose}: another member does.")


@transaction.atomic
def vote_record(*, actor: User, packet: Packet, choice: str, comment: str) -> Vote:
    """A committee member's vote and comment on a packet in committee, once."""
    packet = _locked(packet)
    if not sits_on(actor, packet.committee):
        raise PermissionDenied("Members of the packet's committee vote.")
    if packet.status != Packet.Status.IN_COMMITTEE:
        raise ValidationError(f"This packet is {packet.get_status_display().lower()}: votes are taken in committee.")
    _committee_active(packet)
    _not_own_tree(actor, packet, "vote")
    errors = {}
    if choice not in Vote.Choice.values:
        errors["choice"] = "Choose approve, decline or defer."
    comment = (comment or "").strip()
    if not comment:
        errors["comment"] = "Say why: the committee reads each member's reasons."
    elif len(comment) > REASON_MAX_LENGTH:
        errors["comment"] = f"Keep the comment under {REASON_MAX_LENGTH:,} characters."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), acting_as(actor):
            return Vote.objects.create(packet=packet, member=actor, choice=choice, comment=comment)
    except IntegrityError:
        raise ValidationError("You have voted on this packet already.") from None


def _committee_active(packet: Packet) -> None:
    if not packet.committee.is_active:
        raise ValidationError(f"{packet.committee.name} is switched off: HR route the packet to another committee.")


def _latest_placement(person: User) -> Placement | None:
    """Their last placement, today's or one still to take effect."""
    return Placement.objects.filter(person=person).select_related("level").order_by("-effective_date", "-pk").first()


def _still_applies(packet: Packet, placed: Placement | None) -> str:
    """Why approving `packet` would be wrong today, or "": the person has left, or their
    level has moved (or is set to move) to the target or beyond since it opened (`placed`:
    their latest placement)."""
    person = packet.person
    if not person.is_active:
        return f"{person.name} no longer works here: decline or defer it instead."
    if placed is not None and placed.level.rung >= packet.target_level.rung:
        return (f"{person.name} is at {placed.level.title} now, not below {packet.target_level.title}: "
                "approving it would not move them up. Decline or defer it with the reason.")
    return ""


@transaction.atomic
def packet_decide(
    *, actor: User, packet: Packet, outcome: str, reason: str, effective_date: datetime.date | None = None
) -> Packet:
    """The chair's decision on a packet in committee, with a reason: approved (the person
    moves to the target level from `effective_date`, once), declined or deferred."""
    packet = _locked(packet)
    committee = packet.committee
    if committee is None or not _active(actor) or committee.chair_id != actor.pk:
        raise PermissionDenied("The committee's chair decides.")
    if packet.status != Packet.Status.IN_COMMITTEE:
        raise ValidationError(f"This packet is {packet.get_status_display().lower()}: only a packet in committee is decided.")
    _committee_active(packet)
    _not_own_tree(actor, packet, "decide")
    errors = {}
    outcomes = {"approved": Packet.Status.APPROVED, "declined": Packet.Status.DECLINED, "deferred": Packet.Status.DEFERRED}
    status = outcomes.get(outcome)
    if status is None:
        errors["outcome"] = "Choose approve, decline or defer."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Give the reason: the person and their manager read it."
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason under {REASON_MAX_LENGTH:,} characters."
    if status == Packet.Status.APPROVED:
        if not isinstance(effective_date, datetime.date):
            errors["effective_date"] = "Choose the day the new level takes effect."
        elif abs((effective_date - timezone.localdate()).days) > EFFECTIVE_WITHIN_DAYS:
            errors["effective_date"] = "Choose a day within a year of today."
        latest = _latest_placement(packet.person)
        problem = _still_applies(packet, latest)
        if problem:
            errors["outcome"] = problem
        if not problem and isinstance(effective_date, datetime.date) and latest is not None and effective_date <= latest.effective_date:
            errors["effective_date"] = (f"Choose a day after {day_name(latest.effective_date)}, when "
                                        f"{packet.person.name} became {latest.level.title}.")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with acting_as(actor):
        if status == Packet.Status.APPROVED:
            packet.placement = placement_record(
                person=packet.person, level=packet.target_level, track=packet.track, effective_date=effective_date,
                actor=actor, note=f"Promotion approved by {committee.name}"[:300],
            )
            packet.effective_date = effective_date
        packet.status, packet.decision_reason, packet.decided_at, packet.decided_by = status, reason, now, actor
        packet.updated_at = now
        packet.save(update_fields=["placement", "effective_date", "status", "decision_reason", "decided_at", "decided_by", "updated_at"])
    return packet


@transaction.atomic
def packet_reopen(*, actor: User, packet: Packet) -> Packet:
    """A declined or deferred packet opened again as a new draft (the person or their
    manager), with its case, evidence and ratings carried over; the old one stays as it was."""
    old = _locked(packet)
    if not _writers(actor, old):
        raise PermissionDenied("The person or their manager opens a packet again.")
    if old.status not in (Packet.Status.DECLINED, Packet.Status.DEFERRED):
        raise ValidationError(f"This packet is {old.get_status_display().lower()}: only a declined or deferred one opens again.")
    if Packet.objects.filter(reopened_from=old).exists():
        raise ValidationError("This packet has been opened again already.")
    new = packet_open(actor=actor, person=old.person, target_level=old.target_level, case=old.case)
    carried = {row.competency_id: row for row in old.evidence.all()}
    fields = ["text", "links", "sources", "self_rating", "manager_rating"]
    with acting_as(actor):
        for row in new.evidence.all():
            before = carried.get(row.competency_id)
            if before is not None:
                for name in fields:
                    setattr(row, name, getattr(before, name))
                row.save(update_fields=fields)
        new.reopened_from, new.source_review_id = old, old.source_review_id
        new.save(update_fields=["reopened_from", "source_review"])
    return new


def may_withdraw(actor: User, packet: Packet) -> bool:
    """Whether `actor` may withdraw `packet` now; packet_withdraw says why not."""
    return packet.is_open and (
        _hr(actor) or (packet.status != Packet.Status.IN_COMMITTEE and bool(_writers(actor, packet)))
    )


@transaction.atomic
def packet_withdraw(*, actor: User, packet: Packet, reason: str) -> Packet:
    """Withdraw a packet before it is decided, with a reason: the person or their manager
    while it is a draft or waits to be routed, HR at any time before the decision. It stays,
    and a new packet can be opened."""
    packet = _locked(packet)
    writer = bool(_writers(actor, packet))
    if not (writer or _hr(actor)):
        raise PermissionDenied("The person, their manager or HR withdraw a packet.")
    if not packet.is_open:
        raise ValidationError({"reason": f"This packet is {packet.get_status_display().lower()}: it is closed already."})
    if packet.status == Packet.Status.IN_COMMITTEE and not _hr(actor):
        raise ValidationError({"reason": "It is with the committee: ask HR to withdraw it."})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why it is withdrawn: whoever opens the next one reads it."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX_LENGTH:,} characters."})
    now = timezone.now()
    with acting_as(actor):
        packet.status, packet.decision_reason, packet.decided_at, packet.decided_by = Packet.Status.WITHDRAWN, reason, now, actor
        packet.updated_at = now
        packet.save(update_fields=["status", "decision_reason", "decided_at", "decided_by", "updated_at"])
    return packet
