"""Reading frameworks.

Pages read a version through `rubric_load`, a fixed handful of queries that
fetch the whole version at once, then walk it in memory: a framework with
twice the levels costs the same number of queries. A published version
never changes, so its rubric is built once per process and kept (a few
dozen of the most used versions); a draft is read afresh every time.
"""

from __future__ import annotations

import difflib
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.core.cache import cache
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404

from config.kept import Kept
from config.prepared import MARK_ID, MARK_TEXT, PreparedQuery
from people.models import User
from people.stamp import Stamped, stamp_of

from ..formats import FORMAT
from ..markup import plain
from ..models import (
    Competency,
    CompetencyArea,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    ProficiencyLevel,
    Track,
)

T = TypeVar("T")


def _latest_published() -> QuerySet[FrameworkVersion]:
    newest = (
        FrameworkVersion.objects.published()
        .filter(framework=OuterRef("framework"))
        .order_by("-number")
        .values("pk")[:1]
    )
    return (
        FrameworkVersion.objects.filter(pk=Subquery(newest))
        .select_related("framework")
        .order_by("framework__name")
    )


# Read by the index and every search: compiled once (see config.prepared).
_latest_published_versions = PreparedQuery(_latest_published)


def latest_published_versions() -> list[FrameworkVersion]:
    """The current published version of every framework, by framework name."""
    return _latest_published_versions.all()


def _versions_of(slug: str, *, everything: bool) -> QuerySet[FrameworkVersion]:
    """A framework's versions newest first: all of them, or the published ones."""
    versions = FrameworkVersion.objects.filter(framework__slug=slug)
    if not everything:
        versions = versions.published()
    return versions.select_related("framework").order_by("-number")


# Every framework page starts here: compiled once (see config.prepared).
_versions = {
    everything: PreparedQuery(lambda slug, everything=everything: _versions_of(slug, everything=everything), slug=MARK_TEXT)
    for everything in (False, True)
}


_stamped_versions = Stamped(size=128)


def versions_for_user(*, user: User, slug: str) -> list[FrameworkVersion]:
    """A framework's versions `user` may see, newest first: published ones for
    everyone, the draft too for HR admins. One query, or none while the stamp
    read with `user` stays the same (see people.stamp)."""
    everything = user.sees_everyone
    return _stamped_versions.get_or_build(
        stamp_of(user), ("versions", slug, everything), lambda: _versions[everything].all(slug=slug)
    )


def version_pick(versions: list[FrameworkVersion], number: str | int | None = None) -> FrameworkVersion:
    """The version asked for: `number`, "draft", or None for the current published one."""
    if number in (None, ""):
        version = next((v for v in versions if not v.is_draft), None)
    elif number == "draft":
        version = next((v for v in versions if v.is_draft), None)
    else:
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = None
        version = next((v for v in versions if v.number == wanted), None)
    if version is None:
        raise Http404("No such framework version.")
    return version


def version_get_for_user(*, user: User, slug: str, number: str | int | None = None) -> FrameworkVersion:
    """A framework's version as `user` may see it: published for everyone, drafts for HR admins.

    `number` None means the current published version.
    """
    return version_pick(versions_for_user(user=user, slug=slug), number)


