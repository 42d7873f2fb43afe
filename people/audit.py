"""Who did it, and from where: the actor and address on audit-log entries.

During a request, `request_context` (set by people.middleware) names the
signed-in person and the client's address for every entry written. Services
also run from management commands and Celery tasks, so they name their
actor with `acting_as(actor)`, which wins over the request's. Both are
context variables read by one receiver connected once, and are worked out
only when an entry is written: most requests write none.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import get_field_value, is_primitive, track_field
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import DateTimeField, Field, JSONField, Model
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.encoding import smart_str

_actor: ContextVar = ContextVar("trellis_audit_actor", default=None)
_request: ContextVar = ContextVar("trellis_audit_request", default=None)


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def request_context(*, actor: Callable[[], object], remote_addr: Callable[[], str | None]) -> Iterator[None]:
    """Within a request: who is signed in and their address, each worked out when first needed."""
    token = _request.set((actor, remote_addr))
    try:
        yield
    finally:
        _request.reset(token)


def _stamp(sender, instance: LogEntry, **kwargs) -> None:
    actor = _actor.get()
    request = _request.get()
    if actor is None and request is not None:
        actor = request[0]()
    if instance.actor_id is None and actor is not None and actor.pk:
        instance.actor = actor
        instance.actor_email = actor.email
    if request is not None and not instance.remote_addr:
        instance.remote_addr = request[1]()


def connect() -> None:
    pre_save.connect(_stamp, sender=LogEntry, dispatch_uid="trellis_audit_actor")


def log_event(instance, *, actor, summary: str, **details) -> LogEntry:
    """Record an event that is not a plain field change (an import, say)."""
    with acting_as(actor):
        return LogEntry.objects.log_create(
            instance,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"event": ["", summary]},
            additional_data={k: v for k, v in details.items() if v is not None} or None,
        )


_LOG_BATCH = 1000


@functools.cache
def _tracked_fields(model: type[Model]) -> tuple:
    """The fields auditlog records for `model`, honouring its include and exclude lists."""
    registered = auditlog.get_model_fields(model)
    fields = [f for f in model._meta.get_fields() if track_field(f)]
    if registered["include_fields"]:
        fields = [f for f in fields if f.name in registered["include_fields"]]
    return tuple(f for f in fields if f.name not in registered["exclude_fields"])


def _value(obj: Model | None, f: Field, store_json: bool):
    """A field's value as auditlog's `get_field_value` renders it, without its
    per-call overhead for the plain fields that make up most rows."""
    if obj is None or isinstance(f, (DateTimeField, JSONField)) or settings.AUDITLOG_USE_FK_STRING_REPRESENTATION:
        return get_field_value(obj, f, store_json)
    value = getattr(obj, f.attname)
    return value if store_json else smart_str(value, strings_only=f.is_relation)


def log_bulk(rows: Iterable[tuple[Model | None, Model]], *, actor) -> int:
    """Audit entries for rows written with bulk_create or bulk_update.

    Bulk writes skip the signals auditlog listens to; imports use them for
    speed and still owe the audit history a save() would have left. Each
    pair is (before, after), `before` None for a created row. Values are
    rendered as auditlog renders them, so these entries read like every
    other; the field list is worked out once per model, not per row.
    """
    if auditlog_disabled.get():
        return 0
    store_json = settings.AUDITLOG_STORE_JSON_CHANGES
    cid = get_cid()
    timestamp = timezone.now()
    actor = actor if actor is not None and actor.pk else None
    absent: dict[Field, object] = {}
    entries: list[LogEntry] = []
    written = 0
    for before, after in rows:
        changes = {}
        for f in _tracked_fields(type(after)):
            if before is None:
                if f not in absent:
                    absent[f] = get_field_value(None, f, store_json)
                old = absent[f]
            else:
                old = _value(before, f, store_json)
            new = _value(after, f, store_json)
            if old != new:
                # As auditlog's model_instance_diff stores them.
                if not store_json:
                    old, new = smart_str(old), smart_str(new)
                else:
                    old = old if is_primitive(old) else smart_str(old)
                    new = new if is_primitive(new) else smart_str(new)
                changes[f.name] = [old, new]
        if not changes:
            continue
        entries.append(
            LogEntry(
                content_type=ContentType.objects.get_for_model(after),
                object_pk=str(after.pk),
                object_id=after.pk,
                object_repr=smart_str(after),
                action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
                changes=changes,
                actor=actor,
                actor_email=actor.email if actor else None,
                cid=cid,
                timestamp=timestamp,
            )
        )
        if len(entries) == _LOG_BATCH:
            LogEntry.objects.bulk_create(entries)
            written += len(entries)
            entries = []
    LogEntry.objects.bulk_create(entries)
    return written + len(entries)


# --- Entries in words ------------------------------------------------------------------
#
# auditlog stores what changed as field names and raw values: a manager or a
# level is an id, an empty value the text "None". The admin shows entries as
# sentences ("Published Engineering v3", "Changed Ada Okafor's manager to
# Marcus Chen (from Daniel Osei)") and values by name, read for a whole page
# of entries at once: one query per kind of thing named, however many entries.

EMPTY = "(none)"
_TEXT_LIMIT = 120


class Names:
    """What the entries of one page point at, by model and id, read in one query per model."""

    def __init__(self) -> None:
        self._wanted: dict[type[Model], set[int]] = {}
        self._found: dict[type[Model], dict[int, Model]] = {}

    def want(self, model: type[Model], pk) -> None:
        try:
            self._wanted.setdefault(model, set()).add(int(pk))
        except (TypeError, ValueError):
            pass

    def load(self) -> None:
        for model, pks in self._wanted.items():
            missing = pks - set(self._found.get(model, {}))
            if missing:
                words = _words.get(model)
                queryset = words.queryset(model) if words else model._base_manager.all()
                self._found.setdefault(model, {}).update(queryset.in_bulk(sorted(missing)))
        self._wanted = {}

    def obj(self, model: type[Model], pk) -> Model | None:
        try:
            return self._found.get(model, {}).get(int(pk))
        except (TypeError, ValueError):
            return None

    def of(self, model: type[Model], pk) -> str:
        obj = self.obj(model, pk)
        if obj is not None:
            words = _words.get(model)
            return words.name(obj) if words else str(obj)
        return f"a {model._meta.verbose_name} since deleted"


class AuditWords:
    """How entries about one model read; apps register one per model with `audit_words`."""

    def queryset(self, model: type[Model]):
        """How the things named are read (select_related what `name` uses)."""
        return model._base_manager.all()

    def name(self, obj: Model) -> str:
        return str(obj)

    def prepare(self, entries: list[LogEntry], names: Names) -> None:
        """Bulk lookups for a page of entries, before any sentence is written."""

    def sentence(self, entry: LogEntry, names: Names) -> str | None:
        """The entry as a sentence, or None for the general one."""
        return None


_words: dict[type[Model], AuditWords] = {}


def audit_words(model: type[Model], words: AuditWords) -> None:
    _words[model] = words


def _is_empty(value) -> bool:
    return value is None or value == "" or value == "None"


def _field(model: type[Model] | None, name: str) -> Field | None:
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model
        return None


def _shown(model: type[Model] | None, name: str) -> bool:
    """Whether a recorded change is worth a row: not the id, nor the other side of
    a relation (auditlog records those on creation, as "ladders.Track.None")."""
    if name in ("event", "password"):
        return False
    field = _field(model, name)
    if field is None:
        return True
    if field.auto_created and not field.concrete:
        return False
    return not getattr(field, "primary_key", False)


def value_words(entry: LogEntry, name: str, value, names: Names) -> str:
    """One value of an entry's changes, as a person reads it."""
    if _is_empty(value):
        return EMPTY
    field = _field(entry.content_type.model_class(), name)
    if field is not None and field.many_to_one:
        return names.of(field.related_model, value)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    text = str(value)
    return text if len(text) <= _TEXT_LIMIT else text[: _TEXT_LIMIT - 1].rstrip() + "…"


