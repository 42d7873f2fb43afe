"""Reporting lines: paths the database keeps in step, `person_save` and the selectors that read them."""

from __future__ import annotations

import importlib
import threading
import time

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, OperationalError, connection, transaction

from people import services as people_services
from people.models import Department, Team, User
from people.selectors import people_in_tree, reporting_chain
from people.services import is_reporting_circle, person_save
from tests.conftest import in_thread
from tests.people.factories import UserFactory, admin_change_form


def path_of(person: User) -> str:
    return User.objects.values_list("reporting_path", flat=True).get(pk=person.pk)


def expected_path(person: User) -> str:
    """The path worked out from the manager links alone."""
    managers = dict(User.objects.values_list("pk", "manager_id"))
    chain = [person.pk]
    while managers[chain[-1]] is not None:
        chain.append(managers[chain[-1]])
    return "/" + "".join(f"{pk}/" for pk in reversed(chain))


def assert_every_path_is_right() -> None:
    for person in User.objects.all():
        assert person.reporting_path == expected_path(person), person.email


# --- Whoever changes a manager, the paths follow ----------------------------------


def test_a_queryset_update_moves_the_whole_subtree(skip_level, manager, engineer, peer, outsider):
    intern = UserFactory(manager=engineer)

    User.objects.filter(pk=manager.pk).update(manager=outsider)

    base = f"{outsider.reporting_path}{manager.pk}/"
    assert path_of(manager) == base
    assert path_of(engineer) == f"{base}{engineer.pk}/"
    assert path_of(peer) == f"{base}{peer.pk}/"
    assert path_of(intern) == f"{base}{engineer.pk}/{intern.pk}/"
    assert path_of(skip_level) == f"/{skip_level.pk}/"


def test_raw_sql_moves_the_subtree_too(manager, engineer, outsider):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_user SET manager_id = %s WHERE id = %s", [outsider.pk, manager.pk])

    assert path_of(engineer) == f"{outsider.reporting_path}{manager.pk}/{engineer.pk}/"


def test_taking_a_manager_away_makes_a_root(manager, engineer):
    User.objects.filter(pk=manager.pk).update(manager=None)

    assert path_of(manager) == f"/{manager.pk}/"
    assert path_of(engineer) == f"/{manager.pk}/{engineer.pk}/"


def test_a_shell_save_of_a_stale_copy_keeps_the_path(manager, engineer, outsider):
    stale = User.objects.get(pk=engineer.pk)
    manager.manager = outsider
    person_save(person=manager)

    # Loaded before the move: saving it must not put the old path back.
    stale.title = "Staff Engineer"
    stale.save()

    assert path_of(engineer) == f"{outsider.reporting_path}{manager.pk}/{engineer.pk}/"
    assert User.objects.get(pk=engineer.pk).title == "Staff Engineer"


def test_create_user_with_a_manager_gets_the_managers_path(manager):
    person = User.objects.create_user("nia@example.com", "pw-not-used-here", name="Nia Adams", manager=manager)

    assert person.reporting_path == f"{manager.reporting_path}{person.pk}/"
    assert path_of(person) == person.reporting_path


def test_bulk_create_and_bulk_update_keep_paths(manager, outsider):
    made = User.objects.bulk_create(
        [User(email=f"bulk{i}@example.com", name=f"Bulk {i}", manager=manager) for i in range(5)]
    )
    for person in made:
        assert path_of(person) == f"{manager.reporting_path}{person.pk}/"

    for person in made:
        person.manager = outsider
    User.objects.bulk_update(made, ["manager"])

    for person in made:
        assert path_of(person) == f"{outsider.reporting_path}{person.pk}/"


def test_a_report_saved_before_its_manager_lands_under_it(db):
    # Foreign keys are checked at commit, so a report can be inserted first.
    with transaction.atomic():
        report = User.objects.create(email="early@example.com", name="Early", manager_id=987654)
        boss = User.objects.create(pk=987654, email="late@example.com", name="Late")

    assert path_of(report) == f"/{boss.pk}/{report.pk}/"


