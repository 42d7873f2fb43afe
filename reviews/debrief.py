"""The debrief of a loop: what the panel said per competency, and the level it supports.

Everything here but `debrief_load` is a pure function over plain data, so the
arithmetic can be checked on worked examples without a database. The ladder
speaks first: a rating is a point on the kit's scale, and its `offset` places
it against the target level's expected proficiency (Yes meets it, No falls one
short, Strong yes shows the next). So every rating becomes an *observed
proficiency* on the framework's own scale, and the panel's view of a
competency can be compared with what any level on the kit's track expects.

`debrief_load` reads the submitted scorecards of a loop its reader may read
(drafts never count; see selectors.interviews) in a constant number of
queries: the framework comes from its published rubric, kept per process.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ladders.selectors.frameworks import published_level, published_rubric
from people.models import User

from .models import KitCompetency, Loop, ScorecardRating
from .selectors.interviews import scorecards_visible_to

# A competency is contested when the panel's ratings lie this many points of the kit's scale apart.
DISAGREEMENT_SPREAD = 2


# --- Plain data in ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A level on the ladder."""

    id: int
    title: str
    rung: int


@dataclass(frozen=True)
class Ladder:
    """What the debrief needs of a framework version, for one track.

    `scale` maps the framework's proficiency values to their names, `levels` are
    the track's levels by rung (lowest first), and `expected` maps
    (competency id, level id) to the proficiency value that level expects.
    """

    scale: dict[int, str]
    levels: tuple[Step, ...]
    expected: dict[tuple[int, int], int]

    def name(self, value: int) -> str:
        return self.scale.get(value, str(value))

    def clamp(self, value: int) -> int:
        return max(min(self.scale), min(max(self.scale), value))


@dataclass(frozen=True)
class Focus:
    """A focus competency of the kit."""

    competency_id: int
    name: str


@dataclass(frozen=True)
class Given:
    """One submitted rating: who gave it, the point of the kit's scale, and the evidence."""

    competency_id: int
    interviewer: str
    label: str
    value: int
    offset: int
    evidence: str = ""
    stage: str = ""


# --- Plain data out ---------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """Who said what about a competency, and where that places the candidate."""

    interviewer: str
    label: str
    value: int
    offset: int
    evidence: str
    observed: int | None
    stage: str
    observed_name: str


@dataclass(frozen=True)
class CompetencyDebrief:
    """The panel on one focus competency. `mean` and `spread` are in points of the kit's
    scale; `observed` is the proficiency the panel saw (see `panel_observed`)."""

    competency_id: int
    name: str
    expected: int | None
    expected_name: str
    said: tuple[Said, ...]
    mean: float | None
    spread: int | None
    disagreement: bool
    observed: int | None
    observed_name: str

    @property
    def assessed(self) -> bool:
        return self.observed is not None


@dataclass(frozen=True)
class Shortfall:
    level: Step
    competency: str
    expected_name: str
    observed_name: str

    @property
    def sentence(self) -> str:
        return f"{self.level.title} expects {self.expected_name} in {self.competency}; the panel saw {self.observed_name}"


@dataclass(frozen=True)
class Recommendation:
    """The level the evidence supports on the kit's track.

    `level` is None when nothing was rated, or when the evidence does not support
    even the lowest level on the track (`rated` tells the two apart). `next_level`
    is the level above the recommendation (the lowest level when there is none),
    and `shortfalls` what keeps the panel's evidence from it.
    """

    level: Step | None
    target: Step
    next_level: Step | None
    shortfalls: tuple[Shortfall, ...]
    not_assessed: tuple[str, ...]
    rated: bool
    summary: str

    @property
    def above_target(self) -> bool:
        return self.level is not None and self.level.rung > self.target.rung

    @property
    def below_target(self) -> bool:
        return self.rated and (self.level is None or self.level.rung < self.target.rung)


@dataclass(frozen=True)
class Debrief:
    competencies: tuple[CompetencyDebrief, ...]
    recommendation: Recommendation
    disagreements: tuple[str, ...] = field(default=())


# --- The arithmetic ---------------------------------------------------------------


