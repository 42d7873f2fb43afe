"""Django's PostgreSQL backend, checking a kept connection without a query.

Connections live across requests (CONN_MAX_AGE), and Django checks a kept one
at the start of each request (CONN_HEALTH_CHECKS) with `SELECT 1`: a round
trip to the server on every request. A server that ends a connection
(restart, `pg_terminate_backend`, an idle timeout) says so and closes the
socket, which makes it readable; a connection in good order has nothing to
read between queries. So a socket with nothing waiting is usable as it is,
and only one with something waiting gets the `SELECT 1`, which either fails
(and Django opens a new connection) or reads what was waiting.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            waiting, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        return not waiting or super().is_usable()
