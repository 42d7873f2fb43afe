"""The people directory: /people/."""

from __future__ import annotations

import re

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Department, Team
from people.selectors import DIRECTORY_PAGE, SEARCH_MAX_CHARACTERS, SEARCH_MAX_WORDS
from tests.people.factories import UserFactory

URL = reverse("people:directory")


def listed(response) -> list[str]:
    return [person.name for person in response.context["page"].object_list]


@pytest.fixture
def payments(engineer, manager):
    """Ada and Marcus in the Payments team of the Platform department."""
    platform = Department.objects.create(name="Platform")
    team = Team.objects.create(department=platform, name="Payments")
    for person in (engineer, manager):
        person.department, person.team = platform, team
        person.save()
    return team


def test_it_lists_everyone_working_here_by_name(as_user, engineer, manager, peer, skip_level, outsider):
    response = as_user(outsider).get(URL)

    assert response.status_code == 200
    assert listed(response) == ["Ada Okafor", "Daniel Osei", "Marcus Chen", "Nora Quinn", "Olu Mensah", "Sam Rivera"]
    assert "6 people." in response.text


def test_each_row_shows_initials_title_team_and_manager_with_links(as_user, engineer, manager, payments):
    html = as_user(engineer).get(URL).text
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?Ada Okafor.*?</tr>", html, re.DOTALL).group(0)

    assert ">AO</span>" in row
    assert f'href="{reverse("people:person", args=[engineer.pk])}"' in row
    assert "Senior Engineer" in row
    assert "Payments" in row and "Platform" in row
    assert f'<a href="{reverse("people:person", args=[manager.pk])}">Marcus Chen</a>' in row


def test_it_leaves_out_people_who_have_left_even_for_hr(as_user, hr, engineer, peer):
    peer.is_active = False
    peer.save()

    for viewer in (engineer, hr):
        assert "Sam Rivera" not in listed(as_user(viewer).get(URL))


def test_a_manager_who_has_left_is_named_without_a_link(as_user, engineer, manager):
    manager.is_active = False
    manager.save()

    html = as_user(engineer).get(URL).text

    assert "Marcus Chen <span class=\"muted\">(left)</span>" in html
    assert reverse("people:person", args=[manager.pk]) not in html


@pytest.mark.parametrize(
    ("words", "found"),
    [
        ("ada", ["Ada Okafor"]),
        ("OKAFOR", ["Ada Okafor"]),
        ("engineering manager", ["Marcus Chen"]),  # a title
        ("payments", ["Ada Okafor", "Marcus Chen"]),  # a team
        ("platform", ["Ada Okafor", "Marcus Chen"]),  # a department
        ("engineer", ["Ada Okafor", "Daniel Osei", "Marcus Chen", "Sam Rivera"]),  # part of a word
        ("payments senior", ["Ada Okafor"]),  # every word must match, each anywhere
        ("  ada   ", ["Ada Okafor"]),
    ],
)
def test_it_finds_people_by_name_title_team_or_department(as_user, engineer, peer, skip_level, payments, words, found):
    response = as_user(engineer).get(URL, {"q": words})

    assert response.status_code == 200
    assert listed(response) == found


def test_it_says_how_many_match(as_user, engineer, peer, payments):
    assert "1 person matches “ada”." in as_user(engineer).get(URL, {"q": "ada"}).text


def test_it_says_plainly_when_nobody_matches(as_user, engineer):
    response = as_user(engineer).get(URL, {"q": "zebra"})

    assert listed(response) == []
    assert "Nobody matches “zebra”." in response.text
    assert "<table" not in response.text


def test_it_treats_wildcards_as_plain_characters(as_user, engineer, peer):
    for words in ("%", "_", "\\"):
        assert listed(as_user(engineer).get(URL, {"q": words})) == []


