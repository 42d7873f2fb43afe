"""Reminders for managers about their team's feedback, registered with people.reminders."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from people.reminders import Due, rule

from ..selectors.team import quiet_direct_reports


@rule(
    "reviews.team_quiet",
    name="Reports without feedback",
    description="Once a week, each manager with direct reports who have received no feedback for a while, with the team feedback page.",
    days=30,
    days_label="days without feedback",
)
def team_quiet(days: int, now: datetime.datetime) -> Iterator[Due]:
    year, week, _ = timezone.localdate(now).isocalendar()
    quiet = (
        quiet_direct_reports(now - datetime.timedelta(days=days))
        .order_by()
        .values_list("manager_id")
        .annotate(people=Count("pk"))
    )
    url = reverse("reviews:team")
    for manager_id, people in quiet.iterator(chunk_size=1000):
        of = "1 of your reports has" if people == 1 else f"{people} of your reports have"
        yield Due(
            recipient_id=manager_id,
            subject=f"people.user:{manager_id}",
            # Once a week at most, however many times the dispatcher runs in it.
            period=f"{year}-W{week:02d}",
            title=f"{of} had no feedback in {days} days",
            body="See who on the team feedback page: give some, or ask their colleagues for theirs.",
            url=url,
        )
