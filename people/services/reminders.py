"""The reminder dispatcher: what every rule finds due becomes one notification, once.

Beat runs it every few minutes (people.tasks.reminders_dispatch), and
`manage.py dispatch_reminders` by hand. It may run twice at once, or again
after a retried task: the unique constraint on Notification (rule, subject,
recipient, period) is what keeps each reminder to one row, so the rows are
inserted with ON CONFLICT DO NOTHING and a second dispatcher's copies simply
do not land.
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from ..models import Notification, ReminderRule, User
from ..reminders import Due, RuleKind, registered
from .notifications import notification_emails_queue

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


@dataclass
class RuleRun:
    """What one rule did in one dispatch: the reminders it created (on a dry run, would create)."""

    key: str
    name: str
    enabled: bool
    days: int
    created: list[Due] = field(default_factory=list)
    notification_ids: list[int] = field(default_factory=list)
    error: str = ""


def reminder_rules_sync() -> dict[str, ReminderRule]:
    """HR's settings for every rule the code registers, making rows for new rules with their default days."""
    kinds = registered()
    rules = {r.key: r for r in ReminderRule.objects.filter(key__in=list(kinds))}
    missing = [ReminderRule(key=key, days=kind.days) for key, kind in kinds.items() if key not in rules]
    if missing:
        # Two dispatchers may both see a new rule missing: one row lands.
        ReminderRule.objects.bulk_create(missing, ignore_conflicts=True)
        rules = {r.key: r for r in ReminderRule.objects.filter(key__in=list(kinds))}
    return rules


def reminders_dispatch(*, now: datetime.datetime | None = None, dry_run: bool = False) -> list[RuleRun]:
    """Create the notification of every reminder due at `now` that does not have one yet.

    Per enabled rule: ask its finder what is due, drop reminders for people
    who have left and those already made, insert the rest. Their e-mails are
    queued once the transaction commits (a broker that is down is logged;
    the periodic safety net sends them). With `dry_run`, nothing is written
    and the runs say what would be created.
    """
    now = now or timezone.now()
    kinds = registered()
    if dry_run:
        rules = {r.key: r for r in ReminderRule.objects.filter(key__in=list(kinds))}
    else:
        rules = reminder_rules_sync()
    runs, created_ids = [], []
    for key, kind in kinds.items():
        setting = rules.get(key)
        run = RuleRun(
            key=key,
            name=kind.name,
            enabled=setting.enabled if setting else True,
            days=setting.days if setting else kind.days,
        )
        runs.append(run)
        if not run.enabled:
            continue
        try:
            _dispatch_rule(kind, run, now=now, dry_run=dry_run)
        except Exception as error:
            # One broken rule must not hold up the others, nor fail a page
            # that happened to dispatch.
            logger.exception("Reminder rule %s failed", key)
            run.error = f"{type(error).__name__}: {error}"
        created_ids.extend(run.notification_ids)
    if created_ids:
        transaction.on_commit(lambda: notification_emails_queue(created_ids))
    return runs


def _batches(dues: Iterable[Due], size: int) -> Iterator[list[Due]]:
    dues = iter(dues)
    while batch := list(islice(dues, size)):
        yield batch


def _dispatch_rule(kind: RuleKind, run: RuleRun, *, now: datetime.datetime, dry_run: bool) -> None:
    for batch in _batches(kind.finder(run.days, now), BATCH_SIZE):
        # A finder may name the same reminder twice; one is enough.
        unique = {due.key: due for due in batch}
        active = set(
            User.objects.filter(pk__in={due.recipient_id for due in unique.values()}, is_active=True).values_list(
                "pk", flat=True
            )
        )
        wanted = {key: due for key, due in unique.items() if due.recipient_id in active}
        missing = _missing(kind.key, wanted)
        if not missing:
            continue
        if dry_run:
            run.created.extend(missing)
            continue
        ids = _insert(kind.key, missing)
        run.created.extend(due for due in missing if due.key in ids)
        run.notification_ids.extend(ids.values())


def _existing(rule: str, wanted: dict[tuple[str, int, str], Due]) -> set[tuple[str, int, str]]:
    """Which of these reminders already have their notification."""
    if not wanted:
        return set()
    return set(
        _keyed(rule, {subject for subject, _, _ in wanted}).values_list("subject", "recipient_id", "period")
    )


def _keyed(rule: str, subjects: set[str]) -> QuerySet[Notification]:
    # "subject <> ''" as the unique index says it, so that PostgreSQL reads
    # that partial index; it cannot prove it from a long IN (...) list.
    return Notification.objects.filter(rule=rule, subject__in=subjects).exclude(subject="").order_by()


def _missing(rule: str, wanted: dict[tuple[str, int, str], Due]) -> list[Due]:
    existing = _existing(rule, wanted)
    # Sorted, so that two dispatchers inserting the same rows meet them in
    # the same order: on PostgreSQL the second waits for the first, never
    # each for the other.
    return [wanted[key] for key in sorted(wanted) if key not in existing]


_last_creation_time: datetime.datetime | None = None
_creation_time_lock = threading.Lock()


def _creation_time() -> datetime.datetime:
    """Now, to the microsecond, and never the same twice in this process.

    Dispatchers in two processes would have to insert the same reminder in
    the same microsecond to share it; two threads of one process, which can
    start at the same instant, are kept apart here.
    """
    global _last_creation_time
    with _creation_time_lock:
        moment = timezone.now()
        if _last_creation_time is not None and moment <= _last_creation_time:
            moment = _last_creation_time + datetime.timedelta(microseconds=1)
        _last_creation_time = moment
        return moment


def _insert(rule: str, dues: list[Due]) -> dict[tuple[str, int, str], int]:
    """Insert these reminders' rows; returns the ids of those this call created, by key.

    Another dispatcher may have inserted some since they were found missing:
    the constraint drops those (ON CONFLICT DO NOTHING, INSERT OR IGNORE).
    Which rows are ours is read back by the creation time they were all
    given, which no other dispatcher shares (see _creation_time).
    """
    created_at = _creation_time()
    with transaction.atomic():
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient_id=due.recipient_id,
                    rule=rule,
                    subject=due.subject,
                    period=due.period,
                    title=due.title,
                    body=due.body,
                    url=due.url,
                    created_at=created_at,
                )
                for due in dues
            ],
            batch_size=BATCH_SIZE,
            ignore_conflicts=True,
        )
        keys = {due.key for due in dues}
        mine = (
            _keyed(rule, {due.subject for due in dues})
            .filter(created_at=created_at)
            .values_list("subject", "recipient_id", "period", "pk")
        )
        return {(subject, recipient, period): pk for subject, recipient, period, pk in mine if (subject, recipient, period) in keys}
