"""Calibrating a cycle: moves with reasons, by whom, locking, and releasing only after the lock."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import CalibrationMove, Cycle, Participant, Phase
from reviews.services.cycle_calibration import (
    calibration_lock,
    cycle_release,
    cycles_release_due,
    rating_move,
)
from reviews.services.cycles import Population, cycle_open
from tests.people.factories import UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def cycle(hr, manager, engineer, peer, outsider):
    kinds = ["self", "nominations", "peer", "manager", "calibration"]
    dates = {kind: (day(-50 + 7 * n), day(-44 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["calibration"] = (day(-2), day(5))
    dates["release"] = (day(10), None)
    cycle = cycle_open(actor=hr, name="H2", period_start=day(-230), period_end=day(-51),
                       population=Population(everyone=True), phases=dates)
    cycle.participants.update(rating="meets")
    return cycle


def of(cycle, person) -> Participant:
    return Participant.objects.get(cycle=cycle, person=person)


def test_a_move_needs_a_reason_and_keeps_before_and_after(cycle, hr, engineer):
    mine = of(cycle, engineer)
    with pytest.raises(ValidationError) as caught:
        rating_move(actor=hr, participant=mine, rating="above", reason=" ")
    assert caught.value.message_dict == {"reason": ["Say why the rating moves: the calibration keeps it."]}
    with pytest.raises(ValidationError) as caught:
        rating_move(actor=hr, participant=mine, rating="meets", reason="Same again")
    assert "That is their rating already" in caught.value.message_dict["rating"][0]
    with pytest.raises(ValidationError) as caught:
        rating_move(actor=hr, participant=mine, rating="stellar", reason="Why not")
    assert "Choose below, meets or above" in caught.value.message_dict["rating"][0]
    assert not CalibrationMove.objects.exists()

    move = rating_move(actor=hr, participant=mine, rating="above", reason="Led the migration across three teams.")

    assert (move.before, move.after, move.moved_by) == ("meets", "above", hr)
    mine.refresh_from_db()
    assert mine.rating == "above"
    assert LogEntry.objects.get_for_object(move).get().actor == hr
    assert LogEntry.objects.get_for_object(mine).latest("timestamp", "pk").changes["rating"] == ["meets", "above"]


def test_managers_calibrate_their_tree_and_nobody_their_own_rating(cycle, hr, manager, skip_level, engineer, outsider):
    assert rating_move(actor=skip_level, participant=of(cycle, engineer), rating="below", reason="Two missed launches.")
    assert rating_move(actor=manager, participant=of(cycle, engineer), rating="meets", reason="Launches slipped for reasons outside her team.")
    for actor, person in ((manager, outsider), (engineer, engineer), (manager, manager), (hr, hr), (engineer, manager)):
        with pytest.raises(PermissionDenied):
            rating_move(actor=actor, participant=of(cycle, person), rating="above", reason="Because.")
    # After a move to another manager, the former one no longer calibrates her.
    engineer.manager = UserFactory(name="New Manager")
    engineer.save()
    with pytest.raises(PermissionDenied):
        rating_move(actor=manager, participant=of(cycle, engineer), rating="above", reason="Because.")


def test_ratings_move_only_while_calibration_is_open_and_unlocked(cycle, hr, engineer):
    mine = of(cycle, engineer)
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(2), closes_on=day(6))
    with pytest.raises(ValidationError) as caught:
        rating_move(actor=hr, participant=mine, rating="above", reason="Early.")
    assert caught.value.messages == ["Calibration is not open: ratings move only while it is."]
    Phase.objects.filter(cycle=cycle, kind="calibration").update(opens_on=day(-2), closes_on=day(5))
    calibration_lock(actor=hr, cycle=cycle)
    with pytest.raises(ValidationError) as caught:
        rating_move(actor=hr, participant=mine, rating="above", reason="Late.")
    assert caught.value.messages == ["Calibration is locked: ratings no longer move."]


def test_locking_wants_every_participant_rated_and_is_for_hr(cycle, hr, manager, engineer):
    Participant.objects.filter(cycle=cycle, person=engineer).update(rating="")
    with pytest.raises(PermissionDenied):
        calibration_lock(actor=manager, cycle=cycle)
    with pytest.raises(ValidationError) as caught:
        calibration_lock(actor=hr, cycle=cycle)
    assert caught.value.messages == ["1 participant has no overall rating yet: rate them (or take them out of the cycle) first."]
    Participant.objects.filter(cycle=cycle, person=engineer).update(removed_at=timezone.now(), removed_reason="Left.")
    locked = calibration_lock(actor=hr, cycle=cycle)
    assert locked.calibration_locked_by == hr
    assert calibration_lock(actor=hr, cycle=cycle).calibration_locked_at == locked.calibration_locked_at


def test_no_release_before_calibration_locks(cycle, hr, manager):
    with pytest.raises(ValidationError) as caught:
        cycle_release(actor=hr, cycle=cycle)
    assert caught.value.messages == ["Lock calibration before releasing the results."]
    Phase.objects.filter(cycle=cycle, kind="release").update(opens_on=day(0), closes_on=day(0))
    assert cycles_release_due() == []  # the day has come, but calibration is not locked
    assert Cycle.objects.get(pk=cycle.pk).released_at is None
    calibration_lock(actor=hr, cycle=cycle)
    with pytest.raises(PermissionDenied):
        cycle_release(actor=manager, cycle=cycle)
    assert cycles_release_due() == [cycle.pk]
    assert cycles_release_due() == []
    assert Cycle.objects.get(pk=cycle.pk).released_at is not None


def test_hr_release_early_moves_the_release_day_to_today(cycle, hr):
    calibration_lock(actor=hr, cycle=cycle)
    assert cycles_release_due() == []  # ten days to go
    released = cycle_release(actor=hr, cycle=cycle)
    assert released.released_at is not None
    assert cycle.phases.get(kind="release").opens_on == TODAY
    assert cycle_release(actor=hr, cycle=cycle).released_at == released.released_at
    assert LogEntry.objects.get_for_object(released).latest("timestamp", "pk").actor == hr
