"""Writing a cycle's reviews: nominations, self, peer, upward and manager reviews, each in its
phase, rated against the participant's level and mapped onto the framework's scale."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from ladders.models import Competency, Level
from reviews.cycle_rubric import lines_for
from reviews.models import Nomination, Participant, Phase, Review
from reviews.services.cycle_reviews import (
    NOMINATIONS_MAX,
    nominate,
    nomination_decide,
    review_save,
    review_start,
    review_submit,
)
from reviews.services.cycles import Population, cycle_open
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def version(db):
    # Levels l1..l3; competencies c0-0..c0-2 expect the rung (c0-1 one less, never below 1).
    return publish(document(levels=3, competencies=3))


@pytest.fixture
def cycle(hr, manager, engineer, peer, version):
    place(engineer, version, "l2")
    place(peer, version, "l2")
    kinds = ["self", "nominations", "peer", "upward", "manager", "calibration"]
    dates = {kind: (day(10 + 7 * n), day(16 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(60), None)
    return cycle_open(actor=hr, name="H2", period_start=day(-180), period_end=day(-1), population=Population(everyone=True),
                      phases=dates, upward=True)


def opened(cycle, kind: str) -> None:
    """Open `kind` today (and close every other phase)."""
    Phase.objects.filter(cycle=cycle).exclude(kind="release").update(opens_on=day(-20), closes_on=day(-10))
    Phase.objects.filter(cycle=cycle, kind=kind).update(opens_on=day(-1), closes_on=day(5))


def of(cycle, person) -> Participant:
    return Participant.objects.get(cycle=cycle, person=person)


def everything(participant, rating="meets", comment="Seen in the migration work.") -> dict:
    _, lines = lines_for(participant.level_id, participant.track_id)
    return {line.competency.pk: (rating, comment) for line in lines}


def answers(participant, text="Clear examples.") -> dict:
    return {s.pk: text for s in participant.cycle.sections.all()}


# --- The rubric ---------------------------------------------------------------------------------


def test_it_rates_each_competency_of_the_level_and_maps_it_onto_the_scale(cycle, engineer):
    level, lines = lines_for(of(cycle, engineer).level_id, of(cycle, engineer).track_id)
    assert level.code == "l2"
    by_slug = {line.competency.slug: line for line in lines}
    assert sorted(by_slug) == ["c0-0", "c0-1", "c0-2"]
    c0 = by_slug["c0-0"]  # expects 2, Applying
    assert (c0.expected, c0.proficiency("below"), c0.proficiency("meets"), c0.proficiency("above")) == (2, 1, 2, 3)
    c1 = by_slug["c0-1"]  # expects 1: below stays at the bottom of the scale
    assert (c1.expected, c1.proficiency("below"), c1.proficiency("above")) == (1, 1, 2)
    assert c0.proficiency_name("above") == "Skilled" and c0.expectation.proficiency.value == 2


def test_someone_on_no_ladder_is_rated_on_the_written_sections_only(cycle, manager):
    assert lines_for(of(cycle, manager).level_id, None) == (None, [])


# --- Nominations --------------------------------------------------------------------------------


def test_the_participant_nominates_and_the_manager_approves_declines_or_adds(cycle, engineer, peer, manager, outsider):
    opened(cycle, "nominations")
    mine = of(cycle, engineer)
    proposed = nominate(actor=engineer, participant=mine, peer=peer)
    assert proposed.status == Nomination.Status.PROPOSED
    other = nominate(actor=engineer, participant=mine, peer=outsider)
    assert nomination_decide(actor=manager, nomination=proposed, approve=True).status == "approved"
    assert nomination_decide(actor=manager, nomination=other, approve=False).status == "declined"
    added = nominate(actor=manager, participant=mine, peer=UserFactory(name="Kai Kaur"))
    assert added.status == "approved" and added.decided_by == manager
    assert LogEntry.objects.get_for_object(proposed).count() == 2


def test_it_refuses_nominations_that_make_no_sense_at_the_field(cycle, engineer, peer, manager):
    opened(cycle, "nominations")
    mine = of(cycle, engineer)
    for who, words in ((engineer, "someone else's view"), (manager, "Your manager writes"), (UserFactory(is_active=False), "works here")):
        with pytest.raises(ValidationError) as caught:
            nominate(actor=engineer, participant=mine, peer=who)
        assert words in caught.value.message_dict["peer"][0]
    nominate(actor=engineer, participant=mine, peer=peer)
    with pytest.raises(ValidationError) as caught:
        nominate(actor=engineer, participant=mine, peer=peer)
    assert caught.value.message_dict["peer"] == ["Sam Rivera is already nominated."]
    for n in range(NOMINATIONS_MAX - 1):
        nominate(actor=engineer, participant=mine, peer=UserFactory())
    with pytest.raises(ValidationError) as caught:
        nominate(actor=engineer, participant=mine, peer=UserFactory())
    assert f"Keep to {NOMINATIONS_MAX} peers" in caught.value.message_dict["peer"][0]


def test_only_the_participant_and_their_manager_nominate_and_only_while_open(cycle, engineer, peer, manager, skip_level):
    mine = of(cycle, engineer)
    with pytest.raises(ValidationError) as caught:
        nominate(actor=engineer, participant=mine, peer=peer)
    assert caught.value.messages[0].startswith("Peer nominations has not opened yet")
    opened(cycle, "nominations")
    for someone in (peer, skip_level):
        with pytest.raises(PermissionDenied):
            nominate(actor=someone, participant=mine, peer=UserFactory())
    proposed = nominate(actor=engineer, participant=mine, peer=peer)
    with pytest.raises(PermissionDenied):
        nomination_decide(actor=engineer, nomination=proposed, approve=True)
    # A new manager decides; the former one no longer may.
    engineer.manager = skip_level
    engineer.save()
    with pytest.raises(PermissionDenied):
        nomination_decide(actor=manager, nomination=proposed, approve=True)
    assert nomination_decide(actor=skip_level, nomination=proposed, approve=True).status == "approved"


# --- Reviews ------------------------------------------------------------------------------------


def test_a_self_review_saves_as_a_draft_and_submits_once_complete(cycle, engineer):
    opened(cycle, "self")
    mine = of(cycle, engineer)
    review = review_start(actor=engineer, participant=mine, kind="self")
    assert review_start(actor=engineer, participant=mine, kind="self").pk == review.pk
    first = next(iter(everything(mine)))
    review_save(actor=engineer, review=review, ratings={first: ("above", "Led the migration.")})
    with pytest.raises(ValidationError) as caught:
        review_submit(actor=engineer, review=review)
    missing = set(caught.value.message_dict)
    assert f"rating-{first}" not in missing and len([k for k in missing if k.startswith("rating-")]) == 2
    assert len([k for k in missing if k.startswith("answer-")]) == 3
    review_save(actor=engineer, review=review, ratings=everything(mine), answers=answers(mine))
    submitted = review_submit(actor=engineer, review=review)
    assert submitted.submitted_at is not None
    assert review_submit(actor=engineer, review=review).submitted_at == submitted.submitted_at
    rating = submitted.ratings.get(competency_id=first)
    assert (rating.rating, rating.proficiency) == ("meets", Competency.objects.get(pk=first).expectations.get(level__code="l2").proficiency.value)
    with pytest.raises(ValidationError):
        review_save(actor=engineer, review=review, answers=answers(mine, "Changed after submitting"))


def test_it_says_what_is_wrong_with_a_review_at_the_field_and_writes_nothing(cycle, engineer, version):
    opened(cycle, "self")
    mine = of(cycle, engineer)
    review = review_start(actor=engineer, participant=mine, kind="self")
    stranger = Competency.objects.filter(version=publish(document(slug="other"))).first()
    first = next(iter(everything(mine)))
    section = cycle.sections.first()
    bad = {first: ("brilliant", "x" * 9000), stranger.pk: ("meets", "")}
    with pytest.raises(ValidationError) as caught:
        review_save(actor=engineer, review=review, ratings=bad, answers={section.pk: "y" * 9000, 999999: "?"}, overall="above")
    errors = caught.value.message_dict
    assert errors[f"rating-{first}"] == ["Choose below, meets or above for Competency 0.0."]
    assert "under 8,000" in errors[f"comment-{first}"][0] and "under 8,000" in errors[f"answer-{section.pk}"][0]
    assert errors["answer-999999"] == ["This section is not part of the cycle."]
    assert errors["overall"] == ["Only the manager review proposes an overall rating and a level."]
    assert errors[f"rating-{stranger.pk}"] == ["This competency is not on their level's rubric."]
    assert not review.ratings.exists() and not review.answers.exists()


def test_peers_write_only_when_approved_and_reports_review_their_manager(cycle, engineer, peer, manager, outsider):
    opened(cycle, "nominations")
    mine = of(cycle, engineer)
    proposed = nominate(actor=engineer, participant=mine, peer=outsider)
    opened(cycle, "peer")
    with pytest.raises(PermissionDenied):
        review_start(actor=outsider, participant=mine, kind="peer")  # proposed, never approved
    Nomination.objects.filter(pk=proposed.pk).update(status="approved")
    review = review_start(actor=outsider, participant=mine, kind="peer")
    review_save(actor=outsider, review=review, answers=answers(mine))
    assert review_submit(actor=outsider, review=review).submitted_at is not None  # peers may leave a competency unrated
    opened(cycle, "upward")
    upward = review_start(actor=engineer, participant=of(cycle, manager), kind="upward")
    assert upward.participant.person == manager
    for someone in (outsider, manager):
        with pytest.raises(PermissionDenied):
            review_start(actor=someone, participant=of(cycle, manager), kind="upward")


def test_the_manager_review_proposes_a_rating_and_a_level_the_calibration_starts_from(cycle, engineer, manager, peer, version):
    opened(cycle, "manager")
    mine = of(cycle, engineer)
    with pytest.raises(PermissionDenied):
        review_start(actor=peer, participant=mine, kind="manager")
    review = review_start(actor=manager, participant=mine, kind="manager")
    lower = Level.objects.get(version=version, code="l1")
    with pytest.raises(ValidationError) as caught:
        review_save(actor=manager, review=review, overall="above", proposed_level=lower)
    assert caught.value.message_dict == {"proposed_level": ["Choose a level above theirs on their ladder, or none."]}
    higher = Level.objects.get(version=version, code="l3")
    review_save(actor=manager, review=review, ratings=everything(mine, "above"), answers=answers(mine), overall="above", proposed_level=higher)
    review_submit(actor=manager, review=review)
    mine.refresh_from_db()
    assert mine.rating == "above" and Review.objects.get(pk=review.pk).proposed_level == higher


def test_nobody_writes_outside_the_phase_or_after_being_taken_out(cycle, engineer, hr):
    mine = of(cycle, engineer)
    with pytest.raises(ValidationError) as caught:
        review_start(actor=engineer, participant=mine, kind="self")
    assert "has not opened yet" in caught.value.messages[0]
    opened(cycle, "self")
    review = review_start(actor=engineer, participant=mine, kind="self")
    opened(cycle, "peer")
    with pytest.raises(ValidationError) as caught:
        review_save(actor=engineer, review=review, answers=answers(mine))
    assert "Self review has closed" in caught.value.messages[0]
    opened(cycle, "self")
    Participant.objects.filter(pk=mine.pk).update(removed_at=timezone.now(), removed_reason="Left the company.")
    with pytest.raises(ValidationError) as caught:
        review_save(actor=engineer, review=review, answers=answers(mine))
    assert caught.value.messages == ["They have been taken out of this cycle."]
    assert not review.answers.exists()


def test_a_peer_whose_review_is_in_stays_and_re_approving_keeps_the_limit(cycle, engineer, peer, manager, outsider):
    """Nominations and peer reviews may run side by side: a manager who declines a peer after
    their review went in is told it stays; re-approving a declined peer keeps to the limit."""
    Phase.objects.filter(cycle=cycle, kind__in=["nominations", "peer"]).update(opens_on=day(-1), closes_on=day(5))
    mine = of(cycle, engineer)
    approved = nominate(actor=manager, participant=mine, peer=outsider)
    review = review_start(actor=outsider, participant=mine, kind="peer")
    review_save(actor=outsider, review=review, answers=answers(mine))
    review_submit(actor=outsider, review=review)
    with pytest.raises(ValidationError) as caught:
        nomination_decide(actor=manager, nomination=approved, approve=False)
    assert caught.value.messages == [f"{outsider.name} has submitted their peer review already: it stays."]
    assert Nomination.objects.get(pk=approved.pk).status == "approved"
    declined = nominate(actor=engineer, participant=mine, peer=peer)
    nomination_decide(actor=manager, nomination=declined, approve=False)
    for n in range(NOMINATIONS_MAX - 1):
        nominate(actor=manager, participant=mine, peer=UserFactory())
    with pytest.raises(ValidationError) as caught:
        nomination_decide(actor=manager, nomination=declined, approve=True)
    assert caught.value.messages == [f"Keep to {NOMINATIONS_MAX} peers: decline another first."]
    assert mine.nominations.filter(status="approved").count() == NOMINATIONS_MAX


def test_one_manager_review_goes_in_whichever_manager_wrote_it(cycle, engineer, manager, skip_level):
    """A manager's draft started before another manager took over and submitted stays a draft."""
    opened(cycle, "manager")
    mine = of(cycle, engineer)
    first = review_start(actor=manager, participant=mine, kind="manager")
    review_save(actor=manager, review=first, ratings=everything(mine), answers=answers(mine), overall="meets")
    type(engineer).objects.filter(pk=engineer.pk).update(manager=skip_level)
    second = review_start(actor=skip_level, participant=mine, kind="manager")
    review_save(actor=skip_level, review=second, ratings=everything(mine), answers=answers(mine), overall="above")
    review_submit(actor=skip_level, review=second)
    type(engineer).objects.filter(pk=engineer.pk).update(manager=manager)
    with pytest.raises(ValidationError) as caught:
        review_submit(actor=manager, review=first)
    assert caught.value.messages == [f"{skip_level.name} has submitted the manager review already."]
    assert Review.objects.filter(participant=mine, kind="manager", submitted_at__isnull=False).count() == 1
    # And the database holds to it whatever the path.
    with pytest.raises(IntegrityError), transaction.atomic():
        Review.objects.filter(pk=first.pk).update(submitted_at=timezone.now())
