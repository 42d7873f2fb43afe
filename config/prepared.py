"""Queries built and compiled once per process, then run with new values.

On the pages every request reaches (the signed-in person, a path, a team),
building and compiling a Django query costs more CPU than the database
spends running it: a select_related chain or a subquery takes a
millisecond or more to compile, every time. A `PreparedQuery` is written
as an ordinary queryset, built once with marker values where the real
values go; its SQL, its parameters and what the ORM needs to read its rows
(converters, related objects) are kept, and each run binds the real values
and reads rows exactly as the ORM would. Nothing is ever built from input:
values are bound as parameters.

    current = PreparedQuery(
        lambda person: Placement.objects.filter(person_id=person).order_by("-effective_date"),
        person=MARK_ID,
    )
    current.first(person=42)

Values that change the SQL itself (an OFFSET, say) are `variants`: each
value compiles once, so keep them few (page numbers, a handful of kinds).
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

try:
    import psycopg
except ImportError:  # SQLite only
    psycopg = None

from django.conf import settings
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ModelIterable, ValuesListIterable, get_related_populators

# Markers: values no real row has, recognisable among a query's parameters.
MARK_ID = -7_274_001_001
MARK_ID_2 = -7_274_001_002
MARK_TEXT = "\x00trellis-mark\x00"
MARK_DATE = datetime.date(1, 1, 2)
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
# Compiled forms kept per query; beyond this, further variants compile each time.
MAX_VARIANTS = 200


@dataclass
class _Compiled:
    sql: str
    params: list
    slots: dict[str, list[int]]
    compiler: Any
    kind: type
    model_layout: tuple | None
    converters: dict


class PreparedQuery:
    def __init__(self, build: Callable[..., QuerySet], *, variants: tuple[str, ...] = (), **marks: Any):
        self.build = build
        self.marks = marks
        self.variants = variants
        self.model = None
        self.compiled: dict[tuple, _Compiled] = {}
        self.lock = threading.Lock()

    def _compile(self, alias: str, variant: dict) -> _Compiled:
        queryset = self.build(**self.marks, **variant).using(alias)
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = {}
        for name, mark in self.marks.items():
            slots[name] = [i for i, value in enumerate(params) if _is_mark(value, mark)]
            if not slots[name]:
                raise RuntimeError(f"The marker for {name!r} is not among the query's parameters: {sql}")
        kind = queryset._iterable_class
        if kind not in (ModelIterable, ValuesListIterable, FlatValuesListIterable):
            raise TypeError("A prepared query returns model instances or values_list() rows.")
        layout = None
        if kind is ModelIterable:
            select, klass_info = compiler.select, compiler.klass_info
            start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
            init_list = [column[0].target.attname for column in select[start:end]]
            populators = get_related_populators(klass_info, select, alias)
            layout = (klass_info["model"], start, end, init_list, populators, compiler.annotation_col_map)
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return _Compiled(sql, params, slots, compiler, kind, layout, converters)

    def all(self, **values) -> list:
        variant = {name: values.pop(name) for name in self.variants}
        if any(isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX for value in values.values()):
            # An id no database column can hold (from an address, say) matches
            # no row, as the ORM's lookups have it.
            return []
        if self.model is None:
            self.model = self.build(**self.marks, **variant).model
        alias = router.db_for_read(self.model)
        key = (alias, *variant.values())
        compiled = self.compiled.get(key)
        if compiled is None:
            compiled = self._compile(alias, variant)
            with self.lock:
                if len(self.compiled) < MAX_VARIANTS:
                    compiled = self.compiled.setdefault(key, compiled)
        params = list(compiled.params)
        for name, positions in compiled.slots.items():
            for index in positions:
                params[index] = _bind(values[name], compiled.params[index])
        with _cursor(connections[alias]) as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        if compiled.kind is FlatValuesListIterable:
            return [row[0] for row in rows]
        if compiled.kind is ValuesListIterable:
            return [tuple(row) for row in rows]
        model, start, end, init_list, populators, annotations = compiled.model_layout
        objects = []
        for row in rows:
            obj = model.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in (annotations or {}).items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def first(self, **values):
        found = self.all(**values)
        return found[0] if found else None


def _is_mark(value, mark) -> bool:
    if isinstance(mark, datetime.date):
        return value == mark or value == mark.isoformat()
    return type(value) is type(mark) and value == mark


def _bind(value, compiled):
    # A date goes in the form the backend compiled it to (a string on SQLite).
    if isinstance(value, datetime.date) and isinstance(compiled, str):
        return value.isoformat()
    return value


def _cursor(db):
    """A cursor of `db`; on PostgreSQL, one that has the server prepare each query once.

    The SQL of a prepared query never changes, so PostgreSQL can parse and
    plan it once per connection instead of on every run: for the short
    queries of every page that is most of what the server spends on them.
    Only these queries are prepared (Django's own cursors never are), and
    DATABASE_PREPARED_STATEMENTS=off turns it off for a pooler that cannot
    keep prepared statements. Where queries are logged (DEBUG, query-count
    tests) Django's cursor runs them, so that the log shows each with its values.
    """
    if db.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS or db.queries_logged:
        return db.cursor()
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        return db.make_cursor(_PreparingCursor(db.connection))


class _PreparingCursor(psycopg.Cursor if psycopg else object):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)
