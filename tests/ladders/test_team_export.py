"""The team's CSV export: the page's people and filters, for managers (their tree) and HR (anyone)."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ladders.models import Assessment
from ladders.selectors import team as team_selectors
from tests.ladders.factories import assess, document, place, publish, submitted
from tests.people.factories import UserFactory

URL = reverse("ladders:team_export")
HEADER = ["Name", "E-mail", "Manager", "Framework", "Level", "Track", "Last manager assessment"]


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


@pytest.fixture
def team(engineer, peer, manager, backend):
    """Ada at Level 2 with an agreed assessment, Sam at Level 2 never assessed."""
    place(engineer, backend, "l2")
    place(peer, backend, "l2")
    assess(engineer, manager, backend, "l3", values={"c0-0": 2, "c0-1": 2, "c0-2": 4})
    return engineer, peer


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def _by_email(rows: list[list[str]]) -> dict[str, list[str]]:
    return {row[1]: row for row in rows[1:]}


def test_it_exports_a_managers_team_with_levels_and_gaps(as_user, manager, team):
    engineer, _ = team
    response = as_user(manager).get(URL)
    assert response["Content-Disposition"].startswith('attachment; filename="marcus-chen-')
    rows = _csv(response)
    assert rows[0] == HEADER + ["Gap: Competency 0.0", "Gap: Competency 0.1", "Gap: Competency 0.2"]
    ada = _by_email(rows)["engineer@example.com"]
    when = timezone.localdate(Assessment.objects.get(subject=engineer, kind="manager").submitted_at).isoformat()
    # Level 3 requires 3, 2, 3; assessed 2, 2, 4: negative is above what is expected.
    assert ada == ["Ada Okafor", "engineer@example.com", "Marcus Chen", "Backend", "Level 2", "Individual Contributor", when, "1", "0", "-1"]
    assert _by_email(rows)["peer@example.com"][6:] == ["", "", "", ""]


def test_it_exports_the_whole_tree_below_with_their_managers(as_user, skip_level, manager, team):
    rows = _csv(as_user(skip_level).get(URL))
    assert [(row[0], row[2]) for row in rows[1:]] == [
        ("Ada Okafor", "Marcus Chen"),
        ("Sam Rivera", "Marcus Chen"),
        ("Marcus Chen", "Daniel Osei"),  # no level: after the people on the framework
    ]
    assert _by_email(rows)["manager@example.com"][3:6] == ["", "", ""]


def test_it_exports_only_the_managers_own_tree(as_user, manager, outsider, team, backend):
    place(outsider, backend, "l1")
    emails = set(_by_email(_csv(as_user(manager).get(URL))))
    assert emails == {"engineer@example.com", "peer@example.com"}


def test_hr_exports_everyone_or_a_chosen_team(as_user, hr, manager, outsider, team):
    everyone = set(_by_email(_csv(as_user(hr).get(URL))))
    assert {"engineer@example.com", "peer@example.com", "manager@example.com", "outsider@example.com", "hr@example.com"} <= everyone
    chosen = _csv(as_user(hr).get(URL, {"under": manager.pk}))
    assert set(_by_email(chosen)) == {"engineer@example.com", "peer@example.com"}


@pytest.mark.parametrize("who", ["engineer", "outsider"])
def test_someone_without_reports_gets_nothing(as_user, request, team, who):
    assert as_user(request.getfixturevalue(who)).get(URL).status_code == 404


@pytest.mark.parametrize("who", ["engineer", "peer", "outsider"])
def test_it_exports_no_team_outside_ones_own_line(as_user, request, manager, skip_level, team, who):
    for under in (manager.pk, skip_level.pk, "abc", "99999999"):
        assert as_user(request.getfixturevalue(who)).get(URL, {"under": under}).status_code == 404, under


def test_it_applies_the_filters(as_user, manager, team, backend, engineer):
    place(engineer, backend, "l3", on=datetime.date(2025, 1, 1))
    by_level = _by_email(_csv(as_user(manager).get(URL, {"level": "l3"})))
    assert set(by_level) == {"engineer@example.com"}
    stale = _by_email(_csv(as_user(manager).get(URL, {"stale": "1"})))
    assert set(stale) == {"peer@example.com"}


def test_it_refuses_filters_it_does_not_understand(as_user, manager, team):
    response = as_user(manager).get(URL, {"level": "nope", "sort": "salary"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == (
        "Nothing exported:\nBackend has no level “nope”.\nThere is no sorting by “salary”.\n"
    )


def test_it_keeps_spreadsheets_from_running_cells_as_formulas(as_user, manager, backend):
    for name in ("=HYPERLINK(\"http://x\")", "+1 Plus", "-2 Minus", "@SUM(A1)", "Plain Name"):
        place(UserFactory(manager=manager, name=name), backend, "l2")
    names = [row[0] for row in _csv(as_user(manager).get(URL))[1:]]
    assert sorted(names) == sorted(["'+1 Plus", "'-2 Minus", "'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "Plain Name"])


def test_it_writes_level_titles_never_their_codes(as_user, ft, manager, engineer, peer):
    place(engineer, ft, "senior-1")
    place(peer, ft, "senior-2-ic")
    body = "\n".join(",".join(row) for row in _csv(as_user(manager).get(URL)))
    assert "Senior Engineer 1" in body and "Senior Engineer 2 (Individual Contributor)" in body
    for code in ("junior", "senior-1", "senior-2-ic", "senior-2-pm", "principal-ic", "principal-pm", "tech-director"):
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", body), code


def test_it_refuses_anything_but_get(as_user, manager, team):
    assert as_user(manager).post(URL).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def _export_queries(as_user, *, people: int, slug: str) -> int:
    version = publish(document(slug=slug, levels=4, competencies=3))
    boss = UserFactory()
    leads = [UserFactory(manager=boss) for _ in range(3)]
    for number in range(people):
        person = UserFactory(manager=leads[number % 3])
        place(person, version, "l2")
        if number % 2:
            submitted(person, person.manager, version, "l2", value=2)
    client = as_user(boss)
    with CaptureQueriesContext(connection) as captured:
        rows = _csv(client.get(URL))
    assert len(rows) == 1 + 3 + people
    return len(captured)


def test_it_reads_a_chunk_of_people_per_query(as_user, db, monkeypatch):
    monkeypatch.setattr(team_selectors, "EXPORT_CHUNK", 10)
    small = _export_queries(as_user, people=6, slug="small")  # one chunk
    large = _export_queries(as_user, people=36, slug="large")  # four chunks: three more reads of ratings
    assert large == small + 3
