"""Telling people things: in the app at once, by e-mail once the transaction commits.

E-mail goes out through one path, whoever asks (the task queued for one
notification, the batches the reminder dispatcher queues, the periodic
safety net): claim rows with a lease, send, and mark each sent only after
the mail server has taken it. A sender killed between the claim and the mark
loses nothing: its lease runs out and another sender takes the row. The only
e-mail that can go out twice is one whose sender died in the instant between
the server accepting it and the mark being written.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from time import monotonic

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from ..models import Notification, User
from ..queueing import delay_or_log

logger = logging.getLogger(__name__)

# After this an unsent e-mail is stale news and is no longer tried: the
# notification stays readable in the app.
EMAIL_RETRY_DAYS = 3
# Sends that failed (or whose sender died) before an e-mail is given up.
EMAIL_MAX_ATTEMPTS = 5
# A batch stops after this many failures in a row: the mail server is down,
# and the rest wait for the next run rather than each timing out now.
EMAIL_FAILURES_IN_A_ROW = 3


def notification_send(
    *,
    recipient: User,
    title: str,
    body: str = "",
    url: str = "",
    rule: str = "",
    subject: str = "",
    period: str = "",
) -> Notification:
    """Tell someone something, in the app now and by e-mail once the transaction commits.

    With a `subject` it happens once per (rule, subject, recipient, period):
    asking again returns the notification already made and sends nothing.
    """
    fields = {"title": title, "body": body, "url": url}
    if subject:
        notification, created = Notification.objects.get_or_create(
            rule=rule, subject=subject, recipient=recipient, period=period, defaults=fields
        )
        if not created:
            return notification
    else:
        notification = Notification.objects.create(recipient=recipient, rule=rule, period=period, **fields)
    transaction.on_commit(lambda: _queue_email(notification.pk))
    return notification


def _queue_email(notification_id: int) -> None:
    from ..tasks import notification_email_send  # tasks import services

    delay_or_log(notification_email_send, notification_id, what=f"the e-mail of notification {notification_id}")


def notification_emails_queue(notification_ids: list[int], *, batch_size: int = 100) -> None:
    """Queue the e-mails of these notifications in batches; a broker that is down is logged, not raised."""
    from ..tasks import notification_emails_send as send_task  # tasks import services

    for start in range(0, len(notification_ids), batch_size):
        # The broker down: the safety net sends what was not queued.
        what = f"the e-mails of {len(notification_ids) - start} notifications"
        if not delay_or_log(send_task, notification_ids[start : start + batch_size], what=what):
            return


def _claimable(now: datetime.datetime) -> Q:
    return (
        Q(email_sent_at__isnull=True)
        & (Q(email_lease_until__isnull=True) | Q(email_lease_until__lt=now))
        & Q(created_at__gte=now - datetime.timedelta(days=EMAIL_RETRY_DAYS))
        & Q(email_attempts__lt=EMAIL_MAX_ATTEMPTS)
        & Q(recipient__is_active=True)
    )


def notification_emails_claim(
    *,
    notification_ids: Iterable[int] | None = None,
    limit: int = 100,
    now: datetime.datetime | None = None,
    created_before: datetime.datetime | None = None,
) -> list[int]:
    """Lease up to `limit` unsent e-mails (of these notifications, or any), oldest first.

    A row is claimable when it is unsent, nobody holds a live lease on it, it
    is recent enough to be news and has attempts left. Claiming sets its
    lease and counts an attempt; the claim is committed before this returns
    (unless the caller holds a transaction open), so a second claimer skips
    the row until the lease runs out.
    """
    now = now or timezone.now()
    lease_until = now + datetime.timedelta(seconds=settings.REMINDER_LEASE_SECONDS)
    claimable = Notification.objects.filter(_claimable(now))
    if notification_ids is not None:
        claimable = claimable.filter(pk__in=list(notification_ids))
    if created_before is not None:
        claimable = claimable.filter(created_at__lte=created_before)
    claimable = claimable.order_by("created_at", "id")
    claim = {"email_lease_until": lease_until, "email_attempts": F("email_attempts") + 1}

    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: rows another claimer has locked are skipped, not waited
        # for, and the lock holds until the lease is written and committed.
        with transaction.atomic():
            pks = list(
                claimable.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[:limit]
            )
            if pks:
                Notification.objects.filter(pk__in=pks).update(**claim)
        return pks

    # SQLite: no row locks. Each row is taken by a conditional UPDATE, which
    # matches for one claimer only: a second sees the lease the first wrote.
    claimed = []
    with transaction.atomic():
        for pk in list(claimable.values_list("pk", flat=True)[:limit]):
            if Notification.objects.filter(_claimable(now), pk=pk).update(**claim):
                claimed.append(pk)
    return claimed


def _release(pks: list[int], *, uncount: bool = False) -> None:
    """Give leases back so the next run takes these rows at once; `uncount` when no send was tried."""
    if not pks:
        return
    changes = {"email_lease_until": None}
    if uncount:
        changes["email_attempts"] = F("email_attempts") - 1
    Notification.objects.filter(pk__in=pks, email_sent_at__isnull=True).update(**changes)


def _email(notification: Notification) -> None:
    link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url
    message = "\n\n".join(part for part in (notification.body, link) if part)
    send_mail(
        subject=f"[Trellis] {notification.title}",
        message=message,
        from_email=None,
        recipient_list=[notification.recipient.email],
    )


def _send_claimed(pks: list[int], *, raise_errors: bool) -> int:
    """Send the e-mails of claimed rows, marking each sent as soon as it has gone."""
    if not pks:
        return 0
    # Stop well before the lease runs out: after that another sender may
    # already have taken what is left, so what is left is given back.
    deadline = monotonic() + settings.REMINDER_LEASE_SECONDS * 0.8
    rows = {n.pk: n for n in Notification.objects.filter(pk__in=pks).select_related("recipient")}
    todo = [pk for pk in pks if pk in rows]
    sent, failures_in_a_row = 0, 0
    for position, pk in enumerate(todo):
        if monotonic() >= deadline:
            _release(todo[position:], uncount=True)
            break
        try:
            _email(rows[pk])
        except Exception:
            _release([pk])
            if raise_errors:
                _release(todo[position + 1 :], uncount=True)
                raise
            logger.exception("Could not e-mail notification %s; it will be tried again", pk)
            failures_in_a_row += 1
            if failures_in_a_row >= EMAIL_FAILURES_IN_A_ROW:
                _release(todo[position + 1 :], uncount=True)
                break
            continue
        failures_in_a_row = 0
        Notification.objects.filter(pk=pk).update(email_sent_at=timezone.now(), email_lease_until=None)
        sent += 1
    return sent


def notification_emails_send(
    *,
    notification_ids: Iterable[int] | None = None,
    limit: int = 100,
    now: datetime.datetime | None = None,
    created_before: datetime.datetime | None = None,
) -> int:
    """Claim up to `limit` unsent e-mails (of these notifications, or any due) and send them.

    Returns how many were sent. A failed send gives its lease back, so a
    later run tries again, up to EMAIL_MAX_ATTEMPTS times.
    """
    claimed = notification_emails_claim(
        notification_ids=notification_ids, limit=limit, now=now, created_before=created_before
    )
    return _send_claimed(claimed, raise_errors=False)


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail, unless it is sent, being sent, or its recipient has left.

    The same claim as every batch. A failed send gives the claim back and
    raises, so the task retries it.
    """
    claimed = notification_emails_claim(notification_ids=[notification_id], limit=1)
    return _send_claimed(claimed, raise_errors=True) == 1


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
