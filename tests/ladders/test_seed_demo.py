"""`manage.py seed_demo`: a demo company with both frameworks, levels and assessments."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from ladders import formats
from ladders.management.commands.seed_demo import EVIDENCE
from ladders.models import Assessment, Expectation, FrameworkVersion, Placement, Rating
from ladders.selectors.frameworks import version_export
from people.models import User
from tests.ladders.factories import DATA, framework_row_counts

PERSONAS = ["hr", "engineer", "manager", "director", "cto", "datalead"]


def seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Seed once for the module, in a transaction undone when the module ends.

    The command is the slowest thing here, and none of these tests changes
    what it wrote; each test's own `db` transaction nests inside this one.
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield seed(employees=40)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def demo(seeded, db):
    return seeded


def versions() -> list[tuple[str, int, str]]:
    return list(
        FrameworkVersion.objects.order_by("framework__slug", "number").values_list("framework__slug", "number", "status")
    )


def test_it_seeds_the_personas(demo):
    emails = set(User.objects.values_list("email", flat=True))
    assert {f"{p}@trellis.test" for p in PERSONAS} <= emails
    assert User.objects.count() == 40
    hr = User.objects.get(email="hr@trellis.test")
    assert hr.is_hr_admin and hr.sees_everyone
    engineer = User.objects.get(email="engineer@trellis.test")
    assert engineer.manager.email == "manager@trellis.test"
    assert "engineer@trellis.test" in demo and "Seeded 40 people" in demo


def test_it_publishes_both_frameworks_and_a_second_data_science_version(demo):
    assert versions() == [
        ("data-science", 1, "published"),
        ("data-science", 2, "published"),
        ("engineering", 1, "published"),
    ]
    assert Expectation.objects.filter(level__version__framework__slug="engineering").count() == 72


def test_it_keeps_data_science_v1_as_shipped_and_changes_v2(demo):
    shipped = (DATA / "data-science.yml").read_text()
    v1, v2 = FrameworkVersion.objects.filter(framework__slug="data-science").order_by("number")
    assert formats.dump(version_export(v1)) == shipped
    raised = Expectation.objects.get(level__version=v2, level__code="ds2", competency__slug="communication")
    assert raised.proficiency.name == "Skilled"
    assert raised.criteria_list[-1] == "Presents to the product area's leadership at least once a quarter."
    assert v2.change_notes.startswith("Data Scientist 2 now presents to product leadership")


def test_it_places_everyone_but_hr(demo):
    placed = set(Placement.objects.values_list("person__email", flat=True))
    assert "hr@trellis.test" not in placed
    assert len(placed) == 39
    engineer = Placement.objects.filter(person__email="engineer@trellis.test").order_by("-effective_date").first()
    assert (engineer.level.code, engineer.track.slug) == ("senior-1", "ic")
    # Every placement's track is one its level is on.
    for placement in Placement.objects.select_related("level", "track"):
        assert placement.level.tracks.filter(pk=placement.track_id).exists()
        assert placement.track.version_id == placement.level.version_id


def test_no_job_title_gives_a_level_away(demo):
    # Levels are shown only to those who may read a path; a title is shown to everyone.
    level_titles = set(Expectation.objects.values_list("level__title", flat=True))
    assert not User.objects.filter(title__in=level_titles).exists()


def test_it_writes_assessments_with_ratings(demo):
    ada = User.objects.get(email="engineer@trellis.test")
    kinds = set(Assessment.objects.filter(subject=ada, status="submitted").values_list("kind", flat=True))
    assert kinds == {"self", "manager"}
    assert Rating.objects.filter(assessment__subject=ada, assessment__kind="manager").count() == 9
    assert Rating.objects.count() > Assessment.objects.count()


def test_it_writes_each_note_for_the_competency_it_is_rated_on(demo):
    written = Rating.objects.exclude(evidence="").values_list(
        "competency__version__framework__slug", "competency__slug", "evidence"
    )
    assert written
    noted = set()
    for framework, competency, evidence in written:
        assert evidence in EVIDENCE[framework, competency], (framework, competency, evidence)
        noted.add((framework, competency))
    # Every competency of both frameworks gets notes, not just a few of them.
    assert noted == set(EVIDENCE)
    assert Rating.objects.filter(evidence="", assessment__status="submitted").exists()


def test_it_has_notes_written_for_every_demo_competency():
    for name in ("ft-engineering.yml", "data-science.yml"):
        document = formats.parse((DATA / name).read_text())
        slugs = {c["slug"] for area in document["areas"] for c in area["competencies"]}
        assert slugs == {slug for framework, slug in EVIDENCE if framework == document["slug"]}


def test_it_changes_nothing_when_run_again(demo):
    before = {
        **framework_row_counts(),
        "users": User.objects.count(),
        "placements": Placement.objects.count(),
        "assessments": Assessment.objects.count(),
        "ratings": Rating.objects.count(),
    }
    out = seed(employees=40)
    assert "already has people in it" in out
    assert {
        **framework_row_counts(),
        "users": User.objects.count(),
        "placements": Placement.objects.count(),
        "assessments": Assessment.objects.count(),
        "ratings": Rating.objects.count(),
    } == before


@pytest.mark.parametrize("employees", [11, 10_001])
def test_it_refuses_a_company_size_out_of_range(db, employees):
    before = User.objects.count()
    with pytest.raises(CommandError, match="--employees must be between 12 and 10,000"):
        seed(employees=employees)
    assert User.objects.count() == before
