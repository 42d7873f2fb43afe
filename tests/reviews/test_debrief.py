"""The debrief: per-competency panel views and the level recommendation, on worked examples.

The test framework (tests/ladders/factories.py `document`) has the scale
1 Learning, 2 Applying, 3 Skilled, 4 Leading, 5 Shaping and expects, at rung r:

    Competency 0.0   r        (Level 1: 1, Level 2: 2, Level 3: 3, Level 4: 4)
    Competency 0.1   r - 1    (Level 1: 1, Level 2: 1, Level 3: 2, Level 4: 3)   never below 1
    Competency 0.2   r        (like 0.0)

The kits below are for Level 2, so a rating's observed proficiency is the
Level 2 expectation plus the scale point's offset (Strong no -2, No -1, Yes 0,
Strong yes +1), kept within 1..5.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ladders.models import Competency, Level
from reviews.debrief import (
    Focus,
    Given,
    Ladder,
    Step,
    debrief_compute,
    debrief_load,
    is_disagreement,
    panel_observed,
)
from reviews.models import KitCompetency, Loop, ScalePoint, Scorecard, ScorecardRating
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

C0, C1, C2 = "Competency 0.0", "Competency 0.1", "Competency 0.2"


@pytest.fixture
def version(db):
    return publish(document(levels=4, competencies=3))


@pytest.fixture
def panel(db):
    return [UserFactory(name=f"Interviewer {n}", email=f"interviewer{n}@example.com") for n in range(1, 11)]


def rate(interview, interviewer, ratings: dict[str, str | None], *, submit: bool = True, evidence: str = "") -> Scorecard:
    """`interviewer`'s scorecard on `interview`: competency names to scale labels (None: left empty)."""
    scorecard, _ = Scorecard.objects.get_or_create(interview=interview, interviewer=interviewer)
    kit = interview.loop.kit
    points = {p.label: p for p in ScalePoint.objects.filter(kit=kit)}
    focus = {f.competency.name: f for f in KitCompetency.objects.filter(kit=kit).select_related("competency")}
    for name, label in ratings.items():
        ScorecardRating.objects.create(
            scorecard=scorecard, focus=focus[name], point=points[label] if label else None, evidence=evidence or f"{interviewer.name} on {name}"
        )
    if submit:
        scorecard.recommendation = Scorecard.Recommendation.YES
        scorecard.submitted_at = timezone.now()
        scorecard.save()
    return scorecard


def everything(label: str, **overrides: str) -> dict[str, str]:
    ratings = {C0: label, C1: label, C2: label}
    ratings.update({{"c0": C0, "c1": C1, "c2": C2}[key]: value for key, value in overrides.items()})
    return ratings


def loop_at(version, level_code: str = "l2", *, track: str = "ic"):
    manager = UserFactory(name="Hiring Manager", email=f"hm-{track}-{level_code}@example.com")
    return loop_for(kit_for(version, level_code, track=track), hiring_manager=manager)


def fresh(loop: Loop) -> Loop:
    return Loop.objects.get(pk=loop.pk)


def by_name(debrief):
    return {c.name: c for c in debrief.competencies}


def sentences(recommendation) -> list[str]:
    return [s.sentence for s in recommendation.shortfalls]


# --- Worked examples through the database -----------------------------------------


def test_it_recommends_the_target_when_the_panel_agrees_it_is_met(version, panel):
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:2])
    rate(interview, panel[0], everything("Yes"))
    rate(interview, panel[1], everything("Yes"))

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # Yes is offset 0: observed = Level 2's expectation. 0.0: 2+0 = 2 Applying, 0.1: 1+0 = 1
    # Learning, 0.2: 2+0 = 2 Applying. Level 1 (1, 1, 1) and Level 2 (2, 1, 2) are met;
    # Level 3 expects (3, 2, 3): all three fall one short.
    c = by_name(debrief)
    assert [c[C0].observed, c[C1].observed, c[C2].observed] == [2, 1, 2]
    assert c[C0].mean == 3.0  # (3 + 3) / 2 on the kit's scale
    assert c[C0].spread == 0
    assert not any(x.disagreement for x in debrief.competencies)
    assert [(s.interviewer, s.label, s.evidence) for s in c[C0].said] == [
        ("Interviewer 1", "Yes", "Interviewer 1 on Competency 0.0"),
        ("Interviewer 2", "Yes", "Interviewer 2 on Competency 0.0"),
    ]
    recommendation = debrief.recommendation
    assert recommendation.level.title == "Level 2"
    assert recommendation.target.title == "Level 2"
    assert not recommendation.above_target and not recommendation.below_target
    assert recommendation.summary == "Evidence supports Level 2"
    assert recommendation.next_level.title == "Level 3"
    assert sentences(recommendation) == [
        "Level 3 expects Skilled in Competency 0.0; the panel saw Applying",
        "Level 3 expects Applying in Competency 0.1; the panel saw Learning",
        "Level 3 expects Skilled in Competency 0.2; the panel saw Applying",
    ]
    assert recommendation.not_assessed == ()


