"""A person's page shows their level and a link to their path, to those who may read the path."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from tests.conftest import page_queries
from tests.ladders.factories import place, reports_to
from tests.people.factories import UserFactory


def url(person) -> str:
    return reverse("people:person", args=[person.pk])


def level_section(response) -> str | None:
    found = re.search(r'<section class="card person-level".*?</section>', response.text, re.DOTALL)
    return found.group(0) if found else None


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def placed(engineer, ft):
    place(engineer, ft, "senior-1", on=datetime.date(2023, 1, 1))
    place(engineer, ft, "senior-2-ic", on=datetime.date(2025, 3, 4))
    return engineer


def test_it_shows_my_level_to_me_with_a_link_to_my_path(as_user, placed):
    section = level_section(as_user(placed).get(url(placed)))

    text = visible_text(section)
    assert "Senior Engineer 2 (Individual Contributor)" in text
    assert "Individual Contributor track · Engineering · since 4 Mar 2025" in text
    assert "senior-2-ic" not in text
    assert f'href="{reverse("ladders:my_path")}">View my path</a>' in section


@pytest.mark.parametrize("viewer", ["manager", "skip_level", "hr"])
def test_it_shows_the_level_to_those_above_and_to_hr(as_user, placed, request, viewer):
    section = level_section(as_user(request.getfixturevalue(viewer)).get(url(placed)))

    assert "Senior Engineer 2 (Individual Contributor)" in visible_text(section)
    assert f'href="{reverse("ladders:person_path", args=[placed.pk])}">View their path</a>' in section


@pytest.mark.parametrize("viewer", ["peer", "outsider"])
def test_it_hides_the_level_from_everyone_else(as_user, placed, request, viewer):
    response = as_user(request.getfixturevalue(viewer)).get(url(placed))

    assert response.status_code == 200
    assert level_section(response) is None
    assert "Senior Engineer 2" not in response.text
    assert reverse("ladders:person_path", args=[placed.pk]) not in response.text


def test_it_hides_my_level_from_the_people_i_manage(as_user, placed, manager, engineer):
    assert level_section(as_user(engineer).get(url(manager))) is None


def test_a_former_manager_no_longer_sees_it(as_user, placed, manager, outsider):
    client = as_user(manager)
    assert level_section(client.get(url(placed))) is not None

    reports_to(placed, outsider.manager)

    assert level_section(client.get(url(placed))) is None
    assert level_section(as_user(outsider.manager).get(url(placed))) is not None


def test_it_says_when_no_level_is_recorded_yet(as_user, engineer, manager, ft):
    mine = level_section(as_user(engineer).get(url(engineer)))
    theirs = level_section(as_user(manager).get(url(engineer)))

    assert "Your level has not been recorded in Trellis yet." in visible_text(mine)
    assert "Ada Okafor has no level on a published framework yet." in visible_text(theirs)
    assert "View their path" in theirs


def test_it_shows_no_level_for_someone_who_has_left(as_user, hr, placed):
    placed.is_active = False
    placed.save()

    response = as_user(hr).get(url(placed))

    assert response.status_code == 200
    assert level_section(response) is None


def test_a_new_placement_shows_on_the_next_page(as_user, placed, ft, manager):
    client = as_user(manager)
    client.get(url(placed))

    place(placed, ft, "principal-ic", on=datetime.date(2025, 6, 1))

    assert "Principal Engineer (Individual Contributor)" in visible_text(level_section(client.get(url(placed))))


def test_its_query_count_does_not_grow_with_the_organisation(as_user, placed, ft, manager, skip_level):
    client = as_user(skip_level)
    small = page_queries(client, url(placed))

    # Someone deep down a long reporting line, with a long history and many reports.
    boss = manager
    for _ in range(10):
        boss = UserFactory(manager=boss)
    deep = UserFactory(manager=boss)
    UserFactory.create_batch(20, manager=deep)
    for year, code in enumerate(["junior", "engineer", "senior-1", "senior-2-ic", "principal-ic"]):
        place(deep, ft, code, on=datetime.date(2018 + year, 1, 1))

    large = page_queries(client, url(deep))

    assert "Principal Engineer (Individual Contributor)" in visible_text(level_section(client.get(url(deep))))
    assert large == small
