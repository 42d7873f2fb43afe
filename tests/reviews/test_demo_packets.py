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
    assert "Promotion packets: 8 around Ada's team" in seeded
    assert set(Packet.objects.values_list("status", flat=True)) == set(Packet.Status.values)
    committee = Committee.objects.get()
    assert committee.chair == person("datalead") and committee.members.filter(pk=person("director").pk).exists()
    approved = Packet.objects.get(status="approved")
    assert placement_current(approved.person).level == approved.target_level
    deferred = Packet.objects.get(status="deferred")
    assert deferred.reopened_as.status == "draft"
    ada = Packet.objects.get(person=person("engineer"), status="draft")
    assert Packet.objects.get(person=person("engineer"), status="withdrawn").decision_reason
    assert ada.status == "draft" and ada.endorsements.filter(submitted_at=None).exists()
    waiting = Packet.objects.get(status="in_committee")
    sofia, daniel = login(person("datalead")), login(person("director"))
    assert "Record the decision" in sofia.get(reverse("reviews:packet", args=[waiting.pk])).content.decode()
    assert "in your reporting tree" in daniel.get(reverse("reviews:packet", args=[waiting.pk])).content.decode()
    assert "Your committee" in sofia.get(reverse("reviews:packets")).content.decode()


def test_a_packet_starts_from_a_proposal_and_pulls_in_the_year(db):
    """The submitted packet kept the manager review that proposed it; the next teammate's
    proposal waits on the cycle for Marcus to start a packet; Ada's draft offers her year."""
    from reviews.models import Review
    from reviews.selectors.packet_sources import sources_for

    out = io.StringIO()
    call_command("seed_demo", employees=60, stdout=out)  # enough for a sixth teammate of Marcus's

    submitted = Packet.objects.get(status="submitted")
    assert submitted.source_review.proposed_level == submitted.target_level
    waiting = Review.objects.filter(kind="manager", proposed_level__isnull=False).exclude(
        participant__person__packets__isnull=False
    ).select_related("participant").first()
    assert waiting is not None
    page = login(person("manager")).get(
        reverse("reviews:cycle_person", args=[waiting.participant.cycle_id, waiting.participant_id])
    ).content.decode()
    assert "Start a promotion packet" in page
    assert any(sources_for(Packet.objects.get(person=person("engineer"), status="draft")).values())
