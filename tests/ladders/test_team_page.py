"""The team page: a manager's direct reports with the gap per competency, one team at a time."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ladders.selectors.team import TEAM_PAGE
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


def test_it_shows_the_whole_tree_grouped_and_opens_the_teams_below(as_user, skip_level, manager, team):
    client = as_user(skip_level)
    response = client.get(reverse("ladders:team"))
    assert response.status_code == 200
    # Marcus has no level: listed apart; his reports in the table, under his name.
    assert list(_rows(response)) == ["engineer@example.com", "peer@example.com"]
    assert [(g["name"], g["shown"]) for g in response.context["groups"]] == [("Marcus Chen", 2)]
    assert "Marcus Chen's team" in response.text and '<details class="team-group" open>' in response.text
    assert [p.name for p in response.context["unplaced"]] == ["Marcus Chen"]
    assert f'href="?under={manager.pk}"' in response.text
    assert "1 direct report, 3 people in the whole team" in response.text

    below = client.get(reverse("ladders:team"), {"under": manager.pk})
    assert below.status_code == 200
    assert list(_rows(below)) == ["engineer@example.com", "peer@example.com"]  # by name
    assert [m.pk for m in below.context["chain"]] == [skip_level.pk, manager.pk]
    assert "<h1>Marcus Chen's team</h1>" in below.text


def test_team_sizes_count_everyone_below_at_any_depth_but_not_leavers(as_user, skip_level, manager, engineer, peer, db):
    intern = UserFactory(manager=engineer)
    UserFactory(manager=intern)
    UserFactory(manager=engineer, is_active=False)
    backend = publish(document(slug="backend", levels=4, competencies=3))
    for person in (engineer, peer):
        place(person, backend, "l2")
    response = as_user(skip_level).get(reverse("ladders:team"))
    assert response.context["team_size"] == 5
    assert response.context["unplaced_count"] == 3  # Marcus and the two interns
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
    assert response.text.lstrip().startswith('<div id="team"')
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
    assert sam["cells"].assessment_pk is None and sam["gaps"] == []


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
    assert ada["cells"].assessment_pk == later.pk
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


def test_it_chooses_the_framework_over_the_whole_team_and_lists_the_unplaced_apart(as_user, manager, backend):
    data = publish(document(slug="data", levels=3, competencies=2))
    for number in range(TEAM_PAGE + 2):  # nobody placed: no empty rows, a list apart
        UserFactory(manager=manager, name=f"A Report {number:02}")
    for number in range(3):
        place(UserFactory(manager=manager, name=f"Z Report {number}"), data, "l1")
    response = as_user(manager).get(reverse("ladders:team"))
    assert response.context["framework"].slug == "data"
    assert [row["level"].code for row in response.context["rows"]] == ["l1", "l1", "l1"]
    assert "Page 1 of" not in response.text
    assert response.context["unplaced_count"] == TEAM_PAGE + 2
    assert len(response.context["unplaced"]) == TEAM_PAGE  # the rest are counted, and in the export
    assert "No level yet" in response.text and f"{TEAM_PAGE + 2} in all" in response.text


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
    first = client.get(url)
    assert len(first.context["rows"]) == min(4 * size, TEAM_PAGE)
    assert first.context["team_size"] == 4 * size
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)  # as a warm server answers: the page kept under the stamp
    assert response.status_code == 200
    assert response.text.count('<li class="team-card">') == first.text.count('<li class="team-card">') > 0
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
    assert again.count("never") < first.count("never")
    assert again != first


# --- Grouped by manager, sorted, filtered ----------------------------------------------------

import re  # noqa: E402

from django.utils import timezone  # noqa: E402

from ladders.models import Assessment  # noqa: E402
from ladders.selectors.team import six_months_before  # noqa: E402


def _text(html: str) -> str:
    """What a reader sees: the page without its tags, scripts or attributes."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def org(skip_level, manager, engineer, peer, backend):
    """Daniel leads Marcus (placed) and Tom; Marcus leads Ada, Sam and Zoe; Tom leads Uma."""
    tom = UserFactory(name="Tom Baker", manager=skip_level)
    uma = UserFactory(name="Uma Rao", manager=tom)
    zoe = UserFactory(name="Zoe Ito", manager=manager)
    for person in (manager, tom, uma, engineer, peer, zoe):
        place(person, backend, "l2")
    # Level 3 requires 3, 2, 3.
    assess(engineer, manager, backend, "l3", values={"c0-0": 2, "c0-1": 2, "c0-2": 3})  # total gap 1
    assess(zoe, manager, backend, "l3", values={"c0-0": 1, "c0-1": 1, "c0-2": 1})  # total gap 5
    assess(uma, tom, backend, "l3", default=3)  # met
    return {"tom": tom, "uma": uma, "zoe": zoe}


def _order(response) -> list[tuple[str, list[str]]]:
    return [(g["name"], [row["person"].name for row in g["rows"]]) for g in response.context["groups"]]


