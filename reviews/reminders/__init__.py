"""Reviews' reminders, one module per domain, found by the one dispatcher (see people.reminders)."""

from . import feedback, oneonones, team  # noqa: F401  (registers their rules)
