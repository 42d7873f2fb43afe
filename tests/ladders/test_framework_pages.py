"""The pages engineers read frameworks on: index, overview, level, competency, diff, search, export."""

import pytest
from django.urls import reverse

from ladders.services.frameworks import framework_import
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish

HTMX = {"HX-Request": "true"}

# Real content of the FT framework (ladders/data/ft-engineering.yml).
SENIOR_1_PLANNING = "Breaks down large, complex technical plans into manageable tasks."



@pytest.fixture
def small(db):
    return publish(document(slug="small", levels=4, competencies=3, fork_at=3))


@pytest.fixture
def large(db):
    return publish(document(slug="large", levels=30, competencies=10, areas=2, fork_at=3))


# --- index ---------------------------------------------------------------------------


def test_it_lists_published_frameworks(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:index"))
    assert response.status_code == 200
    assert "Engineering" in response.text
    assert reverse("ladders:overview", args=["engineering"]) in response.text


def test_it_leaves_frameworks_with_only_a_draft_off_the_index(as_user, hr, engineer):
    framework_import(document=document(slug="unreleased"), publish=False)
    for user in (engineer, hr):
        response = as_user(user).get(reverse("ladders:index"))
        assert "Unreleased" not in response.text
        assert "No framework has been published yet" in response.text


def test_it_refuses_to_post_to_the_index(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:index")).status_code == 405


# --- overview ------------------------------------------------------------------------


def test_it_shows_the_ladder_with_every_level_and_competency(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:overview", args=["engineering"]))
    assert response.status_code == 200
    assert "Senior Engineer 2 (Individual Contributor)" in response.text
    assert "Technology Director" in response.text
    assert "Planning and Organising" in response.text
    assert "Shared by 2 tracks" in response.text
    assert "You are here" not in response.text


def test_it_marks_the_readers_own_level(as_user, engineer, ft):
    place(engineer, ft, "senior-1")
    response = as_user(engineer).get(reverse("ladders:overview", args=["engineering"]))
    assert response.context["my_level_code"] == "senior-1"
    assert "You are here" in response.text


def test_it_404s_for_an_unknown_framework(as_user, engineer, ft):
    assert as_user(engineer).get(reverse("ladders:overview", args=["nope"])).status_code == 404


@pytest.mark.parametrize("number", ["7", "abc", "0"])
def test_it_404s_for_an_unknown_version(as_user, engineer, ft, number):
    response = as_user(engineer).get(reverse("ladders:overview", args=["engineering"]), {"v": number})
    assert response.status_code == 404


def test_it_refuses_to_post_to_the_overview(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:overview", args=["engineering"])).status_code == 405


# --- level ---------------------------------------------------------------------------


def test_it_shows_a_level_with_its_expectations(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:level", args=["engineering", "senior-1"]))
    assert response.status_code == 200
    assert response.context["level"].title == "Senior Engineer 1"
    assert "<h1>Senior Engineer 1</h1>" in response.text
    assert SENIOR_1_PLANNING in response.text
    # Two tracks fork after Senior Engineer 1: both are offered as next steps.
    assert [lv.code for lv in response.context["next_levels"]] == ["senior-2-ic", "senior-2-pm"]
    assert response.context["previous"].code == "engineer"


def test_it_marks_what_a_level_raises_since_the_one_below(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:level", args=["engineering", "senior-2-ic"]))
    changes = {
        item["competency"].slug: item["change"] for group in response.context["groups"] for item in group["items"]
    }
    assert changes["planning-organising"] == "raised"
    assert 'class="badge badge--raised"' in response.text


def test_it_404s_for_an_unknown_level(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:level", args=["engineering", "wizard"]))
    assert response.status_code == 404


def test_it_refuses_to_post_to_a_level(as_user, engineer):
    response = as_user(engineer).post(reverse("ladders:level", args=["engineering", "senior-1"]))
    assert response.status_code == 405


# --- competency ----------------------------------------------------------------------


def test_it_shows_a_competency_across_the_levels(as_user, engineer, ft):
    url = reverse("ladders:competency", args=["engineering", "planning-organising"])
    response = as_user(engineer).get(url)
    assert response.status_code == 200
    assert "<h1>Planning and Organising</h1>" in response.text
    assert SENIOR_1_PLANNING in response.text
    rows = {row["level"].code: row for row in response.context["rows"]}
    assert len(rows) == 8
    assert rows["senior-2-ic"]["raised"] is True
    assert rows["senior-1"]["raised"] is False  # Foundational at both Engineer and Senior 1


def test_it_404s_for_an_unknown_competency(as_user, engineer, ft):
    url = reverse("ladders:competency", args=["engineering", "juggling"])
    assert as_user(engineer).get(url).status_code == 404


def test_it_refuses_to_post_to_a_competency(as_user, engineer):
    url = reverse("ladders:competency", args=["engineering", "planning-organising"])
    assert as_user(engineer).post(url).status_code == 405


# --- diff ----------------------------------------------------------------------------


def test_it_shows_what_changes_between_two_levels(as_user, engineer, ft):
    url = reverse("ladders:diff", args=["engineering"])
    response = as_user(engineer).get(url, {"from": "senior-1", "to": "senior-2-ic"})
    assert response.status_code == 200
    result = response.context["result"]
    assert result["from"].code == "senior-1" and result["to"].code == "senior-2-ic"
    changes = {item["competency"].slug: item["change"] for group in result["groups"] for item in group["items"]}
    assert changes["planning-organising"] == "raised"
    assert f'<span class="badge badge--raised">{result["totals"]["raised"]} raised</span>' in response.text
    assert "Senior Engineer 1 → Senior Engineer 2 (Individual Contributor)" in response.text


def test_it_starts_the_diff_from_the_readers_level(as_user, engineer, ft):
    place(engineer, ft, "senior-1", track="pm")
    response = as_user(engineer).get(reverse("ladders:diff", args=["engineering"]))
    assert (response.context["from_code"], response.context["to_code"]) == ("senior-1", "senior-2-pm")


def test_it_starts_the_diff_from_the_first_level_for_someone_not_placed(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:diff", args=["engineering"]))
    assert (response.context["from_code"], response.context["to_code"]) == ("junior", "engineer")
    assert response.context["result"] is not None


def test_it_rejects_unknown_levels_in_the_diff(as_user, engineer, ft):
    url = reverse("ladders:diff", args=["engineering"])
    response = as_user(engineer).get(url, {"from": "senior-1", "to": "wizard"})
    assert response.status_code == 400
    assert response.context["result"] is None
    assert "There is no level “wizard” in Engineering" in response.text


def test_it_asks_for_two_different_levels(as_user, engineer, ft):
    url = reverse("ladders:diff", args=["engineering"])
    response = as_user(engineer).get(url, {"from": "senior-1", "to": "senior-1"})
    assert response.context["result"] is None
    assert "Choose two different levels to compare." in response.text


def test_it_asks_for_both_levels_when_one_is_missing(as_user, engineer, ft):
    url = reverse("ladders:diff", args=["engineering"])
    response = as_user(engineer).get(url, {"from": "senior-1"})
    assert response.status_code == 400
    assert "Choose both levels to compare." in response.text


def test_it_returns_only_the_diff_to_htmx(as_user, engineer, ft):
    url = reverse("ladders:diff", args=["engineering"])
    response = as_user(engineer).get(url, {"from": "senior-1", "to": "senior-2-ic"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="diff-result"')
    assert "badge--raised" in response.text


def test_it_returns_the_diff_error_to_htmx_as_a_partial(as_user, engineer, ft):
    url = reverse("ladders:diff", args=["engineering"])
    response = as_user(engineer).get(url, {"from": "nope", "to": "senior-1"}, headers=HTMX)
    assert response.status_code == 400
    assert "<html" not in response.text
    assert "There is no level “nope”" in response.text


def test_it_refuses_to_post_to_the_diff(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:diff", args=["engineering"])).status_code == 405


# --- search --------------------------------------------------------------------------


def test_it_finds_expectations_by_their_words(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:search"), {"q": "manageable tasks"})
    assert response.status_code == 200
    found = [(e.level.code, e.competency.slug) for e in response.context["results"]]
    assert ("senior-1", "planning-organising") in found
    assert "<mark>manageable</mark>" in response.text


def test_it_says_when_nothing_matches(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:search"), {"q": "xylophone"})
    assert response.context["results"] == []
    assert "Nothing mentions “xylophone”" in response.text


def test_it_shows_an_empty_search_form_without_a_query(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:search"))
    assert response.status_code == 200
    assert 'id="search-q"' in response.text
    assert response.context["results"] == []


def test_it_does_not_search_drafts_or_older_versions(as_user, hr, small):
    doc = document(slug="small", levels=4, competencies=3, fork_at=3)
    doc["areas"][0]["competencies"][0]["expectations"][0]["criteria"] = ["Only in the draft: zeppelin"]
    framework_import(document=doc, publish=False)
    response = as_user(hr).get(reverse("ladders:search"), {"q": "zeppelin"})
    assert response.context["results"] == []


def test_it_returns_only_the_results_to_htmx(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:search"), {"q": "estimation"}, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<div id="search-results"')
    assert "<mark>estimation</mark>" in response.text


def test_it_cuts_an_overlong_query(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:search"), {"q": "tasks " + "x" * 500})
    assert response.status_code == 200
    assert len(response.context["query"]) == 200
    assert response.context["results"] == []


def test_it_refuses_to_post_a_search(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:search"), {"q": "x"}).status_code == 405


# --- export --------------------------------------------------------------------------


def test_it_downloads_the_framework_as_yaml(as_user, engineer, ft):
    response = as_user(engineer).get(reverse("ladders:export", args=["engineering"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/yaml")
    assert response["Content-Disposition"] == 'attachment; filename="engineering-v1.yml"'
    assert "Senior Engineer 1" in response.text
    assert SENIOR_1_PLANNING in response.text


def test_it_404s_the_export_of_an_unknown_framework(as_user, engineer):
    assert as_user(engineer).get(reverse("ladders:export", args=["nope"])).status_code == 404


def test_it_refuses_to_post_to_the_export(as_user, engineer):
    assert as_user(engineer).post(reverse("ladders:export", args=["engineering"])).status_code == 405


# --- everyone must sign in -----------------------------------------------------------


@pytest.mark.parametrize(
    "name, args",
    [
        ("ladders:index", []),
        ("ladders:search", []),
        ("ladders:overview", ["engineering"]),
        ("ladders:level", ["engineering", "senior-1"]),
        ("ladders:competency", ["engineering", "planning-organising"]),
        ("ladders:diff", ["engineering"]),
        ("ladders:export", ["engineering"]),
    ],
)
def test_it_sends_anonymous_readers_to_sign_in(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


# --- versions ------------------------------------------------------------------------


def _second_version(doc: dict) -> dict:
    doc = {**doc, "change_notes": "Level 2 renamed."}
    doc["levels"] = [dict(lv) for lv in doc["levels"]]
    doc["levels"][1]["title"] = "Level Two Renamed"
    return doc


def test_it_reads_an_older_version_with_a_banner(as_user, engineer):
    v1 = publish(document(slug="backend"))
    v2 = publish(_second_version(document(slug="backend")))
    assert (v1.number, v2.number) == (1, 2)
    client = as_user(engineer)
    url = reverse("ladders:level", args=["backend", "l2"])

    old = client.get(url, {"v": "1"})
    assert old.status_code == 200
    assert "<h1>Level 2</h1>" in old.text
    assert "You are reading version 1" in old.text
    assert "Read the current version (2)" in old.text

    current = client.get(url)
    assert "<h1>Level Two Renamed</h1>" in current.text
    assert "You are reading version" not in current.text


def test_it_keeps_the_chosen_version_in_links(as_user, engineer):
    publish(document(slug="backend"))
    publish(_second_version(document(slug="backend")))
    response = as_user(engineer).get(reverse("ladders:overview", args=["backend"]), {"v": "1"})
    assert "Level Two Renamed" not in response.text
    assert reverse("ladders:level", args=["backend", "l2"]) + "?v=1" in response.text
    assert [v.number for v in response.context["versions"]] == [2, 1]


# --- query counts --------------------------------------------------------------------


def test_the_overview_costs_the_same_queries_for_a_larger_framework(as_user, engineer, small, large):
    client = as_user(engineer)
    assert page_queries(client, reverse("ladders:overview", args=["small"])) == page_queries(
        client, reverse("ladders:overview", args=["large"])
    )


def test_a_level_costs_the_same_queries_for_a_larger_framework(as_user, engineer, small, large):
    client = as_user(engineer)
    assert page_queries(client, reverse("ladders:level", args=["small", "l3-ic"])) == page_queries(
        client, reverse("ladders:level", args=["large", "l25-ic"])
    )


def test_a_competency_costs_the_same_queries_for_a_larger_framework(as_user, engineer, small, large):
    client = as_user(engineer)
    assert page_queries(client, reverse("ladders:competency", args=["small", "c0-1"])) == page_queries(
        client, reverse("ladders:competency", args=["large", "c1-9"])
    )


def test_the_diff_costs_the_same_queries_for_a_larger_framework(as_user, engineer, small, large):
    client = as_user(engineer)
    small_url = reverse("ladders:diff", args=["small"]) + "?from=l2&to=l4-mgr"
    large_url = reverse("ladders:diff", args=["large"]) + "?from=l2&to=l30-mgr"
    assert page_queries(client, small_url) == page_queries(client, large_url)
    assert page_queries(client, small_url, headers=HTMX) == page_queries(client, large_url, headers=HTMX)


def test_the_search_costs_the_same_queries_with_more_results(as_user, engineer, small):
    client = as_user(engineer)
    url = reverse("ladders:search") + "?q=behaviour"
    before = page_queries(client, url)
    publish(document(slug="large", levels=30, competencies=10, areas=2, fork_at=3))
    assert page_queries(client, url) == before