def test_deleting_a_manager_makes_their_reports_roots(manager, engineer, peer):
    manager.delete()

    assert path_of(engineer) == f"/{engineer.pk}/"
    assert path_of(peer) == f"/{peer.pk}/"


def test_the_database_refuses_a_circle_however_it_is_written(skip_level, manager, engineer):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        User.objects.filter(pk=skip_level.pk).update(manager=engineer)

    assert is_reporting_circle(error.value)
    assert User.objects.get(pk=skip_level.pk).manager_id is None


def test_the_database_refuses_being_ones_own_manager(engineer):
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        User.objects.filter(pk=engineer.pk).update(manager=engineer)

    assert is_reporting_circle(error.value)


def test_saving_without_a_change_of_manager_leaves_the_tree_alone(skip_level, manager, engineer):
    for _ in range(30):
        UserFactory(manager=engineer)
    before = dict(User.objects.values_list("pk", "reporting_path"))

    skip_level.title = "VP Engineering"
    skip_level.save()

    assert dict(User.objects.values_list("pk", "reporting_path")) == before


def test_it_handles_a_deep_organisation(db):
    person = UserFactory()
    chain = [person]
    for _ in range(60):
        person = UserFactory(manager=person)
        chain.append(person)

    User.objects.filter(pk=chain[30].pk).update(manager=None)

    assert path_of(chain[-1]) == "/" + "".join(f"{p.pk}/" for p in chain[30:])
    assert_every_path_is_right()


def test_a_statement_that_passes_through_a_loop_is_refused_whole(db):
    # Row by row, `a` would be put under `c` while `c` is still below `a`:
    # the database refuses the statement rather than guess, and changes nothing.
    top = UserFactory()
    a = UserFactory(manager=top)
    b = UserFactory(manager=a)
    c = UserFactory(manager=b)
    d = UserFactory(manager=c)
    before = dict(User.objects.values_list("pk", "reporting_path"))
    for person, new_manager in ((d, top), (c, d), (a, c)):
        person.manager = new_manager

    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.bulk_update([a, c, d], ["manager"])

    assert dict(User.objects.values_list("pk", "reporting_path")) == before


def test_the_same_moves_made_top_down_end_up_right(db):
    top = UserFactory()
    a = UserFactory(manager=top)
    b = UserFactory(manager=a)
    c = UserFactory(manager=b)
    d = UserFactory(manager=c)
    for person, new_manager in ((d, top), (c, d), (a, c)):
        person.manager = new_manager
        User.objects.bulk_update([person], ["manager"])

    assert path_of(a) == f"/{top.pk}/{d.pk}/{c.pk}/{a.pk}/"
    assert path_of(b) == f"/{top.pk}/{d.pk}/{c.pk}/{a.pk}/{b.pk}/"
    assert_every_path_is_right()


def test_writing_the_path_with_the_manager_cannot_leave_the_subtree_behind(manager, engineer, outsider):
    intern = UserFactory(manager=engineer)

    User.objects.filter(pk=engineer.pk).update(manager=outsider, reporting_path="")

    assert path_of(engineer) == f"{outsider.reporting_path}{engineer.pk}/"
    assert path_of(intern) == f"{outsider.reporting_path}{engineer.pk}/{intern.pk}/"


def test_a_path_written_from_outside_does_not_stick(manager, engineer):
    intern = UserFactory(manager=engineer)

    User.objects.filter(pk=engineer.pk).update(reporting_path="/")
    User.objects.bulk_update([User(pk=intern.pk, reporting_path="/9/")], ["reporting_path"])

    assert_every_path_is_right()


def test_saving_a_constructed_copy_moves_the_subtree(manager, engineer, outsider):
    # As loaddata does: a new instance with the row's id, the path unset.
    intern = UserFactory(manager=engineer)
    copy = User(pk=engineer.pk, email=engineer.email, name=engineer.name, manager=outsider, password=engineer.password)

    copy.save()

    assert path_of(intern) == f"{outsider.reporting_path}{engineer.pk}/{intern.pk}/"
    assert_every_path_is_right()


