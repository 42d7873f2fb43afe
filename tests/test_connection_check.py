"""Kept PostgreSQL connections are checked without a query, and a dead one is still caught (config.postgresql)."""

import datetime
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


def test_timestamps_read_as_django_reads_them_aware_in_utc(db):
    from config.postgresql.base import UTCTimestamptzLoader

    with connection.cursor() as cursor:
        assert isinstance(cursor.cursor.adapters.get_loader(1184, 0)(1184), UTCTimestamptzLoader)
        cursor.execute(
            "SELECT '2026-08-05 10:11:12.123456+02'::timestamptz, '1999-12-31 23:59:59-08:30'::timestamptz, NULL::timestamptz"
        )
        summer, odd_offset, missing = cursor.fetchone()

    assert summer == datetime.datetime(2026, 8, 5, 8, 11, 12, 123456, tzinfo=datetime.UTC)
    assert summer.tzinfo is datetime.UTC and odd_offset.tzinfo is datetime.UTC
    assert odd_offset == datetime.datetime(2000, 1, 1, 8, 29, 59, tzinfo=datetime.UTC)
    assert missing is None


def test_a_connection_left_in_a_failed_transaction_is_not_kept(kept):
    raw = kept.connection
    raw.autocommit = False
    with raw.cursor() as cursor:
        with pytest.raises(Exception):
            cursor.execute("SELECT 1/0")
    assert not kept.is_usable()
