"""Writing a review cycle's reviews: peer nominations, then self, peer, upward and manager
reviews, each in its own phase.

Who does what (relationships as they are now, not as they were when the cycle opened):
- A participant nominates peers while nominations are open; their manager approves or
  declines each, and may add peers of their own (approved at once).
- Each writes their review while its phase is open: the participant their self review, an
  approved peer a peer review, each direct report of a participant an upward review of
  them (if the cycle has upward reviews), and the participant's manager the manager review.
- Drafts save as often as wanted; submitting locks the review (submitting again changes
  nothing). Submitting asks for every competency to be rated in self and manager reviews
  (peers and reports may leave one they could not see), for the written sections to be
  answered, and for the manager's overall rating.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from auditlog.context import disable_auditlog
from django.db import IntegrityError, transaction
from django.utils import timezone

from ladders.models import Level
from people.audit import acting_as
from people.models import User

from ..cycle_rubric import levels_above, lines_for
from ..models import Nomination, Participant, Phase, Review, ReviewAnswer, ReviewRating
from ..models.cycles import TEXT_MAX_LENGTH, Rating
from .cycles import day_name, phase_state

NOMINATIONS_MAX = 8


def _participant(participant: Participant, *, lock: bool = False) -> Participant:
    rows = Participant.objects.select_related("cycle", "person")
    if lock:
        rows = rows.select_for_update(of=("self",))
    participant = rows.get(pk=participant.pk)
    if participant.removed_at is not None:
        raise ValidationError("They have been taken out of this cycle.")
    if participant.cycle.released_at is not None:
        raise ValidationError("This cycle's results are released: it no longer changes.")
    if participant.cycle.calibration_locked_at is not None:
        raise ValidationError("Calibration is locked: the cycle's reviews no longer change.")
    return participant


def _open_phase(participant: Participant, kind: str) -> Phase:
    phase = Phase.objects.filter(cycle_id=participant.cycle_id, kind=kind).first()
    if phase is None:
        raise ValidationError(f"This cycle has no {Phase.Kind(kind).label.lower()}.")
    state = phase_state(phase)
    if state != "open":
        when = "has not opened yet" if state == "upcoming" else "has closed"
        raise ValidationError(
            f"{phase.get_kind_display()} {when}: it is open from {day_name(phase.opens_on)} to {day_name(phase.closes_on)}."
        )
    return phase


def _audited(kind: str):
    """An upward review leaves no audit entry: its author and when they wrote would say who
    said what about their manager, which nobody but the author may know."""
    return disable_auditlog() if kind == Review.Kind.UPWARD else contextlib.nullcontext()


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def manages(actor: User, participant: Participant) -> bool:
    """Whether `actor` is the participant's manager now."""
    return _active(actor) and participant.person.manager_id == actor.pk


# --- Nominations --------------------------------------------------------------------------------


@transaction.atomic
def nominate(*, actor: User, participant: Participant, peer: User) -> Nomination:
    """A peer nominated by the participant (proposed) or added by their manager (approved)."""
    participant = _participant(participant, lock=True)  # one at a time: the limit holds
    by_manager = manages(actor, participant)
    if not (_active(actor) and (actor.pk == participant.person_id or by_manager)):
        raise PermissionDenied("The participant and their manager nominate peers.")
    _open_phase(participant, Phase.Kind.NOMINATIONS)
    peer = User.objects.filter(pk=getattr(peer, "pk", peer), is_active=True).first()
    if peer is None:
        raise ValidationError({"peer": "Choose someone who works here."})
    if peer.pk == participant.person_id:
        raise ValidationError({"peer": "A peer review is someone else's view: choose a colleague."})
    if peer.pk == participant.person.manager_id:
        whose = "Your" if actor.pk == participant.person_id else "Their"
        raise ValidationError({"peer": f"{whose} manager writes the manager review: choose a colleague."})
    if participant.nominations.exclude(status=Nomination.Status.DECLINED).count() >= NOMINATIONS_MAX:
        raise ValidationError({"peer": f"Keep to {NOMINATIONS_MAX} peers: ask fewer people for more considered reviews."})
    status = Nomination.Status.APPROVED if by_manager else Nomination.Status.PROPOSED
    try:
        with transaction.atomic(), acting_as(actor):
            return Nomination.objects.create(
                participant=participant, peer=peer, status=status, nominated_by=actor,
                decided_by=actor if by_manager else None, decided_at=timezone.now() if by_manager else None,
            )
    except IntegrityError:
        raise ValidationError({"peer": f"{peer.name} is already nominated."}) from None


