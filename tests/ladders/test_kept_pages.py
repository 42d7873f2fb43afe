"""Pages of published versions are rendered once and kept: never stale, never someone else's.

A published version never changes, so its overview, levels, competencies
and diffs are kept per process (ladders.views.frameworks). What must hold:
publishing shows the new version at once, a draft HR is previewing is read
afresh every time, and each reader gets their own header, their own level
marked, their own messages and a CSRF token that works.
"""

import re

import pytest
from django.contrib.messages import constants
from django.core.cache import cache
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from ladders.models import Framework, Level
from ladders.selectors import frameworks
from ladders.selectors.frameworks import published_pages
from ladders.services.frameworks import framework_import
from ladders.templatetags.ladders import kept_row
from tests.ladders.factories import document, place, publish
from tests.people.factories import NotificationFactory

LEVEL_2 = reverse("ladders:level", args=["backend", "l2"])
OVERVIEW = reverse("ladders:overview", args=["backend"])


def _renamed(title: str) -> dict:
    doc = document(slug="backend")
    doc["levels"] = [dict(level) for level in doc["levels"]]
    doc["levels"][1]["title"] = title
    return doc


@pytest.fixture
def v1(db):
    return publish(document(slug="backend"))


def test_publishing_a_version_shows_it_at_once(as_user, engineer, v1):
    client = as_user(engineer)
    assert "<h1>Level 2</h1>" in client.get(LEVEL_2).text
    assert "Level 2" in client.get(OVERVIEW).text

    publish(_renamed("Level Two, Renamed"))

    assert "<h1>Level Two, Renamed</h1>" in client.get(LEVEL_2).text
    assert "Level Two, Renamed" in client.get(OVERVIEW).text
    # The version read before is still there to read, as it was.
    assert "<h1>Level 2</h1>" in client.get(LEVEL_2, {"v": "1"}).text


def test_a_draft_being_previewed_is_read_afresh_after_each_edit(as_user, hr, v1):
    draft = framework_import(document=_renamed("Level Two, Draft"), publish=False).version
    client = as_user(hr)
    assert "<h1>Level Two, Draft</h1>" in client.get(LEVEL_2, {"v": "draft"}).text

    level = Level.objects.get(version=draft, code="l2")
    level.title = "Level Two, Edited"
    level.save()

    previewed = client.get(LEVEL_2, {"v": "draft"}).text
    assert "<h1>Level Two, Edited</h1>" in previewed
    assert "You are previewing the <strong>draft</strong>" in previewed
    # Readers of the published version never see the draft.
    assert "<h1>Level 2</h1>" in client.get(LEVEL_2).text


def test_each_reader_gets_their_own_header_on_a_kept_page(as_user, engineer, peer, v1):
    NotificationFactory.create_batch(3, recipient=peer)

    first = as_user(engineer).get(LEVEL_2).text
    second = as_user(peer).get(LEVEL_2).text

    assert engineer.name in first and peer.name not in first
    assert peer.name in second and engineer.name not in second
    assert "3 unread" in second and "unread" not in first
    assert len(published_pages.items) == 1


def test_a_kept_page_carries_a_fresh_token_that_works(engineer, v1):
    client = Client(enforce_csrf_checks=True)
    client.force_login(engineer)

    tokens = []
    for _ in range(2):
        page = client.get(LEVEL_2).text
        body = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        sign_out = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        assert body == sign_out
        tokens.append(body)
    assert tokens[0] != tokens[1]

    response = client.post(reverse("account_logout"), {"csrfmiddlewaretoken": tokens[1]})
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_each_reader_sees_their_own_level_marked(as_user, engineer, peer, v1):
    place(engineer, v1, "l2")
    place(peer, v1, "l3")

    mine = as_user(engineer).get(OVERVIEW).text
    theirs = as_user(peer).get(OVERVIEW).text
    again = as_user(engineer).get(OVERVIEW).text

    def marked(page: str) -> list[str]:
        return re.findall(r'href="[^"]*/levels/(l\d)/"[^>]*>\s*<span class="badge badge--you">', page)

    assert marked(mine) == ["l2"]
    assert marked(theirs) == ["l3"]
    assert marked(again) == ["l2"]


