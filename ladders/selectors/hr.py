"""HR's home: how people spread over each framework's levels, who has not been
assessed lately, and what was published.

The database does the counting, in the same few queries whatever the size of
the organisation: an aggregate of where every active person stands today and
whether anything about them was submitted lately (a row per department, level
and track, not per person), a count of everyone per department, one page of
the people not assessed lately, and the latest versions. Levels are read from
the kept rubrics. The counts and the pages of the list are kept per process
under the stamp (see people.stamp), which every change to a placement, an
assessment's status, or a person's manager, department, team or activity
replaces, and under the day, which moves the six-month line.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from people.models import Department, User
from people.stamp import Stamped

from ..models import Assessment, FrameworkVersion, Level, Placement, Track
from .careers import Placed, months_before, standing_for
from .frameworks import Rubric, latest_published_versions, rubric_load

COVERAGE_MONTHS = 6
COVERAGE_PAGE = 25
RECENT_PUBLISHES = 6
# The department filter's value for people in no department.
NO_DEPARTMENT = "none"
NO_DEPARTMENT_NAME = "No department"
# How the list of people not assessed lately is sorted: the longest waiting
# (never assessed, then the oldest) first, or the most recently assessed first.
OLDEST_FIRST, RECENT_FIRST = "oldest", "recent"


def hr_only(user: User) -> None:
    """HR's overview is HR admins' alone; anyone else finds nothing here, as with HR's other pages."""
    if not user.sees_everyone:
        raise Http404("No such page.")


def coverage_since(today: datetime.date) -> datetime.datetime:
    """Where "assessed in the last six months" starts: the start of the day six months
    before `today`, in the current time zone. Assessed at that moment or later counts."""
    day = months_before(today, COVERAGE_MONTHS)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def department_choices() -> list[tuple[str, str]]:
    """Every department as the filter offers it, by name, and then "No department"."""
    departments = Department.objects.order_by("name", "pk").values_list("pk", "name")
    return [(str(pk), name) for pk, name in departments] + [(NO_DEPARTMENT, NO_DEPARTMENT_NAME)]


def _department_key(department_id: int | None) -> str:
    return NO_DEPARTMENT if department_id is None else str(department_id)


def _in_force_today(on: datetime.date) -> QuerySet[Placement]:
    # Every active person's placement in force on `on`: one with no later one up
    # to that day (a person has at most one a day, see one_placement_per_day).
    # Written as NOT EXISTS over the whole table rather than as a lookup per
    # person (a team page's way, see careers._in_force): PostgreSQL answers it
    # with one hash anti-join, 30 ms for 10,000 people where 10,000 lookups
    # took ten times as long.
    later = Placement.objects.filter(
        person_id=OuterRef("person_id"), effective_date__gt=OuterRef("effective_date"), effective_date__lte=on
    )
    return Placement.objects.filter(effective_date__lte=on, person__is_active=True).filter(~Exists(later))


def _assessed_since(since: datetime.datetime) -> Exists:
    # Anything about the person of the outer placement submitted since `since`,
    # by themselves or their manager; drafts do not count.
    return Exists(
        Assessment.objects.filter(
            subject_id=OuterRef("person_id"), status=Assessment.Status.SUBMITTED, submitted_at__gte=since
        )
    )


def _last_assessed() -> Subquery:
    # When anything about the person of the outer placement was last submitted:
    # read from the index on (subject, kind, status, submitted_at).
    return Subquery(
        Assessment.objects.filter(subject_id=OuterRef("person_id"), status=Assessment.Status.SUBMITTED)
        .order_by("-submitted_at")
        .values("submitted_at")[:1]
    )


def _in_department(placements: QuerySet[Placement], department: str | None) -> QuerySet[Placement]:
    if department is None:
        return placements
    if department == NO_DEPARTMENT:
        return placements.filter(person__department__isnull=True)
    return placements.filter(person__department_id=int(department))


@dataclass(frozen=True)
class Tally:
    """How many active people of one department stand at one level and track, and how
    many of those have not been assessed since the coverage date (level None: not placed)."""

    department_id: int | None
    level_id: int | None
    track_id: int | None
    people: int
    lapsed: int


_kept = Stamped(size=64)


