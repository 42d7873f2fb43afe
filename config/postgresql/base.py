"""Django's PostgreSQL backend, checking a kept connection without a query and
reading timestamps with psycopg's own C code.

Connections live across requests (CONN_MAX_AGE), and Django checks a kept one
at the start of each request (CONN_HEALTH_CHECKS) with `SELECT 1`: a round
trip to the server on every request. A server that ends a connection
(restart, `pg_terminate_backend`, an idle timeout) says so and closes the
socket, which makes it readable; a connection in good order has nothing to
read between queries. So an idle connection with nothing waiting is usable
as it is, and only one with something waiting, or left inside a
transaction, gets the `SELECT 1`, which either fails (and Django opens a
new connection) or reads what was waiting.

Django reads every `timestamp with time zone` through a loader written in
Python that puts its own time zone on the result, some 10 µs a value; a
list of fifty assessments reads a hundred. When the session's time zone is
UTC, as Django sets it with USE_TZ and no database TIME_ZONE, psycopg's C
loader gives the very same value (aware, `datetime.timezone.utc`) in under
one, so that one reads them.
"""

from __future__ import annotations

import datetime
import functools
import select

from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg import adapt, adapters
from psycopg.pq import Format, TransactionStatus

_TIMESTAMPTZ = adapters.types["timestamptz"].oid


class UTCTimestamptzLoader(adapt.Loader):
    """psycopg's timestamptz loader (in C when psycopg has it), for a session in UTC."""

    # What Django's cursors compare with the connection's time zone.
    timezone = datetime.timezone.utc

    def __init__(self, oid, context=None):
        super().__init__(oid, context)
        self._loader = adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)(oid, context)
        # The C loader's own method, called directly for each value.
        self.load = self._loader.load

    def load(self, data):
        return self._loader.load(data)


@functools.lru_cache
def _utc_adapters() -> adapt.AdaptersMap:
    context = adapt.AdaptersMap(get_adapters_template(True, datetime.timezone.utc))
    context.register_loader("timestamptz", UTCTimestamptzLoader)
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        if settings.USE_TZ and self.timezone_name == "UTC":
            params["context"] = _utc_adapters()
        return params

    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        if connection.info.transaction_status != TransactionStatus.IDLE:
            # Left inside a transaction (a failed one, say): Django's own check decides.
            return super().is_usable()
        try:
            poll = select.poll()
            poll.register(connection.fileno(), select.POLLIN)
            waiting = poll.poll(0)
        except (OSError, ValueError):
            return False
        return not waiting or super().is_usable()
