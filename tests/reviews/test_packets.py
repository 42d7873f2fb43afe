"""Promotion packets through their workflow: opened and sponsored, written against the target
level, submitted (its rubric frozen), routed, voted on and decided, and every illegal move
refused with a clear message."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from ladders.models import Expectation, Level
from ladders.selectors.careers import placement_current
from reviews.models import Committee, Endorsement, Evidence, Packet, Vote
from reviews.services.packets import (
    case_save,
    endorsement_give,
    endorsement_request,
    evidence_save,
    missing,
    packet_decide,
    packet_open,
    packet_reopen,
    packet_route,
    packet_sponsor,
    packet_submit,
    vote_record,
)
from tests.conftest import at_once
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

TODAY = timezone.localdate()


@pytest.fixture
def version(db):
    return publish(document(levels=3, competencies=3))


@pytest.fixture
def placed(version, engineer, peer):
    place(engineer, version, "l1")
    place(peer, version, "l1")
    return version


@pytest.fixture
def committee(hr, outsider):
    chair = UserFactory(name="Priya Chair")
    committee = Committee.objects.create(name="Engineering promotions", chair=chair)
    committee.members.add(chair, outsider, UserFactory(name="Tom Member"))
    return committee


def level(version, code: str) -> Level:
    return Level.objects.get(version=version, code=code)


def written(packet: Packet, manager, engineer) -> Packet:
    """Every expectation evidenced and rated by both, and the case."""
    for row in packet.evidence.all():
        evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Led the billing migration.",
                      links=[{"title": "Design doc", "url": "https://docs.example.com/billing"}], rating="meets")
        evidence_save(actor=manager, packet=packet, competency=row.competency_id, rating="above")
    case_save(actor=manager, packet=packet, case="Ada has worked at level 2 for two quarters.")
    return Packet.objects.get(pk=packet.pk)


def in_committee(placed, committee, hr, manager, engineer) -> Packet:
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    packet_submit(actor=manager, packet=written(packet, manager, engineer))
    return packet_route(actor=hr, packet=packet, committee=committee)


# --- Opening and writing ------------------------------------------------------------------------


def test_a_manager_opens_a_sponsored_packet_with_a_row_per_expectation(placed, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    assert packet.status == "draft" and packet.sponsor == manager and packet.sponsored_at is not None
    assert packet.current_level == level(placed, "l1")
    assert packet.evidence.count() == Expectation.objects.filter(level=level(placed, "l2")).count() == 3
    assert LogEntry.objects.get_for_object(packet).exists()


def test_the_person_opens_their_own_and_their_manager_sponsors_it(placed, manager, engineer, peer):
    packet = packet_open(actor=engineer, person=engineer, target_level=level(placed, "l2"))
    assert packet.sponsor == manager and packet.sponsored_at is None
    with pytest.raises(PermissionDenied):
        packet_sponsor(actor=peer, packet=packet)
    assert packet_sponsor(actor=manager, packet=packet).sponsored_at is not None
    with pytest.raises(PermissionDenied):
        packet_open(actor=peer, person=engineer, target_level=level(placed, "l3"))


def test_opening_says_what_is_wrong_at_the_field(placed, version, manager, engineer, skip_level):
    for target, words in ((level(placed, "l1"), "Choose the next level above Level 1"), (level(placed, "l3"), "Choose the next"),
                          (999999, "Choose the next level")):
        with pytest.raises(ValidationError) as caught:
            packet_open(actor=manager, person=engineer, target_level=target)
        assert words in caught.value.message_dict["target_level"][0]
    packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    with pytest.raises(ValidationError) as caught:
        packet_open(actor=engineer, person=engineer, target_level=level(placed, "l2"))
    assert "has a packet under way already" in caught.value.message_dict["target_level"][0]
    with pytest.raises(ValidationError) as caught:
        packet_open(actor=skip_level, person=manager, target_level=level(placed, "l2"))
    assert "is on no ladder yet" in caught.value.message_dict["target_level"][0]
    # The database holds to one packet under way, whatever the path.
    with pytest.raises(IntegrityError), transaction.atomic():
        Packet.objects.create(person=engineer, sponsor=manager, opened_by=manager, target_level=level(placed, "l3"),
                              track=level(placed, "l3").tracks.first())


def test_evidence_is_written_by_each_side_and_checked_at_the_field(placed, manager, engineer, peer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    first = packet.evidence.order_by("pk").first()
    evidence_save(actor=engineer, packet=packet, competency=first.competency_id, text="Ran the incident review.", rating="above")
    evidence_save(actor=manager, packet=packet, competency=first.competency_id, rating="meets")
    row = Evidence.objects.get(pk=first.pk)
    assert (row.self_rating, row.manager_rating, row.text) == ("above", "meets", "Ran the incident review.")
    with pytest.raises(ValidationError) as caught:
        evidence_save(actor=engineer, packet=packet, competency=first.competency_id, text="x" * 9000,
                      links=[{"url": "javascript:alert(1)"}], rating="great")
    assert set(caught.value.message_dict) == {"text", "links", "rating"}
    assert "Link 1: give a web address" in caught.value.message_dict["links"][0]
    assert Evidence.objects.get(pk=first.pk).text == "Ran the incident review."  # nothing half-written
    with pytest.raises(PermissionDenied):
        evidence_save(actor=peer, packet=packet, competency=first.competency_id, text="Mine now")
    gaps = missing(packet)
    assert first.competency_id not in gaps and len(gaps) == 2
    assert all(lacks == ["evidence", "a self rating", "the manager's rating"] for lacks in gaps.values())


# --- Submission and the frozen rubric -----------------------------------------------------------


def test_submission_needs_everything_and_freezes_the_rubric(placed, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    with pytest.raises(ValidationError) as caught:
        packet_submit(actor=manager, packet=packet)
    assert set(caught.value.message_dict) == {"case", "evidence"}
    assert "Still missing: Competency 0.0: evidence, a self rating, the manager's rating" in caught.value.message_dict["evidence"][0]
    with pytest.raises(PermissionDenied):
        packet_submit(actor=engineer, packet=written(packet, manager, engineer))
    submitted = packet_submit(actor=manager, packet=packet)
    assert submitted.status == "submitted" and len(submitted.snapshot) == 3
    assert submitted.snapshot[0]["criteria"] == ["Behaviour 0.2 of area 0", "Second behaviour at l2"]
    frozen = list(submitted.snapshot)
    # Edited in place, then republished as a new version: the packet keeps what it was decided on.
    Expectation.objects.filter(level=level(placed, "l2")).update(criteria="Rewritten after submission")
    changed = document(levels=3, competencies=2)
    changed["areas"][0]["competencies"][0]["expectations"][1]["criteria"] = ["Something else entirely"]
    publish(changed)
    assert Packet.objects.get(pk=packet.pk).snapshot == frozen


def test_nothing_changes_after_submission(placed, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    packet_submit(actor=manager, packet=written(packet, manager, engineer))
    row = packet.evidence.first()
    for attempt in (
        lambda: evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Later words"),
        lambda: case_save(actor=manager, packet=packet, case="A new case"),
        lambda: packet_submit(actor=manager, packet=packet),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert caught.value.messages == ["This packet is submitted: it no longer changes."]


# --- Endorsements -------------------------------------------------------------------------------


def test_colleagues_endorse_once_and_nobody_their_own_packet(placed, manager, engineer, peer, outsider):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    for endorser, words in ((engineer, "Nobody endorses their own packet"), (manager, "The manager's word is the case")):
        with pytest.raises(ValidationError) as caught:
            endorsement_request(actor=manager, packet=packet, endorser=endorser)
        assert words in caught.value.message_dict["endorser"][0]
    asked = endorsement_request(actor=engineer, packet=packet, endorser=peer)
    with pytest.raises(ValidationError):
        endorsement_request(actor=manager, packet=packet, endorser=peer)
    with pytest.raises(PermissionDenied):
        endorsement_give(actor=outsider, endorsement=asked, text="I saw it")
    with pytest.raises(ValidationError) as caught:
        endorsement_give(actor=peer, endorsement=asked, text="  ")
    assert "Say what you saw" in caught.value.message_dict["text"][0]
    assert endorsement_give(actor=peer, endorsement=asked, text="Ada ran our on-call rewrite.").submitted_at
    with pytest.raises(ValidationError):
        endorsement_give(actor=peer, endorsement=asked, decline=True)
    assert Endorsement.objects.get(pk=asked.pk).declined_at is None


# --- Committees, votes and decisions ------------------------------------------------------------


def test_only_a_covering_committee_takes_a_packet_and_only_from_hr(placed, committee, hr, manager, engineer):
    packet = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    with pytest.raises(ValidationError) as caught:
        packet_route(actor=hr, packet=packet, committee=committee)
    assert "only a submitted packet or one in committee is routed" in caught.value.message_dict["committee"][0]
    packet_submit(actor=manager, packet=written(packet, manager, engineer))
    with pytest.raises(PermissionDenied):
        packet_route(actor=manager, packet=packet, committee=committee)
    elsewhere = Committee.objects.create(name="Staff and above", chair=hr, level_codes=["l3"])
    with pytest.raises(ValidationError) as caught:
        packet_route(actor=hr, packet=packet, committee=elsewhere)
    assert "covers their department and the target level" in caught.value.message_dict["committee"][0]
    assert packet_route(actor=hr, packet=packet, committee=committee).status == "in_committee"


def test_members_vote_once_each_never_on_their_own_tree(placed, committee, hr, manager, engineer, outsider, skip_level):
    packet = in_committee(placed, committee, hr, manager, engineer)
    committee.members.add(manager, skip_level)
    for boss in (manager, skip_level):
        with pytest.raises(ValidationError) as caught:
            vote_record(actor=boss, packet=packet, choice="approve", comment="Ready.")
        assert caught.value.messages == [
            "You cannot vote on a packet for Ada Okafor, who is in your reporting tree: another member does."
        ]
    with pytest.raises(PermissionDenied):
        vote_record(actor=UserFactory(), packet=packet, choice="approve", comment="Ready.")
    with pytest.raises(ValidationError) as caught:
        vote_record(actor=outsider, packet=packet, choice="maybe", comment="")
    assert set(caught.value.message_dict) == {"choice", "comment"}
    vote_record(actor=outsider, packet=packet, choice="approve", comment="The migration evidence is strong.")
    with pytest.raises(ValidationError) as caught:
        vote_record(actor=outsider, packet=packet, choice="decline", comment="Changed my mind.")
    assert caught.value.messages == ["You have voted on this packet already."]
    assert Vote.objects.get().choice == "approve"


def test_the_chair_approves_once_and_the_level_moves(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    chair = committee.chair
    with pytest.raises(PermissionDenied):
        packet_decide(actor=UserFactory(), packet=packet, outcome="approved", reason="Yes", effective_date=TODAY)
    with pytest.raises(ValidationError) as caught:
        packet_decide(actor=chair, packet=packet, outcome="approved", reason="", effective_date=None)
    assert set(caught.value.message_dict) == {"reason", "effective_date"}
    decided = packet_decide(actor=chair, packet=packet, outcome="approved", reason="Clear evidence at level 2.",
                            effective_date=TODAY)
    assert decided.status == "approved" and decided.placement is not None
    assert placement_current(engineer).level == level(placed, "l2")
    with pytest.raises(ValidationError) as caught:
        packet_decide(actor=chair, packet=packet, outcome="approved", reason="Again", effective_date=TODAY)
    assert caught.value.messages == ["This packet is approved: only a packet in committee is decided."]
    assert engineer.placements.count() == 2


def test_illegal_decisions_are_refused_with_a_reason(placed, committee, hr, manager, engineer):
    draft = packet_open(actor=manager, person=engineer, target_level=level(placed, "l2"))
    draft.committee = committee
    draft.save()
    with pytest.raises(ValidationError) as caught:
        packet_decide(actor=committee.chair, packet=draft, outcome="approved", reason="Early", effective_date=TODAY)
    assert caught.value.messages == ["This packet is draft: only a packet in committee is decided."]
    # A chair in the person's reporting tree does not decide.
    Evidence.objects.filter(packet=draft).delete()
    Packet.objects.filter(pk=draft.pk).delete()
    packet = in_committee(placed, committee, hr, manager, engineer)
    committee.chair = manager
    committee.save()
    with pytest.raises(ValidationError) as caught:
        packet_decide(actor=manager, packet=packet, outcome="declined", reason="No")
    assert "who is in your reporting tree" in caught.value.messages[0]
    assert Packet.objects.get(pk=packet.pk).status == "in_committee"


def test_a_declined_packet_opens_again_as_a_new_draft_keeping_the_old(placed, committee, hr, manager, engineer):
    packet = in_committee(placed, committee, hr, manager, engineer)
    packet_decide(actor=committee.chair, packet=packet, outcome="deferred", reason="Another quarter of on-call lead.")
    again = packet_reopen(actor=engineer, packet=packet)
    assert again.status == "draft" and again.reopened_from == packet and again.sponsored_at is None
    old, new = Packet.objects.get(pk=packet.pk), Packet.objects.get(pk=again.pk)
    assert old.status == "deferred" and old.decision_reason == "Another quarter of on-call lead."
    assert [r.text for r in new.evidence.order_by("competency_id")] == [r.text for r in old.evidence.order_by("competency_id")]
    with pytest.raises(ValidationError):
        packet_reopen(actor=engineer, packet=packet)


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time")


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_move_the_level_once(hr, manager, engineer, outsider):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l1")
    chair = UserFactory(name="Priya Chair")
    committee = Committee.objects.create(name="Race", chair=chair)
    packet = in_committee(version, committee, hr, manager, engineer)

    def approve(day):
        return lambda: packet_decide(actor=chair, packet=packet, outcome="approved", reason="Ready.", effective_date=day).pk

    results = at_once(approve(TODAY), approve(TODAY - datetime.timedelta(days=1)))
    assert len([r for r in results if isinstance(r, int)]) == 1, results
    refused = next(r for r in results if not isinstance(r, int))
    assert isinstance(refused, ValidationError) and "only a packet in committee is decided" in refused.messages[0]
    assert engineer.placements.count() == 2