def tallies(on: datetime.date, since: datetime.datetime) -> list[Tally]:
    """The whole organisation in two aggregate queries: a row per department, level and
    track of those placed, and one per department of everyone, the difference being
    those not placed yet (a row with no level)."""
    placed = [
        Tally(*row)
        for row in _in_force_today(on)
        .order_by()
        .values_list("person__department_id", "level_id", "track_id")
        .annotate(people=Count("pk"), lapsed=Count("pk", filter=~_assessed_since(since)))
    ]
    everyone = User.objects.filter(is_active=True).order_by().values_list("department_id").annotate(people=Count("pk"))
    placed_per_department: dict[int | None, int] = {}
    for tally in placed:
        placed_per_department[tally.department_id] = placed_per_department.get(tally.department_id, 0) + tally.people
    not_placed = [
        Tally(department_id, None, None, people - placed_per_department.get(department_id, 0), 0)
        for department_id, people in everyone
    ]
    return placed + [tally for tally in not_placed if tally.people > 0]


@dataclass
class Bar:
    """One level of one track on the chart: how many people stand there."""

    level: Level
    count: int
    percent: float = 0.0


@dataclass
class TrackBars:
    """A track's levels, in ladder order; `track` is None when the framework has one track."""

    track: Track | None
    bars: list[Bar]


@dataclass
class DepartmentLevels:
    """One department's row of a framework's breakdown: people per level, in ladder order."""

    key: str
    name: str
    counts: list[int]
    total: int


@dataclass
class Distribution:
    """Where the people of one framework stand, read against its current published version."""

    rubric: Rubric
    tracks: list[TrackBars]
    placed: int
    # Placed at a level the current version no longer has (its code was dropped).
    not_current: int
    by_department: list[DepartmentLevels]

    @property
    def framework(self):
        return self.rubric.framework


@dataclass
class DepartmentCoverage:
    """A department at a glance: its active people, those not placed yet, and
    those with a level who have not been assessed since the coverage date."""

    key: str
    name: str
    people: int = 0
    not_placed: int = 0
    placed: int = 0
    lapsed: int = 0

    @property
    def lapsed_percent(self) -> int | None:
        return round(100 * self.lapsed / self.placed) if self.placed else None


@dataclass
class Overview:
    """What HR's home shows, for every department or the one chosen (`department`)."""

    department: str | None
    since: datetime.datetime
    frameworks: list[Distribution]
    departments: list[DepartmentCoverage]
    totals: DepartmentCoverage = field(default_factory=lambda: DepartmentCoverage("", "Everyone"))


def _current_standing(level_id: int, track_id: int, rubrics: dict[int, Rubric]):
    # A placement's level and track followed into its framework's current
    # version by code, as a person's path does; None if the code is gone.
    try:
        placed = Placed.of(level_id, track_id)
    except (LookupError, KeyError):
        return None, None
    framework_id = placed.level.version.framework_id
    rubric = rubrics.get(framework_id)
    return framework_id, (standing_for(placed, rubric) if rubric is not None else None)


def current_rubrics() -> dict[int, Rubric]:
    """Every framework's current published version, by framework id in name order: one
    query, the rubrics coming from what this process keeps."""
    return {version.framework_id: rubric_load(version) for version in latest_published_versions()}


def overview(
    *,
    department: str | None,
    names: dict[str, str],
    rubrics: dict[int, Rubric],
    on: datetime.date,
    stamp: int | None = None,
) -> Overview:
    """Level distribution per framework (`rubrics`, see current_rubrics), placements and
    assessment coverage per department, in two queries (see tallies).

    `department` is a key of `names` (see department_choices) or None for
    everyone; the charts and totals are for it, the breakdowns for every
    department.
    """
    since = coverage_since(on)
    rows = _kept.get_or_build(stamp, ("tallies", on), lambda: tallies(on, since))

    coverage: dict[str, DepartmentCoverage] = {}
    totals = DepartmentCoverage("", "Everyone")
    # framework id -> (track pk or None, level pk) -> people, for the chart
    chart: dict[int, dict[tuple[int | None, int], int]] = {fid: {} for fid in rubrics}
    # framework id -> department key -> level pk -> people, for the breakdown
    breakdown: dict[int, dict[str, dict[int, int]]] = {fid: {} for fid in rubrics}
    not_current: dict[int, int] = {fid: 0 for fid in rubrics}
    followed: dict[tuple[int, int], tuple] = {}
    for row in rows:
        key = _department_key(row.department_id)
        chosen = department is None or key == department
        counted = coverage.setdefault(key, DepartmentCoverage(key, names.get(key, NO_DEPARTMENT_NAME)))
        for tally in (counted, totals) if chosen else (counted,):
            tally.people += row.people
            if row.level_id is None:
                tally.not_placed += row.people
            else:
                tally.placed += row.people
                tally.lapsed += row.lapsed
        if row.level_id is None:
            continue
        pair = (row.level_id, row.track_id)
        if pair not in followed:
            followed[pair] = _current_standing(*pair, rubrics)
        framework_id, standing = followed[pair]
        if framework_id not in rubrics:
            continue
        if standing is None:
            if chosen:
                not_current[framework_id] += row.people
            continue
        by_level = breakdown[framework_id].setdefault(key, {})
        by_level[standing.level.pk] = by_level.get(standing.level.pk, 0) + row.people
        if chosen:
            several = len(standing.rubric.tracks) > 1
            spot = (standing.track.pk if several else None, standing.level.pk)
            chart[framework_id][spot] = chart[framework_id].get(spot, 0) + row.people

    order = {key: i for i, key in enumerate(names)}
    departments = sorted(coverage.values(), key=lambda d: order.get(d.key, len(order)))
    frameworks = [
        _distribution(rubric, chart[fid], breakdown[fid], not_current[fid], names, order) for fid, rubric in rubrics.items()
    ]
    return Overview(department, since, frameworks, departments, totals)


