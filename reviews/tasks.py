"""Reviews' Celery tasks: they take ids (or nothing), load fresh rows and call a service."""

from __future__ import annotations

from celery import shared_task

from .services import cycle_calibration, oneonones


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def series_roll_due() -> int:
    """Plan the next meeting of every 1:1 series whose upcoming one has started.

    Beat runs it every few minutes. A retried or doubled run finds the series
    already rolled (its row is locked while it is rolled, and its next meeting
    is unique by series and time), so nothing is planned twice.
    """
    return oneonones.series_roll_due()


@shared_task(acks_late=True, soft_time_limit=120, time_limit=150)
def cycles_release_due() -> list[int]:
    """Release the results of every review cycle whose release day has come and whose
    calibration is locked. Beat runs it every hour; a doubled run finds them released
    (each cycle's row is locked while it is released), so nobody is told twice."""
    return cycle_calibration.cycles_release_due()
