"""My path, someone else's path, self and manager side by side, and starting an assessment.

The generated framework (factories.document) expects, for competency cN at
rung r: c0 and c2 proficiency r, c1 proficiency r - 1 (at least 1).
"""

import datetime

import pytest
from django.urls import reverse

from ladders.models import Assessment
from tests.conftest import flashed, page_queries
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
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


def _gaps(response) -> dict[str, int | None]:
    return {row["competency"].slug: row["gap"] for row in response.context["rows"]}


# --- home ----------------------------------------------------------------------------


def test_home_opens_my_path_once_i_have_a_level(as_user, placed):
    assert as_user(placed).get(reverse("home"))["Location"] == reverse("ladders:my_path")


def test_home_opens_the_ladders_before_i_have_a_level(as_user, engineer, backend):
    assert as_user(engineer).get(reverse("home"))["Location"] == reverse("ladders:index")


# --- my path -------------------------------------------------------------------------


def test_it_explains_that_no_level_is_recorded_yet(as_user, engineer, backend):
    response = as_user(engineer).get(reverse("ladders:my_path"))
    assert response.status_code == 200
    assert response.context["standing"] is None
    assert "No level recorded yet" in response.text


def test_it_shows_my_level_and_the_next_one(as_user, placed):
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.status_code == 200
    assert response.context["standing"].level.code == "l2"
    assert response.context["target"].code == "l3"
    assert "Level 2" in response.text and "Gap to Level 3" in response.text
    assert "No assessment has been submitted yet" in response.text
    assert [code for code, _ in response.context["start_form"].fields["level"].choices] == ["l2", "l3"]


def test_it_takes_the_gap_from_my_self_assessment_until_a_manager_assesses(as_user, placed, backend):
    assess(placed, placed, backend, "l3", values={"c0-0": 1, "c0-1": 2, "c0-2": 3})
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.context["agreed"] is None
    assert response.context["self_basis"] is True
    # Level 3 requires 3, 2, 3.
    assert _gaps(response) == {"c0-0": 2, "c0-1": 0, "c0-2": 0}
    assert "It becomes the agreed view once a manager assessment is submitted" in response.text


def test_it_takes_the_gap_from_the_latest_manager_assessment(as_user, placed, manager, skip_level, backend):
    assess(placed, placed, backend, "l3", default=5)
    agreed = assess(placed, manager, backend, "l3", values={"c0-0": 2, "c0-1": 2, "c0-2": 4})
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.context["agreed"] == agreed
    assert response.context["basis"] == agreed
    rows = {row["competency"].slug: row for row in response.context["rows"]}
    assert [(rows[s]["assessed"], rows[s]["target"], rows[s]["gap"]) for s in ("c0-0", "c0-1", "c0-2")] == [
        (2, 3, 1),
        (2, 2, 0),
        (4, 3, -1),
    ]
    assert response.context["open_gaps"] == 1
    assert "1 to grow" in response.text
    assert "1 of 3" in response.text
    assert "Marcus Chen" in response.text

    reports_to(placed, skip_level)  # a new manager's assessment is the agreed one
    later = assess(placed, skip_level, backend, "l3", values={"c0-0": 1, "c0-1": 1, "c0-2": 1})
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.context["agreed"] == later
    assert _gaps(response) == {"c0-0": 2, "c0-1": 1, "c0-2": 2}
    assert response.context["open_gaps"] == 3


def test_it_ignores_a_managers_draft_for_the_gap(as_user, placed, manager, backend):
    own = assess(placed, placed, backend, "l3", default=3)
    assess(placed, manager, backend, "l3", default=1, submit=False)
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.context["agreed"] is None
    assert response.context["basis"] == own


def test_it_measures_the_gap_against_a_chosen_target(as_user, placed, manager, backend):
    assess(placed, manager, backend, "l3", values={"c0-0": 2, "c0-1": 2, "c0-2": 4})
    response = as_user(placed).get(reverse("ladders:my_path"), {"target": "l2"})
    assert response.context["target"].code == "l2"
    # Level 2 requires 2, 1, 2.
    assert _gaps(response) == {"c0-0": 0, "c0-1": -1, "c0-2": -2}
    assert response.context["open_gaps"] == 0


