"""The team page: a manager's direct reports with the gap per competency, one team at a time."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ladders.selectors.careers import TEAM_PAGE
from tests.ladders.factories import (
    assess,
    document,
    place,
    publish,
    reports_to,
    submitted,
)
from tests.people.factories import UserFactory


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


@pytest.fixture
def team(engineer, peer, manager, backend):
    """Ada at l2 with an agreed assessment, Sam at l2 never assessed, Marcus not placed."""
    place(engineer, backend, "l2")
    place(peer, backend, "l2")
    assess(engineer, manager, backend, "l3", values={"c0-0": 2, "c0-1": 2, "c0-2": 4})
    return engineer, peer


def _rows(response) -> dict[str, dict]:
    return {row["person"].email: row for row in response.context["rows"]}


def test_it_shows_direct_reports_and_opens_their_teams(as_user, skip_level, manager, team):
    client = as_user(skip_level)
    response = client.get(reverse("ladders:team"))
    assert response.status_code == 200
    assert list(_rows(response)) == ["manager@example.com"]
    assert _rows(response)["manager@example.com"]["team_size"] == 2
    assert "not placed" in response.text  # Marcus has no level
    assert f'href="?under={manager.pk}"' in response.text and "Team of 2 →" in response.text
    assert "1 direct report, 3 people in the whole team." in response.text

    below = client.get(reverse("ladders:team"), {"under": manager.pk})
    assert below.status_code == 200
    assert list(_rows(below)) == ["engineer@example.com", "peer@example.com"]  # by name
    assert [m.pk for m in below.context["chain"]] == [skip_level.pk, manager.pk]
    assert "<h1>Marcus Chen's team</h1>" in below.text


def test_team_sizes_count_everyone_below_at_any_depth_but_not_leavers(as_user, skip_level, manager, engineer, peer, db):
    intern = UserFactory(manager=engineer)
    UserFactory(manager=intern)
    UserFactory(manager=engineer, is_active=False)
    response = as_user(skip_level).get(reverse("ladders:team"))
    assert response.context["team_size"] == 5
    assert _rows(as_user(skip_level).get(reverse("ladders:team")))  # placed or not, every report is a row
    below = as_user(skip_level).get(reverse("ladders:team"), {"under": manager.pk})
    assert {row["person"].email: row["team_size"] for row in below.context["rows"]} == {
        "engineer@example.com": 2,
        "peer@example.com": 0,
    }


@pytest.mark.parametrize("who", ["peer", "outsider", "engineer"])
def test_it_opens_no_team_outside_ones_own_line(as_user, request, manager, skip_level, who):
    person = request.getfixturevalue(who)
    for under in (manager.pk, skip_level.pk, "abc", "99999999"):
        assert as_user(person).get(reverse("ladders:team"), {"under": under}).status_code == 404, under


def test_hr_opens_anyones_team(as_user, hr, manager, team):
    response = as_user(hr).get(reverse("ladders:team"), {"under": manager.pk})
    assert list(_rows(response)) == ["engineer@example.com", "peer@example.com"]


def test_opening_a_team_with_htmx_swaps_only_the_team(as_user, skip_level, manager, team):
    response = as_user(skip_level).get(reverse("ladders:team"), {"under": manager.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="team">')
    assert "<html" not in response.text


def test_it_shows_the_gap_to_the_next_level(as_user, manager, team):
    response = as_user(manager).get(reverse("ladders:team"))
    ada = _rows(response)["engineer@example.com"]
    # Level 3 requires 3, 2, 3; assessed 2, 2, 4.
    assert ada["target"].code == "l3"
    assert [g["gap"] for g in ada["gaps"]] == [1, 0, -1]
    assert ada["open"] == 1
    assert 'title="Competency 0.0: assessed 2, expected 3">1</td>' in response.text
    assert 'title="Competency 0.2: assessed 4, expected 3">✓</td>' in response.text
    sam = _rows(response)["peer@example.com"]
    assert sam["assessment"] is None and sam["gaps"] == []


def test_it_shows_the_gap_to_the_current_level(as_user, manager, team):
    response = as_user(manager).get(reverse("ladders:team"), {"against": "current"})
    ada = _rows(response)["engineer@example.com"]
    # Level 2 requires 2, 1, 2.
    assert ada["target"].code == "l2"
    assert [g["gap"] for g in ada["gaps"]] == [0, -1, -2]
    assert ada["open"] == 0
    assert '<option value="current" selected>' in response.text


def test_it_takes_the_gap_from_the_latest_manager_assessment_only(as_user, skip_level, manager, team, backend):
    engineer, _ = team
    assess(engineer, engineer, backend, "l3", default=5)  # a self-assessment does not count
    assess(engineer, manager, backend, "l3", default=1, submit=False)  # nor does a draft
    response = as_user(manager).get(reverse("ladders:team"))
    assert [g["gap"] for g in _rows(response)["engineer@example.com"]["gaps"]] == [1, 0, -1]
    reports_to(engineer, skip_level)  # a new manager's assessment is the agreed one
    later = assess(engineer, skip_level, backend, "l3", default=1)
    response = as_user(skip_level).get(reverse("ladders:team"))
    ada = _rows(response)["engineer@example.com"]
    assert ada["assessment"].pk == later.pk
    assert [g["gap"] for g in ada["gaps"]] == [2, 1, 2]


def test_it_shows_an_empty_state_to_someone_without_reports(as_user, engineer, team):
    response = as_user(engineer).get(reverse("ladders:team"))
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert "No one reports to you" in response.text
    assert "Sam Rivera" not in response.text


@pytest.mark.parametrize("persona", ["hr", "outsider"])
def test_it_shows_no_one_outside_ones_own_tree(as_user, team, persona, request):
    response = as_user(request.getfixturevalue(persona)).get(reverse("ladders:team"))
    assert "No one reports to you" in response.text
    assert "Ada Okafor" not in response.text


def test_it_says_when_no_one_in_the_team_is_placed(as_user, manager, engineer, backend):
    response = as_user(manager).get(reverse("ladders:team"))
    assert response.context["has_team"] is True
    assert "No levels recorded yet" in response.text


def test_it_pages_a_large_team(as_user, manager, backend):
    for number in range(TEAM_PAGE + 5):
        place(UserFactory(manager=manager, name=f"Report {number:02}"), backend, "l1")
    client = as_user(manager)
    first = client.get(reverse("ladders:team"))
    assert len(first.context["rows"]) == TEAM_PAGE
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("ladders:team"), {"page": 2, "against": "current"})
    assert [row["person"].name for row in second.context["rows"]] == [f"Report {n:02}" for n in range(TEAM_PAGE, TEAM_PAGE + 5)]
    assert second.context["against"] == "current"


def test_it_chooses_the_framework_over_the_whole_team_not_the_page(as_user, manager, backend):
    data = publish(document(slug="data", levels=3, competencies=2))
    for number in range(TEAM_PAGE):  # page 1: nobody placed
        UserFactory(manager=manager, name=f"A Report {number:02}")
    for number in range(3):  # page 2: placed on "data"
        place(UserFactory(manager=manager, name=f"Z Report {number}"), data, "l1")
    client = as_user(manager)
    first = client.get(reverse("ladders:team"))
    assert first.context["framework"].slug == "data"
    assert "Page 1 of 2" in first.text
    second = client.get(reverse("ladders:team"), {"page": 2})
    assert second.context["framework"].slug == "data"
    assert [row["level"].code for row in second.context["rows"]] == ["l1", "l1", "l1"]


def test_it_shows_the_most_used_framework_and_offers_the_others(as_user, manager, team):
    other = publish(document(slug="data", levels=3, competencies=2))
    place(UserFactory(manager=manager), other, "l1")
    client = as_user(manager)
    response = client.get(reverse("ladders:team"))
    assert response.context["framework"].slug == "backend"
    assert [f.slug for f in response.context["frameworks"]] == ["backend", "data"]
    chosen = client.get(reverse("ladders:team"), {"framework": "data"})
    assert chosen.context["framework"].slug == "data"
    assert len(chosen.context["rubric"].competencies) == 2


def test_it_falls_back_to_defaults_for_unknown_choices(as_user, manager, team):
    response = as_user(manager).get(reverse("ladders:team"), {"against": "sideways", "framework": "nope", "page": "abc"})
    assert response.status_code == 200
    assert response.context["against"] == "next"
    assert response.context["framework"].slug == "backend"
    assert response.context["page"].number == 1


def test_it_refuses_to_post_to_the_team_page(as_user, manager):
    assert as_user(manager).post(reverse("ladders:team")).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(reverse("ladders:team"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- query counts --------------------------------------------------------------------


def _team_queries(as_user, *, slug: str, size: int, levels: int, competencies: int, areas: int) -> int:
    version = publish(document(slug=slug, levels=levels, competencies=competencies, areas=areas, fork_at=3))
    boss = UserFactory()
    leads = [UserFactory(manager=boss) for _ in range(size)]
    reports = [UserFactory(manager=lead) for lead in leads for _ in range(3)]
    for number, person in enumerate(leads + reports):
        place(person, version, "l2" if number % 2 else "l3-ic")
        if number % 3:
            submitted(person, boss if person in leads else person.manager, version, "l2", value=2)
    client = as_user(boss)
    url = reverse("ladders:team")
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["rows"]) == size
    assert response.context["team_size"] == 4 * size
    return len(captured)


def test_the_team_page_costs_the_same_queries_for_a_larger_team(as_user, db):
    small = _team_queries(as_user, slug="small", size=2, levels=4, competencies=3, areas=1)
    large = _team_queries(as_user, slug="large", size=20, levels=40, competencies=10, areas=3)
    assert small == large


def test_kept_rows_show_every_change_to_what_they_show(as_user, manager, engineer, peer, team, backend):
    client = as_user(manager)
    first = client.get(reverse("ladders:team")).text
    assert "Ada Okafor" in first

    engineer.name = "Ada Okafor-Lee"
    engineer.save()
    place(peer, backend, "l3", on=datetime.date(2025, 1, 1))
    assess(peer, manager, backend, "l3")

    again = client.get(reverse("ladders:team")).text
    assert "Ada Okafor-Lee" in again
    assert again.count("never") == first.count("never") - 1
    assert again != first
