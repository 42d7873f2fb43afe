"""A manager's whole team, grouped by manager: where each person stands, when they were
last assessed, their gaps; filtered, sorted, paged, and exported.

The tree below a manager is read once per stamp (see people.stamp) in two
queries, one small row per person, whatever its depth; everything a page
does with it (filter, sort, group, page) is done in memory and kept too.
Ratings are read for the rows a page draws (one query, none once drawn),
for everyone only when sorting by gap (one query), and by the export a
chunk of rows at a time.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from config.prepared import MARK_DATE, MARK_TEXT, PreparedQuery
from people.models import User
from people.stamp import Stamped

from ..models import Assessment, Framework, Level, Rating, Track
from .careers import _in_force, latest_published, months_before
from .frameworks import Rubric, published_level, published_rubric, published_track, rubric_load

TEAM_PAGE = 25
# How many people each section kept apart names before pointing elsewhere.
APART_SHOWN = 25
# People per query of ratings when exporting.
EXPORT_CHUNK = 500
SORTS = ("name", "gap", "assessed")

# A whole tree is one small row per person (about 400 bytes); a 10,000-person
# tree a few megabytes. Kept for a few stamps only, so that a busy company
# changing its stamp every minute cannot pile them up.
_stamped_trees = Stamped(size=24)
_stamped_lists = Stamped(size=128)
_stamped_totals = Stamped(size=24)


def _standing(on, column: str) -> Subquery:
    return Subquery(_in_force(OuterRef("pk"), on).values(column)[:1])


_COLUMNS = ("pk", "name", "title", "email", "manager_id", "reporting_path", "level", "track")
_below = PreparedQuery(
    lambda path, on: User.objects.filter(reporting_path__below=path, is_active=True)
    .order_by()
    .annotate(level=_standing(on, "level_id"), track=_standing(on, "track_id"))
    .values_list(*_COLUMNS),
    path=MARK_TEXT,
    on=MARK_DATE,
)
_everyone = PreparedQuery(
    lambda on: User.objects.filter(is_active=True)
    .order_by()
    .annotate(level=_standing(on, "level_id"), track=_standing(on, "track_id"))
    .values_list(*_COLUMNS),
    on=MARK_DATE,
)


def _latest_agreed(path: str | None):
    # The latest manager assessment of each active person of the tree in each
    # framework: what "last assessed" and the gap are read from.
    found = Assessment.objects.filter(
        kind=Assessment.Kind.MANAGER, status=Assessment.Status.SUBMITTED, subject__is_active=True
    )
    if path is not None:
        found = found.filter(subject__reporting_path__below=path)
    return found.annotate(
        newest=Window(
            RowNumber(),
            partition_by=[F("subject_id"), F("version__framework_id")],
            order_by=[F("submitted_at").desc(), F("pk").desc()],
        )
    ).filter(newest=1)


_agreed_below = PreparedQuery(
    lambda path: _latest_agreed(path).values_list("subject_id", "version__framework_id", "pk", "version_id", "submitted_at"),
    path=MARK_TEXT,
)
_agreed_everyone = PreparedQuery(
    lambda: _latest_agreed(None).values_list("subject_id", "version__framework_id", "pk", "version_id", "submitted_at"),
)


@dataclass(frozen=True, slots=True)
class Member:
    """A person of a team as the team pages and the export need them."""

    pk: int
    name: str
    title: str
    email: str
    manager_id: int | None
    level_id: int | None  # a level of a published version, kept in the rubrics
    track_id: int | None
    framework_id: int | None
    agreed_pk: int | None  # their latest manager assessment in their own framework
    agreed_version: int | None
    agreed_at: datetime.datetime | None


@dataclass(frozen=True)
class Group:
    manager_id: int | None
    name: str


@dataclass
class Tree:
    """Everyone below a manager (or everyone, for HR), in the order of the org chart:
    each manager's direct reports by name, then each of their teams in turn."""

    members: list[Member]
    direct: int  # how many report to the head directly
    groups: dict[int | None, Group]  # by manager id, in org-chart order
    below: dict[int, int]  # people below each member, at any depth
    frameworks: list[Framework]  # by how many people are on each, most first

    def __len__(self) -> int:
        return len(self.members)


def _framework_of(level_id: int | None) -> int | None:
    if level_id is None:
        return None
    try:
        return published_level(level_id).version.framework_id
    except LookupError:
        return None


