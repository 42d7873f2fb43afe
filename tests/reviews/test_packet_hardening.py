"""Promotion packets as relationships and levels change under them: a new manager, a level
moved by HR, a chair above the person, a committee switched off; two writers on one piece of
evidence; withdrawing; and no person singled out by setting two fairness views side by side."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from ladders.models import Placement
from ladders.services.placements import placement_record
from people.models import User
from reviews.models import Committee, Evidence, Packet
from reviews.selectors.fairness import _build, _hide, fairness
from reviews.selectors.packets import role_of, votes_visible
from reviews.services.packets import (
    committees_for,
    endorsement_request,
    evidence_pull,
    evidence_save,
    packet_decide,
    packet_open,
    packet_reopen,
    packet_route,
    packet_sponsor,
    packet_submit,
    packet_withdraw,
    vote_record,
    words_digest,
)
from tests.conftest import login
from tests.people.factories import DepartmentFactory, UserFactory
from tests.reviews.test_packets import committee, in_committee, level, placed, version, written  # noqa: F401

TODAY = timezone.localdate()


# --- Evidence with two writers ------------------------------------------------------------------


def test_a_rating_alone_leaves_the_words_and_links_as_they_are(as_user, placed, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    row = packet.evidence.first()
    evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Led the migration.",
                  links=[{"title": "Doc", "url": "https://docs.example.com/a"}])
    url = reverse("reviews:packet_evidence", args=[packet.pk, row.competency_id])
    assert as_user(manager).post(url, {f"e{row.competency_id}-rating": "above"}).status_code == 302
    row.refresh_from_db()
    assert (row.text, row.links, row.manager_rating) == ("Led the migration.", [{"title": "Doc", "url": "https://docs.example.com/a"}], "above")


def test_words_saved_meanwhile_are_not_overwritten_by_an_older_copy(as_user, placed, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    row = packet.evidence.first()
    seen = words_digest(row.text, row.links)  # both opened the page now
    evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Ada's words.")
    prefix = f"e{row.competency_id}"
    response = as_user(manager).post(
        reverse("reviews:packet_evidence", args=[packet.pk, row.competency_id]),
        {f"{prefix}-text": "Marcus's words.", f"{prefix}-links": "", f"{prefix}-rating": "meets", f"{prefix}-seen": seen},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "This evidence changed after you opened the page" in page and "Marcus&#x27;s words." in page
    row.refresh_from_db()
    assert (row.text, row.manager_rating) == ("Ada's words.", "")  # nothing half-written
    # Unchanged words with a new rating go through.
    response = as_user(manager).post(
        reverse("reviews:packet_evidence", args=[packet.pk, row.competency_id]),
        {f"{prefix}-text": "Ada's words.", f"{prefix}-links": "", f"{prefix}-rating": "meets", f"{prefix}-seen": seen},
    )
    assert response.status_code == 302 and Evidence.objects.get(pk=row.pk).manager_rating == "meets"


def test_a_refusal_without_a_field_shows_on_the_form(as_user, placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    Packet.objects.filter(pk=packet.pk).update(status="draft")  # the page drawn as a draft …
    client = as_user(manager)
    page = client.get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    Packet.objects.filter(pk=packet.pk).update(status="submitted")  # … submitted meanwhile
    row = packet.evidence.first()
    response = client.post(reverse("reviews:packet_evidence", args=[packet.pk, row.competency_id]),
                           {f"e{row.competency_id}-text": "More."})
    assert "Save" in page and response.status_code == 400 and "it no longer changes" in response.content.decode()


@pytest.mark.parametrize("name", ["packet_evidence", "packet_pull"])
def test_ids_beyond_any_row_are_not_found(as_user, placed, manager, engineer, name):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    for competency in (10**20, 2**63):
        response = as_user(manager).post(reverse(f"reviews:{name}", args=[packet.pk, competency]), {"source": "feedback:1"})
        assert response.status_code == 404


# --- Sponsors, managers and levels as they are now ------------------------------------------------


def test_a_new_manager_takes_over_the_sponsorship(as_user, placed, manager, engineer, peer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    newcomer = UserFactory(name="Nadia New")
    User.objects.filter(pk=engineer.pk).update(manager=newcomer)
    page = as_user(newcomer).get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    assert "Nadia New manages them now and has not sponsored it yet" in page and "Sponsor this packet" in page
    with pytest.raises(ValidationError, match="The manager's word is the case"):
        endorsement_request(actor=engineer, packet=packet, endorser=newcomer)
    assert as_user(manager).post(reverse("reviews:packet_case", args=[packet.pk]), {"case": "Mine."}).status_code == 404
    packet_sponsor(actor=newcomer, packet=packet)
    packet.refresh_from_db()
    assert packet.sponsor == newcomer and packet.sponsored_at is not None


def test_submitting_is_sponsoring(placed, manager, engineer):
    packet = packet_open(actor=engineer, person=engineer, target_level=level(placed, "l2"))
    assert packet.sponsored_at is None
    packet = packet_submit(actor=manager, packet=written(packet, manager, engineer))
    assert Packet.objects.get(pk=packet.pk).sponsored_at is not None


def test_no_approval_once_the_person_left_or_already_reached_the_level(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    chair = committee.chair
    placement_record(person=engineer, level=level(placed, "l3"), track=packet.track, effective_date=TODAY, actor=hr)
    with pytest.raises(ValidationError) as error:
        packet_decide(actor=chair, packet=packet, outcome="approved", reason="Ready.", effective_date=TODAY)
    assert "is at Level 3 now, not below Level 2" in str(error.value)
    assert Placement.objects.filter(person=engineer).count() == 2  # l1, l3: nothing moved back down
    User.objects.filter(pk=engineer.pk).update(is_active=False)
    Placement.objects.filter(person=engineer, level=level(placed, "l3")).delete()
    with pytest.raises(ValidationError, match="no longer works here"):
        packet_decide(actor=chair, packet=packet, outcome="approved", reason="Ready.", effective_date=TODAY)
    assert packet_decide(actor=chair, packet=packet, outcome="declined", reason="They left.").status == "declined"


# --- Committees as they are now -----------------------------------------------------------------


def test_a_chair_above_the_person_is_no_committee_for_them(placed, committee, hr, manager, engineer, skip_level):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    packet_submit(actor=manager, packet=written(packet, manager, engineer))
    above = Committee.objects.create(name="Directors", chair=skip_level)
    assert above not in committees_for(packet) and committee in committees_for(packet)
    with pytest.raises(ValidationError, match="chaired by someone who may decide on it"):
        packet_route(actor=hr, packet=packet, committee=above)


def test_a_chair_who_becomes_a_manager_above_reads_no_votes_and_hr_route_it_again(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    vote_record(actor=committee.members.exclude(pk=committee.chair_id).first(), packet=packet, choice="approve", comment="Yes.")
    chair = committee.chair
    User.objects.filter(pk=manager.pk).update(manager=chair)  # the chair is now above Ada
    chair = User.objects.get(pk=chair.pk)
    packet = Packet.objects.get(pk=packet.pk)
    assert role_of(chair, packet) == "manager" and votes_visible(chair, packet, "manager")[0] == []
    page = login(chair).get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    assert "in your reporting tree" in page and "Record the decision" not in page and "Yes." not in page
    other = Committee.objects.create(name="Second committee", chair=UserFactory(name="Olga Other"))
    packet = packet_route(actor=hr, packet=packet, committee=other)
    assert packet.committee == other and packet.votes.count() == 1  # the votes stay
    with pytest.raises(ValidationError, match="with Second committee already"):
        packet_route(actor=hr, packet=packet, committee=other)


def test_a_committee_switched_off_takes_no_votes_nor_decisions(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    Committee.objects.filter(pk=committee.pk).update(is_active=False)
    packet = Packet.objects.get(pk=packet.pk)
    with pytest.raises(ValidationError, match="switched off"):
        vote_record(actor=committee.members.exclude(pk=committee.chair_id).first(), packet=packet, choice="approve", comment="Yes.")
    with pytest.raises(ValidationError, match="switched off"):
        packet_decide(actor=committee.chair, packet=packet, outcome="declined", reason="No.")


def test_ones_own_packet_is_not_in_ones_committee_queue(as_user, placed, committee, hr, manager, engineer):
    committee.members.add(engineer)
    packet = in_committee(placed, committee, hr, manager, engineer)
    page = as_user(engineer).get(reverse("reviews:packets")).content.decode()
    assert "Your committee" not in page or f"/reviews/packets/{packet.pk}/\">" not in page.split("Your committee")[1]


# --- Opening again and withdrawing --------------------------------------------------------------


def test_opening_again_keeps_what_was_pulled_in_and_the_review_it_started_from(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    Evidence.objects.filter(packet=packet).update(sources=["feedback:1"])
    packet_decide(actor=committee.chair, packet=packet, outcome="deferred", reason="Next quarter.")
    again = packet_reopen(actor=manager, packet=Packet.objects.get(pk=packet.pk))
    assert all(row.sources == ["feedback:1"] for row in again.evidence.all())
    with pytest.raises(ValidationError, match="in the evidence already"):
        evidence_pull(actor=manager, packet=again, competency=again.evidence.first().competency_id, key="feedback:1")


def test_withdrawing_closes_it_with_a_reason_and_frees_the_way(as_user, placed, committee, hr, manager, engineer):
    packet = packet_open(actor=engineer, person=engineer, target_level=level(placed, "l2"))
    url = reverse("reviews:packet_withdraw", args=[packet.pk])
    response = as_user(engineer).post(url, {"reason": ""})
    assert response.status_code == 400 and "Say why it is withdrawn" in response.content.decode()
    assert as_user(engineer).post(url, {"reason": "Too early."}).status_code == 302
    packet.refresh_from_db()
    assert (packet.status, packet.decision_reason, packet.decided_by) == ("withdrawn", "Too early.", engineer)
    with pytest.raises(ValidationError, match="closed already"):
        packet_withdraw(actor=engineer, packet=packet, reason="Again.")
    assert "Withdrawn" in as_user(manager).get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    second = in_committee(placed, committee, hr, manager, engineer)  # a new one opens
    with pytest.raises(ValidationError, match="ask HR to withdraw it"):
        packet_withdraw(actor=manager, packet=second, reason="Changed my mind.")
    assert packet_withdraw(actor=hr, packet=second, reason="Moved to another ladder.").status == "withdrawn"


# --- Fairness across views ------------------------------------------------------------------------


@pytest.fixture
def payments(placed, hr):
    """Payments: six people, five of them reporting to Mia, the sixth (Xena, promoted this
    year) to someone else; plus enough elsewhere that no view is hidden for smallness."""
    l1, l2 = level(placed, "l1"), level(placed, "l2")
    track = l1.tracks.first()
    dept = DepartmentFactory(name="Payments")
    mia = UserFactory(name="Mia Lead")
    for n in range(5):
        person = UserFactory(department=dept, manager=mia)
        Placement.objects.create(person=person, level=l1, track=track, effective_date=TODAY - datetime.timedelta(days=600))
    xena = UserFactory(name="Xena", department=dept, manager=UserFactory(name="Other Boss"))
    Placement.objects.create(person=xena, level=l1, track=track, effective_date=TODAY - datetime.timedelta(days=600))
    Placement.objects.create(person=xena, level=l2, track=track, effective_date=TODAY - datetime.timedelta(days=30))
    other = DepartmentFactory(name="Search")
    for _ in range(12):
        person = UserFactory(department=other)
        Placement.objects.create(person=person, level=l1, track=track, effective_date=TODAY - datetime.timedelta(days=600))
    return dept


def test_two_views_side_by_side_do_not_single_anyone_out(payments):
    departments = {g.label: g for g in fairness("department")[0]}
    managers = {g.label: g for g in fairness("manager")[0]}
    # Payments (6) less Mia's team (5, all in Payments) would be Xena: one of them is not shown.
    assert departments["Payments"].suppressed or managers["Mia Lead"].suppressed
    assert_nothing_given_away()


def test_a_group_less_all_the_groups_of_another_view_inside_it_gives_nobody_away(placed, hr):
    """A department of eleven: six at level 1 and five at level 2 shown would leave nobody out;
    with a twelfth at level 3 (alone), the department less its two levels shown would be them."""
    track = level(placed, "l1").tracks.first()
    dept = DepartmentFactory(name="Billing")
    for code, n in (("l1", 6), ("l2", 5), ("l3", 1)):
        for _ in range(n):
            person = UserFactory(department=dept, start_date=TODAY - datetime.timedelta(days=900))
            Placement.objects.create(person=person, level=level(placed, code), track=track, effective_date=TODAY - datetime.timedelta(days=400))
    search = DepartmentFactory(name="Search")
    for _ in range(12):  # elsewhere, at level 3: Billing's two other levels lie wholly inside it
        person = UserFactory(department=search, start_date=TODAY - datetime.timedelta(days=900))
        Placement.objects.create(person=person, level=level(placed, "l3"), track=track, effective_date=TODAY - datetime.timedelta(days=400))
    Placement.objects.exclude(person__department__in=[dept, search]).delete()  # nobody else on a ladder
    levels = {g.label: g for g in fairness("level")[0]}
    assert not levels["Level 1"].suppressed and levels["Level 2"].suppressed  # the smaller one inside
    assert not {g.label: g for g in fairness("department")[0]}["Billing"].suppressed
    assert_nothing_given_away()


def assert_nothing_given_away():
    """For every group shown, the shown groups of any other view inside it leave none or at
    least five of its people out."""
    views, everyone = _build(TODAY)
    _hide(views, everyone)
    shown = [g for groups in views.values() for g in groups if not g.suppressed] + [everyone]
    assert shown
    for outer in shown:
        for by, groups in views.items():
            if by == outer.view:
                continue
            inside = [g for g in groups if not g.suppressed and g.members <= outer.members]
            left_out = outer.people - sum(g.people for g in inside)
            assert not inside or left_out == 0 or left_out >= 5, (outer.label, by, [g.label for g in inside])


def test_managers_of_the_same_name_are_two_groups(placed, hr):
    l1 = level(placed, "l1")
    for n in range(2):
        boss = UserFactory(name="Alex Kim", email=f"alex{n}@example.com")
        for _ in range(5):
            Placement.objects.create(person=UserFactory(manager=boss), level=l1, track=l1.tracks.first(), effective_date=TODAY)
    labels = [g.label for g in fairness("manager")[0]]
    assert "Alex Kim (alex0@example.com)" in labels and "Alex Kim (alex1@example.com)" in labels


# --- Levels and dates -----------------------------------------------------------------------------


def test_an_approval_takes_effect_after_the_level_they_hold(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    since = Placement.objects.get(person=engineer).effective_date
    with pytest.raises(ValidationError) as error:
        packet_decide(actor=committee.chair, packet=packet, outcome="approved", reason="Ready.", effective_date=since)
    assert "Choose a day after" in str(error.value) and Placement.objects.filter(person=engineer).count() == 1


def test_a_promotion_still_to_take_effect_is_not_approved_twice(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    later = TODAY + datetime.timedelta(days=60)
    packet_decide(actor=committee.chair, packet=packet, outcome="approved", reason="Ready.", effective_date=later)
    with pytest.raises(ValidationError, match="becomes Level 2 on"):
        packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))


def test_results_kept_from_someone_taken_out_of_a_cycle_are_not_offered(placed, hr, manager, engineer):
    from reviews.models import Cycle, Participant, Review, ReviewRating
    from reviews.selectors.packet_sources import sources_for
    from reviews.services.cycles import Population, cycle_open

    phases = {kind: (TODAY - datetime.timedelta(days=60 - 7 * n), TODAY - datetime.timedelta(days=54 - 7 * n))
              for n, kind in enumerate(["self", "nominations", "peer", "upward", "manager", "calibration"])}
    phases["release"] = (TODAY + datetime.timedelta(days=30), None)
    cycle = cycle_open(actor=hr, name="H1", period_start=TODAY - datetime.timedelta(days=240),
                       period_end=TODAY - datetime.timedelta(days=61), population=Population(everyone=True), phases=phases)
    participant = Participant.objects.get(cycle=cycle, person=engineer)
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    row = packet.evidence.first()
    review = Review.objects.create(participant=participant, author=manager, kind="manager", submitted_at=timezone.now())
    ReviewRating.objects.create(review=review, competency_id=row.competency_id, rating="meets", comment="KEPT-FROM-HER")
    Cycle.objects.filter(pk=cycle.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    assert any(s.text == "KEPT-FROM-HER" for s in sources_for(packet).get(row.competency_id, []))
    Participant.objects.filter(pk=participant.pk).update(removed_at=timezone.now(), removed_reason="Left the team.")
    assert not any(s.text == "KEPT-FROM-HER" for s in sources_for(packet).get(row.competency_id, []))


# --- Refusals say why -----------------------------------------------------------------------------


def test_a_refusal_on_a_form_no_longer_drawn_is_said_on_top(as_user, placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    member = committee.members.exclude(pk=committee.chair_id).first()
    client = as_user(member)
    url = reverse("reviews:packet_vote", args=[packet.pk])
    assert client.post(url, {"choice": "approve", "comment": "Yes."}).status_code == 302
    again = client.post(url, {"choice": "approve", "comment": "Yes."})
    assert again.status_code == 400 and "You have voted on this packet already." in again.content.decode()
    packet_decide(actor=committee.chair, packet=packet, outcome="declined", reason="Not yet.")
    late = as_user(hr).post(reverse("reviews:packet_route", args=[packet.pk]), {"committee": committee.pk})
    assert late.status_code == 400 and "only a submitted packet or one in committee is routed" in late.content.decode()
    withdrawn = as_user(hr).post(reverse("reviews:packet_withdraw", args=[packet.pk]), {"reason": "x"})
    assert withdrawn.status_code == 400 and "closed already" in withdrawn.content.decode()
    assert as_user(manager).post(reverse("reviews:packet_route", args=[packet.pk]), {"committee": committee.pk}).status_code == 404


def test_a_rating_saved_by_one_writer_does_not_stop_the_others_words(as_user, placed, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    row = packet.evidence.first()
    seen = words_digest(row.text, row.links)  # Ada's page
    evidence_save(actor=manager, packet=packet, competency=row.competency_id, rating="above")  # Marcus rates
    prefix = f"e{row.competency_id}"
    response = as_user(engineer).post(
        reverse("reviews:packet_evidence", args=[packet.pk, row.competency_id]),
        {f"{prefix}-text": "Ada's words.", f"{prefix}-links": "", f"{prefix}-rating": "meets", f"{prefix}-seen": seen},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.text, row.self_rating, row.manager_rating) == ("Ada's words.", "meets", "above")


def test_no_reminder_to_vote_for_a_committee_switched_off_nor_to_decide_for_a_chair_above(placed, committee, hr, manager, engineer):
    from reviews.reminders.packets import packet_vote_due

    packet = in_committee(placed, committee, hr, manager, engineer)
    Packet.objects.filter(pk=packet.pk).update(routed_at=timezone.now() - datetime.timedelta(days=10))
    assert list(packet_vote_due(5, timezone.now()))
    Committee.objects.filter(pk=committee.pk).update(is_active=False)
    assert list(packet_vote_due(5, timezone.now())) == []
    Committee.objects.filter(pk=committee.pk).update(is_active=True)
    for member in committee.members.exclude(pk=committee.chair_id):
        if not member.manages(engineer):
            vote_record(actor=member, packet=packet, choice="approve", comment="Yes.")
    assert [d.period for d in packet_vote_due(5, timezone.now())] == ["decide"]
    User.objects.filter(pk=manager.pk).update(manager=committee.chair)  # the chair is above Ada now
    assert list(packet_vote_due(5, timezone.now())) == []
