"""Kept PostgreSQL connections are checked without a query, and a dead one is still caught (config.postgresql)."""

import select
from unittest import mock

import pytest
from django.db import connection, connections

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connection check"),
]


@pytest.fixture
def kept():
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def _spy(wrapper):
    return mock.patch.object(wrapper.connection, "cursor", wraps=wrapper.connection.cursor)


def _wait_readable(wrapper):
    assert select.select([wrapper.connection.fileno()], [], [], 5)[0], "the server sent nothing"


def test_a_connection_in_good_order_is_usable_without_a_round_trip(kept):
    with _spy(kept) as cursor:
        assert kept.is_usable()
    cursor.assert_not_called()


def test_a_connection_the_server_ended_is_caught_and_replaced(kept):
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    _wait_readable(kept)

    assert not kept.is_usable()
    # What Django does at the start of a request with a kept connection.
    kept.health_check_enabled, kept.health_check_done = True, False
    kept.close_if_health_check_failed()
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_a_connection_with_something_waiting_is_asked_and_kept(kept):
    with kept.cursor() as cursor:
        cursor.execute("LISTEN trellis_check")
    # Sent from a connection of its own: a notification leaves when its transaction commits.
    sender = connections.create_connection("default")
    try:
        with sender.cursor() as cursor:
            cursor.execute("NOTIFY trellis_check")
    finally:
        sender.close()
    _wait_readable(kept)

    with _spy(kept) as cursor:
        assert kept.is_usable()
    cursor.assert_called_once()