def team_tree(head: User | None, *, stamp: int | None = None) -> Tree:
    """Everyone active below `head` at any depth (None: everyone), with their level
    today and latest manager assessment: two queries, none while `stamp` stays the same."""
    today = timezone.localdate()
    key = ("tree", head.pk if head else None, today)
    return _stamped_trees.get_or_build(stamp, key, lambda: _tree_build(head, today))


def _tree_build(head: User | None, today: datetime.date) -> Tree:
    if head is None:
        rows, agreed = _everyone.all(on=today), _agreed_everyone.all()
    elif not head.reporting_path:
        rows, agreed = [], []
    else:
        rows = _below.all(path=head.reporting_path, on=today)
        agreed = _agreed_below.all(path=head.reporting_path) if rows else []
    latest = {(subject, framework): (pk, version, at) for subject, framework, pk, version, at in agreed}
    people = []
    paths: dict[int, str] = {}
    for pk, name, title, email, manager_id, path, level_id, track_id in rows:
        framework_id = _framework_of(level_id)
        if framework_id is None:
            level_id = track_id = None
        pk_agreed, version, at = latest.get((pk, framework_id), (None, None, None))
        people.append(Member(pk, name, title, email, manager_id, level_id, track_id, framework_id, pk_agreed, version, at))
        paths[pk] = path
    by_pk = {m.pk: m for m in people}
    reports: dict[int | None, list[Member]] = defaultdict(list)
    for member in people:
        reports[member.manager_id].append(member)
    for group in reports.values():
        group.sort(key=lambda m: (m.name.casefold(), m.pk))
    # Groups in org-chart order: the head's reports, then each report's team, depth first.
    # Those whose manager is outside the tree come first: the head's reports,
    # then (for everyone) people without a manager, then reports of leavers.
    order: list[int | None] = []
    top = head.pk if head else None
    tops = [top] + sorted((k for k in reports if k not in by_pk and k != top), key=lambda k: (k is None, k or 0))
    stack = list(reversed(tops))
    while stack:
        manager_id = stack.pop()
        if manager_id in reports:
            order.append(manager_id)
            stack.extend(reversed([m.pk for m in reports[manager_id]]))
    names = {m.pk: m.name for m in people}
    if head is not None:
        names[head.pk] = head.name
    missing = [k for k in order if k is not None and k not in names]
    if missing:
        # Reports of someone who has left, still below the head in the line.
        names.update(User.objects.filter(pk__in=missing).values_list("pk", "name"))
    groups = {k: Group(k, names.get(k, "") if k is not None else "") for k in order}
    members = [m for k in order for m in reports[k]]
    below: dict[int, int] = defaultdict(int)
    for member in people:
        for part in paths[member.pk].strip("/").split("/")[:-1]:
            if part.isdigit() and int(part) in by_pk:
                below[int(part)] += 1
    counted: dict[int, list] = {}
    for member in people:
        if member.framework_id is not None:
            framework = published_level(member.level_id).version.framework
            counted.setdefault(framework.pk, [framework, 0])[1] += 1
    frameworks = [f for f, _ in sorted(counted.values(), key=lambda item: (-item[1], item[0].name))]
    direct = len(reports.get(head.pk, [])) if head is not None else len(people)
    return Tree(members, direct, groups, dict(below), frameworks)


def tops_of_organisation(*, limit: int = 12) -> list[User]:
    """People at the top of a reporting line who lead people: the teams HR may open first."""
    return list(
        User.objects.filter(manager__isnull=True, is_active=True)
        .filter(Exists(User.objects.filter(manager_id=OuterRef("pk"), is_active=True)))
        .only("name", "title")
        .order_by("name", "pk")[:limit]
    )


# --- Filters and sorting ------------------------------------------------------------------


def six_months_before(day: datetime.date) -> datetime.date:
    """The same day six calendar months earlier (the last day of a shorter month)."""
    return months_before(day, 6)


@dataclass(frozen=True)
class TeamFilter:
    """What a team page or export shows: one framework's people, optionally narrowed."""

    framework: Framework | None
    track: str = ""  # a track slug of the framework's current version
    level: str = ""  # a level code of the framework's current version
    stale: bool = False  # not assessed in six months, or never
    sort: str = "name"
    against: str = "next"

    def key(self) -> tuple:
        return (self.framework.pk if self.framework else None, self.track, self.level, self.stale, self.sort, self.against)


def is_stale(member: Member, since: datetime.date) -> bool:
    return member.agreed_at is None or timezone.localdate(member.agreed_at) < since


@dataclass(frozen=True)
class Standing:
    """Where a member stands in the framework's current version, and what the gap is measured to."""

    level: Level
    track: Track
    target: Level


