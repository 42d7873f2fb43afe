"""Queueing a Celery task from code a person is waiting on."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def delay_or_log(task, *args, what: str = "") -> bool:
    """Queue `task(*args)`; if the broker is down, log it ("Could not queue <what>") and say so
    instead of raising.

    The person's action has already succeeded, so a broker hiccup must not
    turn it into an error page: everything queued this way is also found in
    the database by a periodic safety net, which does the work later.
    """
    try:
        task.delay(*args)
    except Exception:
        logger.exception("Could not queue %s", what or f"{getattr(task, 'name', task)}{args!r}")
        return False
    return True