def test_a_path_given_to_a_new_person_moves_nobody_under_them(manager, engineer, peer):
    before = dict(User.objects.values_list("pk", "reporting_path"))

    newcomer = User.objects.create_user("new@example.com", name="New", reporting_path="/")

    assert newcomer.reporting_path == f"/{newcomer.pk}/"
    assert {pk: path for pk, path in User.objects.values_list("pk", "reporting_path") if pk != newcomer.pk} == before
    assert not newcomer.manages(engineer)


def test_a_copy_saved_as_new_keeps_the_originals_reports_where_they_are(manager, engineer):
    copy = User.objects.get(pk=manager.pk)
    copy.pk = None
    copy._state.adding = True
    copy.email = "copy@example.com"

    copy.save()

    assert path_of(engineer) == f"{manager.reporting_path}{engineer.pk}/"
    assert copy.reporting_path == f"{copy.manager.reporting_path}{copy.pk}/"
    assert not copy.manages(engineer)
    assert_every_path_is_right()


def test_the_copy_idiom_still_makes_a_new_person(engineer):
    engineer.pk = None
    engineer.email = "twin@example.com"

    engineer.save()

    assert engineer.reporting_path == f"{engineer.manager.reporting_path}{engineer.pk}/"
    assert_every_path_is_right()


@pytest.mark.parametrize("order", [(2, 0, 1), (1, 2, 0), (2, 1, 0), (0, 1, 2)])
def test_managers_and_reports_inserted_in_one_statement_in_any_order(db, order):
    root = UserFactory()
    with transaction.atomic():
        people = [User(pk=800000 + n, email=f"chain{n}@example.com", name=f"Chain {n}") for n in range(3)]
        for n, person in enumerate(people):
            person.manager_id = root.pk if n == 0 else 800000 + n - 1
        User.objects.bulk_create([people[i] for i in order])

    assert path_of(people[2]) == f"/{root.pk}/800000/800001/800002/"
    assert_every_path_is_right()


@pytest.mark.parametrize("size", [2, 3])
def test_a_circle_inserted_in_one_statement_is_refused(db, size):
    people = [
        User(pk=810000 + n, email=f"loop{n}@example.com", name=f"Loop {n}", manager_id=810000 + (n + 1) % size)
        for n in range(size)
    ]

    with pytest.raises(IntegrityError) as error, transaction.atomic():
        User.objects.bulk_create(people)

    assert is_reporting_circle(error.value)
    assert not User.objects.filter(pk__gte=810000).exists()