def standing_in(rubric: Rubric, member: Member, against: str) -> Standing | None:
    """A member's level followed by code into `rubric` (their framework's current version)."""
    if member.level_id is None or member.framework_id != rubric.framework.pk:
        return None
    # A company has a few dozen (level, track) pairs: each is worked out once per
    # kept rubric (which a published version's never changes), not once per person.
    known = rubric.__dict__.setdefault("_team_standings", {})
    key = (member.level_id, member.track_id, against)
    if key not in known:
        known[key] = _standing_of(rubric, member.level_id, member.track_id, against)
    return known[key]


def _standing_of(rubric: Rubric, level_id: int, track_id: int, against: str) -> Standing | None:
    held = published_level(level_id)
    level = rubric.level_by_code.get(held.code)
    if level is None:
        return None
    track = rubric.track_by_slug.get(published_track(track_id, held).slug) or rubric.level_tracks(level)[0]
    following = rubric.next_levels(level, track)
    return Standing(level, track, following[0] if against == "next" and following else level)


def _matches(rubric: Rubric, member: Member, standing: Standing | None, chosen: TeamFilter, since) -> bool:
    if chosen.stale and not is_stale(member, since):
        return False
    if chosen.level and (standing is None or standing.level.code != chosen.level):
        return False
    if chosen.track and (standing is None or standing.track.slug != chosen.track):
        return False
    return True


@dataclass
class Listing:
    """A tree sorted and filtered: the people on the framework shown (the table), and
    those kept apart: on other frameworks, and without a level yet."""

    shown: list[Member]
    elsewhere: list[Member]
    unplaced: list[Member]
    counts: dict[int | None, tuple[int, int]]  # per group: people shown, of whom not assessed in six months
    totals: dict[int, int] = field(default_factory=dict)  # total open gap per person, when sorted by gap


def team_listing(
    tree: Tree, rubric: Rubric | None, chosen: TeamFilter, *, head: User | None, stamp: int | None = None
) -> Listing:
    """`head`'s tree (see team_tree) filtered and sorted as `chosen` says; kept while
    `stamp` stays the same. Sorting by gap reads every shown person's ratings (one query)."""
    today = timezone.localdate()
    key = ("listing", head.pk if head else None, today, chosen.key())
    return _stamped_lists.get_or_build(stamp, key, lambda: _listing_build(tree, rubric, chosen, today, head, stamp))


def _listing_build(tree: Tree, rubric: Rubric | None, chosen: TeamFilter, today, head, stamp) -> Listing:
    since = six_months_before(today)
    framework_id = rubric.framework.pk if rubric else None
    shown, elsewhere, unplaced = [], [], []
    standings: dict[int, Standing | None] = {}
    for member in tree.members:
        if member.framework_id is None:
            if not (chosen.level or chosen.track) and _matches(rubric, member, None, chosen, since):
                unplaced.append(member)
        elif member.framework_id != framework_id:
            if not (chosen.level or chosen.track) and _matches(rubric, member, None, chosen, since):
                elsewhere.append(member)
        else:
            standing = standings[member.pk] = standing_in(rubric, member, chosen.against)
            if _matches(rubric, member, standing, chosen, since):
                shown.append(member)
    totals: dict[int, int] = {}
    if chosen.sort == "gap" and rubric is not None:
        totals = gap_totals(tree, rubric, chosen.against, head=head, stamp=stamp)
        # Biggest first; those never assessed after everyone who was. Sorts are
        # stable, so the org chart's order by name holds within each.
        shown.sort(key=lambda m: (0, -totals[m.pk]) if m.pk in totals else (1, 0))
    elif chosen.sort == "assessed":
        oldest = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        shown.sort(key=lambda m: (m.agreed_at is not None, m.agreed_at or oldest))
    order = {manager_id: n for n, manager_id in enumerate(tree.groups)}
    shown.sort(key=lambda m: order[m.manager_id])
    counts: dict[int | None, list[int]] = defaultdict(lambda: [0, 0])
    for member in shown:
        count = counts[member.manager_id]
        count[0] += 1
        count[1] += is_stale(member, since)
    return Listing(shown, elsewhere, unplaced, {k: tuple(v) for k, v in counts.items()}, totals)


# --- Gaps ---------------------------------------------------------------------------------