def test_a_message_waiting_for_the_reader_is_shown_once(as_user, engineer, v1):
    client = as_user(engineer)
    client.get(LEVEL_2)  # kept now
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies["messages"] = storage._encode([Message(constants.SUCCESS, "Your draft was saved.")])

    assert "Your draft was saved." in client.get(LEVEL_2).text
    assert "Your draft was saved." not in client.get(LEVEL_2).text


def test_addresses_with_parameters_the_page_does_not_read_are_not_kept(as_user, engineer, v1):
    client = as_user(engineer)
    for n in range(5):
        assert client.get(LEVEL_2, {"utm": str(n)}).status_code == 200
    assert len(published_pages.items) == 0

    client.get(LEVEL_2, {"v": "1"})
    assert len(published_pages.items) == 1


SEARCH = reverse("ladders:search")


def test_a_kept_search_finds_what_a_new_version_says_at_once(as_user, engineer, peer, v1):
    client = as_user(engineer)
    assert "Nothing mentions “renamed”" in client.get(SEARCH, {"q": "renamed"}).text

    publish(_renamed("Level Two, Renamed"))

    found = client.get(SEARCH, {"q": "renamed"}).text
    assert "<mark>Renamed</mark>" in found
    # The same search for someone else: their header, with the words in its search box.
    theirs = as_user(peer).get(SEARCH, {"q": "renamed"}).text
    assert peer.name in theirs and engineer.name not in theirs
    assert 'value="renamed"' in theirs
    # As the search box asks for it while typing: the results alone, kept apart.
    partial = client.get(SEARCH, {"q": "renamed"}, headers={"HX-Request": "true"}).text
    assert "<mark>Renamed</mark>" in partial and "<header" not in partial and "<html" not in partial


def test_renaming_a_framework_shows_the_new_name_at_once(as_user, engineer, v1, django_capture_on_commit_callbacks):
    client = as_user(engineer)
    assert "<h1>Backend</h1>" in client.get(OVERVIEW).text

    framework = v1.framework
    framework.name = "Platform Engineering"
    with django_capture_on_commit_callbacks(execute=True):
        framework.save()

    assert "<h1>Platform Engineering</h1>" in client.get(OVERVIEW).text
    assert "Platform Engineering" in client.get(LEVEL_2).text


def test_a_rename_saved_by_another_process_is_seen_within_seconds(as_user, engineer, v1, monkeypatch):
    client = as_user(engineer)
    assert "<h1>Backend</h1>" in client.get(OVERVIEW).text
    # Another server renames it: the database changes, and the shared cache
    # says so; this process has not been told.
    Framework.objects.filter(pk=v1.framework_id).update(name="Platform Engineering")
    cache.set(frameworks._GENERATION_KEY, 41, timeout=None)

    assert "<h1>Backend</h1>" in client.get(OVERVIEW).text  # until this process next looks
    monkeypatch.setitem(frameworks._generation, "checked", float("-inf"))
    assert "<h1>Platform Engineering</h1>" in client.get(OVERVIEW).text


def test_only_the_real_addresses_of_a_page_are_kept(as_user, engineer, v1):
    client = as_user(engineer)
    diff = reverse("ladders:diff", args=["backend"])
    for params in ({"v": "01"}, {"v": "1", "from": "l1"}, {"utm": "x"}):
        assert client.get(LEVEL_2, params).status_code == 200
    assert client.get(diff, {"from": "l1", "to": "nope" * 50}).status_code == 400
    assert len(published_pages.items) == 0

    client.get(LEVEL_2, {"v": "1"})
    client.get(diff, {"from": "l1", "to": "l2"})
    assert len(published_pages.items) == 2


def test_words_cannot_smuggle_anything_into_a_kept_search(as_user, engineer, v1):
    page = as_user(engineer).get(SEARCH, {"q": "\x00csrf-token\x00 level"}).text
    assert "\x00" not in page
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert len(token) == 64 and token.isalnum()


def test_a_kept_row_must_be_a_frozen_value(engineer):
    with pytest.raises(TypeError, match="frozen dataclass"):
        kept_row("ladders/_assessment_row.html", engineer, "about")
