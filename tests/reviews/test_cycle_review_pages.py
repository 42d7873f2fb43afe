"""Everyone's review cycle pages: My reviews, the review form (saved as typed, submitted once),
the manager's form beside the self and peer reviews, and one's results after the release."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.cycle_rubric import lines_for
from reviews.models import Cycle, Nomination, Participant, Phase, Review
from reviews.services.cycles import Population, cycle_open
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


@pytest.fixture
def cycle(hr, manager, engineer, peer, outsider):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l2")
    kinds = ["self", "nominations", "peer", "upward", "manager", "calibration"]
    dates = {kind: (day(10 + 7 * n), day(16 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(60), None)
    return cycle_open(actor=hr, name="H2 reviews", period_start=day(-180), period_end=day(-1),
                      population=Population(everyone=True), phases=dates, upward=True)


def opened(cycle, kind: str) -> None:
    Phase.objects.filter(cycle=cycle).exclude(kind="release").update(opens_on=day(-20), closes_on=day(-10))
    Phase.objects.filter(cycle=cycle, kind=kind).update(opens_on=day(-1), closes_on=day(5))


def of(cycle, person) -> Participant:
    return Participant.objects.get(cycle=cycle, person=person)


def answers(participant, rating="meets", text="Led the export work.") -> dict:
    _, lines = lines_for(participant.level_id, participant.track_id)
    data = {f"rating-{line.competency.pk}": rating for line in lines}
    data.update({f"comment-{line.competency.pk}": text for line in lines})
    data.update({f"answer-{s.pk}": text for s in participant.cycle.sections.all()})
    return data


def test_my_reviews_lists_what_to_write_and_when(as_user, cycle, engineer, manager):
    page = as_user(engineer).get(url("my_reviews")).content.decode()
    assert "Your self review" in page and "opens" in page and "H2 reviews" in page
    opened(cycle, "self")
    page = as_user(engineer).get(url("my_reviews")).content.decode()
    assert url("review_write", of(cycle, engineer).pk, "self") in page and "due" in page
    opened(cycle, "manager")
    page = as_user(manager).get(url("my_reviews")).content.decode()
    assert "Manager review of Ada Okafor" in page and "Manager review of Sam Rivera" in page


def test_a_self_review_is_written_saved_as_typed_and_submitted(as_user, cycle, engineer):
    opened(cycle, "self")
    mine = of(cycle, engineer)
    client = as_user(engineer)
    page = client.get(url("review_write", mine.pk, "self")).content.decode()
    assert "Your self review" in page and "Competency 0.0" in page and "Meets expectations" in page
    assert "data-autosave" in page and "Strengths" in page
    first = next(iter(lines_for(mine.level_id, mine.track_id)[1])).competency.pk
    response = client.post(url("review_autosave", mine.pk, "self"), {f"rating-{first}": "above", f"comment-{first}": "Draft words"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "All changes saved" in response.content.decode()
    # The page's "Not started" turns to "Draft" with it.
    assert 'id="review-badge" hx-swap-oob="true"><span class="badge badge--draft">Draft' in response.content.decode()
    review = Review.objects.get(participant=mine, kind="self")
    assert review.ratings.get(competency_id=first).rating == "above" and review.submitted_at is None
    response = client.post(url("review_write", mine.pk, "self"), {f"rating-{first}": "above", "submit": "1"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(key.startswith("answer-") for key in errors) and not Review.objects.get(pk=review.pk).submitted_at
    response = client.post(url("review_write", mine.pk, "self"), {**answers(mine), "submit": "1"})
    assert response.status_code == 302
    assert Review.objects.get(pk=review.pk).submitted_at is not None
    page = client.get(url("review_write", mine.pk, "self")).content.decode()
    assert "Submitted" in page and "data-autosave" not in page and " disabled" in page


def test_the_autosave_says_what_went_wrong(as_user, cycle, engineer):
    opened(cycle, "self")
    mine = of(cycle, engineer)
    response = as_user(engineer).post(url("review_autosave", mine.pk, "self"), {f"answer-{cycle.sections.first().pk}": "x" * 9000},
                                      HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "Not saved" in response.content.decode()
    Phase.objects.filter(cycle=cycle, kind="self").update(closes_on=day(-1))
    response = as_user(engineer).post(url("review_autosave", mine.pk, "self"), {}, HTTP_HX_REQUEST="true")
    assert response.status_code == 422 and "has closed" in response.content.decode()


def test_only_its_writer_reaches_a_review_form(as_user, cycle, engineer, peer, manager, skip_level, outsider, hr):
    opened(cycle, "self")
    mine = of(cycle, engineer)
    for person in (peer, manager, skip_level, outsider, hr):
        assert as_user(person).get(url("review_write", mine.pk, "self")).status_code == 404
        assert as_user(person).post(url("review_autosave", mine.pk, "self"), {}).status_code == 404
    assert as_user(peer).get(url("review_write", mine.pk, "peer")).status_code == 404  # not nominated
    Nomination.objects.create(participant=mine, peer=peer, status="approved")
    assert as_user(peer).get(url("review_write", mine.pk, "peer")).status_code == 200
    assert as_user(engineer).get(url("review_write", mine.pk, "nonsense")).status_code == 404
    assert as_user(engineer).get(url("review_write", 999999, "self")).status_code == 404


def test_the_manager_writes_beside_the_self_and_peer_reviews(as_user, cycle, engineer, peer, manager):
    mine = of(cycle, engineer)
    Review.objects.create(participant=mine, author=engineer, kind="self", submitted_at=timezone.now())
    Review.objects.create(participant=mine, author=peer, kind="peer", submitted_at=timezone.now())
    opened(cycle, "manager")
    from reviews.services.feedback import feedback_give

    given = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Ran the cut-over calmly.")
    type(given).objects.filter(pk=given.pk).update(created_at=timezone.now() - datetime.timedelta(days=5))
    page = as_user(manager).get(url("review_write", mine.pk, "manager")).content.decode()
    assert "Their self review" in page and "Peer reviews (1)" in page and "Sam Rivera" in page
    assert "Feedback of the period (1)" in page and "Ran the cut-over calmly." in page
    assert "Overall rating you propose" in page and "Level 3" in page
    response = as_user(manager).post(url("review_write", mine.pk, "manager"), {**answers(mine, "above"), "overall": "above", "submit": "1"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.rating == "above"


def test_results_show_only_after_the_release_and_only_to_their_person(as_user, cycle, engineer, manager, peer):
    mine = of(cycle, engineer)
    review = Review.objects.create(participant=mine, author=manager, kind="manager", overall="above", submitted_at=timezone.now())
    review.answers.create(section=cycle.sections.first(), text="Carried the migration.")
    Participant.objects.filter(pk=mine.pk).update(rating="meets")
    assert as_user(engineer).get(url("cycle_results", mine.pk)).status_code == 404
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    page = as_user(engineer).get(url("cycle_results", mine.pk)).content.decode()
    assert "Meets expectations" in page and "Carried the migration." in page
    assert "proposed" not in page  # the final rating, not how calibration moved it
    for person in (manager, peer):
        assert as_user(person).get(url("cycle_results", mine.pk)).status_code == 404
    assert url("cycle_results", mine.pk) in as_user(engineer).get(url("my_reviews")).content.decode()


def test_the_pages_cost_the_same_queries_however_many_reviews(as_user, cycle, engineer, manager, peer):
    opened(cycle, "self")
    client = as_user(engineer)
    mine = of(cycle, engineer)
    small = (page_queries(client, url("my_reviews")), page_queries(client, url("review_write", mine.pk, "self")))
    for n in range(6):
        other = cycle_open(actor=type(engineer).objects.get(email="hr@example.com"), name=f"Extra {n}", period_start=day(-180),
                           period_end=day(-1), population=Population(everyone=True),
                           phases={k: (day(-1), day(0)) for k in ("self", "nominations", "peer", "manager")}
                           | {"calibration": (day(1), day(6)), "release": (day(9), None)})
        Review.objects.create(participant=of(other, engineer), author=engineer, kind="self")
    big = (page_queries(client, url("my_reviews")), page_queries(client, url("review_write", mine.pk, "self")))
    assert small == big


def test_nominations_are_made_by_the_participant_and_decided_by_their_manager(as_user, cycle, engineer, peer, manager, outsider):
    opened(cycle, "nominations")
    mine = of(cycle, engineer)
    page = as_user(engineer).get(url("my_reviews")).content.decode()
    assert url("nominations", mine.pk) in page
    response = as_user(engineer).post(url("nominations", mine.pk), {"email": "ghost@example.com"})
    assert response.status_code == 400 and "colleague who works here" in response.content.decode()
    response = as_user(engineer).post(url("nominations", mine.pk), {"email": manager.email})
    assert "Your manager writes the manager review" in response.context["form"].errors["email"][0]
    assert as_user(engineer).post(url("nominations", mine.pk), {"email": peer.email}).status_code == 302
    row = Nomination.objects.get(participant=mine, peer=peer)
    assert row.status == "proposed"
    assert "1 to approve" in as_user(manager).get(url("my_reviews")).content.decode()
    assert as_user(engineer).post(url("nomination_decide", mine.pk, row.pk), {"decision": "approve"}).status_code == 404
    as_user(manager).post(url("nomination_decide", mine.pk, row.pk), {"decision": "approve"})
    assert Nomination.objects.get(pk=row.pk).status == "approved"
    as_user(manager).post(url("nominations", mine.pk), {"email": outsider.email})
    assert Nomination.objects.get(participant=mine, peer=outsider).status == "approved"
    for person in (peer, outsider):
        assert as_user(person).get(url("nominations", mine.pk)).status_code == 404