def _values(assessments: Iterable[tuple[int, int]], ratings) -> dict[int, dict[str, int]]:
    # Ratings as {assessment: {competency slug: value}}, read through the kept rubrics
    # of the versions the assessments were made against.
    competencies, scale = {}, {}
    for version_id in {version for _, version in assessments}:
        made_against = published_rubric(version_id)
        competencies.update((c.pk, c.slug) for c in made_against.competencies)
        scale.update((p.pk, p.value) for p in made_against.scale)
    values: dict[int, dict[str, int]] = {pk: {} for pk, _ in assessments}
    for assessment_id, competency_id, proficiency_id in ratings:
        if assessment_id in values and proficiency_id in scale and competency_id in competencies:
            values[assessment_id][competencies[competency_id]] = scale[proficiency_id]
    return values


def ratings_of(members: Iterable[Member]) -> dict[int, dict[str, int]]:
    """The latest manager ratings of a few people (a page, a chunk): one query."""
    assessments = [(m.agreed_pk, m.agreed_version) for m in members if m.agreed_pk is not None]
    if not assessments:
        return {}
    rows = Rating.objects.filter(assessment_id__in=[pk for pk, _ in assessments]).values_list(
        "assessment_id", "competency_id", "proficiency_id"
    )
    return _values(assessments, rows)


def gaps_of(rubric: Rubric, standing: Standing, values: dict[str, int]) -> list[int | None]:
    """Per competency of `rubric`: what the target requires minus what was assessed."""
    gaps = []
    for competency in rubric.competencies:
        assessed = values.get(competency.slug)
        expected = rubric.expectation(competency, standing.target) or rubric.expectation(competency, standing.level)
        gaps.append(expected.proficiency.value - assessed if expected is not None and assessed is not None else None)
    return gaps


def open_total(gaps: Iterable[int | None]) -> int:
    return sum(g for g in gaps if g is not None and g > 0)


def gap_totals(tree: Tree, rubric: Rubric, against: str, *, head: User | None, stamp: int | None = None) -> dict[int, int]:
    """The total open gap of everyone in the tree assessed on `rubric`'s framework:
    one query for all their ratings; kept while `stamp` stays the same."""

    def build() -> dict[int, int]:
        members = [m for m in tree.members if m.agreed_pk is not None and m.framework_id == rubric.framework.pk]
        if not members:
            return {}
        wanted = {m.agreed_pk for m in members}
        # The latest assessments of the whole tree, found by the database rather
        # than named one by one: a company is more ids than a query should carry.
        latest = _latest_agreed(head.reporting_path if head else None)
        rows = (
            Rating.objects.filter(assessment_id__in=latest.values("pk"))
            .values_list("assessment_id", "competency_id", "proficiency_id")
        )
        values = _values([(m.agreed_pk, m.agreed_version) for m in members], (r for r in rows if r[0] in wanted))
        totals = {}
        for member in members:
            standing = standing_in(rubric, member, against)
            if standing is not None:
                totals[member.pk] = open_total(gaps_of(rubric, standing, values[member.agreed_pk]))
        return totals

    key = ("totals", head.pk if head else None, timezone.localdate(), rubric.version.pk, against)
    return _stamped_totals.get_or_build(stamp, key, build)


def rubric_of(framework: Framework | None, *, stamp: int | None = None) -> Rubric | None:
    version = latest_published(framework.pk, stamp=stamp) if framework else None
    return rubric_load(version) if version else None


# --- What a row shows ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamCells:
    """Every value a team row or card shows (see kept_rows): who, where, assessed when,
    against what. The gaps follow from the version, the levels and the submitted
    assessment, all in the key, and are worked out only when the row is drawn."""

    person_pk: int
    name: str
    title: str
    team_size: int
    level_title: str | None
    target_title: str | None
    assessment_pk: int | None
    submitted_at: datetime.datetime | None
    stale: bool
    version_pk: int | None
    level_pk: int | None
    target_pk: int | None
    gaps: object = field(default=(), compare=False, hash=False)
    open: object = field(default=None, compare=False, hash=False)
    biggest: object = field(default=(), compare=False, hash=False)


