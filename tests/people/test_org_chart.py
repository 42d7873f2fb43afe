"""The org chart: /people/org/, from the top or from `?root=`, a branch at a time."""

from __future__ import annotations

import re

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.selectors import ORG_PAGE, ORG_TOPS
from tests.people.factories import UserFactory

URL = reverse("people:org_chart")


def chart(pk) -> str:
    return f"{URL}?root={pk}"


def shown(response) -> list[tuple[str, int, int]]:
    """Each report listed: name, direct reports, people under them."""
    return [(person.name, person.direct or 0, person.under or 0) for person in response.context["reports"]]


@pytest.fixture
def org(engineer, peer, manager, skip_level):
    """Daniel ← Marcus ← Ada, Sam; Ada leads two people, one of whom leads one."""
    lead = UserFactory(name="Bea Lead", manager=engineer)
    UserFactory(name="Cy Junior", manager=engineer)
    UserFactory(name="Di Intern", manager=lead)
    return skip_level


def test_it_starts_from_the_person_leading_the_most_people(as_user, org, engineer, manager, outsider):
    response = as_user(engineer).get(URL)

    assert response.status_code == 200
    assert response.context["root"] == org
    assert response.context["chain"] == []
    assert shown(response) == [("Marcus Chen", 2, 5)]
    assert "1 direct report · 6 people in Daniel's organisation" in response.text


def test_it_lists_the_others_at_the_top(as_user, org, engineer, outsider, hr):
    response = as_user(engineer).get(URL)

    assert [person.name for person in response.context["others"]] == ["Olu Mensah", "Helen Ross"]
    assert chart(outsider.manager_id) in response.text


def test_it_says_when_there_are_more_at_the_top_than_it_lists(as_user, engineer):
    UserFactory.create_batch(ORG_TOPS + 1)

    response = as_user(engineer).get(URL)

    assert len(response.context["others"]) == ORG_TOPS - 1
    assert response.context["more_at_top"] is True
    assert "find anyone else in the" in response.text


def test_it_shows_a_person_with_their_reports_and_the_line_above_them(as_user, org, engineer, manager, outsider):
    response = as_user(outsider).get(chart(engineer.pk))

    assert response.status_code == 200
    assert response.context["root"] == engineer
    assert response.context["chain"] == [org, manager]
    assert shown(response) == [("Bea Lead", 1, 1), ("Cy Junior", 0, 0)]
    crumbs = re.search(r'<nav class="crumbs".*?</nav>', response.text, re.DOTALL).group(0)
    assert f'href="{URL}">Top</a>' in crumbs
    assert f'href="{chart(org.pk)}">Daniel Osei</a>' in crumbs
    assert f'href="{chart(manager.pk)}">Marcus Chen</a>' in crumbs
    assert '<span aria-current="page">Ada Okafor</span>' in crumbs


def test_each_report_who_leads_people_opens_in_place_or_as_a_page(as_user, org, engineer):
    html = as_user(engineer).get(chart(engineer.pk)).text
    lead = UserFactory._meta.model.objects.get(name="Bea Lead")
    branch = re.search(r"<details class=\"org-branch\".*?</details>", html, re.DOTALL).group(0)

    assert f'hx-get="{chart(lead.pk)}"' in branch
    assert 'hx-trigger="toggle once"' in branch
    # Without JavaScript, opening it offers the same branch as a page.
    assert f'<a href="{chart(lead.pk)}">Open Bea\'s reports</a>' in branch
    assert "1 direct report" in branch
    # Someone nobody reports to has nothing to open.
    assert html.count('<details class="org-branch"') == 1


