"""Who reads which review of a cycle: drafts their author alone; the manager chain and HR the
submitted ones; the participant nothing before the release; upward reviews in aggregate only."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from reviews.models import Cycle, Participant, Phase, Review, ReviewAnswer, Section
from reviews.selectors.cycles import UPWARD_MIN, results_visible, reviews_visible_to, upward_summary
from reviews.services.cycles import Population, cycle_open
from tests.people.factories import UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def cycle(hr, manager, engineer, peer, skip_level, outsider):
    kinds = ["self", "nominations", "peer", "upward", "manager", "calibration"]
    dates = {kind: (day(-60 + 7 * n), day(-54 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(30), None)
    return cycle_open(actor=hr, name="H2", period_start=day(-240), period_end=day(-61),
                      population=Population(everyone=True), phases=dates, upward=True)


def write(cycle, author, person, kind, *, submitted=True, text="Words") -> Review:
    participant = Participant.objects.get(cycle=cycle, person=person)
    review = Review.objects.create(
        participant=participant, author=author, kind=kind, submitted_at=timezone.now() if submitted else None
    )
    ReviewAnswer.objects.create(review=review, section=Section.objects.filter(cycle=cycle).first(), text=text)
    return review


def readers(review, people) -> set[str]:
    return {name for name, person in people.items() if reviews_visible_to(person).filter(pk=review.pk).exists()}


def test_each_review_is_read_by_those_it_is_for(cycle, hr, manager, engineer, peer, skip_level, outsider):
    people = {"hr": hr, "manager": manager, "engineer": engineer, "peer": peer, "skip": skip_level, "outsider": outsider}
    self_review = write(cycle, engineer, engineer, "self")
    draft = write(cycle, peer, engineer, "peer", submitted=False)
    peer_review = write(cycle, outsider, engineer, "peer")
    manager_review = write(cycle, manager, engineer, "manager")
    upward = write(cycle, engineer, manager, "upward")

    assert readers(self_review, people) == {"engineer", "manager", "skip", "hr"}
    assert readers(draft, people) == {"peer"}
    assert readers(peer_review, people) == {"outsider", "manager", "skip", "hr"}
    assert readers(manager_review, people) == {"manager", "skip", "hr"}  # not Ada, before the release
    assert readers(upward, people) == {"engineer"}  # its author alone, one by one
    assert not results_visible(engineer, Participant.objects.get(cycle=cycle, person=engineer))

    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    assert readers(manager_review, people) == {"manager", "skip", "hr", "engineer"}
    assert readers(peer_review, people) == {"outsider", "manager", "skip", "hr"}  # peer reviews not shared
    Cycle.objects.filter(pk=cycle.pk).update(peer_reviews_shared=True)
    assert "engineer" in readers(peer_review, people)
    assert readers(upward, people) == {"engineer"}
    assert results_visible(engineer, Participant.objects.get(cycle=cycle, person=engineer))


def test_a_manager_moved_away_reads_nothing_more(cycle, manager, engineer):
    review = write(cycle, engineer, engineer, "self")
    engineer.manager = UserFactory(name="New Manager")
    engineer.save()
    assert not reviews_visible_to(manager).filter(pk=review.pk).exists()
    assert reviews_visible_to(engineer.manager).filter(pk=review.pk).exists()


def test_upward_reviews_show_only_in_aggregate_and_only_with_enough_answers(cycle, hr, manager, engineer, peer, skip_level):
    mine = Participant.objects.get(cycle=cycle, person=manager)
    write(cycle, engineer, manager, "upward", text="Clear priorities.")
    write(cycle, peer, manager, "upward", text="Available when it matters.")
    assert upward_summary(hr, mine) is None  # two answers: not even a count
    third = UserFactory(manager=manager)
    write(cycle, third, manager, "upward", text="Shields us from churn.")
    summary = upward_summary(hr, mine)
    assert summary.responses == UPWARD_MIN
    assert list(summary.answers.values()) == [["Available when it matters.", "Clear priorities.", "Shields us from churn."]]
    # While answers may still come in, HR read nothing: two visits apart would single one out.
    Phase.objects.filter(cycle=cycle, kind="upward").update(closes_on=day(1))
    assert upward_summary(hr, mine) is None
    Phase.objects.filter(cycle=cycle, kind="upward").update(closed_early_at=timezone.now())
    assert upward_summary(hr, mine).responses == UPWARD_MIN
    assert upward_summary(manager, mine) is None  # not before the release
    assert upward_summary(skip_level, mine) is None and upward_summary(engineer, mine) is None
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    mine.refresh_from_db()
    assert upward_summary(manager, Participant.objects.select_related("cycle").get(pk=mine.pk)).responses == 3
