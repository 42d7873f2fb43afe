"""seed_demo adds a promotion committee and packets in every state, seen through the pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ladders.management.commands.seed_demo import DOMAIN
from ladders.selectors.careers import placement_current
from people.models import User
from reviews.models import Committee, Packet
from tests.conftest import login


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", employees=40, stdout=out)
    return out.getvalue()


def person(handle: str) -> User:
    return User.objects.get(email=f"{handle}@{DOMAIN}")


def test_it_seeds_packets_in_every_state_and_a_committee(seeded):
    assert "Promotion packets: 7 around Ada's team" in seeded
    assert set(Packet.objects.values_list("status", flat=True)) == set(Packet.Status.values)
    committee = Committee.objects.get()
    assert committee.chair == person("datalead") and committee.members.filter(pk=person("director").pk).exists()
    approved = Packet.objects.get(status="approved")
    assert placement_current(approved.person).level == approved.target_level
    deferred = Packet.objects.get(status="deferred")
    assert deferred.reopened_as.status == "draft"
    ada = Packet.objects.get(person=person("engineer"))
    assert ada.status == "draft" and ada.endorsements.filter(submitted_at=None).exists()
    waiting = Packet.objects.get(status="in_committee")
    sofia, daniel = login(person("datalead")), login(person("director"))
    assert "Record the decision" in sofia.get(reverse("reviews:packet", args=[waiting.pk])).content.decode()
    assert "in your reporting tree" in daniel.get(reverse("reviews:packet", args=[waiting.pk])).content.decode()
    assert "Your committee" in sofia.get(reverse("reviews:packets")).content.decode()
