"""The stamp (people.stamp): replaced by every change that pages keep something about, and only then."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from ladders.models import Framework, Placement
from people.models import Stamp, User
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit-time trigger")


def stamp() -> int | None:
    return Stamp.objects.values_list("value", flat=True).first()


@pytest.fixture
def v1(db):
    return publish(document(slug="backend"))


def replaces(change) -> bool:
    before = stamp()
    change()
    return stamp() != before


def test_who_reports_to_whom_who_is_active_and_names_replace_it(db):
    boss, other = UserFactory(), UserFactory()
    person = UserFactory(manager=boss)

    assert replaces(lambda: UserFactory(manager=boss))
    assert replaces(lambda: User.objects.filter(pk=person.pk).update(manager=other))
    assert replaces(lambda: User.objects.filter(pk=person.pk).update(name="New Name"))
    assert replaces(lambda: User.objects.filter(pk=person.pk).update(title="Staff Engineer"))
    assert replaces(lambda: User.objects.filter(pk=person.pk).update(is_active=False))
    assert replaces(lambda: User.objects.filter(pk=person.pk).delete())


def test_changes_pages_keep_nothing_about_leave_it(db):
    person = UserFactory(manager=UserFactory())
    person.refresh_from_db()

    assert not replaces(lambda: User.objects.filter(pk=person.pk).update(email="someone.else@example.com"))
    assert not replaces(lambda: User.objects.filter(pk=person.pk).update(last_login=datetime.datetime.now(datetime.UTC)))
    # A whole-row save that changes none of it (the admin, a password change).
    person.set_password("another long passphrase")
    assert not replaces(person.save)


def test_placements_frameworks_and_versions_replace_it(db, v1):
    person = UserFactory()

    placement = None

    def add():
        nonlocal placement
        placement = place(person, v1, "l2")

    assert replaces(add)
    assert replaces(lambda: Placement.objects.filter(pk=placement.pk).update(effective_date=datetime.date(2024, 2, 1)))
    assert replaces(lambda: Placement.objects.filter(pk=placement.pk).delete())
    assert replaces(lambda: Framework.objects.filter(pk=v1.framework_id).update(name="Back end"))
    assert replaces(lambda: publish(document(slug="backend")))


def test_a_change_rolled_back_leaves_it_as_it_was(db):
    before = stamp()
    with pytest.raises(RuntimeError), transaction.atomic():
        UserFactory()
        raise RuntimeError("undo")
    assert stamp() == before


def test_the_next_request_sees_a_new_report_on_the_team_page(as_user, manager, engineer, peer):
    client = as_user(manager)
    assert "2 direct reports" in client.get(reverse("ladders:team")).text

    UserFactory(manager=manager, name="Newly Hired")

    page = client.get(reverse("ladders:team")).text
    assert "3 direct reports" in page and "Newly Hired" in page


def _stamp_elsewhere() -> int | None:
    # Read on a connection of its own, as another request would.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT value FROM people_stamp")
            return cursor.fetchone()[0]
    finally:
        other.close()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_it_is_replaced_as_the_change_commits_and_not_before():
    boss = UserFactory()
    before = _stamp_elsewhere()
    with transaction.atomic():
        UserFactory(manager=boss)
        UserFactory(manager=boss)
        assert _stamp_elsewhere() == before
    assert _stamp_elsewhere() != before


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_long_change_holds_up_another_only_for_its_commit():
    boss, other_boss = UserFactory(), UserFactory()
    lead, bystander = UserFactory(manager=boss), UserFactory(manager=boss)
    changing, results = threading.Event(), {}

    def long_move():
        try:
            with transaction.atomic():
                User.objects.filter(pk=lead.pk).update(manager=other_boss)
                changing.set()
                time.sleep(1.5)
        finally:
            connections.close_all()

    def other_move():
        try:
            changing.wait(5)
            started = time.monotonic()
            User.objects.filter(pk=bystander.pk).update(manager=other_boss)
            results["other"] = time.monotonic() - started
        finally:
            connections.close_all()

    threads = [threading.Thread(target=long_move), threading.Thread(target=other_move)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert results["other"] < 0.5, results


def test_starting_submitting_and_removing_an_assessment_replace_it_saving_a_draft_does_not(db, v1):
    from ladders.models import Assessment
    from ladders.services.assessments import assessment_save, assessment_submit
    from tests.ladders.factories import assess

    manager = UserFactory()
    person = UserFactory(manager=manager)
    place(person, v1, "l1")
    draft = None

    def start():
        nonlocal draft
        draft = assess(person, manager, v1, "l1", submit=False)

    assert replaces(start)
    ratings = {r.competency_id: (r.proficiency_id, "more evidence") for r in draft.ratings.all()}
    assert not replaces(lambda: assessment_save(assessment=draft, author=manager, summary="Still writing", ratings=ratings))
    assert replaces(lambda: assessment_submit(assessment=draft, author=manager))
    assert replaces(lambda: Assessment.objects.filter(pk=draft.pk).delete())
