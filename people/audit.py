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
