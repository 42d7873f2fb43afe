"""The packet pages, used as people would: a manager opens and writes a packet with its
engineer, a colleague endorses it, HR route it, the committee votes and the chair approves;
every form says what is wrong at its field, and nobody else reaches any of it."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from ladders.models import Level
from ladders.selectors.careers import placement_current
from reviews.models import Committee, Endorsement, Evidence, Packet, Vote
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory


def url(name: str, *args) -> str:
    return reverse(f"reviews:{name}", args=args)


@pytest.fixture
def version(db, engineer):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l1")
    return version


@pytest.fixture
def committee(outsider):
    chair = UserFactory(name="Priya Chair")
    committee = Committee.objects.create(name="Engineering promotions", chair=chair)
    committee.members.add(chair, outsider)
    return committee


def test_a_packet_from_opening_to_approval(as_user, version, committee, hr, manager, engineer, peer, outsider):
    marcus, ada = as_user(manager), as_user(engineer)
    page = marcus.get(url("packet_new") + f"?person={engineer.pk}")
    assert page.status_code == 200 and "Level 2" in page.content.decode()
    response = marcus.post(url("packet_new"), {"person": engineer.pk, "target_level": ""})
    assert response.status_code == 400 and "Choose the next level" in response.content.decode()
    target = Level.objects.get(version=version, code="l2")
    response = marcus.post(url("packet_new"), {"person": engineer.pk, "target_level": target.pk})
    packet = Packet.objects.get()
    assert response.status_code == 302 and response["Location"] == url("packet", packet.pk)
    page = ada.get(url("packet", packet.pk)).content.decode()
    assert "Missing" in page and "Behaviour 0.2 of area 0" in page
    for row in packet.evidence.all():
        prefix = f"e{row.competency_id}"
        bad = ada.post(url("packet_evidence", packet.pk, row.competency_id),
                       {f"{prefix}-text": "Led it.", f"{prefix}-links": "Doc ftp://nowhere", f"{prefix}-rating": "meets"})
        assert bad.status_code == 400 and "Link 1: give a web address" in bad.content.decode()
        ada.post(url("packet_evidence", packet.pk, row.competency_id),
                 {f"{prefix}-text": "Led the billing migration.", f"{prefix}-links": "Design doc https://docs.example.com/b",
                  f"{prefix}-rating": "meets"})
        marcus.post(url("packet_evidence", packet.pk, row.competency_id), {f"{prefix}-text": "Led the billing migration.",
                    f"{prefix}-links": "Design doc https://docs.example.com/b", f"{prefix}-rating": "above"})
    assert set(Evidence.objects.values_list("self_rating", "manager_rating")) == {("meets", "above")}
    response = marcus.post(url("packet_submit", packet.pk))
    assert response.status_code == 400 and "Write the case" in response.content.decode()
    marcus.post(url("packet_case", packet.pk), {"case": "Two quarters at level 2 scope."})
    marcus.post(url("packet_endorser", packet.pk), {"endorser": peer.email})
    asked = Endorsement.objects.get()
    assert as_user(peer).post(url("endorsement", asked.pk), {"text": "Sam saw it."}).status_code == 302
    assert marcus.post(url("packet_submit", packet.pk)).status_code == 302
    assert "Sam saw it." not in ada.get(url("packet", packet.pk)).content.decode()  # the person sees who, not the words
    helen = as_user(hr)
    assert helen.post(url("packet_route", packet.pk), {"committee": committee.pk}).status_code == 302
    nora = as_user(outsider)
    assert "Sam saw it." in nora.get(url("packet", packet.pk)).content.decode()
    response = nora.post(url("packet_vote", packet.pk), {"choice": "approve", "comment": ""})
    assert response.status_code == 400 and "Say why" in response.content.decode()
    assert nora.post(url("packet_vote", packet.pk), {"choice": "approve", "comment": "Strong evidence."}).status_code == 302
    priya = as_user(committee.chair)
    assert "Strong evidence." in priya.get(url("packet", packet.pk)).content.decode()
    response = priya.post(url("packet_decide", packet.pk), {"outcome": "approved", "reason": "Ready.", "effective_date": ""})
    assert response.status_code == 400 and "Choose the day the new level takes effect" in response.content.decode()
    today = timezone.localdate().isoformat()
    assert priya.post(url("packet_decide", packet.pk), {"outcome": "approved", "reason": "Ready.", "effective_date": today}).status_code == 302
    assert placement_current(engineer).level == target
    page = ada.get(url("packet", packet.pk)).content.decode()
    assert "Approved" in page and "Ready." in page and "Strong evidence." not in page
    assert Vote.objects.count() == 1


def test_nobody_else_reaches_a_packet(as_user, version, manager, engineer, peer, outsider):
    as_user(manager).post(url("packet_new"), {"person": engineer.pk, "target_level": Level.objects.get(version=version, code="l2").pk})
    packet = Packet.objects.get()
    for person in (peer, outsider):
        client = as_user(person)
        assert client.get(url("packet", packet.pk)).status_code == 404
        for name in ("packet_case", "packet_submit", "packet_sponsor", "packet_vote", "packet_decide", "packet_reopen", "packet_route"):
            assert client.post(url(name, packet.pk), {"case": "x"}).status_code == 404, name
    assert as_user(peer).get(url("packet_all")).status_code == 404
    # Someone not reporting to Marcus is not his to open a packet for.
    as_user(manager).post(url("packet_new"), {"person": outsider.pk, "target_level": ""})
    assert Packet.objects.count() == 1