def _distribution(
    rubric: Rubric,
    counts: dict[tuple[int | None, int], int],
    breakdown: dict[str, dict[int, int]],
    not_current: int,
    names: dict[str, str],
    order: dict[str, int],
) -> Distribution:
    several = len(rubric.tracks) > 1
    groups = (
        [TrackBars(track, [Bar(lv, counts.get((track.pk, lv.pk), 0)) for lv in rubric.levels if track.pk in lv.track_ids]) for track in rubric.tracks]
        if several
        else [TrackBars(None, [Bar(lv, counts.get((None, lv.pk), 0)) for lv in rubric.levels])]
    )
    most = max((bar.count for group in groups for bar in group.bars), default=0)
    for group in groups:
        for bar in group.bars:
            bar.percent = round(100 * bar.count / most, 1) if most else 0.0
    rows = [
        DepartmentLevels(key, names.get(key, NO_DEPARTMENT_NAME), [by_level.get(lv.pk, 0) for lv in rubric.levels], sum(by_level.values()))
        for key, by_level in sorted(breakdown.items(), key=lambda item: order.get(item[0], len(order)))
    ]
    return Distribution(rubric, groups, sum(counts.values()), not_current, rows)


@dataclass(frozen=True)
class Lapsed:
    """Someone with a level who has not been assessed since the coverage date."""

    pk: int
    name: str
    title: str
    manager_name: str | None
    level: Level | None
    last_assessed: datetime.datetime | None


def lapsed_page(
    *,
    department: str | None,
    page: int,
    rubrics: dict[int, Rubric],
    on: datetime.date,
    order: str = OLDEST_FIRST,
    stamp: int | None = None,
) -> list[Lapsed]:
    """One page of the active people with a level in force and no submitted assessment
    since the coverage date, in `department` (None: everyone), their levels read
    against `rubrics` (see current_rubrics): one query."""
    since = coverage_since(on)
    people = (
        _in_department(_in_force_today(on), department)
        .filter(~_assessed_since(since))
        .annotate(last_assessed=_last_assessed())
    )
    if order == RECENT_FIRST:
        people = people.order_by(F("last_assessed").desc(nulls_last=True), "person__name", "person_id")
    else:
        people = people.order_by(F("last_assessed").asc(nulls_first=True), "person__name", "person_id")
    start = (page - 1) * COVERAGE_PAGE
    rows = _kept.get_or_build(
        stamp,
        ("lapsed", on, department, order, page),
        lambda: list(
            people.values_list(
                "person_id", "person__name", "person__title", "person__manager__name", "level_id", "track_id", "last_assessed"
            )[start : start + COVERAGE_PAGE]
        ),
    )
    found = []
    for pk, name, title, manager_name, level_id, track_id, last in rows:
        _, standing = _current_standing(level_id, track_id, rubrics)
        found.append(Lapsed(pk, name, title, manager_name, standing.level if standing else None, last))
    return found


def publishes_recent(limit: int = RECENT_PUBLISHES) -> list[FrameworkVersion]:
    """The latest published versions of any framework, newest first, with who published them."""
    return list(
        FrameworkVersion.objects.published()
        .select_related("framework", "published_by")
        .order_by("-published_at", "-pk")[:limit]
    )


def drafts_waiting() -> list[FrameworkVersion]:
    """Every framework's unpublished draft (there is at most one each), by framework name."""
    return list(
        FrameworkVersion.objects.filter(status=FrameworkVersion.Status.DRAFT)
        .select_related("framework")
        .order_by("framework__name", "pk")
    )