def test_it_groups_people_under_their_manager_in_org_chart_order(as_user, skip_level, org):
    response = as_user(skip_level).get(reverse("ladders:team"))
    assert _order(response) == [
        ("Daniel Osei", ["Marcus Chen", "Tom Baker"]),
        ("Marcus Chen", ["Ada Okafor", "Sam Rivera", "Zoe Ito"]),
        ("Tom Baker", ["Uma Rao"]),
    ]
    assert "Reporting to you" in response.text
    assert "2 people · 2 without a manager assessment in 6 months" in response.text  # Marcus and Tom, never
    assert "3 people · 1 without a manager assessment in 6 months" in response.text  # Sam, never
    assert response.text.count('<details class="team-group" open>') == 3
    assert response.context["team_size"] == 6 and response.context["direct"] == 2


def test_it_sorts_by_biggest_gap_within_each_group(as_user, skip_level, org):
    response = as_user(skip_level).get(reverse("ladders:team"), {"sort": "gap"})
    assert _order(response)[1] == ("Marcus Chen", ["Zoe Ito", "Ada Okafor", "Sam Rivera"])  # 5, 1, never
    assert '<option value="gap" selected>' in response.text


def test_it_sorts_by_least_recently_assessed(as_user, skip_level, org, engineer):
    Assessment.objects.filter(subject=engineer).update(submitted_at=timezone.now() - datetime.timedelta(days=90))
    response = as_user(skip_level).get(reverse("ladders:team"), {"sort": "assessed"})
    assert _order(response)[1] == ("Marcus Chen", ["Sam Rivera", "Ada Okafor", "Zoe Ito"])  # never, 90 days, today


def test_it_filters_by_level_shown_by_its_title(as_user, skip_level, org, backend, engineer):
    place(engineer, backend, "l3", on=datetime.date(2025, 1, 1))
    response = as_user(skip_level).get(reverse("ladders:team"), {"level": "l3"})
    assert list(_rows(response)) == ["engineer@example.com"]
    assert '<option value="l3" selected>Level 3</option>' in response.text
    assert "1 person on Backend matching the filters" in response.text


def test_it_filters_by_track(as_user, skip_level, manager, engineer, peer):
    forked = publish(document(slug="forked", levels=4, competencies=2, fork_at=3))
    place(engineer, forked, "l3-ic")
    place(peer, forked, "l3-mgr")
    response = as_user(skip_level).get(reverse("ladders:team"), {"track": "mgr"})
    assert list(_rows(response)) == ["peer@example.com"]
    assert '<option value="mgr" selected>Manager</option>' in response.text


def test_it_filters_those_not_assessed_in_six_months_to_the_day(as_user, skip_level, org, engineer):
    zone = timezone.get_current_timezone()
    edge = six_months_before(timezone.localdate())
    at_the_edge = datetime.datetime.combine(edge, datetime.time(9), zone)
    Assessment.objects.filter(subject=engineer).update(submitted_at=at_the_edge)  # exactly six months: recent enough
    Assessment.objects.filter(subject=org["zoe"]).update(submitted_at=at_the_edge - datetime.timedelta(days=1))
    response = as_user(skip_level).get(reverse("ladders:team"), {"stale": "1"})
    shown = {row["person"].name for row in response.context["rows"]}
    assert shown == {"Marcus Chen", "Tom Baker", "Sam Rivera", "Zoe Ito"}  # never assessed, or a day too long ago
    assert '<input type="checkbox" id="team-stale" name="stale" value="1" checked>' in response.text
    assert "over 6 months" in response.text


def test_six_months_before_keeps_to_the_calendar():
    assert six_months_before(datetime.date(2026, 8, 31)) == datetime.date(2026, 2, 28)
    assert six_months_before(datetime.date(2026, 3, 15)) == datetime.date(2025, 9, 15)
    assert six_months_before(datetime.date(2026, 7, 1)) == datetime.date(2026, 1, 1)


def test_filters_and_sort_carry_into_pages_and_the_export(as_user, manager, backend):
    for number in range(TEAM_PAGE + 3):
        place(UserFactory(manager=manager, name=f"Report {number:02}"), backend, "l1")
    response = as_user(manager).get(reverse("ladders:team"), {"sort": "assessed", "level": "l1", "stale": "1"})
    assert "Page 1 of 2" in response.text
    assert "page=2&sort=assessed&level=l1&stale=1" in response.text
    assert f'{reverse("ladders:team_export")}?under={manager.pk}&amp;level=l1&amp;stale=1&amp;sort=assessed"' in response.text


def test_it_lists_people_on_other_frameworks_apart(as_user, manager, team):
    data = publish(document(slug="data", levels=3, competencies=2))
    place(UserFactory(manager=manager, name="Dana Data"), data, "l2")
    response = as_user(manager).get(reverse("ladders:team"))
    assert "Dana Data" not in [row["person"].name for row in response.context["rows"]]
    [section] = response.context["elsewhere"]
    assert section["framework"].slug == "data" and section["count"] == 1
    assert [(p.name, p.level_title) for p in section["people"]] == [("Dana Data", "Level 2")]
    assert "On other frameworks" in response.text and "?framework=data" in response.text
    # Chosen, it is the table, and the backend people are apart.
    chosen = as_user(manager).get(reverse("ladders:team"), {"framework": "data"})
    assert list(_rows(chosen)) == [UserFactory._meta.model.objects.get(name="Dana Data").email]
    assert chosen.context["elsewhere_count"] == 2


