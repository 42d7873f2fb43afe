"""Promotion packet reminders through the one dispatcher, each exactly once: endorsements not
yet given, votes not yet recorded, and the chair once every vote is in."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from ladders.models import Level
from people.models import Notification
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import Committee, Endorsement, Packet
from reviews.services import packets as services
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory
from tests.people.rules import Rules


@pytest.fixture
def rules(monkeypatch, db) -> Rules:
    rules = Rules(monkeypatch)
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    return rules


def sent(rule: str) -> list[tuple[str, str]]:
    return sorted(Notification.objects.filter(rule=rule).values_list("recipient__email", "period"))


@pytest.fixture
def packet(hr, manager, engineer, peer):
    version = publish(document(levels=3, competencies=2))
    place(engineer, version, "l1")
    packet = services.packet_open(actor=manager, person=engineer, target_level=Level.objects.get(version=version, code="l2"))
    services.endorsement_request(actor=manager, packet=packet, endorser=peer)
    return packet


def test_an_endorsement_not_given_is_reminded_once(rules, packet, peer, outsider):
    rules.keep("reviews.endorsement_asked")
    reminders_dispatch()
    assert sent("reviews.endorsement_asked") == []  # asked today; the rule says three days
    Endorsement.objects.update(requested_at=timezone.now() - datetime.timedelta(days=4))
    reminders_dispatch()
    reminders_dispatch()
    assert sent("reviews.endorsement_asked") == [(peer.email, "asked")]


def test_members_are_reminded_to_vote_and_the_chair_to_decide(rules, packet, hr, manager, engineer, skip_level, outsider):
    rules.keep("reviews.packet_vote_due")
    for row in packet.evidence.all():
        services.evidence_save(actor=engineer, packet=packet, competency=row.competency_id, text="Did it.", rating="meets")
        services.evidence_save(actor=manager, packet=packet, competency=row.competency_id, rating="meets")
    services.case_save(actor=manager, packet=packet, case="Ready.")
    services.packet_submit(actor=manager, packet=packet)
    chair, member = UserFactory(email="chair@example.com"), UserFactory(email="member@example.com")
    committee = Committee.objects.create(name="Promotions", chair=chair)
    committee.members.add(chair, member, outsider, skip_level)  # Daniel is above Ada: he does not vote
    packet = services.packet_route(actor=hr, packet=packet, committee=committee)
    Packet.objects.filter(pk=packet.pk).update(routed_at=timezone.now() - datetime.timedelta(days=6))
    services.vote_record(actor=outsider, packet=packet, choice="approve", comment="Ready.")
    reminders_dispatch()
    reminders_dispatch()
    assert sent("reviews.packet_vote_due") == [(member.email, "vote")]
    services.vote_record(actor=member, packet=packet, choice="approve", comment="Ready.")
    reminders_dispatch()
    reminders_dispatch()
    assert sent("reviews.packet_vote_due") == [(chair.email, "decide"), (member.email, "vote")]
