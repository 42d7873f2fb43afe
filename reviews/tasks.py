"""Reviews' Celery tasks: they take ids (or nothing), load fresh rows and call a service."""

from __future__ import annotations

from celery import shared_task

from .services import oneonones


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def series_roll_due() -> int:
    """Plan the next meeting of every 1:1 series whose upcoming one has started.

    Beat runs it every few minutes. A retried or doubled run finds the series
    already rolled (its row is locked while it is rolled, and its next meeting
    is unique by series and time), so nothing is planned twice.
    """
    return oneonones.series_roll_due()
