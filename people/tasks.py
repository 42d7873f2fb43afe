"""Notification e-mails and reminders. Tasks take ids (or nothing), load fresh rows and call a service."""

import datetime
import time

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from . import services

EMAIL_BATCH = 100
# The safety net leaves a notification this long to the task queued for it.
SAFETY_NET_GRACE = datetime.timedelta(minutes=1)
# How long one run of the safety net keeps sending batches, well inside its time limit.
SAFETY_NET_SECONDS = 60


@shared_task(
    acks_late=True, autoretry_for=(OSError,), max_retries=5, retry_backoff=True, soft_time_limit=60, time_limit=90
)
def notification_email_send(notification_id: int) -> bool:
    """The e-mail of one notification, queued when it is made."""
    return services.notification_email_deliver(notification_id=notification_id)


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    soft_time_limit=120,
    time_limit=150,
)
def notification_emails_send(notification_ids: list[int] | None = None) -> int:
    """The e-mails of these notifications (a batch the reminder dispatcher made), or of any due."""
    return services.notification_emails_send(notification_ids=notification_ids, limit=EMAIL_BATCH)


@shared_task(acks_late=True, soft_time_limit=SAFETY_NET_SECONDS + 60, time_limit=SAFETY_NET_SECONDS + 90)
def notifications_email_pending() -> int:
    """Safety net: send the e-mail of any notification whose own task was lost.

    Beat runs it every minute. Only notifications older than a minute are
    picked up, leaving the task queued with each its turn; a row whose sender
    died mid-batch is picked up once its lease has run out. Either way the
    lease claim makes a race harmless. After three days an unsent e-mail is
    stale news and is no longer tried: it stays readable in the app.
    """
    sent, stop = 0, time.monotonic() + SAFETY_NET_SECONDS
    while time.monotonic() < stop:
        batch = services.notification_emails_send(
            limit=EMAIL_BATCH, created_before=timezone.now() - SAFETY_NET_GRACE
        )
        sent += batch
        if batch < EMAIL_BATCH:
            break
    return sent


@shared_task(
    acks_late=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=True,
    soft_time_limit=120,
    time_limit=150,
)
def reminders_dispatch() -> int:
    """Beat's reminder run: every rule's due reminders become notifications, their e-mails queued."""
    return sum(len(run.created) for run in services.reminders_dispatch())