def test_it_reads_a_split_panel_as_the_lower_rating(version, panel):
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:2])
    rate(interview, panel[0], everything("Yes", c0="Strong yes"))
    rate(interview, panel[1], everything("Yes", c0="No"))

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # Competency 0.0: Strong yes -> 2+1 = 3 Skilled, No -> 2-1 = 1 Learning.
    # Median of [1, 3] rounding down = 1 (the lower middle value), not 2: the Strong yes
    # does not lift the No. Level 2 expects 2 Applying there: not met, so Level 1.
    c0 = by_name(debrief)[C0]
    assert [s.observed for s in c0.said] == [3, 1]
    assert c0.observed == 1
    assert c0.mean == 3.0  # (4 + 2) / 2 on the kit's scale
    assert c0.spread == 2  # 4 - 2
    assert c0.disagreement
    assert debrief.disagreements == (C0,)
    recommendation = debrief.recommendation
    assert recommendation.level.title == "Level 1"
    assert recommendation.below_target
    assert recommendation.summary == "Evidence supports Level 1, below the target, Level 2"
    assert recommendation.next_level.title == "Level 2"
    assert sentences(recommendation) == ["Level 2 expects Applying in Competency 0.0; the panel saw Learning"]


def test_it_takes_a_majority_to_move_the_median(version, panel):
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:3])
    rate(interview, panel[0], everything("Strong yes"))
    rate(interview, panel[1], everything("Yes"))
    rate(interview, panel[2], everything("No"))

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # Competency 0.0: observed [3, 2, 1], median 2 = Level 2's Applying: the target holds,
    # though one said Strong yes. Level 3 expects 3 Skilled.
    c0 = by_name(debrief)[C0]
    assert c0.observed == 2
    assert c0.mean == 3.0  # (4 + 3 + 2) / 3
    assert c0.spread == 2
    assert debrief.recommendation.level.title == "Level 2"
    assert debrief.recommendation.summary == "Evidence supports Level 2"


def test_it_recommends_the_level_above_for_a_candidate_above_the_target(version, panel):
    loop = loop_at(version)
    first = interview_for(loop, panel[0], stage="technical")
    second = interview_for(loop, panel[1], stage="system_design")
    rate(first, panel[0], everything("Strong yes"))
    rate(second, panel[1], everything("Strong yes"))

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # Strong yes is +1: observed 0.0: 2+1 = 3, 0.1: 1+1 = 2, 0.2: 2+1 = 3, exactly what
    # Level 3 expects (3, 2, 3). Level 4 expects (4, 3, 4): one short everywhere.
    c = by_name(debrief)
    assert [c[C0].observed, c[C1].observed, c[C2].observed] == [3, 2, 3]
    assert c[C0].mean == 4.0 and c[C0].spread == 0
    recommendation = debrief.recommendation
    assert recommendation.level.title == "Level 3"
    assert recommendation.above_target
    assert recommendation.summary == "Evidence supports Level 3, above the target, Level 2"
    assert sentences(recommendation) == [
        "Level 4 expects Leading in Competency 0.0; the panel saw Skilled",
        "Level 4 expects Skilled in Competency 0.1; the panel saw Applying",
        "Level 4 expects Leading in Competency 0.2; the panel saw Skilled",
    ]


