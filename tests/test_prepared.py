"""Queries compiled once (config.prepared): the same rows as the ORM, values bound, never built in."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from config import prepared
from config.prepared import MARK_DATE, MARK_ID, MARK_TEXT, PreparedQuery
from people.models import User
from tests.people.factories import NotificationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team():
    boss = UserFactory(name="Bea Boss", start_date=datetime.date(2019, 3, 1))
    reports = [
        UserFactory(name=name, manager=boss, start_date=datetime.date(2021, 1, day))
        for day, name in enumerate(["Ann", "Bob", "Cid", "Dee"], start=1)
    ]
    NotificationFactory.create_batch(2, recipient=reports[0])
    return boss, reports


def test_model_rows_match_the_orm_with_related_objects_and_annotations(team):
    boss, _ = team
    build = lambda manager: (  # noqa: E731
        User.objects.filter(manager_id=manager)
        .select_related("manager")
        .annotate(unread=Count("notifications"))
        .order_by("name")
    )
    query = PreparedQuery(build, manager=MARK_ID)

    found = query.all(manager=boss.pk)

    expected = list(build(boss.pk))
    assert [(p.pk, p.name, p.unread, p.start_date) for p in found] == [
        (p.pk, p.name, p.unread, p.start_date) for p in expected
    ]
    assert found[0].unread == 2
    # The related person came with the row: reading it costs no query.
    with CaptureQueriesContext(connection) as captured:
        assert {p.manager.name for p in found} == {"Bea Boss"}
    assert len(captured) == 0
    # Values are converted as the ORM converts them.
    assert isinstance(found[0].start_date, datetime.date)


def test_each_run_binds_its_own_values(team):
    boss, reports = team
    query = PreparedQuery(lambda manager: User.objects.filter(manager_id=manager).values_list("name", flat=True).order_by("name"), manager=MARK_ID)

    assert query.all(manager=boss.pk) == ["Ann", "Bob", "Cid", "Dee"]
    assert query.all(manager=reports[0].pk) == []
    assert query.all(manager=boss.pk) == ["Ann", "Bob", "Cid", "Dee"]
    assert len(query.compiled) == 1


def test_text_and_date_values_are_parameters_not_sql(team):
    query = PreparedQuery(
        lambda name, since: User.objects.filter(name__gte=name, start_date__gte=since).values_list("name", "start_date").order_by("name"),
        name=MARK_TEXT,
        since=MARK_DATE,
    )

    assert query.all(name="Bea", since=datetime.date(2019, 1, 1)) == [
        ("Bea Boss", datetime.date(2019, 3, 1)),
        ("Bob", datetime.date(2021, 1, 2)),
        ("Cid", datetime.date(2021, 1, 3)),
        ("Dee", datetime.date(2021, 1, 4)),
    ]
    assert query.all(name="Bea", since=datetime.date(2020, 1, 1))[0] == ("Bob", datetime.date(2021, 1, 2))
    # Quotes and SQL in a value are only ever a value.
    assert query.all(name="z' OR '1'='1", since=datetime.date(2000, 1, 1)) == []
    compiled = next(iter(query.compiled.values()))
    assert "OR '1'='1" not in compiled.sql


def test_variants_compile_once_each_and_are_bounded(team, monkeypatch):
    boss, _ = team
    query = PreparedQuery(
        lambda manager, page: User.objects.filter(manager_id=manager).order_by("name").values_list("name", flat=True)[(page - 1) * 2 : page * 2],
        variants=("page",),
        manager=MARK_ID,
    )

    assert query.all(manager=boss.pk, page=1) == ["Ann", "Bob"]
    assert query.all(manager=boss.pk, page=2) == ["Cid", "Dee"]
    assert query.all(manager=boss.pk, page=1) == ["Ann", "Bob"]
    assert len(query.compiled) == 2

    monkeypatch.setattr(prepared, "MAX_VARIANTS", 2)
    # Past the bound a variant still answers, compiled for the one run.
    assert query.all(manager=boss.pk, page=3) == []
    assert len(query.compiled) == 2


def test_a_value_the_query_does_not_use_is_refused():
    query = PreparedQuery(lambda manager: User.objects.filter(pk__gt=0), manager=MARK_ID)

    with pytest.raises(RuntimeError, match="manager"):
        query.all(manager=1)


def test_runs_are_counted_like_any_query(team):
    boss, _ = team
    query = PreparedQuery(lambda manager: User.objects.filter(manager_id=manager), manager=MARK_ID)

    with CaptureQueriesContext(connection) as captured:
        query.all(manager=boss.pk)
        query.all(manager=boss.pk)

    assert len(captured) == 2
    assert "manager_id" in captured[0]["sql"]


def _prepared_on_server() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_postgresql_plans_each_prepared_query_once_per_connection(team):
    boss, _ = team
    query = PreparedQuery(lambda manager: User.objects.filter(manager_id=manager).order_by("name"), manager=MARK_ID)

    first = query.all(manager=boss.pk)
    again = query.all(manager=boss.pk)

    assert [p.pk for p in first] == [p.pk for p in again]
    sql = next(iter(query.compiled.values())).sql.replace("%s", "$1")
    assert _prepared_on_server().count(sql) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_prepared_statements_can_be_turned_off_for_a_pooler(team):
    boss, _ = team
    query = PreparedQuery(lambda manager: User.objects.filter(manager_id=manager, is_active=True), manager=MARK_ID)

    assert len(query.all(manager=boss.pk)) == 4
    sql = next(iter(query.compiled.values())).sql
    assert not [s for s in _prepared_on_server() if s.startswith(sql.split("%s")[0])]


def test_an_id_no_column_can_hold_matches_nothing(team):
    query = PreparedQuery(lambda manager: User.objects.filter(manager_id=manager), manager=MARK_ID)

    assert query.all(manager=2**63) == []
    assert query.all(manager=-(2**70)) == []


@pytest.mark.parametrize("address", ["/path/{}/", "/path/{}/compare/"])
def test_an_address_with_such_an_id_is_not_found(as_user, engineer, address):
    response = as_user(engineer).get(address.format(2**63))
    assert response.status_code == 404
