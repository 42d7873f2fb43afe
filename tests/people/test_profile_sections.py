"""Sections other apps add to a person's page (people.profile)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from people import profile
from people.profile import Section


@pytest.fixture
def registered():
    keys = []

    def register(key, finder, **kwargs):
        profile.register(key, finder, **kwargs)
        keys.append(key)

    yield register
    for key in keys:
        profile.unregister(key)


def only_for(viewer_pk, text):
    return lambda viewer, person: Section("people/tests/_section.html", {"text": text}) if viewer.pk == viewer_pk else None


def test_sections_are_asked_about_each_viewer_and_kept_in_order(registered, engineer, manager):
    registered("tests.second", only_for(manager.pk, "second"), order=50)
    registered("tests.first", only_for(manager.pk, "first"), order=5)
    registered("tests.never", lambda viewer, person: None, order=1)

    shown = [s.context.get("text") for s in profile.sections_for(manager, engineer) if s.context.get("text")]

    assert shown == ["first", "second"]
    assert [s.context.get("text") for s in profile.sections_for(engineer, engineer) if s.context.get("text")] == []


def test_a_key_belongs_to_one_section(registered):
    def finder(viewer, person):
        return None

    registered("tests.once", finder)
    profile.register("tests.once", finder)  # the same again is no clash

    with pytest.raises(ValueError, match="already registered"):
        profile.register("tests.once", lambda viewer, person: None)


def test_the_person_page_draws_each_section_with_its_own_context(registered, as_user, engineer, manager, settings, tmp_path):
    (tmp_path / "people" / "tests").mkdir(parents=True)
    (tmp_path / "people" / "tests" / "_section.html").write_text('<section class="card" id="from-a-test">{{ section.text }} about {{ person.name }}</section>')
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]
    registered("tests.hello", only_for(manager.pk, "A word"))

    mine = as_user(manager).get(reverse("people:person", args=[engineer.pk])).text
    theirs = as_user(engineer).get(reverse("people:person", args=[engineer.pk])).text

    assert '<section class="card" id="from-a-test">A word about Ada Okafor</section>' in mine
    assert "from-a-test" not in theirs