def test_it_recommends_a_level_below_the_target(version, panel):
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:2])
    rate(interview, panel[0], everything("No"))
    rate(interview, panel[1], everything("No", c1="Strong no"))

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # No is -1: 0.0: 2-1 = 1, 0.2: 2-1 = 1. Competency 0.1: No 1-1 = 0 and Strong no 1-2 = -1,
    # both kept within the scale at 1 Learning. Level 1 (1, 1, 1) is met; Level 2 expects
    # (2, 1, 2): 0.0 and 0.2 fall short, 0.1 does not.
    c = by_name(debrief)
    assert [s.observed for s in c[C1].said] == [1, 1]
    assert c[C1].spread == 1 and not c[C1].disagreement  # No and Strong no: both below
    recommendation = debrief.recommendation
    assert recommendation.level.title == "Level 1"
    assert recommendation.below_target
    assert recommendation.summary == "Evidence supports Level 1, below the target, Level 2"
    assert sentences(recommendation) == [
        "Level 2 expects Applying in Competency 0.0; the panel saw Learning",
        "Level 2 expects Applying in Competency 0.2; the panel saw Learning",
    ]


def test_it_lists_a_competency_nobody_rated_without_letting_it_block(version, panel):
    loop = loop_at(version)
    focus = KitCompetency.objects.filter(kit=loop.kit, competency__name__in=[C0, C1])
    interview = interview_for(loop, *panel[:2], focus=focus)
    rate(interview, panel[0], {C0: "Strong yes", C1: "Strong yes"})
    # An empty rating on a submitted scorecard (the interview did not reach it) counts for nothing.
    rate(interview, panel[1], {C0: "Strong yes", C1: "Strong yes", C2: None})

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # 0.0: 2+1 = 3, 0.1: 1+1 = 2 meet Level 3 (3, 2); nobody saw 0.2, which would have
    # needed 3 at Level 3. Level 4 expects (4, 3) of the two rated.
    c2 = by_name(debrief)[C2]
    assert c2.said == () and c2.observed is None and c2.mean is None and not c2.assessed
    recommendation = debrief.recommendation
    assert recommendation.not_assessed == (C2,)
    assert recommendation.level.title == "Level 3"
    assert sentences(recommendation) == [
        "Level 4 expects Leading in Competency 0.0; the panel saw Skilled",
        "Level 4 expects Skilled in Competency 0.1; the panel saw Applying",
    ]


def test_it_makes_no_recommendation_when_nothing_was_rated(version, panel):
    loop = loop_at(version)
    interview_for(loop, *panel[:2])

    recommendation = debrief_load(fresh(loop), loop.hiring_manager).recommendation

    assert recommendation.level is None
    assert not recommendation.rated and not recommendation.below_target
    assert recommendation.not_assessed == (C0, C1, C2)
    assert recommendation.shortfalls == ()
    assert recommendation.summary == "Nothing has been rated yet: no level to recommend."


def test_it_never_counts_a_draft(version, panel):
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:3])
    rate(interview, panel[0], everything("Yes"))
    # Drafts full of Strong yes (or Strong no) change nothing until they are submitted.
    rate(interview, panel[1], everything("Strong yes"), submit=False)
    rate(interview, panel[2], everything("Strong no"), submit=False)
    Loop.objects.filter(pk=loop.pk).update(debrief_opened_at=timezone.now())

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    assert [s.interviewer for c in debrief.competencies for s in c.said] == ["Interviewer 1"] * 3
    assert debrief.recommendation.level.title == "Level 2"
    assert not any(c.disagreement for c in debrief.competencies)


def test_it_reads_only_what_its_reader_may_read(version, panel):
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:3])
    rate(interview, panel[0], everything("Yes"))
    rate(interview, panel[1], everything("No"))
    rate(interview, panel[2], everything("Yes"), submit=False)

    # Before all are in and before the debrief opens, the hiring manager reads nothing;
    # an interviewer who has submitted reads the submitted ones; an outsider nothing.
    assert debrief_load(fresh(loop), loop.hiring_manager).recommendation.not_assessed == (C0, C1, C2)
    assert debrief_load(fresh(loop), panel[3]).recommendation.not_assessed == (C0, C1, C2)
    seen = debrief_load(fresh(loop), panel[0])
    assert [s.interviewer for s in by_name(seen)[C0].said] == ["Interviewer 1", "Interviewer 2"]
    assert [s.stage for s in by_name(seen)[C0].said] == ["Technical", "Technical"]


