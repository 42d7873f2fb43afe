"""Every packet page costs the same queries with ten times the packets, votes and endorsements."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ladders.models import Level
from reviews.models import Committee
from reviews.services import packets as services
from tests.conftest import login, page_queries
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory


@pytest.fixture
def version(db):
    return publish(document(levels=3, competencies=3))


def packets(version, hr, manager, committee, members, n: int):
    """`n` of the manager's reports with a packet in committee, each endorsed and voted on."""
    made = []
    for _ in range(n):
        person = UserFactory(manager=manager)
        place(person, version, "l1")
        packet = services.packet_open(actor=manager, person=person, target_level=Level.objects.get(version=version, code="l2"))
        for row in packet.evidence.all():
            services.evidence_save(actor=person, packet=packet, competency=row.competency_id, text="Did it.", rating="meets")
            services.evidence_save(actor=manager, packet=packet, competency=row.competency_id, rating="meets")
        services.case_save(actor=manager, packet=packet, case="Ready.")
        for endorser in members[:2]:
            services.endorsement_give(actor=endorser, endorsement=services.endorsement_request(actor=manager, packet=packet, endorser=endorser),
                                      text="Yes.")
        services.packet_submit(actor=manager, packet=packet)
        packet = services.packet_route(actor=hr, packet=packet, committee=committee)
        for member in members:
            services.vote_record(actor=member, packet=packet, choice="approve", comment="Ready.")
        made.append(packet)
    return made


def test_packet_pages_cost_the_same_with_ten_times_the_packets(version, hr, manager):
    chair = UserFactory(name="Priya Chair")
    members = [UserFactory() for _ in range(3)]
    committee = Committee.objects.create(name="Promotions", chair=chair)
    committee.members.add(chair, *members)
    first = packets(version, hr, manager, committee, members, 1)[0]
    pages = [
        (manager, reverse("reviews:packets")), (chair, reverse("reviews:packets")), (hr, reverse("reviews:packet_all")),
        (members[0], reverse("reviews:packets")), (chair, reverse("reviews:packet", args=[first.pk])),
        (manager, reverse("reviews:packet", args=[first.pk])), (first.person, reverse("reviews:packet", args=[first.pk])),
    ]
    small = [page_queries(login(who), url) for who, url in pages]
    packets(version, hr, manager, committee, members, 10)
    assert [page_queries(login(who), url) for who, url in pages] == small
    assert max(small) <= 12
