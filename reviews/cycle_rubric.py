"""What a review cycle rates someone on: each competency their level has an expectation for,
from the published rubric of the level's framework version, with the expectation's text.

A rating is below, meets or above that expectation; it maps onto the framework's own
proficiency scale as the expected proficiency one step down, the same, or one step up
(kept within the scale), so that a review reads like an assessment on the ladder.
"""

from __future__ import annotations

from dataclasses import dataclass

from ladders.models import Competency, Expectation, Level, Track
from ladders.selectors.frameworks import published_level, published_rubric

from .models.cycles import RATING_OFFSET, Rating


@dataclass(frozen=True)
class Line:
    """One competency to rate: what the level expects of it, and the scale's names."""

    competency: Competency
    expectation: Expectation
    expected: int
    expected_name: str
    names: dict[int, str]

    def proficiency(self, rating: str) -> int | None:
        """The proficiency `rating` places the competency at on the framework's scale."""
        if rating not in RATING_OFFSET:
            return None
        values = sorted(self.names)
        wanted = self.expected + RATING_OFFSET[Rating(rating)]
        return min(max(wanted, values[0]), values[-1])

    def proficiency_name(self, rating: str) -> str:
        value = self.proficiency(rating)
        return self.names.get(value, "") if value is not None else ""


def lines_for(level_id: int | None, track_id: int | None) -> tuple[Level | None, list[Line]]:
    """The level (from its published rubric) and the lines someone at it is rated on; no
    lines for someone on no ladder, or on a level whose version is no longer published."""
    if level_id is None:
        return None, []
    try:
        level = published_level(level_id)
        rubric = published_rubric(level.version_id)
    except LookupError:
        return None, []
    level = next((lv for lv in rubric.levels if lv.pk == level_id), level)
    track: Track | None = next((t for t in rubric.tracks if t.pk == track_id), None)
    names = {p.value: p.name for p in rubric.scale}
    lines = []
    for competency in rubric.competencies:
        expectation = rubric.effective(competency, level, track)
        if expectation is None:
            continue
        value = expectation.proficiency.value
        lines.append(Line(competency, expectation, value, names.get(value, ""), names))
    return level, lines


def levels_above(level: Level | None, track_id: int | None) -> list[Level]:
    """The levels a manager may propose someone at `level` for: the next ones on their track."""
    if level is None:
        return []
    rubric = published_rubric(level.version_id)
    track = next((t for t in rubric.tracks if t.pk == track_id), None)
    return rubric.next_levels(level, track)
