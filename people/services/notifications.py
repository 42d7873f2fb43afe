"""Telling people things: in the app at once, by e-mail exactly once."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from ..models import Notification, User

logger = logging.getLogger(__name__)


def notification_send(*, recipient: User, title: str, body: str = "", url: str = "") -> Notification:
    """Tell someone something, in the app now and by e-mail once the transaction commits."""
    notification = Notification.objects.create(recipient=recipient, title=title, body=body, url=url)
    transaction.on_commit(lambda: _queue_email(notification.pk))
    return notification


def _queue_email(notification_id: int) -> None:
    from ..tasks import notification_email_send  # tasks import services

    try:
        notification_email_send.delay(notification_id)
    except Exception:
        # The person's action has already succeeded; a broker hiccup must not
        # turn it into an error page. The periodic dispatcher sends it later.
        logger.exception("Could not queue the e-mail of notification %s", notification_id)


def notification_email_deliver(*, notification_id: int) -> bool:
    """Send one notification's e-mail, exactly once across workers and retries."""
    now = timezone.now()
    claimed = Notification.objects.filter(pk=notification_id, email_sent_at__isnull=True).update(
        email_sent_at=now
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.is_active:
        return False
    link = f"{settings.SITE_URL}{notification.url}" if notification.url.startswith("/") else notification.url
    message = "\n\n".join(part for part in (notification.body, link) if part)
    try:
        send_mail(
            subject=f"[Trellis] {notification.title}",
            message=message,
            from_email=None,
            recipient_list=[recipient.email],
        )
    except Exception:
        # Give the claim back so the dispatcher tries again later.
        Notification.objects.filter(pk=notification_id).update(email_sent_at=None)
        raise
    return True


def notifications_mark_read(*, user: User, notification_ids: list[int] | None = None) -> int:
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=timezone.now())