def test_it_walks_only_the_kits_track(db, panel):
    doc = document(levels=4, competencies=3, fork_at=3)
    # The manager track's Level 3 asks more of Competency 0.0 than the IC track's.
    competency = doc["areas"][0]["competencies"][0]
    for expectation in competency["expectations"]:
        if expectation["level"] == "l3-mgr":
            expectation["proficiency"] = "Shaping"
    version = publish(doc)
    ic, mgr = loop_at(version, track="ic"), loop_at(version, track="mgr")
    for loop in (ic, mgr):
        interview = interview_for(loop, *panel[:2])
        rate(interview, panel[0], everything("Strong yes"))
        rate(interview, panel[1], everything("Strong yes"))

    on_ic = debrief_load(fresh(ic), ic.hiring_manager).recommendation
    on_mgr = debrief_load(fresh(mgr), mgr.hiring_manager).recommendation

    # Observed (3, 2, 3) as above. IC: Level 3 IC expects (3, 2, 3), met; Level 4 IC does not.
    assert on_ic.level.title == "Level 3 IC"
    assert on_ic.next_level.title == "Level 4 IC"
    assert on_ic.summary == "Evidence supports Level 3 IC, above the target, Level 2"
    # Manager: Level 3 Manager expects 5 Shaping in 0.0 and the panel saw 3 Skilled, so the
    # walk stops at the shared Level 2; Level 3 IC, though met, is on another track.
    assert on_mgr.level.title == "Level 2"
    assert on_mgr.summary == "Evidence supports Level 2"
    assert sentences(on_mgr) == ["Level 3 Manager expects Shaping in Competency 0.0; the panel saw Skilled"]


def test_it_reads_an_inherited_expectation_when_levels_include_the_ones_below(db, panel):
    doc = document(levels=4, competencies=3)
    doc["levels_include_lower"] = True
    # Level 2 states nothing for Competency 0.0: it carries Level 1's 1 Learning up.
    competency = doc["areas"][0]["competencies"][0]
    competency["expectations"] = [e for e in competency["expectations"] if e["level"] != "l2"]
    version = publish(doc)
    loop = loop_at(version)
    interview = interview_for(loop, *panel[:2])
    rate(interview, panel[0], everything("Yes"))
    rate(interview, panel[1], everything("Yes"))

    debrief = debrief_load(fresh(loop), loop.hiring_manager)

    # 0.0: Yes against the inherited 1 Learning observes 1+0 = 1; 0.1: 1, 0.2: 2 as before.
    # Level 2 is met; Level 3 expects (3, 2, 3).
    c0 = by_name(debrief)[C0]
    assert (c0.expected_name, c0.observed) == ("Learning", 1)
    assert debrief.recommendation.level.title == "Level 2"
    assert sentences(debrief.recommendation) == [
        "Level 3 expects Skilled in Competency 0.0; the panel saw Learning",
        "Level 3 expects Applying in Competency 0.1; the panel saw Learning",
        "Level 3 expects Skilled in Competency 0.2; the panel saw Applying",
    ]


def test_it_reads_a_loop_in_the_same_number_of_queries_however_big_the_panel(version, panel):
    small = loop_at(version, "l2")
    interview = interview_for(small, panel[0])
    rate(interview, panel[0], everything("Yes"))
    big = loop_at(version, "l3")
    for n, stage in enumerate(["screen", "technical", "system_design", "values", "other"]):
        interview = interview_for(big, panel[2 * n], panel[2 * n + 1], stage=stage)
        interview.starts_at -= datetime.timedelta(days=n)
        interview.save()
        rate(interview, panel[2 * n], everything("Strong yes"))
        rate(interview, panel[2 * n + 1], everything("No"), submit=n % 2 == 0)
    Loop.objects.filter(pk=big.pk).update(debrief_opened_at=timezone.now())  # two are drafts
    debrief_load(fresh(small), small.hiring_manager)  # the rubric is read once per process

    counts = []
    for loop in (small, big):
        loop = fresh(loop)
        reader = loop.hiring_manager
        with CaptureQueriesContext(connection) as captured:
            debrief = debrief_load(loop, reader)
        counts.append(len(captured))

    assert counts[0] == counts[1]
    assert counts[1] <= 3
    # 5 Strong yes and 3 submitted No (the other two are drafts) per competency.
    assert len(debrief.competencies[0].said) == 8


# --- The arithmetic alone ---------------------------------------------------------