def test_it_ignores_a_target_that_is_not_offered(as_user, placed, backend):
    response = as_user(placed).get(reverse("ladders:my_path"), {"target": "l4"})
    assert response.context["target"].code == "l3"


def test_it_shows_the_top_of_the_ladder(as_user, engineer, manager, backend):
    place(engineer, backend, "l4")
    assess(engineer, manager, backend, "l4", default=4)
    response = as_user(engineer).get(reverse("ladders:my_path"))
    assert response.context["target"].code == "l4"
    assert "Top of the ladder" in response.text
    assert _gaps(response) == {"c0-0": 0, "c0-1": -1, "c0-2": 0}


def test_it_offers_the_next_level_on_my_track_first(as_user, engineer):
    version = publish(document(slug="forked", levels=4, fork_at=3))
    place(engineer, version, "l2", track="mgr")
    response = as_user(engineer).get(reverse("ladders:my_path"))
    assert [lv.code for lv in response.context["standing"].next_levels] == ["l3-mgr", "l3-ic"]
    assert response.context["target"].code == "l3-mgr"


def test_it_follows_my_level_into_the_newest_version(as_user, placed, backend):
    doc = document(slug="backend", levels=4, competencies=3)
    doc["levels"][2]["title"] = "Level Three, Revised"
    publish(doc)
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.context["standing"].rubric.version.number == 2
    assert "Gap to Level Three, Revised" in response.text


def test_it_lists_my_level_history(as_user, engineer, backend):
    place(engineer, backend, "l1", on=datetime.date(2022, 3, 1))
    place(engineer, backend, "l2", on=datetime.date(2024, 3, 1))
    response = as_user(engineer).get(reverse("ladders:my_path"))
    assert [p.level.code for p in response.context["history"]] == ["l2", "l1"]
    assert "from 1 March 2022" in response.text


def test_it_offers_to_continue_my_draft(as_user, placed, backend):
    draft = assess(placed, placed, backend, "l3", submit=False)
    response = as_user(placed).get(reverse("ladders:my_path"))
    assert response.context["drafts"] == [draft]
    assert reverse("ladders:assessment", args=[draft.pk]) in response.text
    assert "Start self-assessment" not in response.text


def test_it_refuses_to_post_to_my_path(as_user, placed):
    assert as_user(placed).post(reverse("ladders:my_path")).status_code == 405


# --- someone else's path -------------------------------------------------------------


def test_a_manager_reads_a_reports_path(as_user, placed, manager):
    response = as_user(manager).get(reverse("ladders:person_path", args=[placed.pk]))
    assert response.status_code == 200
    assert response.context["person"] == placed
    assert response.context["is_me"] is False
    assert "<h1>Ada Okafor</h1>" in response.text
    assert "Assess Ada" in response.text
    assert "Start assessment" in response.text


