"""The profile page: /people/<pk>/."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import Department, Team
from tests.people.factories import UserFactory


def url(person) -> str:
    return reverse("people:person", args=[person.pk])


def test_it_shows_a_person_with_their_reporting_line_and_reports(as_user, engineer, manager, peer, skip_level):
    engineering = Department.objects.create(name="Engineering")
    manager.department = engineering
    manager.team = Team.objects.create(department=engineering, name="Payments")
    manager.save()

    response = as_user(engineer).get(url(manager))

    assert response.status_code == 200
    assert response.context["person"] == manager
    assert response.context["chain"] == [skip_level]
    assert list(response.context["reports"]) == [engineer, peer]
    content = response.content.decode()
    assert "Marcus Chen" in content
    assert "Engineering · Payments" in content
    assert url(skip_level) in content
    assert url(engineer) in content and url(peer) in content


def test_it_says_when_someone_is_at_the_top(as_user, engineer, skip_level):
    response = as_user(engineer).get(url(skip_level))

    assert response.context["chain"] == []
    assert "At the top of the organisation." in response.content.decode()


def test_it_is_open_to_everyone_signed_in(as_user, outsider, engineer):
    response = as_user(outsider).get(url(engineer))

    assert response.status_code == 200
    assert response.context["person"] == engineer


def test_it_leaves_out_reports_who_have_left(as_user, engineer, manager, peer):
    peer.is_active = False
    peer.save()

    response = as_user(engineer).get(url(manager))

    assert list(response.context["reports"]) == [engineer]


def test_it_hides_someone_who_has_left_from_everyone_but_hr(as_user, engineer, manager, peer):
    peer.is_active = False
    peer.save()

    assert as_user(engineer).get(url(peer)).status_code == 404
    # Not even their own manager sees the page of someone who has left.
    assert as_user(manager).get(url(peer)).status_code == 404


def test_it_shows_someone_who_has_left_to_hr(as_user, hr, peer):
    peer.is_active = False
    peer.save()

    response = as_user(hr).get(url(peer))

    assert response.status_code == 200
    assert "Left" in response.content.decode()


def test_it_shows_someone_who_has_left_to_a_superuser(as_user, mfa_ready, peer):
    admin = mfa_ready(UserFactory(is_superuser=True))
    peer.is_active = False
    peer.save()

    assert as_user(admin).get(url(peer)).status_code == 200


def test_it_is_404_for_an_unknown_person(as_user, engineer):
    assert as_user(engineer).get(reverse("people:person", args=[987654])).status_code == 404


def test_it_is_404_for_an_id_that_is_not_a_number(as_user, engineer):
    assert as_user(engineer).get("/people/ada/").status_code == 404
    assert as_user(engineer).get("/people/-1/").status_code == 404


def test_it_is_404_for_an_id_too_large_for_the_database(as_user, engineer):
    assert as_user(engineer).get(f"/people/{2**70}/").status_code == 404


def test_it_rejects_other_methods(as_user, engineer, manager):
    client = as_user(engineer)

    assert client.post(url(manager)).status_code == 405
    assert client.put(url(manager)).status_code == 405
    assert client.delete(url(manager)).status_code == 405


def test_it_sends_anonymous_visitors_to_sign_in(client, engineer):
    response = client.get(url(engineer))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url(engineer)}"


def build_line(depth: int, reports: int):
    """A person with `depth` managers above and `reports` direct reports."""
    department = Department.objects.create(name=f"Department of {depth}")
    team = Team.objects.create(department=department, name="Team")
    boss = None
    for _ in range(depth):
        boss = UserFactory(manager=boss, department=department, team=team)
    person = UserFactory(manager=boss, department=department, team=team)
    UserFactory.create_batch(reports, manager=person, department=department, team=team)
    return person


def test_its_query_count_does_not_grow_with_the_organisation(as_user, engineer):
    small = build_line(depth=2, reports=3)
    large = build_line(depth=20, reports=30)
    client = as_user(engineer)

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(url(small)).status_code == 200
    with CaptureQueriesContext(connection) as large_queries:
        response = client.get(url(large))
        assert response.status_code == 200

    assert len(response.context["chain"]) == 20
    assert len(response.context["reports"]) == 30
    assert len(large_queries) == len(small_queries)