def test_it_answers_htmx_with_the_branch_only(as_user, org, manager):
    response = as_user(manager).get(chart(manager.pk), HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<ul class="org-tree">')
    assert "<html" not in response.text and "crumbs" not in response.text
    assert "Ada Okafor" in response.text and "Sam Rivera" in response.text
    assert "HX-Request" in response["Vary"]


def test_a_branch_with_more_reports_than_it_lists_links_to_them_all(as_user, engineer, manager):
    UserFactory.create_batch(ORG_PAGE, manager=manager)

    response = as_user(engineer).get(chart(manager.pk), HTTP_HX_REQUEST="true")

    assert response.text.count('<li class="org-tree__item">') == ORG_PAGE
    assert f'<a href="{chart(manager.pk)}">All {ORG_PAGE + 1} people reporting to Marcus Chen →</a>' in response.text


def test_it_pages_the_reports_of_someone_with_many(as_user, engineer, manager):
    UserFactory.create_batch(ORG_PAGE + 2, manager=manager, name=factory.Sequence(lambda n: f"Zed Report {n:03}"))
    client = as_user(engineer)

    first = client.get(chart(manager.pk))
    last = client.get(URL, {"root": manager.pk, "page": 2})

    assert len(first.context["reports"]) == ORG_PAGE
    # Ada and the reports made here, by name: the last three on the second page.
    assert len(shown(last)) == 3
    assert shown(first)[0][0] == "Ada Okafor"
    assert shown(first)[-1][0] < shown(last)[0][0]
    assert f'href="?page=2&root={manager.pk}"' in first.text
    assert "Page 1 of 2" in first.text


@pytest.mark.parametrize("page", ["abc", "0", "-3", "9" * 40])
def test_it_shows_a_page_for_any_page_number(as_user, org, manager, page):
    response = as_user(manager).get(URL, {"root": manager.pk, "page": page})

    assert response.status_code == 200
    assert [name for name, _, _ in shown(response)] == ["Ada Okafor", "Sam Rivera"]


def test_it_leaves_out_people_who_have_left_and_does_not_count_them(as_user, org, engineer, manager, peer):
    peer.is_active = False
    peer.save()

    response = as_user(engineer).get(chart(manager.pk))

    assert shown(response) == [("Ada Okafor", 2, 3)]
    assert "Sam Rivera" not in response.text


def test_someone_whose_manager_has_left_heads_a_branch_at_the_top(as_user, org, engineer, manager):
    manager.is_active = False
    manager.save()

    response = as_user(engineer).get(URL)

    assert engineer in response.context["others"]


def test_it_is_404_for_someone_who_has_left(as_user, hr, engineer, peer):
    peer.is_active = False
    peer.save()

    assert as_user(engineer).get(chart(peer.pk)).status_code == 404
    assert as_user(hr).get(chart(peer.pk)).status_code == 404


@pytest.mark.parametrize("root", ["987654", "ada", "-1", "1.0", "²", "9" * 40])
def test_it_is_404_for_a_root_that_is_nobody(as_user, engineer, root):
    assert as_user(engineer).get(URL, {"root": root}).status_code == 404


def test_an_empty_root_is_the_top(as_user, org, engineer):
    assert as_user(engineer).get(URL, {"root": ""}).context["root"] == org


def test_it_is_open_to_everyone_signed_in(as_user, org, outsider, engineer):
    assert as_user(outsider).get(chart(engineer.pk)).status_code == 200


def test_it_is_a_list_with_headings(as_user, org, manager):
    html = as_user(manager).get(chart(manager.pk)).text

    assert "<h1>Org chart</h1>" in html
    assert re.search(r'<h2 id="org-root"><a href="[^"]+">Marcus Chen</a></h2>', html)
    assert "<h3 class=\"org__reports\">Reporting to Marcus" in html
    assert '<li class="org-tree__item">' in html


def test_the_person_page_links_to_their_place_in_the_chart(as_user, org, engineer, manager, peer):
    client = as_user(peer)

    assert f'href="{chart(engineer.pk)}">Ada in the org chart' in client.get(reverse("people:person", args=[engineer.pk])).text
    # Someone nobody reports to is shown among their manager's reports.
    assert f'href="{chart(manager.pk)}">Sam in the org chart' in client.get(reverse("people:person", args=[peer.pk])).text


def test_it_rejects_other_methods(as_user, engineer):
    client = as_user(engineer)

    assert client.post(URL).status_code == 405
    assert client.put(chart(engineer.pk)).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, engineer):
    response = client.get(chart(engineer.pk))

    assert response.status_code == 302
    assert response["Location"].startswith(f"{reverse('account_login')}?next=")


def grow(top, *, depth: int, width: int):
    """`width` reports under `top`, and a line `depth` deep under the first of them; the last of that line."""
    reports = UserFactory.create_batch(width, manager=top)
    boss = reports[0]
    for _ in range(depth):
        boss = UserFactory(manager=boss)
    return boss


def test_its_query_count_does_not_grow_with_the_organisation(as_user, org, engineer, manager):
    client = as_user(engineer)

    def queries(deep) -> tuple[int, ...]:
        counts = []
        for url, headers in (
            (URL, {}),
            (chart(deep.pk), {}),
            (chart(manager.pk), {}),
            (chart(manager.pk), {"HTTP_HX_REQUEST": "true"}),
        ):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url, **headers).status_code == 200
            counts.append(len(captured))
        return tuple(counts)

    small = queries(UserFactory._meta.model.objects.get(name="Di Intern"))
    deepest = grow(manager, depth=15, width=40)
    grow(org, depth=5, width=10)
    UserFactory.create_batch(5)  # more at the top

    assert queries(deepest) == small
