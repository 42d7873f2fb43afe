"""seed_demo adds a released review cycle and one in calibration, seen through the pages."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from ladders.management.commands.seed_demo import DOMAIN
from people.models import Notification, User
from people.services import reminders as dispatcher
from people.services import reminders_dispatch
from reviews.models import CalibrationMove, Cycle, Participant, Review
from reviews.selectors.cycles import upward_summary
from reviews.services.cycles import phase_state
from tests.conftest import login


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    call_command("seed_demo", employees=40, stdout=out)
    return out.getvalue()


def person(handle: str) -> User:
    return User.objects.get(email=f"{handle}@{DOMAIN}")


def test_it_seeds_a_released_cycle_and_one_in_calibration(seeded, monkeypatch):
    assert "Review cycles: 2026 H1 reviews released" in seeded
    done, running = Cycle.objects.get(name="2026 H1 reviews"), Cycle.objects.get(name="2026 H2 reviews")
    assert done.released_at and done.calibration_locked_at and not running.released_at
    assert phase_state(running.phases.get(kind="calibration")) == "open"
    assert not running.participants.filter(rating="").exists()
    assert CalibrationMove.objects.filter(participant__cycle=done).count() == 3
    assert CalibrationMove.objects.filter(participant__cycle=running).count() == 1
    # Some late in the running one: fewer self reviews than people written for.
    ada, marcus = person("engineer"), person("manager")
    assert Review.objects.filter(participant__cycle=done, participant__person=ada, kind="peer").count() == 3
    mine = Participant.objects.select_related("cycle").get(cycle=done, person=marcus)
    assert upward_summary(marcus, mine).responses >= 3

    # Ada reads her released results with her peer reviews; Marcus calibrates his team now.
    page = login(ada).get(reverse("reviews:cycle_results", args=[Participant.objects.get(cycle=done, person=ada).pk]))
    assert page.status_code == 200 and "Peer reviews" in page.content.decode()
    page = login(marcus).get(reverse("reviews:cycle_calibration", args=[running.pk])).content.decode()
    assert ada.name in page and "Move</button>" in page

    # The late are escalated to their managers on the first dispatch.
    monkeypatch.setattr(dispatcher, "notification_emails_queue", lambda ids: None)
    reminders_dispatch()
    assert Notification.objects.filter(rule="reviews.cycle_late").exists()
