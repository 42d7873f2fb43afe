"""Opening a review cycle and changing it while it runs: population, phases, sections,
people added late or taken out with a reason, deadlines extended, phases closed early."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from people.models import Team
from reviews.models import Cycle, Participant, Phase, Section
from reviews.services.cycles import (
    DEFAULT_SECTIONS,
    Population,
    cycle_open,
    participant_add,
    participant_remove,
    phase_close,
    phase_extend,
    phase_state,
)
from tests.ladders.factories import document, place, publish
from tests.people.factories import DepartmentFactory, UserFactory

TODAY = timezone.localdate()


def day(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def phases(start: int = 0, *, upward: bool = False) -> dict[str, tuple]:
    """Back-to-back phases from `start` days from today: a week each, release a day after calibration."""
    kinds = ["self", "nominations", "peer", *(["upward"] if upward else []), "manager", "calibration"]
    dates = {kind: (day(start + 7 * n), day(start + 7 * n + 6)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(start + 7 * len(kinds)), None)
    return dates


def open_cycle(hr, population=None, **fields) -> Cycle:
    fields.setdefault("name", "2026 H2 reviews")
    fields.setdefault("period_start", day(-180))
    fields.setdefault("period_end", day(-1))
    fields.setdefault("phases", phases())
    return cycle_open(actor=hr, population=population or Population(everyone=True), **fields)


@pytest.fixture
def version(db):
    return publish(document(levels=3, competencies=2))


# --- Opening ------------------------------------------------------------------------------------


def test_it_opens_a_cycle_for_everyone_at_their_level_today(hr, manager, engineer, peer, version):
    place(engineer, version, "l2")
    place(peer, version, "l1", on=day(-400))
    place(peer, version, "l2", on=day(30))  # a promotion still to come does not count
    left = UserFactory(is_active=False)

    cycle = open_cycle(hr)

    rows = {p.person_id: p for p in cycle.participants.all()}
    assert engineer.pk in rows and peer.pk in rows and manager.pk in rows and left.pk not in rows
    assert rows[engineer.pk].level.code == "l2" and rows[engineer.pk].track.slug == "ic"
    assert rows[peer.pk].level.code == "l1"
    assert rows[manager.pk].level is None  # not placed on a ladder: reviewed on the written sections
    assert not any(p.added_late for p in rows.values())
    assert [p.kind for p in cycle.phases.order_by("opens_on")] == ["self", "nominations", "peer", "manager", "calibration", "release"]
    release = cycle.phases.get(kind="release")
    assert release.opens_on == release.closes_on
    assert [(s.title, s.prompt) for s in cycle.sections.all()] == list(DEFAULT_SECTIONS)
    assert LogEntry.objects.get_for_object(cycle).get().actor == hr


def test_it_opens_a_cycle_for_departments_teams_and_addresses_together(hr, manager, engineer, peer, outsider, skip_level):
    platform = DepartmentFactory(name="Platform")
    data = DepartmentFactory(name="Data")
    team = Team.objects.create(department=data, name="Insights")
    engineer.department = platform
    engineer.save()
    peer.department, peer.team = data, team
    peer.save()
    manager.department = data
    manager.save()

    cycle = open_cycle(
        hr, Population(departments=[platform.pk], teams=[team.pk], emails=f"\n  {outsider.email.upper()}  \n{outsider.email}\n")
    )

    assert set(cycle.participants.values_list("person", flat=True)) == {engineer.pk, peer.pk, outsider.pk}


def test_it_says_which_lines_of_the_addresses_are_wrong_and_writes_nothing(hr, engineer):
    with pytest.raises(ValidationError) as caught:
        open_cycle(hr, Population(emails=f"{engineer.email}\nnot-an-address\n\nghost@example.com\n"))
    message = caught.value.message_dict["emails"][0]
    assert message == (
        "Check line 2: “not-an-address” is not an e-mail address; "
        "line 4: nobody working here has the address ghost@example.com."
    )
    assert not Cycle.objects.exists() and not Participant.objects.exists()


@pytest.mark.parametrize(
    "change, field, words",
    [
        ({"name": " "}, "name", "Name the cycle"),
        ({"name": "x" * 121}, "name", "under 120 characters"),
        ({"period_start": None}, "period_start", "first day"),
        ({"period_end": day(-200)}, "period_end", "on or after the day it starts"),
        ({"population": Population()}, "population", "Choose who the cycle reviews"),
        ({"population": Population(departments=["x"])}, "departments", "from the list"),
        ({"population": Population(teams=[987654])}, "teams", "from the list"),
        ({"sections": []}, "sections", "at least one written section"),
        ({"sections": [("", "What went well?")]}, "sections", "Section 1: give it a title"),
    ],
)
def test_it_says_what_is_wrong_at_the_field_and_writes_nothing(hr, engineer, change, field, words):
    with pytest.raises(ValidationError) as caught:
        open_cycle(hr, **change)
    assert words in caught.value.message_dict[field][0]
    assert not Cycle.objects.exists() and not Phase.objects.exists() and not Participant.objects.exists()


def test_it_checks_every_phase_and_their_order(hr, engineer):
    dates = phases()
    dates["self"] = (day(0), None)
    dates["peer"] = (day(20), day(10))
    dates["manager"] = (day(1), day(30))  # before peer reviews open
    dates["release"] = (dates["calibration"][1], None)  # the day calibration closes
    del dates["nominations"]
    with pytest.raises(ValidationError) as caught:
        open_cycle(hr, phases=dates)
    errors = caught.value.message_dict
    assert errors["self_closes_on"] == ["Choose the deadline of self review."]
    assert errors["nominations_opens_on"] == ["Choose the day peer nominations opens."]
    assert errors["peer_closes_on"] == ["Peer reviews closes on or after the day it opens."]
    assert errors["manager_opens_on"][0].startswith("Manager reviews opens on or after peer reviews")
    assert errors["release_opens_on"] == ["Release results after calibration has closed: choose a later day."]
    assert not Cycle.objects.exists()


def test_it_adds_upward_reviews_only_when_asked(hr, engineer):
    assert not open_cycle(hr).phases.filter(kind="upward").exists()
    with_upward = open_cycle(hr, name="With upward", phases=phases(upward=True), upward=True)
    assert with_upward.phases.filter(kind="upward").exists()


def test_it_lets_only_hr_open_a_cycle(manager, engineer):
    for someone in (manager, engineer):
        with pytest.raises(PermissionDenied):
            open_cycle(someone)
    assert not Cycle.objects.exists()


def test_it_opens_a_cycle_in_the_same_queries_however_many_people(hr, version):
    counts = []
    for n, people in enumerate((3, 60)):
        for i in range(people):
            place(UserFactory(), version, "l1")
        with CaptureQueriesContext(connection) as captured:
            open_cycle(hr, name=f"Cycle {n}")
        counts.append(len(captured))
    assert counts[0] == counts[1]
    assert Participant.objects.filter(cycle__name="Cycle 1").count() == 60 + 3 + 1  # and HR


# --- While it runs ------------------------------------------------------------------------------


@pytest.fixture
def running(hr, engineer, peer, version):
    place(engineer, version, "l2")
    return open_cycle(hr, phases=phases(-3))  # self review opened three days ago


def test_it_adds_someone_late_at_their_level_today(running, hr, version, outsider):
    place(outsider, version, "l3")
    Participant.objects.filter(cycle=running, person=outsider).delete()

    added = participant_add(actor=hr, cycle=running, person=outsider)

    assert added.added_late and added.level.code == "l3" and added.added_by == hr
    with pytest.raises(ValidationError) as caught:
        participant_add(actor=hr, cycle=running, person=outsider)
    assert caught.value.message_dict["person"] == ["Nora Quinn is already in this cycle."]
    assert LogEntry.objects.get_for_object(added).get().actor == hr


def test_it_takes_someone_out_with_a_reason_and_can_bring_them_back(running, hr, engineer):
    participant = running.participants.get(person=engineer)
    with pytest.raises(ValidationError) as caught:
        participant_remove(actor=hr, participant=participant, reason="  ")
    assert "Say why" in caught.value.message_dict["reason"][0]

    removed = participant_remove(actor=hr, participant=participant, reason="On parental leave for the period.")

    assert removed.removed_at is not None and removed.removed_by == hr
    entry = LogEntry.objects.get_for_object(removed).latest("timestamp", "pk")
    assert entry.actor == hr and entry.changes["removed_reason"][1] == "On parental leave for the period."
    back = participant_add(actor=hr, cycle=running, person=engineer)
    assert back.pk == participant.pk and back.removed_at is None and back.removed_reason == ""


def test_it_extends_a_deadline_and_reopens_a_phase_closed_early(running, hr):
    self_review = running.phases.get(kind="self")
    assert phase_state(self_review) == "open"

    closed = phase_close(actor=hr, phase=self_review)
    assert phase_state(closed) == "closed"
    with pytest.raises(ValidationError) as caught:
        phase_close(actor=hr, phase=closed)
    assert caught.value.messages == ["Self review is closed: only an open phase closes early."]

    extended = phase_extend(actor=hr, phase=closed, closes_on=closed.closes_on + datetime.timedelta(days=3))
    assert phase_state(extended) == "open" and extended.closed_early_at is None
    changes = [e.changes for e in LogEntry.objects.get_for_object(extended).order_by("timestamp", "pk")]
    assert "closed_early_at" in changes[0] and "closes_on" in changes[1]


def test_it_refuses_a_deadline_that_is_no_extension(running, hr):
    self_review = running.phases.get(kind="self")
    calibration = running.phases.get(kind="calibration")
    release = running.phases.get(kind="release")
    for phase, closes_on, words in (
        (self_review, self_review.closes_on, "after the current deadline"),
        (self_review, None, "Choose the new deadline"),
        (release, release.opens_on + datetime.timedelta(days=1), "A release is a day"),
        (self_review, calibration.opens_on, "closes before that"),
    ):
        with pytest.raises(ValidationError) as caught:
            phase_extend(actor=hr, phase=phase, closes_on=closes_on)
        assert words in caught.value.message_dict["closes_on"][0]
    with pytest.raises(ValidationError):
        phase_close(actor=hr, phase=calibration)  # not open yet
    # Calibration extended past the release day takes the release with it.
    phase_extend(actor=hr, phase=calibration, closes_on=release.opens_on + datetime.timedelta(days=3))
    assert running.phases.get(kind="release").opens_on == release.opens_on + datetime.timedelta(days=4)


def test_it_lets_only_hr_change_a_cycle(running, manager, engineer, peer):
    participant = running.participants.get(person=engineer)
    phase = running.phases.get(kind="self")
    for attempt in (
        lambda: participant_add(actor=manager, cycle=running, person=peer),
        lambda: participant_remove(actor=manager, participant=participant, reason="No."),
        lambda: phase_extend(actor=engineer, phase=phase, closes_on=day(30)),
        lambda: phase_close(actor=engineer, phase=phase),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert participant.removed_at is None and phase_state(Phase.objects.get(pk=phase.pk)) == "open"


def test_a_released_cycle_no_longer_changes(running, hr, engineer):
    Cycle.objects.filter(pk=running.pk).update(calibration_locked_at=timezone.now(), released_at=timezone.now())
    with pytest.raises(ValidationError):
        participant_remove(actor=hr, participant=running.participants.get(person=engineer), reason="Left.")
    with pytest.raises(ValidationError):
        phase_close(actor=hr, phase=running.phases.get(kind="self"))


def test_sections_keep_their_order(hr, engineer):
    cycle = open_cycle(hr, sections=[("Impact", ""), ("Growth", "Where next?"), ("", "")])
    assert list(Section.objects.filter(cycle=cycle).values_list("title", "position")) == [("Impact", 0), ("Growth", 1)]
