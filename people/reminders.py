"""The reminder rules of the whole product, registered by the apps that know what is due.

An app puts its rules in `<app>/reminders.py` (people's AppConfig finds them
at start-up). A rule is a finder, `finder(days, now)`, that yields a `Due`
for every reminder owed at `now`, registered under a key:

    from people.reminders import Due, rule

    @rule(
        "mentorship.touchpoint_soon",
        name="Upcoming mentoring 1:1s",
        description="Tells both people a day before a planned 1:1.",
        days=1,
        days_label="days before the 1:1",
    )
    def touchpoints_soon(days, now):
        for touchpoint in ...:
            yield Due(recipient_id=..., subject=f"mentorship.touchpoint:{touchpoint.pk}", period=..., title=...)

A finder only says what is due: the dispatcher (people.services.reminders)
writes each (rule, subject, recipient, period) at most once, whatever the
finder yields again on later runs, and e-mails it. HR switch rules on and
off and change `days` in the admin (people.models.ReminderRule); `days`
here is only the default. See docs/reminders.md.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

DAYS_MIN, DAYS_MAX = 1, 365
KEY_MAX_LENGTH = 64
SUBJECT_MAX_LENGTH = 120
PERIOD_MAX_LENGTH = 32
TITLE_MAX_LENGTH = 200
URL_MAX_LENGTH = 500

_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


@dataclass(frozen=True)
class Due:
    recipient_id: int
    subject: str  # stable key of the object, "app.model:pk"
    period: str  # one reminder per (rule, subject, recipient, period)
    title: str
    body: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        # Checked here, where the finder that made it is on the stack: an
        # empty subject would escape the once-only constraint, and a value
        # longer than its column fails only on PostgreSQL.
        if not self.subject or len(self.subject) > SUBJECT_MAX_LENGTH:
            raise ValueError(f"A due reminder needs a subject of 1 to {SUBJECT_MAX_LENGTH} characters: {self.subject!r}")
        if len(self.period) > PERIOD_MAX_LENGTH:
            raise ValueError(f"A reminder's period has at most {PERIOD_MAX_LENGTH} characters: {self.period!r}")
        if not self.title or len(self.title) > TITLE_MAX_LENGTH:
            raise ValueError(f"A reminder needs a title of 1 to {TITLE_MAX_LENGTH} characters: {self.title!r}")
        if len(self.url) > URL_MAX_LENGTH:
            raise ValueError(f"A reminder's link has at most {URL_MAX_LENGTH} characters.")

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.subject, self.recipient_id, self.period)


Finder = Callable[[int, datetime.datetime], Iterable[Due]]  # finder(days, now)


@dataclass(frozen=True)
class RuleKind:
    """A rule as the code defines it; HR's settings for it are a ReminderRule row."""

    key: str
    name: str
    description: str
    days: int  # the default, until HR change it
    days_label: str
    finder: Finder
    # Whom it reaches says something only its recipient may know (who has not yet answered
    # an anonymous survey, say): its notifications are listed for nobody else, admins included.
    private: bool = False


_registry: dict[str, RuleKind] = {}


def rule(
    key: str, *, name: str, description: str, days: int, days_label: str, private: bool = False
) -> Callable[[Finder], Finder]:
    """Decorator registering a finder under `key` (e.g. "mentorship.touchpoint_soon")."""
    if not _KEY.match(key) or len(key) > KEY_MAX_LENGTH:
        raise ValueError(f"A rule key is '<app>.<name>' in lower case, at most {KEY_MAX_LENGTH} characters: {key!r}")
    if not DAYS_MIN <= days <= DAYS_MAX:
        raise ValueError(f"A rule's days are between {DAYS_MIN} and {DAYS_MAX}: {key} has {days}.")

    def register(finder: Finder) -> Finder:
        known = _registry.get(key)
        # The same function seen again (its module imported twice) is not a clash.
        if known is not None and _origin(known.finder) != _origin(finder):
            raise ValueError(f"Reminder rule {key!r} is already registered by {_origin(known.finder)}.")
        _registry[key] = RuleKind(
            key=key, name=name, description=description, days=days, days_label=days_label, finder=finder,
            private=private,
        )
        return finder

    return register


def registered() -> dict[str, RuleKind]:
    """Every rule the code knows, by key."""
    return dict(_registry)


def private_rules() -> list[str]:
    """The keys of the rules whose notifications only their recipients see listed."""
    return sorted(key for key, kind in _registry.items() if kind.private)


def unregister(key: str) -> None:
    """Forget a rule (tests register rules of their own and take them away again)."""
    _registry.pop(key, None)


def _origin(finder: Finder) -> str:
    code = getattr(finder, "__code__", None)
    line = f":{code.co_firstlineno}" if code else ""
    return f"{getattr(finder, '__module__', '?')}.{getattr(finder, '__qualname__', repr(finder))}{line}"