def test_it_pages_through_a_large_organisation(as_user, engineer):
    UserFactory.create_batch(DIRECTORY_PAGE + 5, name=factory.Sequence(lambda n: f"Zed Person {n:03}"))
    client = as_user(engineer)

    first = client.get(URL)
    second = client.get(URL, {"page": 2})

    assert len(listed(first)) == DIRECTORY_PAGE
    assert len(listed(second)) == 8  # with Ada, Marcus and Daniel
    assert listed(first)[0] == "Ada Okafor"
    assert listed(first)[-1] < listed(second)[0]
    assert "Page 1 of 2" in first.text
    assert 'href="?page=2"' in first.text


def test_its_pages_keep_the_search(as_user, engineer):
    UserFactory.create_batch(DIRECTORY_PAGE + 1, title="Data Scientist")

    response = as_user(engineer).get(URL, {"q": "data"})

    assert 'href="?page=2&q=data"' in response.text


@pytest.mark.parametrize("page", ["abc", "0", "-1", "1.5", "²", "9" * 40])
def test_it_shows_a_page_for_any_page_number(as_user, engineer, peer, page):
    response = as_user(engineer).get(URL, {"page": page})

    assert response.status_code == 200
    assert listed(response) == ["Ada Okafor", "Daniel Osei", "Marcus Chen", "Sam Rivera"]


def test_it_searches_the_start_of_a_very_long_search_and_says_so(as_user, engineer):
    response = as_user(engineer).get(URL, {"q": "Ada " + "x" * 500})

    assert response.status_code == 200
    assert response.context["search"].words == ("Ada", "x" * (SEARCH_MAX_CHARACTERS - 4))
    assert f"A search takes up to {SEARCH_MAX_WORDS} words and {SEARCH_MAX_CHARACTERS} characters" in response.text


def test_it_searches_the_first_words_of_a_search_with_many(as_user, engineer):
    response = as_user(engineer).get(URL, {"q": "Ada Okafor " + "a " * 20})

    assert response.context["search"].words == ("Ada", "Okafor", "a", "a", "a", "a")
    assert listed(response) == ["Ada Okafor"]
    assert "A search takes up to" in response.text


def test_it_ignores_nul_bytes(as_user, engineer):
    response = as_user(engineer).get(URL, {"q": "A\x00da"})

    assert response.status_code == 200
    assert listed(response) == ["Ada Okafor"]


def test_it_answers_htmx_with_the_results_only(as_user, engineer, peer):
    response = as_user(engineer).get(URL, {"q": "sam"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="people-results"')
    assert "<html" not in response.text and "site-header" not in response.text
    assert "Sam Rivera" in response.text and "Ada Okafor" not in response.text
    assert "HX-Request" in response["Vary"]


def test_it_answers_a_history_restore_with_the_whole_page(as_user, engineer):
    response = as_user(engineer).get(URL, {"q": "ada"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")

    assert "<html" in response.text


def test_its_form_works_without_javascript_and_updates_as_you_type(as_user, engineer):
    html = as_user(engineer).get(URL, {"q": "ada"}).text
    form = re.search(r"<form class=\"card inline-form\".*?</form>", html, re.DOTALL).group(0)

    assert f'method="get" action="{URL}"' in form
    assert 'name="q" value="ada"' in form
    assert '<label for="people-q">' in form
    assert 'hx-trigger="input changed delay:300ms' in form
    assert 'hx-push-url="true"' in form


def test_it_is_in_the_site_header(as_user, engineer):
    html = as_user(engineer).get(URL).text

    assert f'<a href="{URL}" aria-current="page">People</a>' in html


def test_it_rejects_other_methods(as_user, engineer):
    client = as_user(engineer)

    assert client.post(URL).status_code == 405
    assert client.put(URL).status_code == 405
    assert client.delete(URL).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={URL}"


def test_its_query_count_does_not_grow_with_the_organisation(as_user, engineer, payments):
    client = as_user(engineer)

    def queries(params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, params).status_code == 200
        return len(captured)

    small = (queries({}), queries({"q": "payments"}))
    boss = UserFactory(department=payments.department, team=payments)
    UserFactory.create_batch(60, manager=boss, department=payments.department, team=payments)

    assert (queries({}), queries({"q": "payments"})) == small

