"""Reviews' reminders, one module per domain, found by the one dispatcher (see people.reminders)."""

from . import cycles, feedback, interviews, oneonones, packets, team  # noqa: F401  (registers their rules)
