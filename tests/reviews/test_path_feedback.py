"""Feedback beside each competency's gap on a path: what the reader may read, this quarter."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from ladders import path_notes
from ladders.models import Competency
from ladders.selectors.frameworks import rubric_load
from reviews import path
from reviews.models import Feedback
from reviews.services.feedback import feedback_give
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish, reports_to, submitted
from tests.people.factories import UserFactory

MY_PATH = reverse("ladders:my_path")


@pytest.fixture(autouse=True)
def registered(monkeypatch):
    # Reviews' notes alone, registered as the app does, whatever else is.
    monkeypatch.setattr(path_notes, "_registry", {})
    path.register()


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=4, competencies=3))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    submitted(engineer, engineer, backend, "l3")
    return engineer


def tag(version, slug: str) -> int:
    return Competency.objects.get(version=version, slug=slug).pk


def give(giver, subject, version, *slugs, visibility="shared", kind="praise", when=None) -> Feedback:
    feedback = feedback_give(
        giver=giver,
        subject=subject,
        kind=kind,
        visibility=visibility,
        body="Kept the design review focused.",
        competency_ids=[tag(version, slug) for slug in slugs],
    )
    if when is not None:
        Feedback.objects.filter(pk=feedback.pk).update(created_at=when, editable_until=when)
    return feedback


def notes(response) -> dict:
    return {row["competency"].slug: row["notes"][0][1] for row in response.context["rows"]}


def person_path(person) -> str:
    return reverse("ladders:person_path", args=[person.pk])


# --- what the person reads ---------------------------------------------------------------


def test_it_counts_my_feedback_on_each_competency_this_quarter(as_user, placed, backend, peer, manager):
    give(peer, placed, backend, "c0-0", "c0-1")
    give(manager, placed, backend, "c0-0")
    give(peer, placed, backend, "c0-0", kind="growth")

    response = as_user(placed).get(MY_PATH)

    shown = notes(response)
    assert shown["c0-0"].text == "3 pieces of feedback on Competency 0.0 this quarter"
    assert shown["c0-0"].url == path.address("reviews:timeline", "/feedback/") + "?competency=c0-0&period=quarter"
    assert shown["c0-1"].text == "1 piece of feedback on Competency 0.1 this quarter"
    html = response.content.decode()
    assert "3 pieces of feedback on Competency 0.0 this quarter</a>" in html


def test_i_never_count_what_is_private_about_me(as_user, placed, backend, peer, manager):
    give(peer, placed, backend, "c0-0")
    give(manager, placed, backend, "c0-0", visibility="private")
    give(peer, placed, backend, "c0-1", visibility="private")

    response = as_user(placed).get(MY_PATH)

    shown = notes(response)
    assert shown["c0-0"].text == "1 piece of feedback on Competency 0.0 this quarter"
    assert shown["c0-1"].text == "No feedback on Competency 0.1 this quarter"
    assert "2 pieces" not in response.content.decode()


def test_it_offers_to_ask_for_feedback_on_a_competency_with_none(as_user, placed):
    response = as_user(placed).get(MY_PATH)

    note = notes(response)["c0-2"]
    assert (note.text, note.action, note.quiet) == ("No feedback on Competency 0.2 this quarter", "ask for some", True)
    assert note.action_url == path.address("reviews:request_new", "/feedback/requests/new/") + "?competency=c0-2"
    assert f'— <a href="{note.action_url}">ask for some</a>' in response.content.decode()


def test_it_counts_only_this_quarter(as_user, placed, backend, peer):
    before = path.quarter_start() - datetime.timedelta(minutes=1)
    give(peer, placed, backend, "c0-0", when=before)
    give(peer, placed, backend, "c0-0")

    assert notes(as_user(placed).get(MY_PATH))["c0-0"].text == "1 piece of feedback on Competency 0.0 this quarter"


def test_a_quarter_begins_with_january_april_july_and_october():
    # On the reader's clock: midnight on the quarter's first day.
    start = timezone.localtime(path.quarter_start(datetime.datetime(2026, 5, 17, 15, 0, tzinfo=datetime.UTC)))
    assert (start.date(), start.time()) == (datetime.date(2026, 4, 1), datetime.time(0, 0))
    assert timezone.localdate(path.quarter_start(datetime.datetime(2026, 12, 31, 12, 0, tzinfo=datetime.UTC))) == datetime.date(2026, 10, 1)


def test_it_follows_feedback_to_the_next_version_of_the_framework_by_slug(as_user, placed, backend, peer):
    give(peer, placed, backend, "c0-1")
    newer = publish(document(slug="backend", levels=4, competencies=3))

    response = as_user(placed).get(MY_PATH)

    assert response.context["rubric"].version == newer
    assert notes(response)["c0-1"].text == "1 piece of feedback on Competency 0.1 this quarter"


def test_it_leaves_out_feedback_on_another_frameworks_competencies(as_user, placed, backend, peer):
    other = publish(document(slug="frontend", levels=4, competencies=3))
    feedback = give(peer, placed, backend)
    feedback.competencies.add(tag(other, "c0-0"))  # same slug, another ladder

    assert notes(as_user(placed).get(MY_PATH))["c0-0"].quiet


def test_it_is_never_stale_though_feedback_does_not_change_the_stamp(as_user, placed, backend, peer):
    client = as_user(placed)
    assert notes(client.get(MY_PATH))["c0-0"].quiet

    give(peer, placed, backend, "c0-0")

    html = client.get(MY_PATH).content.decode()
    assert "1 piece of feedback on Competency 0.0 this quarter" in html
    assert "No feedback on Competency 0.0 this quarter" not in html


# --- what their managers read ------------------------------------------------------------


def test_their_manager_counts_private_feedback_too_and_reads_their_timeline(as_user, placed, backend, peer, manager):
    give(peer, placed, backend, "c0-0")
    give(peer, placed, backend, "c0-0", visibility="private")

    note = notes(as_user(manager).get(person_path(placed)))["c0-0"]

    assert note.text == "2 pieces of feedback on Competency 0.0 this quarter"
    assert note.url == (
        path.address("reviews:person_feedback", f"/feedback/people/{placed.pk}/", args=[placed.pk])
        + "?competency=c0-0&period=quarter"
    )


def test_a_manager_is_not_asked_to_request_feedback_for_someone_else(as_user, placed, manager):
    note = notes(as_user(manager).get(person_path(placed)))["c0-0"]

    assert (note.text, note.action, note.quiet) == ("No feedback on Competency 0.0 this quarter", "", True)


def test_the_skip_level_counts_like_the_manager_and_hr_only_what_is_shared(placed, backend, peer, skip_level, hr):
    give(peer, placed, backend, "c0-0")
    give(peer, placed, backend, "c0-0", visibility="private")
    rubric = rubric_load(backend)
    since = path.quarter_start()

    assert path.feedback_counts_on_path(skip_level, placed, rubric, since) == {"c0-0": 2}
    assert path.feedback_counts_on_path(hr, placed, rubric, since) == {"c0-0": 1}


def test_a_former_manager_counts_nothing_after_a_move(placed, backend, peer, manager, outsider):
    give(manager, placed, backend, "c0-0", visibility="private")
    give(peer, placed, backend, "c0-0")
    reports_to(placed, outsider.manager)
    manager.refresh_from_db()

    # The one they gave stays theirs to read; nothing else about Ada does.
    assert path.feedback_counts_on_path(manager, placed, rubric_load(backend), path.quarter_start()) == {"c0-0": 1}


def test_it_adds_one_query_to_the_path_and_no_more_with_more_feedback(as_user, db):
    def world(slug: str, pieces: int):
        version = publish(document(slug=slug, levels=4, competencies=10 if pieces > 5 else 3))
        boss = UserFactory()
        person = UserFactory(manager=boss)
        colleague = UserFactory(manager=boss)
        place(person, version, "l2")
        submitted(person, person, version, "l3")
        slugs = [c.slug for c in Competency.objects.filter(version=version)]
        for n in range(pieces):
            give(colleague, person, version, *slugs[: 1 + n % len(slugs)], visibility="private" if n % 3 else "shared")
        return boss, person

    small_boss, small = world("small", 2)
    large_boss, large = world("large", 20)
    mine = page_queries(as_user(small), MY_PATH)
    assert mine == page_queries(as_user(large), MY_PATH)
    assert page_queries(as_user(small_boss), person_path(small)) == page_queries(as_user(large_boss), person_path(large))

    path.unregister()
    assert page_queries(as_user(small), MY_PATH) == mine - 1