def observed_proficiency(ladder: Ladder, *, expected: int, offset: int) -> int:
    """Where one rating places the candidate on the framework's scale: the target level's
    expected proficiency moved by the scale point's offset, kept within the scale."""
    return ladder.clamp(expected + offset)


def panel_observed(values: Sequence[int]) -> int | None:
    """The proficiency the panel saw: the median of the observed values, rounding down.

    With an even number of ratings the lower of the two middle values is taken,
    so the result is always something an interviewer actually saw. Rounding
    down is deliberate: one enthusiastic interviewer must not lift a level. A
    Strong yes next to a No is a split panel, and it reads as the No until
    more evidence comes in; it takes a majority to move the median up.
    """
    if not values:
        return None
    return statistics.median_low(values)


def is_disagreement(said: Sequence[Said]) -> bool:
    """Contested when the ratings lie two or more scale points apart, or when some
    say Yes or better (offset 0 or more) and others fall short (offset below 0)."""
    if len(said) < 2:
        return False
    values = [s.value for s in said]
    if max(values) - min(values) >= DISAGREEMENT_SPREAD:
        return True
    return any(s.offset >= 0 for s in said) and any(s.offset < 0 for s in said)


def competency_debrief(ladder: Ladder, focus: Focus, target: Step, given: Sequence[Given]) -> CompetencyDebrief:
    """The panel on one competency. Ratings of a competency the target level sets no
    expectation for cannot be placed on the scale: they are shown, and count for nothing."""
    expected = ladder.expected.get((focus.competency_id, target.id))
    said = []
    for g in given:
        observed = observed_proficiency(ladder, expected=expected, offset=g.offset) if expected is not None else None
        said.append(
            Said(
                interviewer=g.interviewer,
                label=g.label,
                value=g.value,
                offset=g.offset,
                evidence=g.evidence,
                observed=observed,
                stage=g.stage,
                observed_name=ladder.name(observed) if observed is not None else "",
            )
        )
    values = [s.value for s in said]
    observed = panel_observed([s.observed for s in said if s.observed is not None])
    return CompetencyDebrief(
        competency_id=focus.competency_id,
        name=focus.name,
        expected=expected,
        expected_name=ladder.name(expected) if expected is not None else "",
        said=tuple(said),
        mean=round(statistics.fmean(values), 2) if values else None,
        spread=max(values) - min(values) if values else None,
        disagreement=is_disagreement(said),
        observed=observed,
        observed_name=ladder.name(observed) if observed is not None else "",
    )


def _shortfalls(ladder: Ladder, level: Step, rated: Sequence[CompetencyDebrief]) -> list[Shortfall]:
    """What `level` expects that the panel did not see. A level that sets no expectation
    for a competency asks nothing of it."""
    shortfalls = []
    for c in rated:
        expected = ladder.expected.get((c.competency_id, level.id))
        if expected is not None and c.observed < expected:
            shortfalls.append(Shortfall(level, c.name, ladder.name(expected), c.observed_name))
    return shortfalls


def level_recommend(ladder: Ladder, target: Step, competencies: Sequence[CompetencyDebrief]) -> Recommendation:
    """The highest level on the track the evidence supports.

    Walking the track's levels from the lowest rung up, a level is supported when,
    for every rated competency, the panel's observed proficiency (see
    `panel_observed`) meets what the level expects; the walk stops at the first
    level that is not, and its shortfalls are what the panel did not see.
    Competencies nobody rated are listed as not assessed and do not block a
    level: a loop that skipped one still gets a recommendation, and the debrief
    says what it rests on. When nothing at all was rated there is none.
    """
    rated = [c for c in competencies if c.assessed]
    not_assessed = tuple(c.name for c in competencies if not c.assessed)
    if not rated:
        return Recommendation(
            level=None,
            target=target,
            next_level=None,
            shortfalls=(),
            not_assessed=not_assessed,
            rated=False,
            summary="Nothing has been rated yet: no level to recommend.",
        )
    supported: Step | None = None
    next_level: Step | None = None
    shortfalls: list[Shortfall] = []
    walk = sorted(ladder.levels, key=lambda step: step.rung)
    for level in walk:
        shortfalls = _shortfalls(ladder, level, rated)
        if shortfalls:
            next_level = level
            break
        supported = level
    if not walk:
        summary = "This track has no levels: no level to recommend"
    elif supported is None:
        short = len({shortfall.competency for shortfall in shortfalls})
        summary = (
            f"Evidence falls short of {walk[0].title}, the first level on this track, in {short} of {len(rated)} "
            f"rated {'competency' if len(rated) == 1 else 'competencies'}"
        )
    elif supported.rung > target.rung:
        summary = f"Evidence supports {supported.title}, above the target, {target.title}"
    elif supported.rung < target.rung:
        summary = f"Evidence supports {supported.title}, below the target, {target.title}"
    else:
        summary = f"Evidence supports {supported.title}"
    return Recommendation(
        level=supported,
        target=target,
        next_level=next_level,
        shortfalls=tuple(shortfalls),
        not_assessed=not_assessed,
        rated=True,
        summary=summary,
    )


