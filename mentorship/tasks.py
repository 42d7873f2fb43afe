import datetime

from celery import shared_task
from django.utils import timezone

from . import services
from .models import Round


@shared_task(acks_late=True, time_limit=10 * 60, soft_time_limit=9 * 60)
def round_run(round_id: int) -> int | None:
    """Match one round; a duplicate or retried task finds it claimed and does nothing."""
    round = services.round_compute(round_id=round_id)
    return round.pk if round else None


@shared_task(acks_late=True)
def rounds_queued_run() -> int:
    """Safety net: start rounds whose task never reached a worker (the broker was down)."""
    stale = timezone.now() - datetime.timedelta(minutes=2)
    waiting = list(Round.objects.filter(status=Round.Status.QUEUED, created_at__lt=stale).values_list("pk", flat=True)[:10])
    for pk in waiting:
        services.round_compute(round_id=pk)
    return len(waiting)


@shared_task(acks_late=True)
def relationships_complete_due() -> int:
    return services.relationships_complete_due()