def test_the_admin_moves_the_subtree(hr, manager, engineer, outsider, as_user):
    response = as_user(hr).post(
        f"/admin/people/user/{manager.pk}/change/",
        admin_change_form(manager, manager=outsider.pk),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert path_of(engineer) == f"{outsider.reporting_path}{manager.pk}/{engineer.pk}/"


def test_an_import_moves_the_subtree(manager, engineer, outsider, tmp_path):
    export = tmp_path / "hris.csv"
    export.write_text(f"email,name,manager_email\n{manager.email},{manager.name},{outsider.email}\n")

    call_command("import_people", str(export))

    assert path_of(engineer) == f"{outsider.reporting_path}{manager.pk}/{engineer.pk}/"


# --- person_save ----------------------------------------------------------------


def test_it_gives_a_new_person_a_reporting_path(manager):
    person = User(email="New.Person@Example.com", name="Nia Adams", manager=manager)
    person.set_unusable_password()

    person_save(person=person)

    assert person.email == "new.person@example.com"
    assert person.reporting_path == f"{manager.reporting_path}{person.pk}/"
    assert path_of(person) == person.reporting_path


def test_it_moves_the_subtree_when_saved_with_a_new_manager(manager, engineer, peer, outsider):
    manager.manager = outsider

    person_save(person=manager)

    assert manager.reporting_path == f"{outsider.reporting_path}{manager.pk}/"
    assert path_of(engineer) == f"{manager.reporting_path}{engineer.pk}/"
    assert path_of(peer) == f"{manager.reporting_path}{peer.pk}/"


def test_it_saves_other_changes_without_touching_the_paths(engineer, manager):
    engineer.title = "Staff Engineer"

    person_save(person=engineer)

    engineer.refresh_from_db()
    assert engineer.title == "Staff Engineer"
    assert engineer.reporting_path == f"{manager.reporting_path}{engineer.pk}/"


def test_it_refuses_a_cycle(skip_level, manager, engineer):
    skip_level.manager = engineer

    with pytest.raises(ValidationError) as error:
        person_save(person=skip_level)

    assert "circle" in error.value.message_dict["manager"][0]
    skip_level.refresh_from_db()
    assert skip_level.manager is None
    assert path_of(engineer) == f"/{skip_level.pk}/{manager.pk}/{engineer.pk}/"


def test_it_refuses_a_cycle_even_when_the_managers_path_is_stale(skip_level, manager, engineer):
    # The check in clean() trusts the manager's path in memory; the rebuild
    # reads the database and catches what a stale object hides.
    stale = User.objects.get(pk=engineer.pk)
    stale.reporting_path = f"/{engineer.pk}/"
    skip_level.manager = stale

    with pytest.raises(ValidationError):
        person_save(person=skip_level)

    assert User.objects.get(pk=skip_level.pk).manager_id is None


def test_it_refuses_being_ones_own_manager(engineer):
    engineer.manager = engineer

    with pytest.raises(ValidationError):
        person_save(person=engineer)


def test_it_refuses_a_team_from_another_department(engineer):
    engineering = Department.objects.create(name="Engineering")
    sales = Department.objects.create(name="Sales")
    engineer.department = engineering
    engineer.team = Team.objects.create(department=sales, name="Deals")

    with pytest.raises(ValidationError) as error:
        person_save(person=engineer)

    assert "team" in error.value.message_dict


def test_it_names_the_actor_on_the_audit_log(engineer, outsider, hr):
    engineer.manager = outsider

    person_save(person=engineer, actor=hr)

    entry = LogEntry.objects.get_for_object(engineer).latest("timestamp")
    assert entry.actor == hr
    assert "manager" in entry.changes_dict


# --- Selectors ------------------------------------------------------------------


def test_it_finds_everyone_in_a_tree_at_any_depth(skip_level, manager, engineer, peer, outsider, hr):
    intern = UserFactory(manager=engineer)

    assert set(people_in_tree(skip_level)) == {manager, engineer, peer, intern}
    assert set(people_in_tree(manager)) == {engineer, peer, intern}
    assert set(people_in_tree(engineer)) == {intern}
    assert not people_in_tree(peer).exists()


def test_it_does_not_confuse_ids_that_share_digits(db):
    # Person 7's tree must not include people under person 71: every id in a
    # path ends with a slash.
    seven = UserFactory()
    other = UserFactory()
    User.objects.filter(pk=other.pk).update(reporting_path=f"/{seven.pk}1/{other.pk}/")

    assert list(people_in_tree(seven)) == []


def test_it_finds_nobody_below_a_person_without_a_path(db):
    person = User(email="unsaved@example.com", name="Unsaved")

    assert list(people_in_tree(person)) == []


def test_it_lists_the_managers_above_a_person_top_first(skip_level, manager, engineer):
    assert reporting_chain(engineer) == [skip_level, manager]
    assert reporting_chain(manager) == [skip_level]
    assert reporting_chain(skip_level) == []


def test_it_reads_the_chain_in_one_query(db, django_assert_num_queries):
    person = UserFactory()
    for _ in range(15):
        person = UserFactory(manager=person)

    with django_assert_num_queries(1):
        chain = reporting_chain(person)

    assert len(chain) == 15


# --- Two transactions at once (PostgreSQL; SQLite writes one at a time) ----------------

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite runs one writing transaction at a time"
)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_report_added_while_their_managers_manager_moves_lands_in_the_right_place():
    old_boss, new_boss = UserFactory(), UserFactory()
    lead = UserFactory(manager=old_boss)
    team_member = UserFactory(manager=lead)
    moved, results = threading.Event(), {}

    def move():
        with transaction.atomic():
            User.objects.filter(pk=lead.pk).update(manager=new_boss)
            moved.set()
            time.sleep(0.5)  # the other transaction must wait, not read the old tree

    def add():
        moved.wait(5)
        return User.objects.create(email="late@example.com", name="Late", manager=team_member)

    threads = [in_thread(move, results, "move"), in_thread(add, results, "add")]
    for thread in threads:
        thread.join(10)

    assert isinstance(results["add"], User), results
    assert path_of(results["add"]) == f"/{new_boss.pk}/{lead.pk}/{team_member.pk}/{results['add'].pk}/"
    assert_every_path_is_right()


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_moves_that_together_close_a_circle_cannot_both_commit():
    a, b = UserFactory(), UserFactory()
    first_done, results = threading.Event(), {}

    def first():
        with transaction.atomic():
            User.objects.filter(pk=a.pk).update(manager=b)
            first_done.set()
            time.sleep(0.5)

    def second():
        first_done.wait(5)
        with transaction.atomic():
            User.objects.filter(pk=b.pk).update(manager=a)

    threads = [in_thread(first, results, "first"), in_thread(second, results, "second")]
    for thread in threads:
        thread.join(10)

    assert results["first"] is None
    assert isinstance(results["second"], IntegrityError) and is_reporting_circle(results["second"])
    assert User.objects.get(pk=b.pk).manager_id is None
    assert_every_path_is_right()