def ladder(levels: int = 3) -> Ladder:
    """One competency (id 1) expecting its rung at each level, on a scale of 1..4."""
    steps = tuple(Step(id=10 + rung, title=f"Rung {rung}", rung=rung) for rung in range(1, levels + 1))
    return Ladder(
        scale={1: "One", 2: "Two", 3: "Three", 4: "Four"},
        levels=steps,
        expected={(1, step.id): step.rung for step in steps},
    )


def given(label: str, offset: int, value: int, who: str = "A") -> Given:
    return Given(competency_id=1, interviewer=who, label=label, value=value, offset=offset)


def test_it_finds_no_level_when_even_the_lowest_is_not_met():
    lad = ladder()
    # Target Rung 3 expects 3; with a scale point at -3 a rating observes 3-3 = 0, kept at 1 One...
    # ...which meets Rung 1. A Rung 1 that expects 2 is not met.
    lad.expected[(1, 11)] = 2
    debrief = debrief_compute(
        ladder=lad, target=lad.levels[2], focus=[Focus(1, "Craft")], given=[given("Awful", -3, 1)]
    )
    recommendation = debrief.recommendation
    assert debrief.competencies[0].observed == 1
    assert recommendation.level is None and recommendation.rated and recommendation.below_target
    assert recommendation.next_level.title == "Rung 1"
    assert recommendation.summary == "Evidence falls short of Rung 1, the first level on this track, in 1 of 1 rated competency"
    assert [s.sentence for s in recommendation.shortfalls] == ["Rung 1 expects Two in Craft; the panel saw One"]


def test_it_keeps_an_observation_within_the_scale_at_the_top():
    lad = ladder(levels=4)
    # Target Rung 4 expects 4 Four; +2 would be 6, kept at 4. Every rung met, no level above.
    debrief = debrief_compute(ladder=lad, target=lad.levels[3], focus=[Focus(1, "Craft")], given=[given("Wow", 2, 5)])
    recommendation = debrief.recommendation
    assert debrief.competencies[0].observed == 4
    assert recommendation.level.title == "Rung 4"
    assert recommendation.next_level is None and recommendation.shortfalls == ()


def test_it_ignores_ratings_of_competencies_outside_the_focus():
    lad = ladder()
    stray = Given(competency_id=99, interviewer="B", label="No", value=2, offset=-1)
    debrief = debrief_compute(ladder=lad, target=lad.levels[1], focus=[Focus(1, "Craft")], given=[given("Yes", 0, 3), stray])
    assert [len(c.said) for c in debrief.competencies] == [1]
    assert debrief.recommendation.level.title == "Rung 2"


@pytest.mark.parametrize(
    ("ratings", "contested"),
    [
        ([("Yes", 0, 3), ("Yes", 0, 3)], False),
        ([("Yes", 0, 3), ("Strong yes", 1, 4)], False),  # spread 1, both at or above Yes
        ([("No", -1, 2), ("Strong no", -2, 1)], False),  # spread 1, both below
        ([("Yes", 0, 3), ("No", -1, 2)], True),  # spread 1, but either side of Yes
        ([("Strong yes", 1, 4), ("No", -1, 2)], True),  # spread 2
        ([("Yes", 0, 3)], False),  # one voice cannot disagree
    ],
)
def test_it_flags_disagreement(ratings, contested):
    lad = ladder()
    said = debrief_compute(
        ladder=lad,
        target=lad.levels[1],
        focus=[Focus(1, "Craft")],
        given=[given(label, offset, value, who=str(n)) for n, (label, offset, value) in enumerate(ratings)],
    ).competencies[0].said
    assert is_disagreement(said) is contested


@pytest.mark.parametrize(
    ("values", "median"),
    [([], None), ([2], 2), ([1, 3], 1), ([2, 3], 2), ([1, 2, 3], 2), ([1, 3, 3, 4], 3), ([4, 1, 4], 4)],
)
def test_it_takes_the_median_rounding_down(values, median):
    assert panel_observed(values) == median


def test_it_uses_the_levels_own_scale_names(version):
    # Sanity check on the framework the worked examples rely on.
    level = Level.objects.get(version=version, code="l3")
    expectations = {e.competency.name: e.proficiency.name for e in level.expectations.select_related("competency", "proficiency")}
    assert expectations == {C0: "Skilled", C1: "Applying", C2: "Skilled"}
    assert Competency.objects.filter(version=version).count() == 3
