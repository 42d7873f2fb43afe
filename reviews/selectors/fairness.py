"""Promotion fairness for HR: promotion rate, time in level and packet outcomes over the last
year, by department, level, manager or tenure cohort.

Everyone working here with a level today is counted. A promotion is a move to a higher rung
in their level history within the year (through a packet or an import alike). A group of
fewer than MIN_GROUP people shows no figures at all, so that nobody can be singled out; nor
does the next smallest, while the groups not shown add up to fewer than MIN_GROUP people
(else the whole company less the groups shown would give them away).
A constant number of queries (three) whatever the organisation's size; `fairness_kept` keeps
the result per process under the stamp, which every change to people, placements and packets'
statuses replaces.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from ladders.models import Placement
from people.models import User
from people.stamp import Stamped

from ..models import Packet

MIN_GROUP = 5
WINDOW_DAYS = 365
DIMENSIONS = {"department": "Department", "level": "Level", "manager": "Manager", "tenure": "Tenure"}
COHORTS = [(365, "Under 1 year"), (730, "1 to 2 years"), (1461, "2 to 4 years"), (None, "4 years or more")]
UNKNOWN = {"department": "No department", "level": "No level", "manager": "No manager", "tenure": "Start date unknown"}


@dataclass
class Group:
    label: str
    people: int = 0
    promoted: int = 0
    days_in_level: list[int] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=lambda: {"approved": 0, "declined": 0, "deferred": 0})
    # Hidden beside a small group, so that the whole company less the groups shown does not
    # give the small group's figures away.
    hidden: bool = False

    @property
    def suppressed(self) -> bool:
        return self.hidden or self.people < MIN_GROUP

    @property
    def rate(self) -> int | None:
        """Promoted within the year, per cent of the group; None when suppressed."""
        return None if self.suppressed or not self.people else round(100 * self.promoted / self.people)

    @property
    def median_months(self) -> float | None:
        if self.suppressed or not self.days_in_level:
            return None
        return round(statistics.median(self.days_in_level) / 30.44, 1)


def _cohort(start: datetime.date | None, today: datetime.date) -> str:
    if start is None:
        return UNKNOWN["tenure"]
    days = (today - start).days
    return next(label for limit, label in COHORTS if limit is None or days < limit)


def fairness(by: str, today: datetime.date | None = None) -> tuple[list[Group], Group]:
    """The groups of dimension `by` (one of DIMENSIONS), largest first, and the whole company."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    history: dict[int, list[tuple[datetime.date, int, str]]] = defaultdict(list)
    for person, effective, rung, title in (
        Placement.objects.filter(person__is_active=True, effective_date__lte=today)
        .order_by("person_id", "effective_date", "pk").values_list("person_id", "effective_date", "level__rung", "level__title")
    ):
        history[person].append((effective, rung, title))
    outcomes: dict[int, list[str]] = defaultdict(list)
    for person, status in Packet.objects.filter(
        status__in=Packet.DECIDED, decided_at__date__gte=since, person__is_active=True
    ).values_list("person_id", "status"):
        outcomes[person].append(status)
    groups: dict[str, Group] = {}
    everyone = Group("Everyone")
    for pk, department, manager, start in User.objects.filter(is_active=True).values_list(
        "pk", "department__name", "manager__name", "start_date"
    ).iterator(chunk_size=5000):
        rows = history.get(pk)
        if not rows:
            continue  # on no ladder: nothing to count
        current = rows[-1]
        # Time in level: since the first placement at the current rung and title without a break.
        began = current[0]
        for effective, rung, title in reversed(rows):
            if (rung, title) != (current[1], current[2]):
                break
            began = effective
        promoted = any(
            later[0] >= since and later[1] > earlier[1] for earlier, later in zip(rows, rows[1:])
        )
        key = {
            "department": department or UNKNOWN["department"],
            "level": current[2] or UNKNOWN["level"],
            "manager": manager or UNKNOWN["manager"],
            "tenure": _cohort(start, today),
        }[by]
        for group in (groups.setdefault(key, Group(key)), everyone):
            group.people += 1
            group.promoted += promoted
            group.days_in_level.append((today - began).days)
            for status in outcomes.get(pk, []):
                group.outcomes[status] += 1
    # The groups not shown must add up to MIN_GROUP people or more: else the next smallest
    # is hidden too, and so on.
    small = sum(g.people for g in groups.values() if g.suppressed)
    for group in sorted(groups.values(), key=lambda g: (g.people, g.label)):
        if not 0 < small < MIN_GROUP:
            break
        if not group.suppressed:
            group.hidden = True
            small += group.people
    ordered = sorted(groups.values(), key=lambda g: (-g.people, g.label))
    if by == "tenure":
        order = [label for _, label in COHORTS] + [UNKNOWN["tenure"]]
        ordered = sorted(groups.values(), key=lambda g: order.index(g.label))
    return ordered, everyone


_kept = Stamped(size=len(DIMENSIONS) * 2)


def fairness_kept(by: str, *, stamp: int | None) -> tuple[list[Group], Group]:
    """fairness(by) for today, kept for as long as the stamp stays the same."""
    return _kept.get_or_build(stamp, ("fairness", by, timezone.localdate()), lambda: fairness(by))
