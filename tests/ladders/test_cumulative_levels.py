"""Frameworks whose levels build on each other: `levels_include_lower`."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ladders import formats
from ladders.models import FrameworkVersion
from ladders.selectors.frameworks import level_diff, rubric_load, version_export
from ladders.services.frameworks import framework_import
from tests.ladders.factories import document, publish


def cumulative_document() -> dict:
    """Each level states only what it adds; level 3 says nothing about Competency 0.1."""
    doc = document(slug="backend", levels=3, competencies=2)
    doc["levels_include_lower"] = True
    for competency in doc["areas"][0]["competencies"]:
        for expectation in competency["expectations"]:
            expectation["criteria"] = [f"{competency['name']}: what {expectation['level']} adds"]
    quiet = doc["areas"][0]["competencies"][1]
    quiet["expectations"] = [e for e in quiet["expectations"] if e["level"] != "l3"]
    return doc


@pytest.fixture
def version(db):
    return publish(cumulative_document())


def test_it_shows_inherited_expectations_marked_with_their_level(as_user, engineer, version):
    page = as_user(engineer).get(reverse("ladders:level", args=["backend", "l3"])).text

    assert "Competency 0.0: what l3 adds" in page
    assert "Competency 0.0: what l2 adds" in page
    assert "Competency 0.0: what l1 adds" in page
    assert page.count("badge--inherited") >= 4
    assert 'Inherited</span> from <a href="/ladders/backend/levels/l2/">Level 2</a>' in page
    assert "each level includes the expectations of the levels below it" in page


def test_it_shows_a_competency_the_level_does_not_mention_as_still_expected(as_user, engineer, version):
    rubric = rubric_load(version)
    level = rubric.level("l3")
    quiet = rubric.competency("c0-1")
    item = next(i for g in rubric.grouped(level) for i in g["items"] if i["competency"] == quiet)

    assert item["expectation"] is None
    assert [c["level"].code for c in item["inherited"]] == ["l2", "l1"]
    assert item["proficiency"] == rubric.expectation(quiet, rubric.level("l2")).proficiency
    page = as_user(engineer).get(reverse("ladders:level", args=["backend", "l3"])).text
    assert "Competency 0.1: what l2 adds" in page


def test_it_never_calls_lower_criteria_missing_from_the_higher_level(as_user, engineer, version):
    rubric = rubric_load(version)
    result = level_diff(rubric, rubric.level("l2"), rubric.level("l3"))

    assert "dropped" not in result["totals"]
    assert result["totals"] == {"raised": 1, "carried": 1}
    kinds = {i["competency"].slug: [r["kind"] for r in i["right"]] for g in result["groups"] for i in g["items"]}
    # Level 3's own line is added; level 2's and level 1's are still expected.
    assert kinds["c0-0"] == ["added", "carried", "carried"]
    page = as_user(engineer).get(reverse("ladders:diff", args=["backend"]), {"from": "l2", "to": "l3"}).text
    assert "Not at the higher level" not in page
    assert "No longer expected" not in page
    assert "Still expected" in page


def test_it_compares_downwards_as_before(version):
    rubric = rubric_load(version)
    result = level_diff(rubric, rubric.level("l3"), rubric.level("l2"))
    assert not result["cumulative"]
    assert result["totals"]["new"] == 1


def test_it_leaves_frameworks_written_out_in_full_alone(db):
    doc = document(slug="full", levels=3, competencies=2)
    doc["areas"][0]["competencies"][1]["expectations"].pop()
    rubric = rubric_load(publish(doc))
    top = rubric.level("l3")

    assert all(not i["inherited"] for g in rubric.grouped(top) for i in g["items"])
    assert level_diff(rubric, rubric.level("l2"), top)["totals"]["dropped"] == 1


def test_it_round_trips_through_export_and_import(version):
    exported = formats.dump(version_export(version))
    assert "levels_include_lower: true" in exported

    parsed = formats.parse(exported)
    assert parsed["levels_include_lower"] is True
    again = framework_import(document=parsed)
    assert again.unchanged

    turned_off = dict(parsed, levels_include_lower=False)
    draft = framework_import(document=turned_off).version
    assert draft.status == FrameworkVersion.Status.DRAFT and not draft.levels_include_lower
    assert "levels_include_lower" not in formats.dump(version_export(draft))


def test_it_rejects_a_setting_that_is_not_true_or_false(db):
    text = formats.dump(cumulative_document()).replace("levels_include_lower: true", "levels_include_lower: sometimes")
    with pytest.raises(formats.FrameworkFileError) as error:
        formats.parse(text)
    assert any(p.field == "levels_include_lower" for p in error.value.problems)


def test_it_calls_added_criteria_at_the_same_proficiency_more_expected(version):
    rubric = rubric_load(version)
    result = level_diff(rubric, rubric.level("l1"), rubric.level("l2"))
    assert result["totals"] == {"raised": 1, "extended": 1}