def team_rows(tree: Tree, rubric: Rubric, members: list[Member], against: str) -> list[dict]:
    """The table's rows for `members` (one page): where each stands, the gap per
    competency from their latest manager assessment. Ratings are read (one query)
    only if a row is drawn rather than kept."""
    since = six_months_before(timezone.localdate())
    ratings = SimpleLazyObject(lambda: ratings_of(members))
    rows = []
    for member in members:
        standing = standing_in(rubric, member, against)
        assessed = member.agreed_pk is not None and standing is not None

        def gap_list(member=member, standing=standing, assessed=assessed) -> list[dict]:
            if not assessed:
                return []
            values = ratings.get(member.agreed_pk, {})
            return [
                {"competency": competency, "gap": gap, "assessed": values.get(competency.slug),
                 "expected": _expected(rubric, competency, standing)}
                for competency, gap in zip(rubric.competencies, gaps_of(rubric, standing, values), strict=True)
            ]

        gaps = SimpleLazyObject(gap_list)
        # Built only if asked for: a model instance costs more than the rest of the row.
        person = SimpleLazyObject(
            lambda m=member: User(pk=m.pk, name=m.name, title=m.title, email=m.email, manager_id=m.manager_id)
        )
        moving = standing is not None and standing.target != standing.level
        cells = TeamCells(
            member.pk,
            member.name,
            member.title,
            tree.below.get(member.pk, 0),
            standing.level.title if standing else None,
            standing.target.title if moving else None,
            member.agreed_pk,
            member.agreed_at,
            is_stale(member, since),
            rubric.version.pk,
            standing.level.pk if standing else None,
            standing.target.pk if standing else None,
            gaps,
            SimpleLazyObject(lambda gaps=gaps: sum(1 for g in gaps if g["gap"] is not None and g["gap"] > 0)),
            SimpleLazyObject(
                lambda gaps=gaps: sorted((g for g in gaps if g["gap"] is not None and g["gap"] > 0), key=lambda g: -g["gap"])[:3]
            ),
        )
        rows.append(
            {
                "person": person,
                "member": member,
                "level": standing.level if standing else None,
                "target": standing.target if standing else None,
                "team_size": cells.team_size,
                "gaps": gaps,
                "open": cells.open,
                "cells": cells,
            }
        )
    return rows


def _expected(rubric: Rubric, competency, standing: Standing) -> int | None:
    expectation = rubric.expectation(competency, standing.target) or rubric.expectation(competency, standing.level)
    return expectation.proficiency.value if expectation else None


@dataclass(frozen=True)
class Apart:
    """Someone kept apart from the table: on another framework, or without a level."""

    pk: int
    name: str
    title: str
    manager: str
    framework: Framework | None
    level_title: str
    agreed_at: datetime.datetime | None


def apart(tree: Tree, members: list[Member]) -> list[Apart]:
    people = []
    for member in members:
        framework, level_title = None, ""
        if member.level_id is not None:
            level = published_level(member.level_id)
            framework = level.version.framework
            # Its title in the framework's version the person was placed on:
            # the current one may have renamed it, which the person's own path shows.
            level_title = level.title
        people.append(
            Apart(member.pk, member.name, member.title, group_name(tree, member), framework, level_title, member.agreed_at)
        )
    return people


def group_name(tree: Tree, member: Member) -> str:
    group = tree.groups.get(member.manager_id)
    return group.name if group else ""


# --- The export -----------------------------------------------------------------------------


def export_rows(tree: Tree, rubric: Rubric | None, listing: Listing, against: str) -> Iterator[list]:
    """One row per person (the table's, then those kept apart) for the CSV export, read a
    chunk of EXPORT_CHUNK people at a time: one query of ratings per chunk."""
    everyone = [*listing.shown, *listing.elsewhere, *listing.unplaced]
    tracks: dict[int, str] = {}
    for start in range(0, len(everyone), EXPORT_CHUNK):
        chunk = everyone[start : start + EXPORT_CHUNK]
        shown = [m for m in chunk if rubric is not None and m.framework_id == rubric.framework.pk]
        values = ratings_of(shown) if shown else {}
        for member in chunk:
            framework, level_title, track_name = "", "", ""
            gaps: list = [""] * (len(rubric.competencies) if rubric else 0)
            standing = standing_in(rubric, member, against) if rubric is not None else None
            if standing is not None:
                framework, level_title, track_name = rubric.framework.name, standing.level.title, standing.track.name
                if member.agreed_pk is not None:
                    gaps = ["" if g is None else g for g in gaps_of(rubric, standing, values.get(member.agreed_pk, {}))]
            elif member.level_id is not None:
                level = published_level(member.level_id)
                framework, level_title = level.version.framework.name, level.title
                if member.track_id not in tracks:
                    tracks[member.track_id] = published_track(member.track_id, level).name
                track_name = tracks[member.track_id]
            yield [
                member.name,
                member.email,
                group_name(tree, member),
                framework,
                level_title,
                track_name,
                timezone.localdate(member.agreed_at).isoformat() if member.agreed_at else "",
                *gaps,
            ]
