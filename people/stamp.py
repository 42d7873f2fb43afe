"""The stamp (see people.models.Stamp): triggers that replace it, and reading it.

`stamp_triggers(table)` gives the statements that make every insert, delete
or update of `table` (or an update changing one of the named `columns`)
write a new random value into people_stamp, in the writing transaction;
migrations of this app and of apps built on it install them for the tables
whose rows pages keep something about.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db.models import Subquery

from config.kept import Kept

from .models import Stamp

T = TypeVar("T")

POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION people_stamp_replace() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- Once per commit however many rows the transaction wrote (or once per
    -- statement where the triggers are set to fire at once).
    IF current_setting('people.stamp_replaced_in', true) IS DISTINCT FROM (txid_current() || ' ' || statement_timestamp()) THEN
        INSERT INTO people_stamp (id, value) VALUES (1, (random() * 9.2e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value;
        PERFORM set_config('people.stamp_replaced_in', txid_current() || ' ' || statement_timestamp(), true);
    END IF;
    RETURN NULL;
END
$$;
"""
POSTGRESQL_FUNCTION_REVERSE = "DROP FUNCTION IF EXISTS people_stamp_replace();"
_SQLITE_REPLACE = "INSERT OR REPLACE INTO people_stamp (id, value) VALUES (1, random());"


def stamp_triggers(vendor: str, table: str, columns: tuple[str, ...] = ()) -> tuple[list[str], list[str]]:
    """The statements installing the stamp's triggers on `table`, and those removing them.

    Every insert and delete replaces the stamp; an update does when it
    changes one of `columns` (any update, without them). On PostgreSQL the
    stamp is replaced when the transaction commits (a deferred trigger), so
    its row is locked for no longer than the commit: writers wait for each
    other there only, and one that changes none of it never does.
    """
    name = f"{table}_stamp"
    if vendor == "postgresql":
        changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in columns)
        when = f" WHEN ({changed})" if columns else ""
        events = {"write": ("INSERT OR DELETE", ""), "update": (f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE", when)}
        return (
            [
                f"CREATE CONSTRAINT TRIGGER {name}_{k} AFTER {event} ON {table} DEFERRABLE INITIALLY DEFERRED "
                f"FOR EACH ROW{condition} EXECUTE FUNCTION people_stamp_replace();"
                for k, (event, condition) in events.items()
            ],
            [f"DROP TRIGGER IF EXISTS {name}_{k} ON {table};" for k in events],
        )
    if vendor == "sqlite":
        changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
        when = f" WHEN {changed}" if columns else ""
        events = {
            "insert": ("INSERT", ""),
            "delete": ("DELETE", ""),
            "update": (f"UPDATE OF {', '.join(columns)}" if columns else "UPDATE", when),
        }
        return (
            [
                f"CREATE TRIGGER {name}_{k} AFTER {event} ON {table}{condition} BEGIN {_SQLITE_REPLACE} END;"
                for k, (event, condition) in events.items()
            ],
            [f"DROP TRIGGER IF EXISTS {name}_{k};" for k in events],
        )
    raise RuntimeError("Trellis runs on PostgreSQL or SQLite.")


def stamp_subquery() -> Subquery:
    """The stamp's value (NULL without the row), to read alongside another query."""
    return Subquery(Stamp.objects.filter(pk=Stamp.ONLY).values("value")[:1])


def stamp_of(user) -> int | None:
    """The stamp read with the signed-in person (see people.backends), None if it was not."""
    return getattr(user, "stamp", None)


class Stamped:
    """What a page keeps for as long as the stamp stays the same, per process (see config.kept).

    Read with the stamp of the request; without one, built every time.
    """

    def __init__(self, size: int):
        self.kept = Kept(size)

    def get_or_build(self, stamp: int | None, key: tuple, build: Callable[[], T]) -> T:
        if stamp is None:
            return build()
        return self.kept.get_or_build((stamp, *key), lambda: (build(),))[0]

    def clear(self) -> None:
        self.kept.clear()