def test_it_shows_level_titles_never_their_codes(as_user, ft, manager, engineer, peer):
    codes = {"senior-1": "engineer", "senior-2-ic": "peer", "principal-pm": "manager"}
    for code, who in codes.items():
        place({"engineer": engineer, "peer": peer, "manager": manager}[who], ft, code)
    assess(engineer, manager, ft, "senior-2-ic", default=2)
    data = publish(document(slug="data", levels=3, competencies=2))
    place(UserFactory(manager=manager, name="Dana Data"), data, "l2")
    response = as_user(manager.manager).get(reverse("ladders:team"))
    seen = _text(response.text)
    assert "Senior Engineer 1" in seen and "Senior Engineer 2 (Individual Contributor)" in seen
    for code in [level.code for level in response.context["rubric"].levels] + ["l2"]:
        assert not re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", seen), code


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"level": "nope"}, "level", "Backend has no level “nope”. Showing every level."),
        ({"track": "sideways"}, "track", "Backend has no track “sideways”. Showing every track."),
        ({"sort": "salary"}, "sort", "There is no sorting by “salary”. Sorted by name."),
        ({"stale": "maybe"}, "stale", "“No manager assessment in 6 months” is either on (1) or off. Showing everyone."),
        ({"framework": "nope"}, "framework", "No one here is on a framework “nope”. Showing Backend."),
    ],
)
def test_it_explains_a_filter_it_does_not_understand_at_the_field(as_user, manager, team, params, field, message):
    response = as_user(manager).get(reverse("ladders:team"), params)
    assert response.status_code == 200
    assert response.context["errors"] == {field: message}
    assert 'class="field field--error"' in response.text or 'field--checkbox field--error' in response.text
    assert len(response.context["rows"]) == 2  # the default applies


def test_it_quotes_bad_values_back_short_and_escaped(as_user, manager, team):
    response = as_user(manager).get(reverse("ladders:team"), {"level": "<script>alert(1)</script>" + "x" * 80})
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "x" * 41 not in response.text


def test_hr_without_a_team_is_offered_the_tops_of_the_organisation(as_user, hr, skip_level, team):
    response = as_user(hr).get(reverse("ladders:team"))
    assert "No one reports to you" in response.text
    assert f'href="?under={skip_level.pk}">Daniel Osei\'s team</a>' in response.text
    assert f'href="{reverse("ladders:team_export")}"' in response.text


def test_the_page_draws_a_card_per_person_for_phones(as_user, manager, team):
    response = as_user(manager).get(reverse("ladders:team"))
    cards = response.text.split('<ul class="team-cards">', 1)[1].split("</ul>\n</details>", 1)[0]
    assert cards.count('<li class="team-card">') == 2
    # Ada's biggest gap to Level 3: Competency 0.0, one step.
    assert "<li><span>Competency 0.0</span> <span class=\"cell cell--gap1\">1</span></li>" in cards
    assert "Manager assessment: never" in cards


def test_sorting_filtering_and_grouping_cost_no_more_queries_with_more_people(as_user, db):
    def queries(size: int, slug: str) -> int:
        version = publish(document(slug=slug, levels=4, competencies=3))
        boss = UserFactory()
        leads = [UserFactory(manager=boss) for _ in range(size)]
        for lead in leads:
            for _ in range(3):
                person = UserFactory(manager=lead)
                place(person, version, "l2")
                submitted(person, lead, version, "l2", value=2)
        client = as_user(boss)
        url = reverse("ladders:team") + "?sort=gap&stale=1&level=l2"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        # And afresh, as after any change: still the same few.
        from people.stamp import stamped_clear

        stamped_clear()
        with CaptureQueriesContext(connection) as afresh:
            client.get(url)
        return len(captured), len(afresh)

    assert queries(2, "small") == queries(15, "large")


def test_a_kept_page_carries_each_readers_own_header_and_token(as_user, manager, skip_level, hr, team):
    url = reverse("ladders:team") + f"?under={manager.pk}"
    theirs = as_user(skip_level).get(url)
    mine = as_user(hr).get(url)  # the same team and address: drawn once, served twice

    assert "Daniel" in theirs.text.split("</header>")[0] and "Helen" not in theirs.text.split("</header>")[0]
    assert "Helen" in mine.text.split("</header>")[0] and "Daniel" not in mine.text.split("</header>")[0]
    assert "Ada Okafor" in mine.text and "Ada Okafor" in theirs.text
    # The page's token is the reader's own: signing out with it works.
    client = as_user(hr)
    page = client.get(url).text
    token = page.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    client.handler.enforce_csrf_checks = True
    assert client.post(reverse("account_logout"), {"csrfmiddlewaretoken": token}).status_code == 302
