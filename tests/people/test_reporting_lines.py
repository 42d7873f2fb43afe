"""Reporting lines: the materialised paths, `person_save` and the selectors that read them."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from people.models import Department, Team, User
from people.selectors import people_in_tree, reporting_chain
from people.services import person_save, reporting_lines_rebuild
from tests.people.factories import UserFactory


def path_of(person: User) -> str:
    return User.objects.values_list("reporting_path", flat=True).get(pk=person.pk)


# --- reporting_lines_rebuild ---------------------------------------------------


def test_it_moves_the_whole_subtree_when_a_manager_changes(skip_level, manager, engineer, peer, outsider):
    intern = UserFactory(manager=engineer)
    User.objects.filter(pk=manager.pk).update(manager=outsider)

    changed = reporting_lines_rebuild()

    base = f"{outsider.reporting_path}{manager.pk}/"
    assert path_of(manager) == base
    assert path_of(engineer) == f"{base}{engineer.pk}/"
    assert path_of(peer) == f"{base}{peer.pk}/"
    assert path_of(intern) == f"{base}{engineer.pk}/{intern.pk}/"
    assert path_of(skip_level) == f"/{skip_level.pk}/"
    assert changed == 4


def test_it_makes_a_person_without_a_manager_a_root(manager, engineer):
    User.objects.filter(pk=manager.pk).update(manager=None)

    reporting_lines_rebuild()

    assert path_of(manager) == f"/{manager.pk}/"
    assert path_of(engineer) == f"/{manager.pk}/{engineer.pk}/"


def test_it_changes_nothing_when_the_paths_are_right(engineer, peer, outsider):
    assert reporting_lines_rebuild() == 0


def test_it_repairs_paths_that_drifted(engineer, manager):
    User.objects.filter(pk=engineer.pk).update(reporting_path="/999/")

    assert reporting_lines_rebuild() == 1
    assert path_of(engineer) == f"{manager.reporting_path}{engineer.pk}/"


def test_it_refuses_to_rebuild_a_circle(skip_level, engineer):
    User.objects.filter(pk=skip_level.pk).update(manager=engineer)

    with pytest.raises(ValidationError) as error:
        reporting_lines_rebuild()

    assert "circle" in error.value.messages[0]


def test_it_handles_a_deep_organisation(db):
    person = UserFactory()
    chain = [person]
    for _ in range(60):
        person = UserFactory(manager=person)
        chain.append(person)
    User.objects.update(reporting_path="")

    reporting_lines_rebuild()

    assert path_of(chain[-1]) == "/" + "".join(f"{p.pk}/" for p in chain)


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
