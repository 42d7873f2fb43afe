"""The stamp (people.stamp): replaced by every change that pages keep something about, and only then."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from ladders.models import Framework, Placement
from people.models import Department, Team, User
from people.stamp import stamp_now
from tests.conftest import in_thread
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's commit-time trigger")


def stamp() -> int | None:
    return stamp_now()


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
    mobile = Department.objects.create(name="Mobile")
    assert replaces(lambda: User.objects.filter(pk=person.pk).update(department=mobile))
    assert replaces(lambda: User.objects.filter(pk=person.pk).update(team=Team.objects.create(department=mobile, name="Apps")))
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


def test_rows_written_ignoring_conflicts_replace_it(db, v1):
    person = UserFactory()
    level = v1.levels.get(code="l1")
    track = level.tracks.first()

    assert replaces(
        lambda: Placement.objects.bulk_create(
            [Placement(person=person, level=level, track=track, effective_date=datetime.date(2024, 1, 1))],
            ignore_conflicts=True,
        )
    )


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
        return stamp_now(other)
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


def _together(*works) -> dict:
    results = {}
    for thread in [in_thread(work, results, name) for name, work in works]:
        thread.join(15)
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_writers_never_wait_for_each_other_over_it():
    boss, other_boss = UserFactory(), UserFactory()
    lead, bystander = UserFactory(manager=boss), UserFactory(manager=boss)
    changing = threading.Event()

    def long_move():
        with transaction.atomic():
            User.objects.filter(pk=lead.pk).update(manager=other_boss)
            changing.set()
            time.sleep(1.5)

    def other_move():
        changing.wait(5)
        started = time.monotonic()
        User.objects.filter(pk=bystander.pk).update(manager=other_boss)
        return time.monotonic() - started

    results = _together(("long", long_move), ("other", other_move))
    assert results["other"] < 0.5, results
    assert _stamp_elsewhere() is not None


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_move_and_an_import_touching_the_same_people_both_commit():
    # The move locks the people below the manager it moves; the import writes
    # placements for someone else, then for one of them, and so waits for the
    # move to commit. Neither may end up waiting for the other over the stamp.
    version = publish(document(slug="backend"))
    boss, other_boss = UserFactory(), UserFactory()
    lead = UserFactory(manager=boss)
    below, elsewhere = UserFactory(manager=lead), UserFactory(manager=other_boss)
    moved, importing = threading.Event(), threading.Event()

    def move():
        with transaction.atomic():
            User.objects.filter(pk=lead.pk).update(manager=other_boss)
            moved.set()
            importing.wait(5)
            time.sleep(0.5)  # the import is waiting on `below` by now
        return "committed"

    def import_placements():
        moved.wait(5)
        with transaction.atomic():
            place(elsewhere, version, "l1")
            importing.set()
            place(below, version, "l1")
        return "committed"

    results = _together(("move", move), ("import", import_placements))
    assert results == {"move": "committed", "import": "committed"}, results
    assert Placement.objects.count() == 2


STAMPED_TABLES = ["people_user", "ladders_placement", "ladders_framework", "ladders_frameworkversion", "ladders_assessment"]


def test_every_stamped_table_keeps_its_triggers_after_all_migrations(db):
    # A migration that rebuilds a table (SQLite does, to add a column) must put them back.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    per_table = 3 if connection.vendor == "sqlite" else 2
    for table in STAMPED_TABLES:
        assert len({n for n in names if n.startswith(f"{table}_stamp_")}) == per_table, table
