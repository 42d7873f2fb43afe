"""The last year's feedback and review results, offered per expectation on a draft packet and
pulled into its evidence with one click; and a packet started from a manager review's proposal.

Only what the person reads themselves is offered: shared feedback, and released self and
manager reviews (peer reviews where the cycle shares them), never private feedback, drafts,
unreleased results or upward reviews.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ladders.models import Competency, Level
from reviews.models import Cycle, Evidence, Feedback, Packet, Participant, Review, ReviewRating
from reviews.models.packets import TEXT_MAX_LENGTH
from reviews.selectors.packet_sources import sources_for
from reviews.services.cycles import Population, cycle_open
from reviews.services.packets import evidence_pull, packet_open
from tests.conftest import flashed, login, page_queries
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def feedback(giver, subject, body, *, competencies=(), visibility="shared", days_ago=10) -> Feedback:
    when = timezone.now() - datetime.timedelta(days=days_ago)
    row = Feedback.objects.create(giver=giver, subject=subject, kind="praise", visibility=visibility, body=body,
                                  created_at=when, editable_until=when)
    row.competencies.set(competencies)
    return row


def review(cycle, author, person, kind, ratings, *, submitted=True) -> Review:
    participant = Participant.objects.get(cycle=cycle, person=person)
    row = Review.objects.create(participant=participant, author=author, kind=kind,
                                submitted_at=timezone.now() if submitted else None)
    for competency, (rating, comment) in ratings.items():
        ReviewRating.objects.create(review=row, competency=competency, rating=rating, comment=comment)
    return row


@pytest.fixture
def world(db, hr, manager, engineer, peer, skip_level, outsider):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l1")
    first, second = Competency.objects.filter(version=version).order_by("pk")
    kinds = ["self", "nominations", "peer", "upward", "manager", "calibration"]
    phases = {kind: (day(-60 + 7 * n), day(-54 + 7 * n)) for n, kind in enumerate(kinds)}
    phases["release"] = (day(30), None)
    cycle = cycle_open(actor=hr, name="Spring cycle", period_start=day(-240), period_end=day(-61),
                       population=Population(everyone=True), phases=phases, upward=True)
    l2 = Level.objects.get(version=version, code="l2")
    manager_review = review(cycle, manager, engineer, "manager", {first: ("above", "MANAGER-SAYS-ABOVE")})
    Review.objects.filter(pk=manager_review.pk).update(proposed_level=l2, overall="above")
    review(cycle, engineer, engineer, "self", {first: ("meets", "SELF-SAYS-MEETS")})
    review(cycle, peer, engineer, "peer", {first: ("above", "PEER-SAYS-ABOVE")})
    review(cycle, outsider, engineer, "manager", {second: ("below", "DRAFT-NEVER")}, submitted=False)
    review(cycle, engineer, manager, "upward", {first: ("above", "UPWARD-NEVER")})
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    feedback(peer, engineer, "SHARED-ON-FIRST", competencies=[first])
    feedback(skip_level, engineer, "PRIVATE-NEVER", competencies=[first], visibility="private")
    feedback(peer, engineer, "OLD-NEVER", competencies=[first], days_ago=400)
    feedback(peer, engineer, "UNTAGGED-NEVER")
    packet = packet_open(actor=manager, person=engineer, target_level=l2)
    return {"packet": packet, "first": first, "second": second, "cycle": cycle, "l2": l2, "manager_review": manager_review}


def texts(world, competency) -> list[str]:
    return [s.text for s in sources_for(world["packet"]).get(competency.pk, [])]


def test_only_what_the_person_reads_from_the_last_year_is_offered(world):
    assert sorted(texts(world, world["first"])) == ["MANAGER-SAYS-ABOVE", "SELF-SAYS-MEETS", "SHARED-ON-FIRST"]
    assert texts(world, world["second"]) == []
    Cycle.objects.filter(pk=world["cycle"].pk).update(peer_reviews_shared=True)
    assert "PEER-SAYS-ABOVE" in texts(world, world["first"])
    Cycle.objects.filter(pk=world["cycle"].pk).update(released_at=timezone.now() - datetime.timedelta(days=400))
    assert texts(world, world["first"]) == ["SHARED-ON-FIRST"]  # a cycle released over a year ago


def test_a_tag_on_an_earlier_version_of_the_framework_finds_its_expectation(world, peer, engineer):
    """Feedback tagged on the version someone stood on before a republish counts by slug."""
    older = publish(document(levels=3, competencies=2))
    tagged = Competency.objects.get(version=older, slug=world["first"].slug)
    feedback(peer, engineer, "TAGGED-ON-ANOTHER-VERSION", competencies=[tagged])
    assert "TAGGED-ON-ANOTHER-VERSION" in texts(world, world["first"])


def test_one_click_adds_it_with_where_it_came_from_once(as_user, world, manager):
    client, packet, first = as_user(manager), world["packet"], world["first"]
    page = client.get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    assert "SHARED-ON-FIRST" in page and "Add to the evidence" in page
    assert "PRIVATE-NEVER" not in page and "DRAFT-NEVER" not in page and "UPWARD-NEVER" not in page
    key = next(s.key for s in sources_for(packet)[first.pk] if s.text == "MANAGER-SAYS-ABOVE")
    url = reverse("reviews:packet_pull", args=[packet.pk, first.pk])
    response = client.post(url, {"source": key})
    assert response.status_code == 302 and "Added to the evidence" in " ".join(flashed(response))
    row = Evidence.objects.get(packet=packet, competency=first)
    assert row.sources == [key]
    assert row.text.startswith("From Marcus") and "manager review in Spring cycle" in row.text
    assert "rated above expectations" in row.text and "“MANAGER-SAYS-ABOVE”" in row.text
    assert "In the evidence" in client.get(reverse("reviews:packet", args=[packet.pk])).content.decode()

    again = client.post(url, {"source": key})
    assert again.status_code == 400 and "That is in the evidence already." in again.content.decode()
    assert Evidence.objects.get(pk=row.pk).text == row.text


def test_what_is_not_offered_cannot_be_pulled(as_user, world, manager, engineer, skip_level):
    packet, first = world["packet"], world["first"]
    private = Feedback.objects.get(body="PRIVATE-NEVER")
    url = reverse("reviews:packet_pull", args=[packet.pk, first.pk])
    for source in (f"feedback:{private.pk}", "feedback:999999", "rating:nonsense", "", "x" * 5000):
        response = as_user(engineer).post(url, {"source": source})
        assert response.status_code == 400, source
        assert "not feedback or a review result of theirs from the last year" in response.content.decode()
    shared = Feedback.objects.get(body="SHARED-ON-FIRST")
    elsewhere = reverse("reviews:packet_pull", args=[packet.pk, world["second"].pk])
    assert as_user(engineer).post(elsewhere, {"source": f"feedback:{shared.pk}"}).status_code == 400  # not tagged there
    assert as_user(skip_level).post(url, {"source": f"feedback:{shared.pk}"}).status_code == 404  # not a writer
    assert not Evidence.objects.filter(packet=packet).exclude(text="").exists()


def test_the_evidence_never_runs_over_its_length(world, engineer):
    packet, first = world["packet"], world["first"]
    Evidence.objects.filter(packet=packet, competency=first).update(text="x" * (TEXT_MAX_LENGTH - 5))
    key = sources_for(packet)[first.pk][0].key
    with pytest.raises(ValidationError) as error:
        evidence_pull(actor=engineer, packet=packet, competency=first, key=key)
    assert "shorten it first" in str(error.value)
    assert Evidence.objects.get(packet=packet, competency=first).sources == []


def test_nothing_is_pulled_once_submitted(world, engineer):
    packet = world["packet"]
    Packet.objects.filter(pk=packet.pk).update(status="submitted", submitted_at=timezone.now())
    key = sources_for(packet)[world["first"].pk][0].key
    with pytest.raises(ValidationError, match="no longer changes"):
        evidence_pull(actor=engineer, packet=packet, competency=world["first"], key=key)


def test_the_draft_page_costs_the_same_with_ten_times_the_year(as_user, world, manager, peer, engineer):
    client, url = as_user(manager), reverse("reviews:packet", args=[world["packet"].pk])
    small = page_queries(client, url)
    for n in range(20):
        feedback(peer, engineer, f"More {n}", competencies=[world["first"], world["second"]])
    assert page_queries(client, url) == small


# --- Started from a manager review's proposal ----------------------------------------------------


def test_a_proposal_in_a_manager_review_starts_a_packet_that_keeps_it(as_user, world, manager, engineer, skip_level):
    Packet.objects.all().delete()
    proposal, cycle = world["manager_review"], world["cycle"]
    participant = proposal.participant
    person_page = reverse("reviews:cycle_person", args=[cycle.pk, participant.pk])
    page = as_user(manager).get(person_page).content.decode()
    start = f"{reverse('reviews:packet_new')}?person={engineer.pk}&amp;review={proposal.pk}"
    assert "Start a promotion packet" in page and start in page
    assert "Start a promotion packet" not in as_user(skip_level).get(person_page).content.decode()  # not her manager

    client = as_user(manager)
    form = client.get(f"{reverse('reviews:packet_new')}?person={engineer.pk}&review={proposal.pk}").content.decode()
    assert f'<option value="{world["l2"].pk}" selected>' in form and "proposed" in form
    response = client.post(reverse("reviews:packet_new"),
                           {"person": engineer.pk, "target_level": world["l2"].pk, "review": proposal.pk})
    packet = Packet.objects.get(person=engineer)
    assert response.status_code == 302 and packet.source_review == proposal
    shown = client.get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    assert "proposed in" in shown and reverse("reviews:cycle_person", args=[cycle.pk, participant.pk]) in shown
    assert "Their promotion packet under way" in as_user(manager).get(person_page).content.decode()


def test_a_review_that_proposed_nothing_for_them_is_not_kept(world, manager):
    Packet.objects.all().delete()
    other = UserFactory(manager=manager)
    place(other, world["l2"].version, "l1")
    with pytest.raises(ValidationError, match="did not propose this level"):
        packet_open(actor=manager, person=other, target_level=world["l2"], source_review=world["manager_review"])
    # Through the page, a review that is not theirs is simply not kept.
    client = login(manager)
    client.post(reverse("reviews:packet_new"), {"person": other.pk, "target_level": world["l2"].pk,
                                                "review": world["manager_review"].pk})
    assert Packet.objects.get(person=other).source_review is None



def test_feedback_its_giver_can_still_change_waits(world, peer, engineer):
    row = feedback(peer, engineer, "STILL-EDITABLE", competencies=[world["first"]], days_ago=1)
    Feedback.objects.filter(pk=row.pk).update(editable_until=timezone.now() + datetime.timedelta(hours=2))
    assert "STILL-EDITABLE" not in texts(world, world["first"])
    Feedback.objects.filter(pk=row.pk).update(editable_until=timezone.now() - datetime.timedelta(seconds=1))
    assert "STILL-EDITABLE" in texts(world, world["first"])


def test_the_person_reads_nothing_of_an_unreleased_proposal(as_user, world, manager, engineer):
    Packet.objects.all().delete()
    Cycle.objects.filter(pk=world["cycle"].pk).update(released_at=None, calibration_locked_at=None)
    proposal = Review.objects.get(pk=world["manager_review"].pk)
    packet = packet_open(actor=manager, person=engineer, target_level=world["l2"], source_review=proposal)
    assert "proposed in" in as_user(manager).get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    page = as_user(engineer).get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    assert "proposed in" not in page and "manager review" not in page