@transaction.atomic
def nomination_decide(*, actor: User, nomination: Nomination, approve: bool) -> Nomination:
    """The participant's manager approves or declines a proposed peer (and may change their mind
    while nominations are open, up to NOMINATIONS_MAX approved, and never about a peer whose
    review is in)."""
    participant = _participant(Participant(pk=nomination.participant_id), lock=True)  # one at a time: the limit holds
    nomination = Nomination.objects.select_for_update().select_related("peer").get(pk=nomination.pk)
    if not manages(actor, participant):
        raise PermissionDenied("Their manager approves peers.")
    _open_phase(participant, Phase.Kind.NOMINATIONS)
    if approve and nomination.status == Nomination.Status.DECLINED:
        others = participant.nominations.exclude(pk=nomination.pk).exclude(status=Nomination.Status.DECLINED)
        if others.count() >= NOMINATIONS_MAX:
            raise ValidationError(f"Keep to {NOMINATIONS_MAX} peers: decline another first.")
    if not approve and Review.objects.filter(
        participant=participant, author_id=nomination.peer_id, kind=Review.Kind.PEER, submitted_at__isnull=False
    ).exists():
        raise ValidationError(f"{nomination.peer.name} has submitted their peer review already: it stays.")
    with acting_as(actor):
        nomination.status = Nomination.Status.APPROVED if approve else Nomination.Status.DECLINED
        nomination.decided_by, nomination.decided_at = actor, timezone.now()
        nomination.save(update_fields=["status", "decided_by", "decided_at"])
    return nomination


# --- Reviews ------------------------------------------------------------------------------------


def may_write(actor: User, participant: Participant, kind: str) -> bool:
    """Whether `actor` writes the `kind` review of `participant` (phases aside)."""
    if not _active(actor) or participant.removed_at is not None:
        return False
    if kind == Review.Kind.SELF:
        return actor.pk == participant.person_id
    if kind == Review.Kind.MANAGER:
        return manages(actor, participant)
    if kind == Review.Kind.PEER:
        return participant.nominations.filter(peer=actor, status=Nomination.Status.APPROVED).exists()
    if kind == Review.Kind.UPWARD:
        return actor.manager_id == participant.person_id
    return False


@transaction.atomic
def review_start(*, actor: User, participant: Participant, kind: str) -> Review:
    """`actor`'s `kind` review of `participant`: the draft already started, or a new one."""
    participant = _participant(participant)
    if kind not in Review.Kind.values or not may_write(actor, participant, kind):
        raise PermissionDenied("This review is not yours to write.")
    _open_phase(participant, kind)
    review = Review.objects.filter(participant=participant, author=actor, kind=kind).first()
    if review is not None:
        return review
    if kind in (Review.Kind.SELF, Review.Kind.MANAGER):
        _one_of_each(participant, Review(participant=participant, kind=kind))
    try:
        with transaction.atomic(), _audited(kind):
            return Review.objects.create(participant=participant, author=actor, kind=kind)
    except IntegrityError:  # started twice at once
        return Review.objects.get(participant=participant, author=actor, kind=kind)


def _one_of_each(participant: Participant, review: Review) -> None:
    """One self review and one manager review per participant: a manager who took over after
    the review went in does not submit a second."""
    earlier = (
        Review.objects.filter(participant=participant, kind=review.kind, submitted_at__isnull=False)
        .exclude(pk=review.pk).select_related("author").first()
    )
    if earlier is not None:
        raise ValidationError(f"{earlier.author.name} has submitted the {Review.Kind(review.kind).label.lower()} already.")


def _writable(review: Review, actor: User) -> tuple[Review, Participant]:
    review = Review.objects.select_for_update(of=("self",)).select_related("participant").get(pk=review.pk)
    # The participant's row too, as a manager deciding on a nomination takes it: a peer's
    # review goes in before a decline, or not at all after it.
    participant = _participant(review.participant, lock=True)
    if review.author_id != actor.pk:
        raise PermissionDenied("This review is not yours to write.")
    if not may_write(actor, participant, review.kind):
        if review.kind == Review.Kind.PEER and _active(actor):
            raise ValidationError(f"{participant.person.name}'s manager no longer asks you for a peer review: nothing more is saved.")
        raise PermissionDenied("This review is not yours to write.")
    return review, participant


