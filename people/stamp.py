"""The stamp (see people.models.Stamp): triggers that replace it, and reading it.

`stamp_triggers(table)` gives the statements that make every insert, delete
or update of `table` (or an update changing one of the named `columns`)
give the stamp a new random value, in the writing transaction; migrations of
this app and of apps built on it install them for the tables whose rows
pages keep something about.

On SQLite, which writes one transaction at a time, the stamp is one row.
On PostgreSQL writers must never wait for one another over it (a writer
holding it while waiting for another's row would deadlock against that
writer waiting for it), so each writing statement adds a row of its own,
and the stamp is the XOR of all rows' values: a new row changes it, and it
becomes visible with the commit that adds it. The same statement folds up
to 32 older rows into that one, keeping their XOR, skipping rows another
transaction is folding: nobody ever waits.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.db.models import BigIntegerField
from django.db.models.expressions import RawSQL

from config.kept import Kept

T = TypeVar("T")

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION people_stamp_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Once per statement, however many rows it wrote.
    IF current_setting('people.stamp_replaced_in', true) IS DISTINCT FROM (txid_current() || ' ' || statement_timestamp()) THEN
        WITH folded AS (
            DELETE FROM people_stamp
            WHERE id IN (SELECT id FROM people_stamp ORDER BY id LIMIT 32 FOR UPDATE SKIP LOCKED)
            RETURNING value
        )
        INSERT INTO people_stamp (value)
        SELECT coalesce(bit_xor(value), 0) # (random() * 9.2e18)::bigint FROM folded;
        PERFORM set_config('people.stamp_replaced_in', txid_current() || ' ' || statement_timestamp(), true);
    END IF;
    RETURN NULL;
END
$$;
"""
POSTGRESQL_FUNCTION_REVERSE = "DROP FUNCTION IF EXISTS people_stamp_replace();"
# An UPDATE, then an INSERT only if the row is missing: a trigger's statements
# take the conflict policy of the statement that fired them, and an INSERT OR
# REPLACE fired by an INSERT OR IGNORE would be ignored.
_SQLITE_REPLACE = (
    "UPDATE people_stamp SET value = random() WHERE id = 1; "
    "INSERT INTO people_stamp (id, value) SELECT 1, random() WHERE NOT EXISTS (SELECT 1 FROM people_stamp WHERE id = 1);"
)
_READ = {
    "postgresql": "SELECT bit_xor(value) FROM people_stamp",
    "sqlite": "SELECT value FROM people_stamp WHERE id = 1",
}


def stamp_triggers(vendor: str, table: str, columns: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The statements installing the stamp's triggers on `table`, and those removing them.

    Every insert and delete replaces the stamp; an update does when it
    changes one of `columns` (any update, without them).
    """
    name = f"{table}_stamp"
    update = f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE"
    if vendor == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        events = {"write": ("INSERT OR DELETE", ""), "update": (update, f" WHEN ({changed})" if columns else "")}
        return (
            [
                f"CREATE TRIGGER {name}_{k} AFTER {event} ON {table} "
                f"FOR EACH ROW{condition} EXECUTE FUNCTION people_stamp_replace();"
                for k, (event, condition) in events.items()
            ],
            [f"DROP TRIGGER IF EXISTS {name}_{k} ON {table};" for k in events],
        )
    if vendor == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        events = {
            "insert": ("INSERT", ""),
            "delete": ("DELETE", ""),
            "update": (update, f" WHEN {changed}" if columns else ""),
        }
        return (
            [
                f"CREATE TRIGGER {name}_{k} AFTER {event} ON {table}{condition} BEGIN {_SQLITE_REPLACE} END;"
                for k, (event, condition) in events.items()
            ],
            [f"DROP TRIGGER IF EXISTS {name}_{k};" for k in events],
        )
    raise RuntimeError("Trellis runs on PostgreSQL or SQLite.")


def stamp_subquery() -> RawSQL:
    """The stamp's value (NULL in an emptied database), to read alongside another query.

    A fixed statement per database, with nothing from outside in it."""
    return RawSQL(f"({_READ[connection.vendor]})", [], output_field=BigIntegerField())


def stamp_now(using=connection) -> int | None:
    """The stamp as the database has it now (on `using`, a connection)."""
    with using.cursor() as cursor:
        cursor.execute(_READ[using.vendor])
        return cursor.fetchone()[0]


def stamp_of(user) -> int | None:
    """The stamp read with the signed-in person (see people.backends), None if it was not."""
    return getattr(user, "stamp", None)


_every_stamped: weakref.WeakSet[Stamped] = weakref.WeakSet()


class Stamped:
    """What a page keeps for as long as the stamp stays the same, per process (see config.kept).

    Read with the stamp of the request; without one, built every time.
    """

    def __init__(self, size: int):
        self.kept = Kept(size)
        _every_stamped.add(self)

    def get_or_build(self, stamp: int | None, key: tuple, build: Callable[[], T]) -> T:
        if stamp is None:
            return build()
        return self.kept.get_or_build((stamp, *key), build)

    def clear(self) -> None:
        self.kept.clear()


def stamped_clear() -> None:
    """Forget everything kept under any stamp, in this process."""
    for stamped in list(_every_stamped):
        stamped.clear()
