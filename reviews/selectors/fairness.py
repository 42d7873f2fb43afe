"""Promotion fairness for HR: promotion rate, time in level and packet outcomes over the last
year, by department, level, manager or tenure cohort.

Everyone working here with a level today is counted. A promotion is a move to a higher rung
in their level history within the year (through a packet or an import alike).

Nobody can be singled out, on one view or by setting two side by side. Suppression is settled
for the four views together:
- a group of fewer than MIN_GROUP people shows no figures at all;
- in each view, while the groups not shown add up to fewer than MIN_GROUP people, the next
  smallest is not shown either (else the whole company less the groups shown would give them
  away);
- when the groups shown of one view that lie wholly inside a group shown of another view (or
  the whole company) leave fewer than MIN_GROUP of its people out, the smallest of them is not
  shown (else the larger less those inside it would be those few people: a department of six
  and a manager's five reports within it; or a department less its levels).
Each rule can hide more; they are applied until none does. Sums of partly overlapping groups
across views (two managers' teams less a department that takes most of both) are not audited.
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
    # Hidden beside a small group, so that what is shown does not give it away.
    hidden: bool = False
    view: str = ""
    email: str = ""  # a manager's, beside a namesake's
    members: set[int] = field(default_factory=set, repr=False)

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


def _build(today: datetime.date) -> tuple[dict[str, list[Group]], Group]:
    """Every view's groups and the whole company, before anything is hidden. Three queries."""
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
    views: dict[str, dict] = {by: {} for by in DIMENSIONS}
    everyone = Group("Everyone")
    for pk, department, department_name, manager, manager_name, manager_email, start in User.objects.filter(
        is_active=True
    ).values_list(
        "pk", "department_id", "department__name", "manager_id", "manager__name", "manager__email", "start_date"
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
        keys = {  # (what makes the group, its label): people are grouped by id, named for HR
            "department": (department, department_name or UNKNOWN["department"]),
            "level": (current[2], current[2] or UNKNOWN["level"]),
            "manager": (manager, manager_name or UNKNOWN["manager"], manager_email),
            "tenure": (_cohort(start, today),) * 2,
        }
        days = (today - began).days
        for by, key in keys.items():
            group = views[by].get(key[0])
            if group is None:
                group = views[by][key[0]] = Group(key[1], view=by, email=key[2] if len(key) > 2 else "")
            _count(group, pk, promoted, days, outcomes.get(pk, ()))
        _count(everyone, pk, promoted, days, outcomes.get(pk, ()))
    named = {by: list(groups.values()) for by, groups in views.items()}
    # Two managers of the same name: their e-mail tells them apart.
    seen = defaultdict(int)
    for group in named["manager"]:
        seen[group.label] += 1
    for group in named["manager"]:
        if seen[group.label] > 1 and group.email:
            group.label = f"{group.label} ({group.email})"
    return named, everyone


def _count(group: Group, pk: int, promoted: bool, days: int, statuses) -> None:
    group.people += 1
    group.promoted += promoted
    group.days_in_level.append(days)
    group.members.add(pk)
    for status in statuses:
        group.outcomes[status] += 1


def _hide(views: dict[str, list[Group]], everyone: Group) -> None:
    """Settle what is not shown, across the views together (see the module's rules)."""
    group_of = {by: {pk: group for group in groups for pk in group.members} for by, groups in views.items()}
    changed = True
    while changed:
        changed = False
        for groups in views.values():
            small = sum(g.people for g in groups if g.suppressed)
            for group in sorted(groups, key=lambda g: (g.people, g.label)):
                if not 0 < small < MIN_GROUP:
                    break
                if not group.suppressed:
                    group.hidden, changed = True, True
                    small += group.people
        shown = [g for groups in views.values() for g in groups if not g.suppressed]
        if not everyone.suppressed:
            shown.append(everyone)
        for outer in shown:
            if outer.suppressed:
                continue
            for by in views:
                if by == outer.view:
                    continue
                inside: dict[int, list] = {}  # id(group) -> [group, how many of outer's people it holds]
                for pk in outer.members:
                    group = group_of[by][pk]
                    inside.setdefault(id(group), [group, 0])[1] += 1
                contained = [g for g, n in inside.values() if n == g.people and not g.suppressed]
                left_out = outer.people - sum(g.people for g in contained)
                if contained and 0 < left_out < MIN_GROUP:
                    smallest = min(contained, key=lambda g: (g.people, g.label))
                    smallest.hidden, changed = True, True


def fairness_all(today: datetime.date | None = None) -> tuple[dict[str, list[Group]], Group]:
    """Every view's groups, with what is not shown settled across them, and the whole company."""
    today = today or timezone.localdate()
    views, everyone = _build(today)
    _hide(views, everyone)
    order = [label for _, label in COHORTS] + [UNKNOWN["tenure"]]
    for by, groups in views.items():
        if by == "tenure":
            groups.sort(key=lambda g: order.index(g.label))
        else:
            groups.sort(key=lambda g: (-g.people, g.label))
        for group in groups:
            group.members = set()  # kept per process: only the figures
    everyone.members = set()
    return views, everyone


def fairness(by: str, today: datetime.date | None = None) -> tuple[list[Group], Group]:
    """The groups of dimension `by` (one of DIMENSIONS), largest first, and the whole company."""
    views, everyone = fairness_all(today)
    return views[by], everyone


_kept = Stamped(size=4)


def fairness_kept(by: str, *, stamp: int | None) -> tuple[list[Group], Group]:
    """fairness(by) for today, kept for as long as the stamp stays the same (all four views,
    settled together, from one reading)."""
    views, everyone = _kept.get_or_build(stamp, ("fairness", timezone.localdate()), fairness_all)
    return views[by], everyone
