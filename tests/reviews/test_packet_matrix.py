"""Who reaches which packet page, around one packet in committee.

Ada's packet for level 2: Marcus (her manager) sponsors it, Daniel is his manager, Sam was
asked to endorse it, Priya chairs the committee it was routed to, Tom sits on it, Daniel
sits on it too (but is above Ada), Helen is HR and Nora works elsewhere.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ladders.models import Level
from reviews.models import Committee, Endorsement
from reviews.services.packets import (
    case_save,
    endorsement_request,
    evidence_save,
    packet_open,
    packet_route,
    packet_submit,
)
from reviews.urls import packets as packet_urls
from tests.conftest import login
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

ROLES = ("anonymous", "person", "manager", "skip_level", "endorser", "chair", "member", "hr", "outsider")
MATRIX = {
    "packets": (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "packet_all": (302, 404, 404, 404, 404, 404, 404, 200, 404),
    "packet_new": (302, 200, 200, 200, 200, 200, 200, 200, 200),
    "packet": (302, 200, 200, 200, 404, 200, 200, 200, 404),
    "packet_evidence": (302, 400, 400, 404, 404, 404, 404, 404, 404),
    "packet_pull": (302, 400, 400, 404, 404, 404, 404, 404, 404),
    "packet_case": (302, 404, 400, 404, 404, 404, 404, 404, 404),
    "packet_sponsor": (302, 404, 400, 404, 404, 404, 404, 404, 404),
    "packet_submit": (302, 404, 400, 404, 404, 404, 404, 404, 404),
    "packet_endorser": (302, 400, 400, 404, 404, 404, 404, 404, 404),
    "packet_route": (302, 404, 404, 404, 404, 404, 404, 400, 404),
    "packet_vote": (302, 404, 404, 400, 404, 400, 400, 404, 404),
    "packet_decide": (302, 404, 404, 404, 404, 400, 404, 404, 404),
    "packet_reopen": (302, 400, 400, 404, 404, 404, 404, 404, 404),
    "packet_withdraw": (302, 400, 400, 404, 404, 404, 404, 400, 404),
    "endorsement": (302, 404, 404, 404, 200, 404, 404, 404, 404),
    "promotion_fairness": (302, 404, 404, 404, 404, 404, 404, 200, 404),
}
POSTED = {"packet_evidence", "packet_pull", "packet_case", "packet_sponsor", "packet_submit", "packet_endorser", "packet_route",
          "packet_vote", "packet_decide", "packet_reopen", "packet_withdraw"}


@pytest.fixture
def world(db, hr, manager, engineer, peer, skip_level, outsider):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l1")
    chair, member = UserFactory(name="Priya Chair"), UserFactory(name="Tom Member")
    committee = Committee.objects.create(name="Engineering promotions", chair=chair)
    committee.members.add(chair, member, skip_level)
    packet = packet_open(actor=manager, person=engineer, target_level=Level.objects.get(version=version, code="l2"))
    for row in packet.evidence.all():
        evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Did it.", rating="meets")
        evidence_save(actor=manager, packet=packet, competency=row.competency_id, rating="meets")
    case_save(actor=manager, packet=packet, case="Ready.")
    endorsement_request(actor=manager, packet=packet, endorser=peer)
    packet_submit(actor=manager, packet=packet)
    packet = packet_route(actor=hr, packet=packet, committee=committee)
    people = {"person": engineer, "manager": manager, "skip_level": skip_level, "endorser": peer, "chair": chair,
              "member": member, "hr": hr, "outsider": outsider}
    return {"packet": packet, "people": people, "competency": packet.evidence.first().competency_id,
            "endorsement": Endorsement.objects.get()}


def address(world, name: str) -> str:
    packet = world["packet"]
    if name in ("packets", "packet_all", "packet_new", "promotion_fairness"):
        return reverse(f"reviews:{name}")
    if name == "endorsement":
        return reverse("reviews:endorsement", args=[world["endorsement"].pk])
    if name in ("packet_evidence", "packet_pull"):
        return reverse(f"reviews:{name}", args=[packet.pk, world["competency"]])
    return reverse(f"reviews:{name}", args=[packet.pk])


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_every_role_gets_its_status(world, name):
    for role, expected in zip(ROLES, MATRIX[name]):
        client = Client() if role == "anonymous" else login(world["people"][role])
        url = address(world, name)
        response = client.post(url, {}) if name in POSTED else client.get(url)
        assert response.status_code == expected, (name, role, response.status_code)


def test_the_matrix_covers_every_packet_page(db):
    assert {p.name for p in packet_urls.urlpatterns} == set(MATRIX)


def test_the_person_never_reads_the_endorsements_words_nor_the_votes(world):
    """On every page the person reaches: their packet, the packet lists."""
    from reviews.services.packets import endorsement_give, vote_record

    people, packet = world["people"], world["packet"]
    endorsement_give(actor=people["endorser"], endorsement=world["endorsement"], text="SAMS-ENDORSEMENT-WORDS")
    vote_record(actor=people["member"], packet=packet, choice="approve", comment="TOMS-VOTE-REASONS")
    person, manager = login(people["person"]), login(people["manager"])
    for url in (reverse("reviews:packet", args=[packet.pk]), reverse("reviews:packets")):
        page = person.get(url).content.decode()
        assert "SAMS-ENDORSEMENT-WORDS" not in page and "TOMS-VOTE-REASONS" not in page
    page = manager.get(reverse("reviews:packet", args=[packet.pk])).content.decode()
    assert "SAMS-ENDORSEMENT-WORDS" in page and "TOMS-VOTE-REASONS" not in page
    assert "TOMS-VOTE-REASONS" in login(people["chair"]).get(reverse("reviews:packet", args=[packet.pk])).content.decode()
