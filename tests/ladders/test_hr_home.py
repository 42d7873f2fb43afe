"""HR's home: level distribution, assessment coverage and recent publishes, for HR admins only."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ladders.models import Assessment, FrameworkVersion
from ladders.selectors.hr import COVERAGE_PAGE, coverage_since, months_before
from ladders.services.frameworks import framework_draft_create, framework_import
from people.models import Department
from tests.conftest import login, page_queries
from tests.ladders.factories import document, place, submitted
from tests.people.factories import UserFactory

URL = reverse("ladders:hr_home")


def assessed(subject, version, code: str, when: datetime.datetime) -> Assessment:
    """A self-assessment of `subject`, submitted at `when`."""
    assessment = submitted(subject, subject, version, code)
    Assessment.objects.filter(pk=assessment.pk).update(submitted_at=when)
    return assessment


@pytest.fixture
def org(db, hr):
    """Two departments on a framework whose tracks fork at level 3, people at known levels,
    assessed at known dates around the six-month line."""
    version = framework_import(document=document(slug="backend", levels=4, fork_at=3), publish=True, actor=hr).version
    platform = Department.objects.create(name="Platform")
    mobile = Department.objects.create(name="Mobile")
    since = coverage_since(timezone.localdate())
    people = {}

    def person(key, department, code=None, track=None, *, name=None):
        people[key] = UserFactory(name=name or key.title(), department=department, title=f"{key} title")
        if code:
            place(people[key], version, code, track=track)
        return people[key]

    # Platform: two at Level 1 (shared), one at Level 3 IC, one at Level 3 Manager; one not placed.
    person("ann", platform, "l1")
    person("bob", platform, "l1", "mgr")
    person("cat", platform, "l3-ic", "ic")
    person("dan", platform, "l3-mgr", "mgr")
    person("eve", platform)
    # Mobile: one at Level 2, one at Level 4 IC; one not placed.
    person("fay", mobile, "l2")
    person("gus", mobile, "l4-ic", "ic")
    person("hal", mobile)
    # Assessed exactly at the line: covered. A second before it: not.
    assessed(people["ann"], version, "l1", since)
    assessed(people["bob"], version, "l1", since - datetime.timedelta(seconds=1))
    assessed(people["cat"], version, "l3-ic", timezone.now() - datetime.timedelta(days=1))
    # dan: never assessed. fay: long ago, and a draft since (drafts do not count).
    assessed(people["fay"], version, "l2", since - datetime.timedelta(days=400))
    Assessment.objects.create(
        subject=people["fay"], author=people["fay"], kind=Assessment.Kind.SELF, version=version,
        level=version.levels.get(code="l2"), status=Assessment.Status.DRAFT,
    )
    # gus: a manager assessment last week.
    boss = UserFactory(name="Zed Boss", department=None)
    people["gus"].manager = boss
    people["gus"].save()
    submitted(people["gus"], boss, version, "l4-ic")
    people["boss"] = boss
    return {"version": version, "platform": platform, "mobile": mobile, "since": since, **people}


def bars(distribution) -> dict[tuple[str | None, str], int]:
    return {
        (group.track.slug if group.track else None, bar.level.code): bar.count
        for group in distribution.tracks
        for bar in group.bars
    }


def test_it_counts_people_at_each_level_by_track(org, hr):
    response = login(hr).get(URL)

    assert response.status_code == 200
    [backend] = response.context["overview"].frameworks
    assert backend.framework.slug == "backend"
    counts = bars(backend)
    # Shared levels appear on both tracks, each counting the people on that track.
    assert counts[("ic", "l1")] == 1 and counts[("mgr", "l1")] == 1
    assert counts[("ic", "l2")] == 1 and counts[("mgr", "l2")] == 0
    assert counts[("ic", "l3-ic")] == 1 and counts[("mgr", "l3-mgr")] == 1
    assert counts[("ic", "l4-ic")] == 1 and counts[("mgr", "l4-mgr")] == 0
    assert ("ic", "l3-mgr") not in counts
    assert backend.placed == 6
    # The chart is a table: each level's title with its count, read aloud as such.
    html = response.content.decode()
    assert "Level 3 IC</a></th>" in html and "Individual Contributor" in html


def test_it_breaks_levels_and_coverage_down_by_department(org, hr):
    overview = login(hr).get(URL).context["overview"]

    [backend] = overview.frameworks
    rows = {row.name: row for row in backend.by_department}
    codes = [level.code for level in backend.rubric.levels]
    assert dict(zip(codes, rows["Platform"].counts)) == {"l1": 2, "l2": 0, "l3-ic": 1, "l3-mgr": 1, "l4-ic": 0, "l4-mgr": 0}
    assert dict(zip(codes, rows["Mobile"].counts)) == {"l1": 0, "l2": 1, "l3-ic": 0, "l3-mgr": 0, "l4-ic": 1, "l4-mgr": 0}
    assert rows["Platform"].total == 4 and rows["Mobile"].total == 2

    departments = {d.name: d for d in overview.departments}
    assert (departments["Platform"].people, departments["Platform"].not_placed, departments["Platform"].placed) == (5, 1, 4)
    # bob (a second too early) and dan (never); ann was assessed exactly six months ago.
    assert departments["Platform"].lapsed == 2
    # fay (only long ago, and a draft since); gus was assessed by his manager.
    assert (departments["Mobile"].people, departments["Mobile"].not_placed, departments["Mobile"].lapsed) == (3, 1, 1)
    # HR and the boss belong to no department and have no level.
    assert (departments["No department"].people, departments["No department"].not_placed) == (2, 2)
    totals = overview.totals
    assert (totals.people, totals.not_placed, totals.placed, totals.lapsed) == (10, 4, 6, 3)


def test_what_it_keeps_follows_a_move_to_another_department_and_a_new_assessment(org, hr):
    client = login(hr)
    client.get(URL)  # counted and kept
    org["bob"].department = org["mobile"]
    org["bob"].save()
    assessed(org["dan"], org["version"], "l3-mgr", timezone.now())

    departments = {d.name: d for d in client.get(URL).context["overview"].departments}
    assert (departments["Platform"].people, departments["Platform"].lapsed) == (4, 0)
    assert (departments["Mobile"].people, departments["Mobile"].lapsed) == (4, 2)
    listed = [row.name for row in client.get(URL).context["lapsed"].object_list]
    assert "Dan" not in listed and "Bob" in listed


def test_it_lists_who_has_not_been_assessed_in_six_months(org, hr):
    client = login(hr)
    response = client.get(URL)

    page = response.context["lapsed"]
    assert page.paginator.count == 3
    # Never assessed first, then the longest waiting; nobody without a level.
    assert [row.name for row in page.object_list] == ["Dan", "Fay", "Bob"]
    dan, fay, bob = page.object_list
    assert dan.last_assessed is None and dan.level.code == "l3-mgr"
    assert fay.last_assessed == org["since"] - datetime.timedelta(days=400)
    assert bob.last_assessed == org["since"] - datetime.timedelta(seconds=1)
    html = response.content.decode()
    assert reverse("ladders:person_path", args=[org["dan"].pk]) in html
    assert "Never" in html

    recent = client.get(URL, {"sort": "recent"}).context["lapsed"]
    assert [row.name for row in recent.object_list] == ["Bob", "Fay", "Dan"]


def test_it_shows_the_manager_and_level_of_each_person_listed(org, hr):
    org["dan"].manager = org["boss"]
    org["dan"].save()

    response = login(hr).get(URL)

    dan = next(row for row in response.context["lapsed"].object_list if row.name == "Dan")
    assert dan.manager_name == "Zed Boss" and dan.title == "dan title"
    assert "Level 3 Manager" in response.content.decode()


def test_it_pages_the_list(org, hr):
    for n in range(COVERAGE_PAGE + 2):
        place(UserFactory(name=f"Lapsed {n:02}", department=org["mobile"]), org["version"], "l1")
    client = login(hr)

    first = client.get(URL, {"department": org["mobile"].pk}).context["lapsed"]
    second = client.get(URL, {"department": org["mobile"].pk, "page": 2}).context["lapsed"]
    past_the_end = client.get(URL, {"department": org["mobile"].pk, "page": "999"}).context["lapsed"]
    not_a_number = client.get(URL, {"page": "abc"})

    assert first.paginator.count == COVERAGE_PAGE + 3
    assert len(first.object_list) == COVERAGE_PAGE
    assert len(second.object_list) == 3
    assert {row.pk for row in first.object_list}.isdisjoint({row.pk for row in second.object_list})
    assert past_the_end.number == 2
    assert not_a_number.status_code == 200 and not_a_number.context["lapsed"].number == 1


def test_it_filters_by_department(org, hr):
    response = login(hr).get(URL, {"department": org["mobile"].pk})

    assert response.status_code == 200
    overview = response.context["overview"]
    [backend] = overview.frameworks
    counts = bars(backend)
    assert counts[("ic", "l2")] == 1 and counts[("ic", "l4-ic")] == 1
    assert counts[("ic", "l1")] == 0 and counts[("mgr", "l3-mgr")] == 0
    assert (overview.totals.people, overview.totals.not_placed, overview.totals.lapsed) == (3, 1, 1)
    assert [row.name for row in response.context["lapsed"].object_list] == ["Fay"]
    # The breakdowns still compare every department, the chosen one marked.
    assert {row.name for row in backend.by_department} == {"Platform", "Mobile"}
    assert "Overview: Mobile" in response.content.decode()


def test_it_filters_those_in_no_department(org, hr):
    place(org["boss"], org["version"], "l4-mgr", track="mgr")

    response = login(hr).get(URL, {"department": "none"})

    assert response.status_code == 200
    totals = response.context["overview"].totals
    assert (totals.people, totals.not_placed, totals.placed, totals.lapsed) == (2, 1, 1, 1)
    assert [row.name for row in response.context["lapsed"].object_list] == ["Zed Boss"]


@pytest.mark.parametrize("department", ["abc", "99999", "1 OR 1=1", "\x00"])
def test_it_refuses_an_unknown_department_at_the_field(org, hr, department):
    response = login(hr).get(URL, {"department": department})

    assert response.status_code == 400
    assert response.context["form"].errors["department"] == ["There is no such department. Choose one from the list."]
    assert "There is no such department" in response.content.decode()
    # The page still shows everyone rather than nothing.
    assert response.context["overview"].totals.people == 10


def test_it_follows_placements_into_the_current_version(org, hr):
    # Version 2 drops level 4: Gus, placed on it in version 1, is counted apart.
    doc = document(slug="backend", levels=3, fork_at=3)
    doc["change_notes"] = "Level 4 folded into Level 3 while we *rethink* it."
    v2 = framework_import(document=doc, publish=True, actor=hr).version

    response = login(hr).get(URL)

    [backend] = response.context["overview"].frameworks
    assert backend.rubric.version.pk == v2.pk
    counts = bars(backend)
    assert counts[("ic", "l1")] == 1 and counts[("mgr", "l3-mgr")] == 1
    assert backend.placed == 5 and backend.not_current == 1
    assert "placed at a level version 2 no longer has" in response.content.decode()


def test_it_shows_recent_publishes_and_drafts_waiting(org, hr):
    doc = document(slug="backend", levels=4, fork_at=3)
    doc["change_notes"] = "Clearer words at Level 2.\nNothing else changes."
    doc["areas"][0]["competencies"][0]["expectations"][1]["criteria"] = ["Explains their work to the team"]
    v2 = framework_import(document=doc, publish=True, actor=hr).version
    draft = framework_draft_create(framework=v2.framework, actor=hr)
    frontend = framework_import(document=document(slug="frontend", levels=2), publish=True).version
    FrameworkVersion.objects.filter(pk=frontend.pk).update(published_at=timezone.now() - datetime.timedelta(days=30))

    response = login(hr).get(URL)

    assert [(v.framework.slug, v.number) for v in response.context["publishes"]] == [("backend", 2), ("backend", 1), ("frontend", 1)]
    assert [d.pk for d in response.context["drafts"]] == [draft.pk]
    html = response.content.decode()
    assert "Clearer words at Level 2.<br>Nothing else changes." in html
    assert "by Helen Ross" in html
    assert f'{reverse("ladders:overview", args=["backend"])}?v=2' in html
    assert f'{reverse("ladders:diff", args=["backend"])}?v=2' in html
    assert reverse("admin:ladders_frameworkversion_change", args=[draft.pk]) in html
    assert reverse("admin:ladders_frameworkversion_publish", args=[draft.pk]) in html
    assert "from the command line" in html  # frontend was published without anyone signed in


def test_it_links_those_not_placed_to_where_hr_records_a_level(org, hr):
    html = login(hr).get(URL).content.decode()

    assert reverse("admin:ladders_placement_add") in html


def test_it_is_an_empty_page_before_anything_is_set_up(hr):
    response = login(hr).get(URL)

    assert response.status_code == 200
    assert response.context["overview"].frameworks == []
    assert response.context["lapsed"].paginator.count == 0
    assert "No framework is published yet" in response.content.decode()


def test_it_is_not_found_for_anyone_but_hr(org, engineer, manager, skip_level):
    for person in (engineer, manager, skip_level):
        assert login(person).get(URL).status_code == 404


def test_it_is_not_found_once_the_hr_tick_is_cleared(org, hr):
    client = login(hr)
    hr.is_hr_admin = False
    hr.save()

    assert client.get(URL).status_code == 404


def test_it_asks_anyone_signed_out_to_sign_in(db):
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_it_only_answers_get(org, hr):
    assert login(hr).post(URL).status_code == 405


def test_it_is_where_hr_admins_land(org, hr, engineer):
    assert login(hr).get(reverse("home"))["Location"] == URL
    assert login(engineer).get(reverse("home"))["Location"] != URL


def test_it_is_in_the_header_for_hr_admins_only(org, hr, engineer):
    link = f'<a href="{URL}" aria-current="page">HR</a>'

    assert link in login(hr).get(URL).content.decode()
    assert f'<a href="{URL}" >HR</a>' in login(hr).get(reverse("ladders:index")).content.decode()
    assert f'href="{URL}"' not in login(engineer).get(reverse("ladders:index")).content.decode()


def test_it_keeps_its_queries_as_the_org_grows(org, hr):
    client = login(hr)
    small = page_queries(client, URL)
    for n in range(30):
        person = UserFactory(department=org["platform" if n % 2 else "mobile"])
        place(person, org["version"], "l2")
        if n % 3:
            submitted(person, person, org["version"], "l2")

    assert page_queries(client, URL) == small
    assert page_queries(client, URL + f"?department={org['platform'].pk}&sort=recent&page=2") == small


def test_months_before_keeps_to_the_calendar():
    assert months_before(datetime.date(2026, 11, 23), 6) == datetime.date(2026, 5, 23)
    assert months_before(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert months_before(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)
