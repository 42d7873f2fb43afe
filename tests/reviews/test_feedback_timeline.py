"""Timelines: my feedback (received and given) and a person's feedback for their manager
chain and HR, filtered by competency and period, a page at a time."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from ladders.models import Competency
from reviews.models import Feedback
from reviews.services.feedback import feedback_give
from tests.conftest import page_queries
from tests.ladders.factories import document, place, publish, reports_to
from tests.people.factories import UserFactory

TIMELINE = "/feedback/"


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


def give(giver, subject, *, days_ago: int = 0, **changes) -> Feedback:
    values = {"kind": "praise", "visibility": "shared", "body": "Ran the incident review calmly.", **changes}
    feedback = feedback_give(giver=giver, subject=subject, **values)
    if days_ago:
        when = timezone.now() - datetime.timedelta(days=days_ago)
        Feedback.objects.filter(pk=feedback.pk).update(created_at=when, editable_until=when)
    return feedback


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def listed(response) -> list[int]:
    return [f.pk for f in response.context["page"].object_list]


@pytest.fixture
def story(placed, peer, manager, backend):
    """Ada's feedback: two shared pieces, one private, and one she gave."""
    design = Competency.objects.get(version=backend, slug="c0-0")
    return {
        "shared": give(peer, placed, competency_ids=[design.pk], body="Clear design doc."),
        "old": give(manager, placed, kind="growth", days_ago=200, body="Slow reviews."),
        "private": give(peer, placed, visibility="private", body="Private words about Ada."),
        "given": give(placed, peer, visibility="private", body="Sam could speak up more."),
    }


# --- my timeline -----------------------------------------------------------------------


def test_it_shows_what_i_received_never_what_is_private_about_me(as_user, placed, story):
    response = as_user(placed).get(TIMELINE)

    assert response.status_code == 200
    assert listed(response) == [story["shared"].pk, story["old"].pk]
    page = text(response)
    assert "<h1>My feedback</h1>" in page
    assert "Private words about Ada." not in page
    assert "Received <span class=\"tabs__count\">2</span>" in page  # the private one is not counted
    assert "Given <span class=\"tabs__count\">1</span>" in page


def test_it_shows_what_i_gave_with_who_may_read_it(as_user, placed, story):
    response = as_user(placed).get(TIMELINE, {"tab": "given"})
    assert listed(response) == [story["given"].pk]
    page = text(response)
    assert "To Sam Rivera" in page
    assert "Private to the manager chain" in page
    assert 'aria-current="page">Given' in page


def test_the_tabs_link_requests_and_the_team_for_managers(as_user, placed, manager, story):
    page = text(as_user(placed).get(TIMELINE))
    assert 'href="/feedback/requests/"' in page
    assert 'href="/feedback/team/"' not in page
    assert 'href="/feedback/team/"' in text(as_user(manager).get(TIMELINE))


def test_it_filters_by_competency_slug_across_framework_versions(as_user, placed, peer, story):
    publish(document(slug="backend", levels=3, competencies=2))  # v2, same slugs
    newer = Competency.objects.filter(slug="c0-0").order_by("-version__number").first()
    later = give(peer, placed, competency_ids=[newer.pk], body="Later design doc.")

    response = as_user(placed).get(TIMELINE, {"competency": "c0-0"})

    assert listed(response) == [later.pk, story["shared"].pk]
    assert response.context["filters"].fields["competency"].choices == [("", "Every competency"), ("c0-0", "Competency 0.0")]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"period": "30d"}, ["shared"]),
        ({"period": "year"}, ["shared"]),  # 200 days ago is another year only sometimes: see below
        ({"period": "all"}, ["shared", "old"]),
        ({"since": "2000-01-01"}, ["shared", "old"]),
    ],
)
def test_it_filters_by_period(as_user, placed, story, params, expected):
    if params.get("period") == "year" and (timezone.localdate() - datetime.timedelta(days=200)).year == timezone.localdate().year:
        expected = ["shared", "old"]
    assert listed(as_user(placed).get(TIMELINE, params)) == [story[name].pk for name in expected]


def test_it_filters_between_two_dates(as_user, placed, story):
    old_day = timezone.localtime(Feedback.objects.get(pk=story["old"].pk).created_at).date()
    response = as_user(placed).get(TIMELINE, {"since": old_day.isoformat(), "until": old_day.isoformat()})
    assert listed(response) == [story["old"].pk]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "31/02/2025"}, "since", "Write a date as year-month-day, e.g. 2025-03-31."),
        ({"until": "9999-12-31"}, "until", "Choose a date between the years 1900 and 2999."),
        ({"since": "2025-05-01", "until": "2025-04-01"}, "until", "The end comes before the start: choose a later date."),
        ({"period": "decade"}, "period", "Choose one of the periods offered."),
        ({"competency": "nope"}, "competency", "No feedback here is tagged with “nope”."),
    ],
)
def test_a_filter_not_understood_is_said_at_its_field(as_user, placed, story, params, field, message):
    response = as_user(placed).get(TIMELINE, params)
    assert response.status_code == 200
    assert response.context["filters"].errors[field] == [message]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert story["shared"].pk in listed(response)