def test_it_sends_me_from_my_own_person_path_to_my_path(as_user, placed):
    response = as_user(placed).get(reverse("ladders:person_path", args=[placed.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("ladders:my_path")


@pytest.mark.parametrize("persona", ["peer", "outsider"])
def test_it_hides_a_path_from_people_outside_the_reporting_line(as_user, placed, persona, request):
    viewer = request.getfixturevalue(persona)
    assert as_user(viewer).get(reverse("ladders:person_path", args=[placed.pk])).status_code == 404


def test_it_404s_for_an_unknown_or_departed_person(as_user, placed, manager):
    client = as_user(manager)
    assert client.get(reverse("ladders:person_path", args=[999999])).status_code == 404
    placed.is_active = False
    placed.save(update_fields=["is_active"])
    assert client.get(reverse("ladders:person_path", args=[placed.pk])).status_code == 404


def test_it_refuses_to_post_to_a_person_path(as_user, placed, manager):
    assert as_user(manager).post(reverse("ladders:person_path", args=[placed.pk])).status_code == 405


# --- side by side --------------------------------------------------------------------


def test_it_puts_self_and_manager_views_side_by_side(as_user, placed, manager, backend):
    assess(placed, placed, backend, "l3", values={"c0-0": 3, "c0-1": 2, "c0-2": 2}, evidence="Led the migration")
    agreed = assess(placed, manager, backend, "l3", values={"c0-0": 3, "c0-1": 1, "c0-2": 2})
    response = as_user(manager).get(reverse("ladders:compare", args=[placed.pk]))
    assert response.status_code == 200
    assert response.context["agreed"] == agreed
    differs = {row["competency"].slug: row["differs"] for row in response.context["rows"]}
    assert differs == {"c0-0": False, "c0-1": True, "c0-2": False}
    assert response.text.count("Views differ") == 1
    assert "Led the migration" in response.text


def test_it_compares_a_chosen_older_self_assessment(as_user, placed, manager, backend):
    first = assess(placed, placed, backend, "l2", default=1)
    assess(placed, placed, backend, "l3", default=4)
    url = reverse("ladders:compare", args=[placed.pk])
    response = as_user(manager).get(url, {"self": first.pk})
    assert response.context["own"] == first
    latest = as_user(manager).get(url)
    assert latest.context["own"] != first


def test_it_says_when_there_is_nothing_to_compare(as_user, placed):
    response = as_user(placed).get(reverse("ladders:compare", args=[placed.pk]))
    assert response.status_code == 200
    assert "No submitted assessments to compare yet." in response.text


def test_it_leaves_drafts_out_of_the_comparison(as_user, placed, manager, backend):
    assess(placed, manager, backend, "l3", submit=False)
    response = as_user(placed).get(reverse("ladders:compare", args=[placed.pk]))
    assert response.context["agreed"] is None


def test_it_will_not_compare_an_assessment_of_someone_else(as_user, placed, peer, manager, backend):
    place(peer, backend, "l2")
    theirs = assess(peer, peer, backend, "l3")
    response = as_user(manager).get(reverse("ladders:compare", args=[placed.pk]), {"self": theirs.pk})
    assert response.context["own"] is None


@pytest.mark.parametrize("persona", ["peer", "outsider"])
def test_it_hides_the_comparison_from_people_outside_the_reporting_line(as_user, placed, persona, request):
    viewer = request.getfixturevalue(persona)
    assert as_user(viewer).get(reverse("ladders:compare", args=[placed.pk])).status_code == 404


def test_it_ignores_a_choice_that_is_not_a_number(as_user, placed, manager, backend):
    agreed = assess(placed, manager, backend, "l3")
    response = as_user(manager).get(reverse("ladders:compare", args=[placed.pk]), {"manager": "latest", "self": ""})
    assert response.status_code == 200
    assert response.context["agreed"] == agreed


def test_it_refuses_to_post_to_the_comparison(as_user, placed):
    assert as_user(placed).post(reverse("ladders:compare", args=[placed.pk])).status_code == 405


# --- starting an assessment ----------------------------------------------------------


def test_it_starts_a_self_assessment(as_user, placed):
    response = as_user(placed).post(reverse("ladders:assessment_new", args=[placed.pk]), {"level": "l3"})
    draft = Assessment.objects.get(subject=placed)
    assert response.status_code == 302
    assert response["Location"] == reverse("ladders:assessment", args=[draft.pk])
    assert (draft.kind, draft.author, draft.level.code, draft.status) == ("self", placed, "l3", "draft")
    assert draft.ratings.count() == 3


def test_the_manager_starts_a_manager_assessment(as_user, placed, manager):
    response = as_user(manager).post(reverse("ladders:assessment_new", args=[placed.pk]), {"level": "l2"})
    draft = Assessment.objects.get(subject=placed)
    assert response["Location"] == reverse("ladders:assessment", args=[draft.pk])
    assert (draft.kind, draft.author) == ("manager", manager)


def test_a_skip_level_reads_the_path_but_does_not_assess(as_user, placed, skip_level):
    client = as_user(skip_level)
    page = client.get(reverse("ladders:person_path", args=[placed.pk]))
    assert page.status_code == 200
    assert page.context["can_assess"] is False
    response = client.post(reverse("ladders:assessment_new", args=[placed.pk]), {"level": "l2"})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_it_continues_the_open_draft_instead_of_starting_another(as_user, placed):
    client = as_user(placed)
    url = reverse("ladders:assessment_new", args=[placed.pk])
    first = client.post(url, {"level": "l3"})
    second = client.post(url, {"level": "l3"})
    assert first["Location"] == second["Location"]
    assert Assessment.objects.filter(subject=placed).count() == 1


def test_it_refuses_a_level_that_is_not_offered(as_user, placed):
    response = as_user(placed).post(reverse("ladders:assessment_new", args=[placed.pk]), {"level": "l4"})
    assert response.status_code == 302
    assert response["Location"] == reverse("ladders:my_path")
    assert flashed(response) == ["Choose the level to assess against from the list."]
    assert not Assessment.objects.exists()


def test_it_refuses_to_start_without_a_level_on_record(as_user, engineer, manager, backend):
    response = as_user(manager).post(reverse("ladders:assessment_new", args=[engineer.pk]), {"level": "l2"})
    assert response["Location"] == reverse("ladders:person_path", args=[engineer.pk])
    assert "has no level on a published framework yet" in flashed(response)[0]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("persona", ["hr", "peer", "outsider"])
def test_it_lets_only_the_person_and_their_managers_start_one(as_user, placed, persona, request):
    author = request.getfixturevalue(persona)
    response = as_user(author).post(reverse("ladders:assessment_new", args=[placed.pk]), {"level": "l2"})
    assert response.status_code == 404
    assert not Assessment.objects.exists()


def test_it_refuses_to_start_an_assessment_by_get(as_user, placed):
    assert as_user(placed).get(reverse("ladders:assessment_new", args=[placed.pk])).status_code == 405


# --- everyone must sign in -----------------------------------------------------------


def test_it_sends_anonymous_visitors_to_sign_in(client, placed):
    for method, url in [
        ("get", reverse("ladders:my_path")),
        ("get", reverse("ladders:person_path", args=[placed.pk])),
        ("get", reverse("ladders:compare", args=[placed.pk])),
        ("post", reverse("ladders:assessment_new", args=[placed.pk])),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    assert not Assessment.objects.exists()


# --- query counts --------------------------------------------------------------------


def _world(slug: str, *, levels: int, competencies: int, areas: int, history: int):
    """A manager and a report placed on their own framework, with `history` of everything."""
    version = publish(document(slug=slug, levels=levels, competencies=competencies, areas=areas))
    boss = UserFactory()
    person = UserFactory(manager=boss)
    for year in range(history):
        place(person, version, "l2" if year else "l1", on=datetime.date(2010 + year, 1, 1))
    for _ in range(history):
        submitted(person, person, version, "l3")
        submitted(person, boss, version, "l3", value=2)
    assess(person, person, version, "l3", submit=False)
    assess(person, boss, version, "l3", submit=False)
    return boss, person


def test_the_path_pages_cost_the_same_queries_for_more_data(as_user, db):
    small_boss, small = _world("small", levels=4, competencies=3, areas=1, history=1)
    large_boss, large = _world("large", levels=40, competencies=10, areas=3, history=10)
    assert page_queries(as_user(small), reverse("ladders:my_path")) == page_queries(
        as_user(large), reverse("ladders:my_path")
    ), "my path"
    for name in ("ladders:person_path", "ladders:compare"):
        assert page_queries(as_user(small_boss), reverse(name, args=[small.pk])) == page_queries(
            as_user(large_boss), reverse(name, args=[large.pk])
        ), name
