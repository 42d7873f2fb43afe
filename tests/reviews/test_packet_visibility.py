"""Who reads which packet, and what of it: the person their own without the endorsements'
words or the votes; the managers above them; the committee it was routed to, each member the
others' votes once their own is in; HR everything."""

from __future__ import annotations

import pytest
from django.http import Http404

from ladders.models import Level
from reviews.models import Committee
from reviews.selectors.packets import endorsements_visible, packet_get_for, packets_visible_to, role_of, votes_visible
from reviews.services.packets import (
    case_save,
    endorsement_give,
    endorsement_request,
    evidence_save,
    packet_open,
    packet_route,
    packet_submit,
    vote_record,
)
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory


@pytest.fixture
def world(hr, manager, engineer, peer, skip_level, outsider):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l1")
    chair, member = UserFactory(name="Priya Chair"), UserFactory(name="Tom Member")
    committee = Committee.objects.create(name="Engineering promotions", chair=chair)
    committee.members.add(chair, member, outsider)
    packet = packet_open(actor=manager, person=engineer, target_level=Level.objects.get(version=version, code="l2"))
    for row in packet.evidence.all():
        evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Did it.", rating="meets")
        evidence_save(actor=manager, packet=packet, competency=row.competency_id, rating="meets")
    case_save(actor=manager, packet=packet, case="Ready.")
    asked = endorsement_request(actor=manager, packet=packet, endorser=peer)
    endorsement_give(actor=peer, endorsement=asked, text="Sam's words for the committee")
    return {"packet": packet, "committee": committee, "chair": chair, "member": member}


def readers(packet, people) -> set[str]:
    return {name for name, person in people.items() if packets_visible_to(person).filter(pk=packet.pk).exists()}


def test_each_reads_what_they_may_as_the_packet_moves(world, hr, manager, engineer, peer, skip_level, outsider):
    packet, chair, member = world["packet"], world["chair"], world["member"]
    people = {"person": engineer, "manager": manager, "skip": skip_level, "hr": hr, "peer": peer,
              "outsider": outsider, "chair": chair, "member": member}
    assert readers(packet, people) == {"person", "manager", "skip", "hr"}  # a draft: no committee yet
    packet_submit(actor=manager, packet=packet)
    packet = packet_route(actor=hr, packet=packet, committee=world["committee"])
    assert readers(packet, people) == {"person", "manager", "skip", "hr", "outsider", "chair", "member"}
    with pytest.raises(Http404):
        packet_get_for(peer, packet.pk)  # asked to endorse, not to read the packet
    rows, words = endorsements_visible(engineer, packet, role_of(engineer, packet))
    assert [r.endorser for r in rows] == [peer] and not words
    assert endorsements_visible(member, packet, role_of(member, packet))[1]


def test_votes_stay_hidden_from_each_member_until_theirs_is_in(world, hr, manager, engineer, outsider):
    packet, chair, member = world["packet"], world["chair"], world["member"]
    packet_submit(actor=manager, packet=packet)
    packet = packet_route(actor=hr, packet=packet, committee=world["committee"])
    vote_record(actor=outsider, packet=packet, choice="approve", comment="Nora's reasons")
    assert votes_visible(member, packet, role_of(member, packet))[0] == []
    assert [v.comment for v in votes_visible(outsider, packet, role_of(outsider, packet))[0]] == ["Nora's reasons"]
    assert len(votes_visible(chair, packet, "chair")[0]) == 1
    for person in (engineer, manager):
        assert votes_visible(person, packet, role_of(person, packet))[0] == []
    assert len(votes_visible(hr, packet, role_of(hr, packet))[0]) == 1
    world["committee"].members.add(hr)
    assert votes_visible(hr, packet, role_of(hr, packet))[0] == []  # on the committee, not voted yet
    vote_record(actor=member, packet=packet, choice="defer", comment="Tom's reasons")
    assert len(votes_visible(member, packet, role_of(member, packet))[0]) == 2