def debrief_compute(*, ladder: Ladder, target: Step, focus: Sequence[Focus], given: Iterable[Given]) -> Debrief:
    """The whole debrief from plain data: per focus competency (in the kit's order) the
    panel's ratings, then the level recommendation. Ratings of competencies outside the
    focus are ignored."""
    by_competency: dict[int, list[Given]] = defaultdict(list)
    for g in given:
        by_competency[g.competency_id].append(g)
    competencies = tuple(competency_debrief(ladder, f, target, by_competency[f.competency_id]) for f in focus)
    return Debrief(
        competencies=competencies,
        recommendation=level_recommend(ladder, target, competencies),
        disagreements=tuple(c.name for c in competencies if c.disagreement),
    )


# --- Reading a loop ---------------------------------------------------------------


def ladder_for(*, version_id: int, track_id: int) -> Ladder:
    """The debrief's view of a published version for one track, from its cached rubric.
    Expectations are the ones in force at each level (inherited from below when the
    version says each level includes the ones below)."""
    rubric = published_rubric(version_id)
    track = next(t for t in rubric.tracks if t.pk == track_id)
    levels = [level for level in rubric.levels if track.pk in level.track_ids]
    expected = {}
    for competency in rubric.competencies:
        for level in rubric.levels:
            expectation = rubric.effective(competency, level, track)
            if expectation is not None:
                expected[(competency.pk, level.pk)] = expectation.proficiency.value
    return Ladder(
        scale={p.value: p.name for p in rubric.scale},
        levels=tuple(Step(level.pk, level.title, level.rung) for level in levels),
        expected=expected,
    )


def debrief_load(loop: Loop, viewer: User) -> Debrief:
    """The debrief of `loop` from the SUBMITTED scorecards `viewer` may read (drafts never
    count, nor ratings left empty; see selectors.interviews): a constant number of queries
    however many interviews, interviewers and ratings the loop has."""
    kit = loop.kit
    ladder = ladder_for(version_id=kit.version_id, track_id=kit.track_id)
    target_level = published_level(loop.target_level_id)
    target = Step(target_level.pk, target_level.title, target_level.rung)
    rubric = published_rubric(kit.version_id)
    names = {c.pk: c.name for c in rubric.competencies}
    focus_rows = list(KitCompetency.objects.filter(kit_id=kit.pk).order_by("position", "pk").values_list("pk", "competency_id"))
    competency_of = dict(focus_rows)
    readable = scorecards_visible_to(viewer, loop).filter(submitted_at__isnull=False).order_by().values("pk")
    ratings = (
        ScorecardRating.objects.filter(scorecard__in=readable, point__isnull=False, focus__kit_id=kit.pk)
        .select_related("point", "scorecard__interviewer", "scorecard__interview")
        .order_by("scorecard__interview__starts_at", "scorecard__interview_id", "scorecard__submitted_at", "pk")
    )
    given = [
        Given(
            competency_id=competency_of[r.focus_id],
            interviewer=r.scorecard.interviewer.name,
            label=r.point.label,
            value=r.point.value,
            offset=r.point.offset,
            evidence=r.evidence,
            stage=r.scorecard.interview.get_stage_display(),
        )
        for r in ratings
    ]
    focus = [Focus(competency_id, names.get(competency_id, "")) for _, competency_id in focus_rows]
    return debrief_compute(ladder=ladder, target=target, focus=focus, given=given)
