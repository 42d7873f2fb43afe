"""Who did it: the actor on audit-log entries written outside a web request.

auditlog's middleware names the signed-in person for changes made during a
request. Services also run from management commands and Celery tasks, so they
name their actor with `acting_as(actor)`; entries written inside that block
carry the actor unless the request already set one.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from auditlog.models import LogEntry
from django.db.models.signals import pre_save

_actor: ContextVar = ContextVar("trellis_audit_actor", default=None)


@contextlib.contextmanager
def acting_as(actor) -> Iterator[None]:
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def _stamp_actor(sender, instance: LogEntry, **kwargs) -> None:
    actor = _actor.get()
    if instance.actor_id is None and actor is not None and actor.pk:
        instance.actor = actor
        instance.actor_email = actor.email


def connect() -> None:
    pre_save.connect(_stamp_actor, sender=LogEntry, dispatch_uid="trellis_audit_actor")


def log_event(instance, *, actor, summary: str, **details) -> LogEntry:
    """Record an event that is not a plain field change (an import, say)."""
    with acting_as(actor):
        return LogEntry.objects.log_create(
            instance,
            force_log=True,
            action=LogEntry.Action.UPDATE,
            changes={"event": ["", summary]},
            additional_data=details or None,
        )