def test_the_admin_says_so_when_the_database_refuses_a_circle(as_user, hr, skip_level, manager, engineer, monkeypatch):
    # As if the form had checked a reporting line that changed meanwhile.
    monkeypatch.setattr(User, "clean", lambda self: None)

    response = as_user(hr).post(
        f"/admin/people/user/{skip_level.pk}/change/",
        admin_change_form(skip_level, manager=engineer.pk),
        follow=True,
    )

    assert response.status_code == 200
    assert "this would make the reporting line a circle" in response.text
    assert User.objects.get(pk=skip_level.pk).manager_id is None


def test_the_migration_refuses_to_start_on_data_that_loops():
    migration = importlib.import_module("people.migrations.0002_reporting_path_triggers")

    class People:
        class objects:
            @staticmethod
            def values_list(*fields):
                return [(1, None), (2, 3), (3, 4), (4, 2)]

    with pytest.raises(RuntimeError, match="loops through people 2 → 3 → 4 → 2"):
        migration._rebuild_paths(People)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_long_move_holds_up_nobody_outside_it():
    # An import moving a large team must not make an unrelated save wait.
    boss, other_boss = UserFactory(), UserFactory()
    lead = UserFactory(manager=boss)
    for _ in range(20):
        UserFactory(manager=lead)
    bystander = UserFactory(manager=other_boss)
    moving, results = threading.Event(), {}

    def move():
        with transaction.atomic():
            User.objects.filter(pk=lead.pk).update(manager=other_boss)
            moving.set()
            time.sleep(1.5)

    def save():
        moving.wait(5)
        started = time.monotonic()
        person = User.objects.get(pk=bystander.pk)
        person.title = "Still here"
        person.set_password("a new long passphrase")
        person.save()
        return time.monotonic() - started

    threads = [in_thread(move, results, "move"), in_thread(save, results, "save")]
    for thread in threads:
        thread.join(10)

    assert results["save"] < 0.5, results
    assert_every_path_is_right()


def test_the_admin_asks_to_try_again_when_a_simultaneous_change_wins(as_user, hr, engineer, outsider, monkeypatch):
    class DeadlockDetected(Exception):
        sqlstate = "40P01"

    def lose(**kwargs):
        raise OperationalError("deadlock detected") from DeadlockDetected()

    monkeypatch.setattr(people_services, "person_save", lose)
    response = as_user(hr).post(
        f"/admin/people/user/{engineer.pk}/change/",
        admin_change_form(engineer, manager=outsider.pk),
        follow=True,
    )

    assert response.status_code == 200
    assert "Someone else was changing the same reporting line at that moment" in response.text
    assert User.objects.get(pk=engineer.pk).manager_id == engineer.manager_id
