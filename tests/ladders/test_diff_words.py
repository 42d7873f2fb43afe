"""The level diff marks the words of a reworded behaviour, and promises no marks it cannot show."""

from django.urls import reverse

from ladders.selectors.frameworks import level_diff, rubric_load
from tests.ladders.factories import document, publish


def two_levels() -> dict:
    doc = document(slug="backend", levels=2, competencies=3)
    same_proficiency = {"c0-1", "c0-2"}  # the factory raises c0-0 from level 1 to 2
    for competency in doc["areas"][0]["competencies"]:
        low, high = competency["expectations"]
        if competency["slug"] in same_proficiency:
            high["proficiency"] = low["proficiency"]
        if competency["slug"] == "c0-1":
            low["criteria"], high["criteria"] = ["Writes tests for their own code"], ["Writes tests for the whole team's code"]
        if competency["slug"] == "c0-2":
            low["criteria"], high["criteria"] = ["Keeps a tidy backlog"], ["Chairs the architecture forum every month"]
    return doc


def test_it_marks_the_words_of_a_reworded_behaviour(as_user, engineer, db):
    version = publish(two_levels())
    rubric = rubric_load(version)
    result = level_diff(rubric, rubric.level("l1"), rubric.level("l2"))
    changes = {i["competency"].slug: i["change"] for g in result["groups"] for i in g["items"]}

    assert changes["c0-1"] == "reworded"
    assert changes["c0-2"] == "rewritten"
    page = as_user(engineer).get(reverse("ladders:diff", args=["backend"]), {"from": "l1", "to": "l2"}).text
    assert "<del>their own</del>" in page
    assert "<ins>the whole team&#x27;s</ins>" in page
    assert "1 reworded" in page and "1 with different behaviours" in page
    assert "Different behaviours" in page
    assert "where a behaviour is only reworded, the words that changed are marked" in page
