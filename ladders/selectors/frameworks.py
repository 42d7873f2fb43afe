"""Reading frameworks.

Pages read a version through `rubric_load`, a fixed handful of queries that
fetch the whole version at once, then walk it in memory: a framework with
twice the levels costs the same number of queries.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from people.models import User

from ..formats import FORMAT
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


def latest_published_versions() -> QuerySet[FrameworkVersion]:
    """The current published version of every framework."""
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


def version_get_for_user(*, user: User, slug: str, number: str | int | None = None) -> FrameworkVersion:
    """A framework's version as `user` may see it: published for everyone, drafts for HR admins.

    `number` None means the current published version.
    """
    versions = FrameworkVersion.objects.select_related("framework").filter(framework__slug=slug)
    if not user.sees_everyone:
        versions = versions.published()
    if number in (None, ""):
        version = versions.current()
    elif number == "draft":
        version = versions.filter(status=FrameworkVersion.Status.DRAFT).first()
    else:
        try:
            version = versions.filter(number=int(number)).first()
        except (TypeError, ValueError):
            version = None
    if version is None:
        raise Http404("No such framework version.")
    return version


def versions_of(version: FrameworkVersion, user: User) -> list[FrameworkVersion]:
    versions = FrameworkVersion.objects.filter(framework_id=version.framework_id).order_by("-number")
    if not user.sees_everyone:
        versions = versions.published()
    return list(versions)


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
                before = self.expectation(competency, previous) if previous else None
                items.append(
                    {
                        "competency": competency,
                        "expectation": expectation,
                        "change": _change(before, expectation) if previous else None,
                    }
                )
            groups.append({"area": area, "items": items})
        return groups


def rubric_load(version: FrameworkVersion) -> Rubric:
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
    expectations = {}
    for expectation in Expectation.objects.filter(level__version=version):
        expectation.level = levels_by_pk[expectation.level_id]
        expectation.proficiency = scale_by_pk[expectation.proficiency_id]
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


def _change(before: Expectation | None, after: Expectation | None) -> str:
    if before is None and after is None:
        return "absent"
    if before is None:
        return "new"
    if after is None:
        return "dropped"
    if after.proficiency.value > before.proficiency.value:
        return "raised"
    if after.proficiency.value < before.proficiency.value:
        return "lowered"
    if after.criteria_list != before.criteria_list or after.examples_list != before.examples_list:
        return "reworded"
    return "same"


def level_diff(rubric: Rubric, from_level: Level, to_level: Level) -> dict:
    groups = []
    totals: dict[str, int] = defaultdict(int)
    for area in rubric.areas:
        items = []
        for competency in area.competency_list:
            before = rubric.expectation(competency, from_level)
            after = rubric.expectation(competency, to_level)
            change = _change(before, after)
            if change == "absent":
                continue
            totals[change] += 1
            left, right = _criteria_sides(
                before.criteria_list if before else [], after.criteria_list if after else []
            )
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
    return {"from": from_level, "to": to_level, "groups": groups, "totals": dict(totals)}


# --- Search -----------------------------------------------------------------------


def expectations_search(query: str, *, limit: int = 60) -> list[Expectation]:
    """Expectations of every current published framework that mention `query`."""
    words = query.split()
    if not words:
        return []
    matches = Q()
    for word in words[:8]:
        matches &= (
            Q(criteria__icontains=word)
            | Q(examples__icontains=word)
            | Q(competency__name__icontains=word)
            | Q(level__title__icontains=word)
        )
    return list(
        Expectation.objects.filter(matches, level__version__in=latest_published_versions().values("pk"))
        .select_related("competency__area", "level__version__framework", "proficiency")
        .order_by("level__version__framework__name", "competency__area__position", "competency__position", "level__rung", "level__position")[:limit]
    )
