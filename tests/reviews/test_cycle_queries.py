"""Every cycle page costs the same queries for a cycle full of reviews, nominations and moves
as for a nearly empty one."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import CalibrationMove, Nomination, Participant, Phase, Review, ReviewAnswer
from reviews.services.cycles import Population, cycle_open
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish
from tests.people.factories import DepartmentFactory, UserFactory


def day(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def open_cycle(hr, name: str):
    kinds = ["self", "nominations", "peer", "upward", "manager"]
    dates = {kind: (day(-40 + 7 * n), day(-34 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["calibration"] = (day(-1), day(6))
    dates["release"] = (day(10), None)
    return cycle_open(actor=hr, name=name, period_start=day(-220), period_end=day(-41),
                      population=Population(everyone=True), phases=dates, upward=True)


def fill(cycle, hr) -> None:
    """Everyone's self and manager reviews with answers, two approved peers each, a move each."""
    section = cycle.sections.first()
    people = list(cycle.participants.select_related("person"))
    for participant in people:
        person = participant.person
        reviews = [Review(participant=participant, author=person, kind="self", submitted_at=timezone.now())]
        if person.manager_id:
            reviews.append(Review(participant=participant, author_id=person.manager_id, kind="manager", overall="meets",
                                  submitted_at=timezone.now()))
        for other in [p.person for p in people if p.pk != participant.pk][:2]:
            if other.pk == person.manager_id:
                continue
            Nomination.objects.get_or_create(participant=participant, peer=other, defaults={"status": "approved"})
            reviews.append(Review(participant=participant, author=other, kind="peer", submitted_at=timezone.now()))
        for review in Review.objects.bulk_create(reviews):
            ReviewAnswer.objects.create(review=Review.objects.get(participant=participant, author=review.author, kind=review.kind),
                                        section=section, text="Words.")
        if person.pk != hr.pk:
            CalibrationMove.objects.create(participant=participant, before="meets", after="above", reason="Because.", moved_by=hr)
    Participant.objects.filter(cycle=cycle).update(rating="above")


@pytest.fixture
def version(db):
    return publish(document(levels=3, competencies=3))


def pages(cycle, engineer, manager) -> list[tuple]:
    ada = cycle.participants.get(person=engineer)
    return [
        ("hr", reverse("reviews:cycle", args=[cycle.pk])),
        ("hr", reverse("reviews:cycle_calibration", args=[cycle.pk])),
        ("hr", reverse("reviews:cycle_person", args=[cycle.pk, ada.pk])),
        ("manager", reverse("reviews:cycle_team", args=[cycle.pk])),
        ("manager", reverse("reviews:cycle_calibration", args=[cycle.pk])),
        ("engineer", reverse("reviews:my_reviews")),
        ("manager", reverse("reviews:review_write", args=[ada.pk, "manager"])),
    ]


def test_full_cycles_cost_what_small_ones_do(as_user, hr, manager, engineer, peer, version):
    for person in (engineer, peer, manager):
        place(person, version, "l2")
    small = open_cycle(hr, "Small")
    fill(small, hr)
    people = {"hr": as_user(hr), "manager": as_user(manager), "engineer": as_user(engineer)}
    before = [page_queries(people[who], address) for who, address in pages(small, engineer, manager)]

    department = DepartmentFactory(name="Platform")
    for n in range(12):
        place(UserFactory(manager=manager if n % 2 else UserFactory(), department=department if n % 3 else None), version, "l1")
    big = open_cycle(hr, "Big")
    fill(big, hr)
    after = [page_queries(people[who], address) for who, address in pages(big, engineer, manager)]
    assert before == after