@transaction.atomic
def review_save(
    *,
    actor: User,
    review: Review,
    ratings: Mapping[int, tuple[str, str]] | None = None,
    answers: Mapping[int, str] | None = None,
    overall: str | None = None,
    proposed_level: Level | int | None = None,
) -> Review:
    """Save a draft: competency id -> (rating or "", comment), section id -> text, and for the
    manager their proposed overall rating and level. Anything wrong is raised at its field
    (`rating-<id>`, `comment-<id>`, `answer-<id>`, `overall`, `proposed_level`); nothing is
    written then."""
    review, participant = _writable(review, actor)
    if review.submitted_at is not None:
        raise ValidationError("This review is submitted: it is locked.")
    _open_phase(participant, review.kind)
    level, lines = lines_for(participant.level_id, participant.track_id)
    by_competency = {line.competency.pk: line for line in lines}
    sections = {s.pk: s for s in participant.cycle.sections.all()}
    errors: dict[str, str] = {}
    clean_ratings = {}
    for key, value in (ratings or {}).items():
        competency_id = getattr(key, "pk", key)
        rating, comment = value if isinstance(value, (tuple, list)) else (value, "")
        rating, comment = (rating or "").strip(), (comment or "").strip()
        line = by_competency.get(competency_id)
        if line is None:
            errors[f"rating-{competency_id}"] = "This competency is not on their level's rubric."
            continue
        if rating and rating not in Rating.values:
            errors[f"rating-{competency_id}"] = f"Choose below, meets or above for {line.competency.name}."
        if len(comment) > TEXT_MAX_LENGTH:
            errors[f"comment-{competency_id}"] = f"Keep the comment under {TEXT_MAX_LENGTH:,} characters."
        clean_ratings[competency_id] = (rating, comment, line)
    clean_answers = {}
    for key, text in (answers or {}).items():
        section_id = getattr(key, "pk", key)
        text = (text or "").strip()
        if section_id not in sections:
            errors[f"answer-{section_id}"] = "This section is not part of the cycle."
        elif len(text) > TEXT_MAX_LENGTH:
            errors[f"answer-{section_id}"] = f"Keep it under {TEXT_MAX_LENGTH:,} characters."
        clean_answers[section_id] = text
    level_pk = None
    if review.kind == Review.Kind.MANAGER:
        if overall and overall not in Rating.values:
            errors["overall"] = "Choose below, meets or above expectations."
        level_pk = getattr(proposed_level, "pk", proposed_level) or None
        if level_pk is not None and level_pk not in {lv.pk for lv in levels_above(level, participant.track_id)}:
            errors["proposed_level"] = "Choose a level above theirs on their ladder, or none."
    elif overall or proposed_level:
        errors["overall"] = "Only the manager review proposes an overall rating and a level."
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for competency_id, (rating, comment, line) in clean_ratings.items():
        ReviewRating.objects.update_or_create(
            review=review, competency_id=competency_id,
            defaults={"rating": rating, "comment": comment, "proficiency": line.proficiency(rating)},
        )
    for section_id, text in clean_answers.items():
        ReviewAnswer.objects.update_or_create(review=review, section_id=section_id, defaults={"text": text})
    fields = ["updated_at"]
    if review.kind == Review.Kind.MANAGER and overall is not None:
        review.overall, review.proposed_level_id = overall, level_pk
        fields += ["overall", "proposed_level"]
    review.updated_at = now
    with _audited(review.kind):
        review.save(update_fields=fields)
    return review


@transaction.atomic
def review_submit(*, actor: User, review: Review) -> Review:
    """Submit a saved draft while its phase is open. Submitting again changes nothing."""
    review, participant = _writable(review, actor)
    if review.submitted_at is not None:
        return review
    _open_phase(participant, review.kind)
    if review.kind in (Review.Kind.SELF, Review.Kind.MANAGER):
        _one_of_each(participant, review)
    _, lines = lines_for(participant.level_id, participant.track_id)
    rated = dict(review.ratings.values_list("competency_id", "rating"))
    answered = dict(review.answers.values_list("section_id", "text"))
    errors: dict[str, str] = {}
    if review.kind in (Review.Kind.SELF, Review.Kind.MANAGER):
        for line in lines:
            if not rated.get(line.competency.pk):
                errors[f"rating-{line.competency.pk}"] = f"Rate {line.competency.name} against the level."
    for section in participant.cycle.sections.all():
        if not answered.get(section.pk):
            errors[f"answer-{section.pk}"] = f"Write something under {section.title}."
    if review.kind == Review.Kind.MANAGER and not review.overall:
        errors["overall"] = "Propose an overall rating."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), acting_as(actor), _audited(review.kind):
            review.submitted_at = review.updated_at = timezone.now()
            review.save(update_fields=["submitted_at", "updated_at"])
    except IntegrityError:  # another manager's went in at the same moment
        review.submitted_at = None
        _one_of_each(participant, review)
        raise
    if review.kind == Review.Kind.MANAGER and not participant.rating:
        # Calibration starts from the manager's proposal.
        Participant.objects.filter(pk=participant.pk, rating="").update(rating=review.overall)
    return review