def field_label(entry: LogEntry, name: str) -> str:
    field = _field(entry.content_type.model_class(), name)
    return str(field.verbose_name) if field is not None else name.replace("_", " ")


def entry_subject(entry: LogEntry, names: Names) -> str:
    """What the entry is about, by its name now (or as it was, if it is gone)."""
    model = entry.content_type.model_class()
    obj = names.obj(model, entry.object_id) if model else None
    if obj is not None:
        words = _words.get(model)
        return words.name(obj) if words else str(obj)
    return entry.object_repr


def describe_entries(entries) -> list[LogEntry]:
    """Give each entry a `sentence` and its changes as `rows` of (field, from, to), in words."""
    entries = list(entries)
    names = Names()
    by_model: dict[type[Model], list[LogEntry]] = {}
    for entry in entries:
        model = entry.content_type.model_class()
        if model is None:
            continue
        by_model.setdefault(model, []).append(entry)
        names.want(model, entry.object_id)
        for name, change in (entry.changes_dict or {}).items():
            field = _field(model, name)
            if field is not None and field.many_to_one and isinstance(change, list):
                for value in change:
                    if not _is_empty(value):
                        names.want(field.related_model, value)
    for model, some in by_model.items():
        if model in _words:
            _words[model].prepare(some, names)
    names.load()
    for entry in entries:
        model = entry.content_type.model_class()
        changes = entry.changes_dict or {}
        entry.rows = [
            (field_label(entry, name), value_words(entry, name, change[0], names), value_words(entry, name, change[1], names))
            for name, change in changes.items()
            if _shown(model, name) and isinstance(change, list) and len(change) == 2
        ]
        words = _words.get(model) if model else None
        entry.sentence = (words.sentence(entry, names) if words else None) or _sentence(entry, names)
    return entries


def _sentence(entry: LogEntry, names: Names) -> str:
    changes = entry.changes_dict or {}
    if "event" in changes:
        return str(changes["event"][1])
    model = entry.content_type.model_class()
    what = model._meta.verbose_name if model else entry.content_type.model
    subject = entry_subject(entry, names)
    if entry.action == LogEntry.Action.CREATE:
        return f"Added {what} {subject}"
    if entry.action == LogEntry.Action.DELETE:
        return f"Deleted {what} {subject}"
    if entry.action == LogEntry.Action.ACCESS:
        return f"Looked at {what} {subject}"
    if not entry.rows:
        return f"Changed {what} {subject}"
    parts = [f"{label} to {after} (from {before})" for label, before, after in entry.rows[:3]]
    more = len(entry.rows) - 3
    if more > 0:
        parts.append(f"{more} more field{'s' if more > 1 else ''}")
    return f"Changed {subject}’s " + _and(parts)


def _and(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
