"""Erasing a candidate: nothing personal left in any table or audit entry, their ratings
still counted, anonymous."""

from __future__ import annotations

import datetime
import json

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from reviews.models import Candidate, Interview, Loop, Scorecard, ScorecardRating
from reviews.selectors.interviews import loops_visible_to, scorecards_visible_to
from reviews.services.interviews import (
    ERASED_REASON,
    candidate_create,
    candidate_erase,
    interview_schedule,
    loop_create,
    loop_decide,
    scorecard_save,
    scorecard_submit,
)
from tests.ladders.factories import document, publish
from tests.reviews.interview_factories import kit_for

NAME, EMAIL, PHONE = "Grace Hopper", "grace.hopper@example.com", "+44 7700 900123"
PERSONAL = (NAME, "Hopper", EMAIL, PHONE)


@pytest.fixture
def audited():
    """The interview models written to the audit log, as reviews/apps.py is to register them."""
    registered = [Candidate, Loop, Interview, Scorecard, ScorecardRating]
    for model in registered:
        auditlog.register(model)
    yield
    for model in registered:
        auditlog.unregister(model)


@pytest.fixture
def decided(audited, hr, manager, engineer, peer):
    """A decided loop whose every free text names the candidate."""
    kit = kit_for(publish(document()), "l2")
    candidate = candidate_create(
        actor=hr, name=NAME, email=EMAIL, phone=PHONE, source="Referred by Hopper's old team", notes="Hopper prefers mornings."
    )
    loop = loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=manager)
    interview = interview_schedule(
        actor=manager, loop=loop, stage="technical", title="Hopper: technical",
        starts_at=timezone.now() - datetime.timedelta(hours=1), focus=list(kit.focus.all()), interviewers=[engineer, peer],
    )
    for person, value in ((engineer, 3), (peer, 4)):
        scorecard = interview.scorecards.get(interviewer=person)
        point = kit.scale.get(value=value)
        scorecard_save(
            actor=person, scorecard=scorecard,
            ratings={f.pk: (point.pk, f"Hopper explained {f.competency.name} well.") for f in kit.focus.all()},
            takeaways=f"{NAME} would do well here.", recommendation="yes",
        )
        scorecard_submit(actor=person, scorecard=scorecard)
    loop_decide(actor=manager, loop=loop, decision="hire", reason=f"Everyone liked {NAME}.")
    return candidate, loop


def leftovers() -> list[str]:
    """Where any personal detail of the candidate is still stored, in any table."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        for row in model._default_manager.values_list(*[f.attname for f in fields]):
            text = json.dumps(row, default=str).lower()
            found += [f"{model._meta.label}: {p}" for p in PERSONAL if p.lower() in text]
    return found


def test_it_erases_every_personal_detail_and_keeps_the_scores(decided, hr):
    candidate, loop = decided
    assert leftovers()  # the check sees them before
    ratings_before = list(ScorecardRating.objects.order_by("pk").values_list("point__value", flat=True))
    erased = candidate_erase(actor=hr, candidate=candidate)
    assert erased.erased_at is not None
    assert (erased.name, erased.email, erased.phone, erased.notes, erased.source) == ("", "", "", "", "")
    assert str(erased) == f"Candidate {candidate.pk}"
    assert leftovers() == []
    # The scores stay, countable for calibration, and so does the decision.
    assert list(ScorecardRating.objects.order_by("pk").values_list("point__value", flat=True)) == ratings_before
    assert ScorecardRating.objects.filter(scorecard__interview__loop__candidate=candidate, point__value=4).count() == 3
    loop.refresh_from_db()
    assert (loop.decision, loop.decision_reason) == ("hire", ERASED_REASON)
    assert set(Scorecard.objects.values_list("recommendation", flat=True)) == {"yes"}
    assert Scorecard.objects.filter(takeaways="").count() == 2
    # The erasure is on the record, without anything personal in it.
    entry = LogEntry.objects.filter(object_repr=f"Candidate {candidate.pk}").latest("timestamp", "pk")
    assert entry.actor == hr and entry.changes["erased_at"][1] == erased.erased_at.isoformat()


def test_it_is_idempotent(decided, hr):
    candidate, _ = decided
    first = candidate_erase(actor=hr, candidate=candidate)
    entries = LogEntry.objects.count()
    again = candidate_erase(actor=hr, candidate=candidate)
    assert again.erased_at == first.erased_at
    assert LogEntry.objects.count() == entries


def test_it_lets_only_hr_erase(decided, manager, engineer, outsider):
    candidate, _ = decided
    for someone in (manager, engineer, outsider):
        with pytest.raises(PermissionDenied):
            candidate_erase(actor=someone, candidate=candidate)
    candidate.refresh_from_db()
    assert candidate.erased_at is None and candidate.name == NAME


def test_it_keeps_an_erased_candidate_empty_in_the_database(decided, hr):
    candidate, _ = decided
    candidate_erase(actor=hr, candidate=candidate)
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.filter(pk=candidate.pk).update(name="Grace again")


def test_it_still_shows_the_loop_without_the_person(decided, hr, manager, engineer):
    candidate, loop = decided
    candidate_erase(actor=hr, candidate=candidate)
    assert [str(x.candidate) for x in loops_visible_to(manager)] == [f"Candidate {candidate.pk}"]
    assert {s.takeaways for s in scorecards_visible_to(engineer, loop)} == {""}


def test_it_refuses_a_new_loop_for_an_erased_candidate(decided, hr, manager):
    candidate, loop = decided
    candidate_erase(actor=hr, candidate=candidate)
    with pytest.raises(ValidationError) as error:
        loop_create(actor=hr, candidate=candidate, kit=loop.kit, hiring_manager=manager)
    assert list(error.value.message_dict) == ["candidate"]
