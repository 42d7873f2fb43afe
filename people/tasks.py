import datetime

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from . import services
from .models import Notification

EMAIL_RETRY_DAYS = 3


@shared_task(acks_late=True, autoretry_for=(OSError,), max_retries=5, retry_backoff=True)
def notification_email_send(notification_id: int) -> bool:
    return services.notification_email_deliver(notification_id=notification_id)


@shared_task(acks_late=True)
def notifications_email_pending() -> int:
    """Safety net: queue the e-mail of any notification whose own task was lost.

    Only notifications older than a minute are picked up, so this does not
    race the task queued when the notification was created; the claim in
    `notification_email_deliver` makes a race harmless anyway. After three
    days an unsent e-mail is stale news and is no longer tried: it stays
    readable in the app.
    """
    now = timezone.now()
    due = list(
        Notification.objects.filter(
            email_sent_at__isnull=True,
            created_at__lte=now - datetime.timedelta(minutes=1),
            created_at__gte=now - datetime.timedelta(days=EMAIL_RETRY_DAYS),
            recipient__is_active=True,
        )
        .order_by(F("created_at").asc())
        .values_list("pk", flat=True)[:500]
    )
    for pk in due:
        notification_email_send.delay(pk)
    return len(due)
