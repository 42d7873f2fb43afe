"""seed_demo adds interview kits, candidates, loops and scorecards in every state."""

from __future__ import annotations

import io
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from ladders.management.commands.seed_demo import DOMAIN
from ladders.signals import demo_seeded
from people.models import User
from reviews import demo_interviews
from reviews.models import Candidate, Kit, Loop, Question, Scorecard
from reviews.selectors.calibration import calibration_report


UID = "reviews.demo_interviews"


def _connected() -> bool:
    """Whether reviews' AppConfig already connects the interviews' seed."""
    for key, receiver, *_ in demo_seeded.receivers:
        function = receiver() if callable(receiver) and not hasattr(receiver, "__code__") else receiver
        if key[0] == UID or function is demo_interviews.seed:
            return True
    return False


@contextmanager
def interviews_seeded():
    """seed_demo with the interviews' part: connected here for the test until the app does it."""
    connect = not _connected()
    if connect:
        demo_seeded.connect(demo_interviews.seed, dispatch_uid=UID)
    try:
        yield
    finally:
        if connect:
            demo_seeded.disconnect(dispatch_uid=UID)


@pytest.fixture
def seeded(db):
    out = io.StringIO()
    with interviews_seeded():
        call_command("seed_demo", employees=12, stdout=out)
    return out.getvalue()


def person(handle: str) -> User:
    return User.objects.get(email=f"{handle}@{DOMAIN}")


def test_it_seeds_kits_and_loops_in_every_state(seeded):
    assert "Interviews: 2 kits, 7 loops" in seeded
    senior, engineer = Kit.objects.order_by("pk")
    assert engineer.copied_from == senior
    assert {senior.level.code, engineer.level.code} == {"senior-1", "engineer"}
    assert senior.focus.exists() and senior.scale.count() == 4
    assert Question.objects.filter(kit=senior).count() == 4
    assert Question.objects.filter(kit=senior, competencies__isnull=False).distinct().count() == 4

    marcus, ada, hr = person("manager"), person("engineer"), person("hr")
    assert set(Loop.objects.values_list("hiring_manager", flat=True)) == {marcus.pk}
    assert Scorecard.objects.filter(interviewer=ada).count() >= 5
    assert not Scorecard.objects.filter(interviewer__in=[marcus, hr]).exists()

    loops = Loop.objects.annotate(
        total=Count("interviews__scorecards"),
        submitted=Count("interviews__scorecards", filter=Q(interviews__scorecards__submitted_at__isnull=False)),
    )
    states = set()
    for loop in loops:
        if loop.decision:
            states.add(loop.decision)
            assert loop.submitted == loop.total and loop.decision_reason
        elif loop.submitted == 0:
            states.add("drafts")
        elif loop.submitted < loop.total:
            states.add("partly submitted")
        else:
            states.add("all in")
    assert states == {"drafts", "partly submitted", "all in", "hire", "no_hire"}
    # Some drafts are half written, some untouched.
    drafts = Scorecard.objects.filter(submitted_at=None)
    assert drafts.filter(ratings__isnull=False).exists() and drafts.filter(ratings__isnull=True).exists()


def test_one_candidate_is_erased_and_still_counts_for_calibration(seeded):
    erased = Candidate.objects.get(erased_at__isnull=False)
    assert erased.name == erased.email == erased.phone == erased.notes == ""
    loop = erased.loops.get()
    assert loop.decision == "no_hire"
    assert not Scorecard.objects.filter(interview__loop=loop).exclude(takeaways="").exists()
    # Every submitted scorecard of a loop HR may read (all in, or debriefed): all but the partly submitted loop's.
    partly = Loop.objects.filter(interviews__scorecards__submitted_at=None, debrief_opened_at=None).distinct()
    submitted = Scorecard.objects.filter(submitted_at__isnull=False).exclude(interview__loop__in=partly).count()
    assert 0 < submitted < Scorecard.objects.filter(submitted_at__isnull=False).count()
    report = calibration_report(person("hr"), "all")
    assert sum(p.submitted for p in report.interviewers) == submitted
    assert "Rowan" not in seeded


def test_seeding_twice_adds_nothing(seeded):
    loops = Loop.objects.count()
    with interviews_seeded():
        call_command("seed_demo", employees=12, stdout=io.StringIO())
    assert Loop.objects.count() == loops
