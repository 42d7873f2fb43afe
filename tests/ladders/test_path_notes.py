"""Notes other apps put beside each competency on a path (ladders.path_notes)."""

from __future__ import annotations

import ast
import pathlib

import pytest
from django.urls import reverse

from ladders import path_notes
from ladders.path_notes import Column, Note
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish, submitted

LADDERS = pathlib.Path(__file__).resolve().parents[2] / "ladders"


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    """The registry as this module's tests see it: empty (whatever the apps built on
    ladders register), then what each test adds; put back afterwards."""
    monkeypatch.setattr(path_notes, "_registry", {})
    return path_notes.register


class Counter:
    """A finder whose notes the test changes between two readings, as feedback changes
    without the stamp changing."""

    def __init__(self, heading="Notes"):
        self.heading = heading
        self.said = "first"
        self.calls = 0

    def __call__(self, viewer, person, rubric):
        self.calls += 1
        return Column(
            self.heading,
            {c.slug: Note(f"{self.said} on {c.name} for {viewer.name}", url=f"/notes/{c.slug}/") for c in rubric.competencies},
        )


def test_it_shows_each_competencys_note_beside_its_gap(as_user, registered, placed, backend):
    registered("tests.notes", Counter())
    submitted(placed, placed, backend, "l3")

    response = as_user(placed).get(reverse("ladders:my_path"))

    html = response.content.decode()
    assert '<th scope="col">Notes</th>' in html
    assert '<td data-label="Notes" class="path-note"><a href="/notes/c0-1/">first on Competency 0.1 for Ada Okafor</a></td>' in html
    assert [row["notes"][0][1].text for row in response.context["rows"]] == [
        f"first on Competency 0.{n} for Ada Okafor" for n in range(3)
    ]


def test_it_never_serves_notes_from_a_kept_page(as_user, registered, placed, backend):
    counter = Counter()
    registered("tests.notes", counter)
    submitted(placed, placed, backend, "l3")
    client = as_user(placed)
    assert "first on Competency 0.0" in client.get(reverse("ladders:my_path")).content.decode()

    counter.said = "second"
    html = client.get(reverse("ladders:my_path")).content.decode()

    assert "second on Competency 0.0" in html
    assert "first on Competency 0.0" not in html


def test_each_reader_gets_their_own_notes_on_the_same_path(as_user, registered, placed, backend, manager):
    registered("tests.notes", Counter())
    submitted(placed, manager, backend, "l3")
    as_user(placed).get(reverse("ladders:my_path"))

    html = as_user(manager).get(reverse("ladders:person_path", args=[placed.pk])).content.decode()

    assert "for Marcus Chen" in html
    assert "for Ada Okafor" not in html


def test_without_an_assessment_it_lists_what_is_not_quiet(as_user, registered, placed):
    registered(
        "tests.notes",
        lambda viewer, person, rubric: Column(
            "Notes",
            {"c0-0": Note("2 things on Competency 0.0", url="/x/"), "c0-1": Note("Nothing on Competency 0.1", quiet=True)},
        ),
    )

    html = as_user(placed).get(reverse("ladders:my_path")).content.decode()

    assert '<ul class="path-notes"><li><a href="/x/">2 things on Competency 0.0</a></li></ul>' in html
    assert "Nothing on Competency 0.1" not in html


def test_a_note_may_end_with_an_action(as_user, registered, placed, backend):
    registered(
        "tests.notes",
        lambda viewer, person, rubric: Column(
            "Notes", {"c0-0": Note("None yet", action="ask for some", action_url="/ask/?c=c0-0", quiet=True)}
        ),
    )
    submitted(placed, placed, backend, "l3")

    html = as_user(placed).get(reverse("ladders:my_path")).content.decode()

    assert '<span class="muted">None yet</span> — <a href="/ask/?c=c0-0">ask for some</a>' in html


def test_a_finder_with_nothing_adds_no_column(as_user, registered, placed, backend):
    registered("tests.nothing", lambda viewer, person, rubric: None)
    submitted(placed, placed, backend, "l3")

    response = as_user(placed).get(reverse("ladders:my_path"))

    assert response.context["note_columns"] == []
    assert 'class="path-note"' not in response.content.decode()


def test_columns_come_in_order(registered, placed, backend):
    registered("tests.b", Counter("Second"), order=20)
    registered("tests.a", Counter("First"), order=10)
    from ladders.selectors.frameworks import rubric_load

    assert [c.heading for c in path_notes.columns_for(placed, placed, rubric_load(backend))] == ["First", "Second"]


def test_a_key_belongs_to_one_finder(registered):
    finder = Counter()
    registered("tests.notes", finder)
    path_notes.register("tests.notes", finder)  # the same again is no clash
    with pytest.raises(ValueError):
        path_notes.register("tests.notes", Counter())


def test_the_key_changes_with_any_value_shown():
    one = [Column("Notes", {"a": Note("1 piece", url="/a/")})]
    assert path_notes.key_of(one) == path_notes.key_of([Column("Notes", {"a": Note("1 piece", url="/a/")})])
    assert path_notes.key_of(one) != path_notes.key_of([Column("Notes", {"a": Note("1 piece", url="/b/")})])
    assert path_notes.key_of(one) != path_notes.key_of([Column("Notes", {"a": Note("2 pieces", url="/a/")})])
    assert path_notes.key_of([]) == ""


def test_a_finder_costs_only_its_own_queries(as_user, registered, placed, backend):
    submitted(placed, placed, backend, "l3")
    client = as_user(placed)
    without = page_queries(client, reverse("ladders:my_path"))
    registered("tests.notes", Counter())

    assert page_queries(client, reverse("ladders:my_path")) == without


def test_ladders_never_imports_the_apps_built_on_it():
    for source in LADDERS.rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            for name in names:
                assert name.split(".")[0] not in ("reviews", "mentorship"), (source, name)