@dataclass
class Rubric:
    """A whole framework version in memory."""

    version: FrameworkVersion
    scale: list[ProficiencyLevel]
    tracks: list[Track]
    levels: list[Level]
    areas: list[CompetencyArea]
    competencies: list[Competency]
    expectations: dict[tuple[int, int], Expectation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.level_by_code = {level.code: level for level in self.levels}
        self.competency_by_slug = {c.slug: c for c in self.competencies}
        self.track_by_slug = {t.slug: t for t in self.tracks}
        self.max_value = max((p.value for p in self.scale), default=1)

    @property
    def framework(self) -> Framework:
        return self.version.framework

    def level(self, code: str) -> Level:
        try:
            return self.level_by_code[code]
        except KeyError:
            raise Http404(f"No level {code} in {self.framework}.") from None

    def competency(self, slug: str) -> Competency:
        try:
            return self.competency_by_slug[slug]
        except KeyError:
            raise Http404(f"No competency {slug} in {self.framework}.") from None

    def expectation(self, competency: Competency, level: Level) -> Expectation | None:
        return self.expectations.get((competency.pk, level.pk))

    def level_tracks(self, level: Level) -> list[Track]:
        return [track for track in self.tracks if track.pk in level.track_ids]

    def next_levels(self, level: Level, track: Track | None = None) -> list[Level]:
        """The level(s) after `level`: on `track` first, then the other tracks' forks."""
        candidates = [
            other for other in self.levels
            if other.rung > level.rung and other.track_ids & level.track_ids
        ]
        if not candidates:
            return []
        rung = min(other.rung for other in candidates)
        nearest = [other for other in candidates if other.rung == rung]
        if track is not None:
            nearest.sort(key=lambda other: track.pk not in other.track_ids)
        return nearest

    def previous_level(self, level: Level, track: Track | None = None) -> Level | None:
        tracks = {track.pk} if track is not None else level.track_ids
        below = [other for other in self.levels if other.rung < level.rung and other.track_ids & tracks]
        return max(below, key=lambda other: (other.rung, -other.position), default=None)

    def levels_below(self, level: Level, track: Track | None = None) -> list[Level]:
        """The levels under `level` on its ladder (on `track` when given), nearest first."""
        below = []
        current = self.previous_level(level, track)
        while current is not None:
            below.append(current)
            current = self.previous_level(current, track)
        return below

    def inherited(self, competency: Competency, level: Level, track: Track | None = None) -> list[dict]:
        """What `level` takes over from the levels below it for `competency`, nearest first,
        when the version says each level includes them; each criterion once, and none that
        `level` states itself."""
        if not self.version.levels_include_lower:
            return []
        own = self.expectation(competency, level)
        seen = set(own.criteria_list) if own else set()
        carried = []
        for lower in self.levels_below(level, track):
            expectation = self.expectation(competency, lower)
            if expectation is None:
                continue
            criteria = [c for c in expectation.criteria_list if c not in seen]
            seen.update(criteria)
            if criteria:
                carried.append({"level": lower, "expectation": expectation, "criteria": criteria})
        return carried

    def effective(self, competency: Competency, level: Level, track: Track | None = None) -> Expectation | None:
        """The expectation in force at `level`: its own, or, when levels include the ones
        below, the nearest lower level's."""
        own = self.expectation(competency, level)
        if own is not None or not self.version.levels_include_lower:
            return own
        for lower in self.levels_below(level, track):
            expectation = self.expectation(competency, lower)
            if expectation is not None:
                return expectation
        return None

    def track_levels(self, track: Track) -> list[Level]:
        """The levels on `track`, lowest first."""
        return [level for level in self.levels if track.pk in level.track_ids]

    def grid(self, track: Track) -> list[dict]:
        """The competency × level grid of one track: each area with its competencies, and
        for each competency a cell per level of the track, lowest first.

        A cell holds the level's own expectation, or, in a framework whose levels include
        the ones below, the one it inherits (with the level it comes from); else nothing.
        """
        levels = self.track_levels(track)
        groups = []
        for area in self.areas:
            rows = []
            for competency in area.competency_list:
                cells = []
                for level in levels:
                    own = self.expectation(competency, level)
                    shown = own or self.effective(competency, level, track)
                    cells.append(
                        {
                            "level": level,
                            "expectation": shown,
                            "from_level": None if own is not None or shown is None else shown.level,
                            "first": plain(shown.criteria_list[0]) if shown and shown.criteria_list else "",
                        }
                    )
                if any(cell["expectation"] for cell in cells):
                    rows.append({"competency": competency, "cells": cells})
            if rows:
                groups.append({"area": area, "rows": rows})
        return groups

    def matrix(self) -> list[dict]:
        """Rows of the ladder overview: one per rung, a cell per track.

        A level on several neighbouring tracks becomes one cell spanning them.
        """
        rows = []
        for rung in sorted({level.rung for level in self.levels}):
            cells: list[dict] = []
            for track in self.tracks:
                level = next(
                    (lv for lv in self.levels if lv.rung == rung and track.pk in lv.track_ids), None
                )
                if cells and level is not None and cells[-1]["level"] is level:
                    cells[-1]["span"] += 1
                else:
                    cells.append({"level": level, "span": 1, "track": track})
            rows.append({"rung": rung, "cells": cells})
        return rows

    def grouped(self, level: Level) -> list[dict]:
        """Each area with its competencies and what `level` expects of them."""
        previous = self.previous_level(level)
        groups = []
        for area in self.areas:
            items = []
            for competency in area.competency_list:
                expectation = self.expectation(competency, level)
                before = self.effective(competency, previous) if previous else None
                inherited = self.inherited(competency, level)
                items.append(
                    {
                        "competency": competency,
                        "expectation": expectation,
                        # In force here: its own, or what it inherits.
                        "proficiency": (expectation or inherited[0]["expectation"]).proficiency
                        if expectation or inherited
                        else None,
                        "inherited": inherited,
                        "change": _change(before, expectation) if previous and expectation else None,
                    }
                )
            groups.append({"area": area, "items": items})
        return groups


# What is kept of published versions names their framework (its name, its
# slug in every address), which HR may rename. A rename forgets everything
# kept in the process that saved it at once, and in every other process
# within FRAMEWORKS_CHECKED_EVERY seconds: each looks at a generation number
# in the shared cache that often.
FRAMEWORKS_CHECKED_EVERY = 5.0
_GENERATION_KEY = "ladders:frameworks-generation"
_generation = {"seen": None, "checked": float("-inf")}


def frameworks_changed() -> None:
    """A framework was renamed or removed: forget what was kept, here and in every process."""
    published_caches_clear()
    try:
        _generation["seen"] = cache.incr(_GENERATION_KEY)
    except ValueError:
        cache.set(_GENERATION_KEY, 1, timeout=None)
        _generation["seen"] = 1


def shared_cache_emptied() -> None:
    """The shared cache was emptied (between tests, say): forget what was kept, and the
    generation seen in it, so that its missing number does not read as a rename later."""
    published_caches_clear()
    _generation.update(seen=None, checked=float("-inf"))


def _forget_if_frameworks_changed() -> None:
    now = time.monotonic()
    if now - _generation["checked"] < FRAMEWORKS_CHECKED_EVERY:
        return
    _generation["checked"] = now
    seen = cache.get(_GENERATION_KEY)
    if seen != _generation["seen"]:
        published_caches_clear()
        _generation["seen"] = seen


class _PublishedOnce(Kept):
    """What is built only from a published version, kept per process (see config.kept).

    Keys start with the version's id and publication time: a published
    version never changes, and nothing of a draft is ever stored. A new
    release starts empty; a renamed framework empties it (see frameworks_changed).
    """

    def get_or_build(self, version: FrameworkVersion, key: tuple, build: Callable[[], T]) -> T:
        if version.status != FrameworkVersion.Status.PUBLISHED or version.published_at is None:
            return build()
        _forget_if_frameworks_changed()
        return super().get_or_build((version.pk, version.published_at, *key), build)


_rubrics = _PublishedOnce(size=32)
# Rendered pieces of pages that depend only on a published version.
published_fragments = _PublishedOnce(size=512)
# Whole pages of published versions (see ladders.views.frameworks), apart
# from the fragments so that many addresses cannot push those out.
published_pages = _PublishedOnce(size=256)
# Searches, apart again: their words are anyone's to choose.
published_searches = _PublishedOnce(size=256)


# Levels and tracks of the published versions this process has read, by id:
# placements and assessments point at them, and they never change.
_published_levels: dict[int, Level] = {}
_published_tracks: dict[int, Track] = {}
_published_rubrics: dict[int, Rubric] = {}
_level_version = PreparedQuery(
    lambda level: FrameworkVersion.objects.filter(levels__pk=level).select_related("framework"), level=MARK_ID
)
_version = PreparedQuery(lambda pk: FrameworkVersion.objects.filter(pk=pk).select_related("framework"), pk=MARK_ID)


def published_caches_clear() -> None:
    _rubrics.clear()
    published_fragments.clear()
    published_pages.clear()
    published_searches.clear()
    _published_levels.clear()
    _published_tracks.clear()
    _published_rubrics.clear()


def rubric_load(version: FrameworkVersion) -> Rubric:
    """The whole version in memory; shared and read-only when the version is published."""
    return _rubrics.get_or_build(version, ("rubric",), lambda: _rubric_index(_rubric_build(version)))


def _rubric_index(rubric: Rubric) -> Rubric:
    if not rubric.version.is_draft:
        _published_levels.update((level.pk, level) for level in rubric.levels)
        _published_tracks.update((track.pk, track) for track in rubric.tracks)
        _published_rubrics[rubric.version.pk] = rubric
    return rubric


def published_rubric(version_id: int) -> Rubric:
    """The rubric of a published version, by id: read once per process."""
    _forget_if_frameworks_changed()
    if version_id not in _published_rubrics:
        version = _version.first(pk=version_id)
        if version is None or version.is_draft:
            raise LookupError(f"Version {version_id} is not published.")
        rubric_load(version)
    return _published_rubrics[version_id]


def published_level(level_id: int) -> Level:
    """A level of a published version, by id, as its rubric has it (with `version`)."""
    _forget_if_frameworks_changed()
    if level_id not in _published_levels:
        version = _level_version.first(level=level_id)
        if version is None or version.is_draft:
            raise LookupError(f"Level {level_id} is not on a published version.")
        rubric_load(version)
    return _published_levels[level_id]


def published_track(track_id: int, level: Level) -> Track:
    """A track of the same published version as `level`, by id."""
    if track_id not in _published_tracks:
        rubric_load(level.version)
    return _published_tracks[track_id]


def _rubric_build(version: FrameworkVersion) -> Rubric:
    scale = list(ProficiencyLevel.objects.filter(version=version).order_by("value"))
    tracks = list(Track.objects.filter(version=version).order_by("position", "pk"))
    levels = list(Level.objects.filter(version=version).order_by("rung", "position", "pk"))
    memberships = defaultdict(set)
    for level_id, track_id in Level.tracks.through.objects.filter(level__version=version).values_list(
        "level_id", "track_id"
    ):
        memberships[level_id].add(track_id)
    for level in levels:
        level.track_ids = memberships[level.pk]
        level.version = version
    areas = list(CompetencyArea.objects.filter(version=version).order_by("position", "pk"))
    competencies = list(Competency.objects.filter(version=version).order_by("area__position", "position", "pk"))
    areas_by_pk = {area.pk: area for area in areas}
    by_area = defaultdict(list)
    for competency in competencies:
        competency.version = version
        competency.area = areas_by_pk[competency.area_id]
        by_area[competency.area_id].append(competency)
    for area in areas:
        area.competency_list = by_area[area.pk]
    levels_by_pk = {level.pk: level for level in levels}
    scale_by_pk = {p.pk: p for p in scale}
    competencies_by_pk = {competency.pk: competency for competency in competencies}
    expectations = {}
    for expectation in Expectation.objects.filter(level__version=version):
        expectation.level = levels_by_pk[expectation.level_id]
        expectation.proficiency = scale_by_pk[expectation.proficiency_id]
        expectation.competency = competencies_by_pk[expectation.competency_id]
        expectations[(expectation.competency_id, expectation.level_id)] = expectation
    return Rubric(version, scale, tracks, levels, areas, competencies, expectations)


def version_export(version: FrameworkVersion) -> dict:
    """A version as a Trellis document (see formats.py), ready to dump or to copy."""
    rubric = rubric_load(version)
    track_slugs = {t.pk: t.slug for t in rubric.tracks}
    return {
        "format": FORMAT,
        "slug": version.framework.slug,
        "name": version.framework.name,
        "summary": version.summary,
        "change_notes": version.change_notes,
        "levels_include_lower": version.levels_include_lower,
        "scale": [{"name": p.name, "description": p.description} for p in rubric.scale],
        "tracks": [{"slug": t.slug, "name": t.name, "summary": t.summary} for t in rubric.tracks],
        "levels": [
            {
                "code": lv.code,
                "title": lv.title,
                "summary": lv.summary,
                "rung": lv.rung,
                "tracks": [track_slugs[t.pk] for t in rubric.tracks if t.pk in lv.track_ids],
            }
            for lv in rubric.levels
        ],
        "areas": [
            {
                "slug": area.slug,
                "name": area.name,
                "summary": area.summary,
                "competencies": [
                    {
                        "slug": c.slug,
                        "name": c.name,
                        "summary": c.summary,
                        "expectations": [
                            {
                                "level": e.level.code,
                                "proficiency": e.proficiency.name,
                                "criteria": e.criteria_list,
                                "examples": e.examples_list,
                                "key": e.key,
                            }
                            for lv in rubric.levels
                            if (e := rubric.expectation(c, lv)) is not None
                        ],
                    }
                    for c in area.competency_list
                ],
            }
            for area in rubric.areas
        ],
    }


# --- The level diff ---------------------------------------------------------------


def _words_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Word-level changes from one sentence to another, as (kind, text) pieces."""
    a, b = before.split(), after.split()
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("same", " ".join(a[i1:i2])))
        if op in ("delete", "replace"):
            pieces.append(("removed", " ".join(a[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("added", " ".join(b[j1:j2])))
    return pieces


def _criteria_diff(before: list[str], after: list[str]) -> list[dict]:
    """Pair up criteria: kept, reworded (with a word diff), added or dropped."""
    rows: list[dict] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            rows += [{"kind": "same", "text": text} for text in after[j1:j2]]
            continue
        old, new = before[i1:i2], after[j1:j2]
        while old and new:
            a, b = old.pop(0), new.pop(0)
            similar = difflib.SequenceMatcher(a=a.split(), b=b.split(), autojunk=False).ratio() >= 0.4
            if similar:
                rows.append({"kind": "reworded", "text": b, "pieces": _words_diff(a, b)})
            else:
                rows.append({"kind": "dropped", "text": a})
                rows.append({"kind": "added", "text": b})
        rows += [{"kind": "dropped", "text": text} for text in old]
        rows += [{"kind": "added", "text": text} for text in new]
    return rows


def _criteria_sides(before: list[str], after: list[str]) -> tuple[list[dict], list[dict]]:
    """The criteria diff laid out as two columns: what the lower level says, what the higher says.

    Each criterion is a list of (kind, text) pieces: "removed" words appear
    only on the left, "added" words only on the right.
    """
    left: list[dict] = []
    right: list[dict] = []
    for row in _criteria_diff(before, after):
        if row["kind"] == "same":
            piece = {"kind": "same", "pieces": [("same", row["text"])]}
            left.append(piece)
            right.append(piece)
        elif row["kind"] == "added":
            right.append({"kind": "added", "pieces": [("same", row["text"])]})
        elif row["kind"] == "dropped":
            left.append({"kind": "dropped", "pieces": [("same", row["text"])]})
        else:
            left.append({"kind": "reworded", "pieces": [p for p in row["pieces"] if p[0] != "added"]})
            right.append({"kind": "reworded", "pieces": [p for p in row["pieces"] if p[0] != "removed"]})
    return left, right


def _change(before: Expectation | None, after: Expectation | None, *, cumulative: bool = False) -> str:
    """How `after` differs from `before`. With `cumulative` (going up a framework whose
    levels include the ones below), nothing below is dropped: a missing expectation is
    carried up, and criteria the higher level states are added to the lower's."""
    if before is None and after is None:
        return "absent"
    if before is None:
        return "new"
    if after is None:
        return "carried" if cumulative else "dropped"
    if after.proficiency.value > before.proficiency.value:
        return "raised"
    if after.proficiency.value < before.proficiency.value:
        return "lowered"
    if cumulative:
        return "extended" if set(after.criteria_list) - set(before.criteria_list) else "same"
    if after.criteria_list != before.criteria_list or after.examples_list != before.examples_list:
        return "reworded"
    return "same"


def _carried_sides(before: list[str], after: list[str]) -> tuple[list[dict], list[dict]]:
    """Two columns for a framework whose levels include the ones below: everything the
    lower level expects is still expected higher up, and what the higher level states
    is added to it, never a rewording of it."""
    left = [{"kind": "same", "pieces": [("same", text)]} for text in before]
    right = [
        {"kind": "same" if text in before else "added", "pieces": [("same", text)]} for text in after
    ]
    right += [{"kind": "carried", "pieces": [("same", text)]} for text in before if text not in after]
    return left, right


def _criteria(expectation: Expectation | None) -> list[str]:
    return expectation.criteria_list if expectation is not None else []


def level_diff(rubric: Rubric, from_level: Level, to_level: Level) -> dict:
    groups = []
    totals: dict[str, int] = defaultdict(int)
    # Going up a framework whose levels include the ones below, the lower level's
    # criteria are still expected at the higher one: compared as carried, not dropped.
    cumulative = rubric.version.levels_include_lower and from_level.rung < to_level.rung
    for area in rubric.areas:
        items = []
        for competency in area.competency_list:
            if cumulative:
                before = rubric.effective(competency, from_level)
                own = rubric.expectation(competency, to_level)
                change = _change(before, own, cumulative=True)
                after = own or rubric.effective(competency, to_level)
                # Everything in force at the lower level: its own criteria and what it inherits.
                in_force = _criteria(rubric.expectation(competency, from_level)) + [
                    text for carried in rubric.inherited(competency, from_level) for text in carried["criteria"]
                ]
                left, right = _carried_sides(in_force, _criteria(own))
            else:
                before = rubric.expectation(competency, from_level)
                after = rubric.expectation(competency, to_level)
                change = _change(before, after)
                left, right = _criteria_sides(_criteria(before), _criteria(after))
                if change == "reworded" and not any(row["kind"] == "reworded" for row in right):
                    # Only a behaviour said in other words has words to mark; otherwise the
                    # level asks for different behaviours (or only its examples changed).
                    change = "examples" if before.criteria_list == after.criteria_list else "rewritten"
            if change == "absent":
                continue
            totals[change] += 1
            items.append(
                {
                    "competency": competency,
                    "before": before,
                    "after": after,
                    "change": change,
                    "left": left,
                    "right": right,
                }
            )
        if items:
            groups.append({"area": area, "items": items})
    return {"from": from_level, "to": to_level, "groups": groups, "totals": dict(totals), "cumulative": cumulative}


# --- Search -----------------------------------------------------------------------


def _search_index(rubric: Rubric) -> list[tuple[Expectation, str]]:
    """Every expectation of a version with the words it is found by, in page order."""
    index = []
    for area in rubric.areas:
        for competency in area.competency_list:
            for level in rubric.levels:
                expectation = rubric.expectation(competency, level)
                if expectation is not None:
                    # The words people read, not the Markdown around them.
                    text = [plain(line) for line in (*expectation.criteria_list, *expectation.examples_list)]
                    words = "\n".join((*text, competency.name, level.title))
                    index.append((expectation, words.lower()))
    return index


def expectations_search(query: str, *, limit: int = 60, versions=None) -> list[Expectation]:
    """Expectations of every current published framework that mention every word of `query`.

    Each version's index is built once per process from its rubric; a search
    costs one query (which versions are current, unless `versions` says) and
    a scan in memory.
    """
    words = [word.lower() for word in query.split()[:8]]
    if not words:
        return []
    found: list[Expectation] = []
    for version in latest_published_versions() if versions is None else versions:
        index = published_fragments.get_or_build(
            version, ("search-index",), lambda version=version: _search_index(rubric_load(version))
        )
        for expectation, text in index:
            if all(word in text for word in words):
                found.append(expectation)
                if len(found) >= limit:
                    return found
    return found