def test_it_pages_the_timeline(as_user, placed, peer):
    for n in range(23):
        give(peer, placed, body=f"Note {n}", days_ago=n + 1)
    client = as_user(placed)
    first, second = client.get(TIMELINE), client.get(TIMELINE, {"page": 2, "period": "all"})
    assert len(listed(first)) == 20 and len(listed(second)) == 3
    assert "Page 1 of 2" in text(first)
    assert "?page=2" in text(first)


def test_htmx_filters_swap_only_the_listing(as_user, placed, story):
    response = as_user(placed).get(TIMELINE, {"competency": "c0-0"}, HTTP_HX_REQUEST="true")
    page = text(response)
    assert page.strip().startswith('<div id="listing">') and "<h1>" not in page


def test_the_timeline_is_for_signed_in_people_and_only_get(client, as_user, placed):
    assert client.get(TIMELINE).status_code == 302
    assert as_user(placed).post(TIMELINE).status_code == 405


def grow(placed, peer, manager, outsider, times: int) -> None:
    """`times` rounds of feedback in every direction, tagged, with replies."""
    from reviews.services.feedback import feedback_reply

    tags = list(Competency.objects.filter(slug__in=["c0-0", "c0-1"]).values_list("pk", flat=True))
    for _ in range(times):
        feedback = give(peer, placed, competency_ids=tags, project="Checkout")
        feedback_reply(feedback=feedback, author=placed, body="Thanks")
        give(manager, placed, visibility="private", competency_ids=tags[:1])
        give(placed, peer, kind="growth")
        give(placed, outsider, visibility="private")


@pytest.mark.parametrize("tab", ["received", "given"])
def test_the_timeline_costs_the_same_with_ten_times_the_feedback(as_user, placed, peer, manager, outsider, tab):
    client = as_user(placed)
    url = f"{TIMELINE}?tab={tab}&competency=c0-0&period=year"
    grow(placed, peer, manager, outsider, 2)
    few = page_queries(client, url)
    grow(placed, peer, manager, outsider, 18)
    assert page_queries(client, url) == few


# --- a person's timeline ---------------------------------------------------------------


def person_page(person) -> str:
    return reverse("reviews:person_feedback", args=[person.pk])


def test_the_manager_chain_reads_both_visibilities(as_user, placed, manager, skip_level, story):
    for reader in (manager, skip_level):
        response = as_user(reader).get(person_page(placed))
        assert response.status_code == 200
        assert listed(response) == [story["private"].pk, story["shared"].pk, story["old"].pk]
    page = text(as_user(manager).get(person_page(placed)))
    assert "<h1>Feedback about Ada Okafor</h1>" in page
    assert "Private to the manager chain" in page


def test_hr_reads_only_what_is_shared(as_user, placed, hr, story):
    response = as_user(hr).get(person_page(placed))
    assert listed(response) == [story["shared"].pk, story["old"].pk]
    assert "Private words about Ada." not in text(response)


def test_the_person_is_sent_to_their_own_timeline(as_user, placed, story):
    response = as_user(placed).get(person_page(placed))
    assert response.status_code == 302 and response.url == TIMELINE


def test_peers_outsiders_and_a_former_manager_find_nothing(as_user, placed, peer, outsider, manager, skip_level, story):
    for someone in (peer, outsider):
        assert as_user(someone).get(person_page(placed)).status_code == 404
    reports_to(placed, outsider.manager)
    for former in (manager, skip_level):
        assert as_user(former).get(person_page(placed)).status_code == 404
    response = as_user(outsider.manager).get(person_page(placed))
    assert len(listed(response)) == 3  # the new manager reads the history, private included


def test_a_manager_finds_nothing_about_someone_who_has_left(as_user, placed, manager, story):
    placed.is_active = False
    placed.save()
    assert as_user(manager).get(person_page(placed)).status_code == 404


def test_the_person_page_filters_as_the_timeline_does(as_user, placed, manager, story):
    response = as_user(manager).get(person_page(placed), {"competency": "c0-0", "since": "bad"})
    assert listed(response) == [story["shared"].pk]
    assert response.context["filters"].errors["since"] == ["Write a date as year-month-day, e.g. 2025-03-31."]


def test_the_person_page_is_for_signed_in_people_and_only_get(client, as_user, placed, manager):
    assert client.get(person_page(placed)).status_code == 302
    assert as_user(manager).post(person_page(placed)).status_code == 405
    assert as_user(manager).get(reverse("reviews:person_feedback", args=[999999])).status_code == 404


@pytest.mark.parametrize("reader", ["manager", "hr"])
def test_the_person_page_costs_the_same_with_ten_times_the_feedback(as_user, placed, peer, manager, outsider, hr, reader):
    client = as_user({"manager": manager, "hr": hr}[reader])
    url = f"{person_page(placed)}?competency=c0-0&period=all"
    grow(placed, peer, manager, outsider, 2)
    for _ in range(2):
        UserFactory(manager=placed)
    few = page_queries(client, url)
    grow(placed, peer, manager, outsider, 18)
    assert page_queries(client, url) == few
