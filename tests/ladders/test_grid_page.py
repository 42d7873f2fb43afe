"""The competency × level grid of a track."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from ladders.selectors.frameworks import published_caches_clear
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish

GRID = reverse("ladders:grid", args=["backend"])


def forked() -> dict:
    """Four rungs, two tracks from rung 3; one criterion written in Markdown."""
    doc = document(slug="backend", levels=4, competencies=2, areas=2, fork_at=3)
    doc["areas"][0]["competencies"][0]["expectations"][0]["criteria"][0] = "Writes **clear** [notes](https://example.com)"
    return doc


@pytest.fixture
def version(db):
    return publish(forked())


def cells(page: str) -> list[str]:
    return re.findall(r'<td class="cgrid__cell[^"]*">', page)


def test_it_lays_out_competencies_by_area_against_the_tracks_levels(as_user, engineer, version):
    page = as_user(engineer).get(GRID).text

    headers = re.findall(r'<th scope="col" class="cgrid__level[^"]*">\s*<a href="[^"]*">([^<]+)</a>', page)
    assert headers == ["Level 1", "Level 2", "Level 3 IC", "Level 4 IC"]
    assert re.findall(r'<th scope="rowgroup"[^>]*><span>([^<]+)</span>', page) == ["Area 0", "Area 1"]
    assert len(cells(page)) == 4 * 4  # four competencies, four levels on the track
    # The first line without its markup; the whole text, rendered, when opened.
    assert '<span class="cgrid__first">Writes clear notes</span>' in page
    assert '<strong>clear</strong>' in page


def test_it_shows_another_track_when_asked(as_user, engineer, version):
    page = as_user(engineer).get(GRID, {"track": "mgr"}).text

    headers = re.findall(r'<th scope="col" class="cgrid__level[^"]*">\s*<a href="[^"]*">([^<]+)</a>', page)
    assert headers == ["Level 1", "Level 2", "Level 3 Manager", "Level 4 Manager"]
    assert '<a href="?track=mgr" aria-current="page">Manager</a>' in page


def test_it_marks_the_readers_level_and_the_next_one(as_user, engineer, peer, version):
    place(engineer, version, "l2")
    place(peer, version, "l3-ic", track="ic")

    mine = as_user(engineer).get(GRID).text
    theirs = as_user(peer).get(GRID).text

    def marked(page: str, kind: str) -> list[str]:
        table = page.split('class="grid-phone"')[0]
        return re.findall(rf'class="cgrid__level cgrid--{kind}">\s*<a href="[^"]*/levels/([^/]+)/"', table)

    assert (marked(mine, "mine"), marked(mine, "next")) == (["l2"], ["l3-ic"])
    assert (marked(theirs, "mine"), marked(theirs, "next")) == (["l3-ic"], ["l4-ic"])
    # Every cell of the reader's column is marked too, for the table and the phone cards.
    assert mine.count("cgrid--mine") == 1 + 4 + 4


def test_it_opens_on_the_readers_own_track(as_user, engineer, version):
    place(engineer, version, "l4-mgr", track="mgr")
    page = as_user(engineer).get(GRID).text
    assert '<a href="?track=mgr" aria-current="page">Manager</a>' in page
    assert "cgrid--next" not in page  # nothing above the top of the track


def test_it_says_when_a_track_does_not_exist(as_user, engineer, version):
    response = as_user(engineer).get(GRID, {"track": "nope"})
    assert response.status_code == 404
    assert "There is no track “nope” in Backend" in response.text
    assert len(cells(response.text)) == 16


def test_it_shows_inherited_cells_in_a_framework_whose_levels_build_on_each_other(as_user, engineer, db):
    doc = document(slug="backend", levels=3, competencies=1)
    doc["levels_include_lower"] = True
    doc["areas"][0]["competencies"][0]["expectations"].pop()  # nothing said at level 3
    publish(doc)

    page = as_user(engineer).get(GRID).text
    assert '<span class="badge badge--inherited">As Level 2</span>' in page
    assert "Not expected" not in page


def test_it_answers_only_get_and_only_to_people_signed_in(client, as_user, engineer, version):
    assert as_user(engineer).post(GRID).status_code == 405
    response = client.get(GRID)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_costs_the_same_queries_for_a_larger_framework(as_user, engineer, db):
    counts = []
    for levels, competencies in ((3, 2), (8, 12)):
        publish(document(slug="backend", levels=levels, competencies=competencies, areas=3))
        published_caches_clear()
        counts.append(page_queries(as_user(engineer), GRID))
    assert counts[0] == counts[1]
