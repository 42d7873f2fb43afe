"""Calibrating a cycle's ratings, locking calibration, and releasing the results.

Who does what:
- While calibration is open and not locked, HR admins move any participant's overall
  rating, and a manager the ratings of people below them in the reporting line (as it
  is now). Every move needs a reason and keeps what the rating was before.
- HR lock calibration; nothing moves after that.
- Results are released on the release day, by the release task (`cycles_release_due`),
  or by HR on demand; never before calibration is locked. Each participant is then told
  once, by the shared reminder mechanism (reminders/cycles.py).
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from people.audit import acting_as
from people.models import User

from ..models import CalibrationMove, Cycle, Participant, Phase
from ..models.cycles import REASON_MAX_LENGTH, Rating
from .cycles import phase_state


def _hr(actor: User) -> bool:
    return bool(actor.is_authenticated and actor.is_active and actor.sees_everyone)


def calibrates(actor: User, participant: Participant) -> bool:
    """Whether `actor` may move `participant`'s rating: HR, or a manager above them now;
    never their own."""
    if not (actor.is_authenticated and actor.is_active) or actor.pk == participant.person_id:
        return False  # nobody calibrates their own rating, HR admins included
    return _hr(actor) or actor.manages(participant.person)


def _calibration_open(cycle: Cycle) -> None:
    if cycle.calibration_locked_at is not None:
        raise ValidationError("Calibration is locked: ratings no longer move.")
    phase = Phase.objects.filter(cycle=cycle, kind=Phase.Kind.CALIBRATION).first()
    if phase is None or phase_state(phase) != "open":
        raise ValidationError("Calibration is not open: ratings move only while it is.")


@transaction.atomic
def rating_move(*, actor: User, participant: Participant, rating: str, reason: str) -> CalibrationMove:
    """Move a participant's overall rating in calibration, with a reason; the move keeps the
    rating before and after, and the audit log who moved it."""
    # The cycle first, then the row, as HR's changes to who is in the cycle take them.
    cycle = Cycle.objects.select_for_update().get(pk=Participant.objects.filter(pk=participant.pk).values("cycle_id")[:1])
    participant = Participant.objects.select_for_update(of=("self",)).select_related("person").get(pk=participant.pk)
    participant.cycle = cycle
    if not calibrates(actor, participant):
        raise PermissionDenied("HR and the managers above someone calibrate their rating.")
    _calibration_open(cycle)
    if participant.removed_at is not None:
        raise ValidationError("They have been taken out of this cycle.")
    reason = (reason or "").strip()
    errors = {}
    if rating not in Rating.values:
        errors["rating"] = "Choose below, meets or above expectations."
    elif rating == participant.rating:
        errors["rating"] = "That is their rating already: choose another, or leave it."
    if not reason:
        errors["reason"] = "Say why the rating moves: the calibration keeps it."
    elif len(reason) > REASON_MAX_LENGTH:
        errors["reason"] = f"Keep the reason under {REASON_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        move = CalibrationMove.objects.create(
            participant=participant, before=participant.rating, after=rating, reason=reason, moved_by=actor
        )
        participant.rating = rating
        participant.save(update_fields=["rating"])
    return move


@transaction.atomic
def calibration_lock(*, actor: User, cycle: Cycle) -> Cycle:
    """Lock calibration (HR): the ratings are final. Locking again changes nothing."""
    if not _hr(actor):
        raise PermissionDenied("HR admins lock calibration.")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.calibration_locked_at is not None:
        return cycle
    phase = Phase.objects.filter(cycle=cycle, kind=Phase.Kind.CALIBRATION).first()
    if phase is None or phase_state(phase) == "upcoming":
        raise ValidationError("Calibration has not opened yet: lock it once the ratings have been calibrated.")
    unrated = cycle.participants.filter(removed_at=None, rating="").count()
    if unrated:
        raise ValidationError(
            f"{unrated} {'participant has' if unrated == 1 else 'participants have'} no overall rating yet: "
            "rate them (or take them out of the cycle) first."
        )
    with acting_as(actor):
        cycle.calibration_locked_at, cycle.calibration_locked_by = timezone.now(), actor
        cycle.save(update_fields=["calibration_locked_at", "calibration_locked_by"])
    return cycle


def _release(cycle: Cycle, actor: User | None) -> Cycle:
    with acting_as(actor):
        cycle.released_at = timezone.now()
        cycle.save(update_fields=["released_at"])
    return cycle


@transaction.atomic
def cycle_release(*, actor: User, cycle: Cycle) -> Cycle:
    """Release the results now (HR), the release day moved to today. Never before calibration
    is locked; releasing again changes nothing."""
    if not _hr(actor):
        raise PermissionDenied("HR admins release results.")
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.released_at is not None:
        return cycle
    if cycle.calibration_locked_at is None:
        raise ValidationError("Lock calibration before releasing the results.")
    today = timezone.localdate()
    with acting_as(actor):
        for phase in Phase.objects.filter(cycle=cycle, kind=Phase.Kind.RELEASE, opens_on__gt=today):
            phase.opens_on = phase.closes_on = today
            phase.save(update_fields=["opens_on", "closes_on"])
    return _release(cycle, actor)


def cycles_release_due(today: datetime.date | None = None) -> list[int]:
    """Release every locked cycle whose release day has come (the release task, every hour
    and after restarts): the ids released. A cycle whose calibration is not locked waits."""
    today = today or timezone.localdate()
    due = Cycle.objects.filter(
        released_at=None,
        calibration_locked_at__isnull=False,
        phases__kind=Phase.Kind.RELEASE,
        phases__opens_on__lte=today,
    ).values_list("pk", flat=True)
    released = []
    for pk in list(due):
        with transaction.atomic():
            cycle = Cycle.objects.select_for_update().get(pk=pk)
            if cycle.released_at is None:
                _release(cycle, None)
                released.append(pk)
    return released
