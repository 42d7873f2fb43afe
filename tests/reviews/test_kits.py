"""Interview kits: made by HR for a role of a published ladder, copied and adapted."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from ladders.models import Competency, Level, Track
from ladders.services.frameworks import framework_import
from reviews.models import Kit, KitCompetency, Question, ScalePoint, ScorecardRating
from reviews.models.interviews import DEFAULT_SCALE
from reviews.selectors.kits import kit_detail, kit_get_for_user, kits_visible_to
from reviews.services.kits import (
    focus_set,
    kit_copy,
    kit_create,
    question_add,
    question_edit,
    question_remove,
    scale_update,
)
from tests.ladders.factories import document, publish
from tests.reviews.interview_factories import interview_for, loop_for


def gapped(slug: str = "backend") -> dict:
    """Three levels, three competencies; level 1 expects nothing of the third (c0-2)."""
    doc = document(slug=slug, levels=3, competencies=3, fork_at=3)
    third = doc["areas"][0]["competencies"][2]
    third["expectations"] = [e for e in third["expectations"] if e["level"] != "l1"]
    return doc


@pytest.fixture
def version(db):
    return publish(gapped())


def level(version, code: str) -> Level:
    return Level.objects.get(version=version, code=code)


def track(version, slug: str = "ic") -> Track:
    return Track.objects.get(version=version, slug=slug)


def comp(version, slug: str) -> Competency:
    return Competency.objects.get(version=version, slug=slug)


def make(hr, version, code="l2", **kwargs) -> Kit:
    kwargs.setdefault("name", "Backend engineer")
    return kit_create(actor=hr, version=version, track=track(version), level=level(version, code), **kwargs)


def focus_slugs(kit) -> list[str]:
    return [f.competency.slug for f in kit.focus.select_related("competency").order_by("position")]


def field_error(exc_info, field: str) -> str:
    return " ".join(exc_info.value.message_dict[field])


def nothing_written() -> bool:
    return not Kit.objects.exists() and not KitCompetency.objects.exists() and not ScalePoint.objects.exists()


# --- kit_create -----------------------------------------------------------------------


def test_it_makes_a_kit_with_the_levels_competencies_and_the_default_scale(hr, version):
    kit = make(hr, version, description="  Second round  ")

    assert kit.created_by == hr
    assert kit.description == "Second round"
    assert focus_slugs(kit) == ["c0-0", "c0-1", "c0-2"]
    assert [(p.value, p.label, p.anchor, p.offset) for p in kit.scale.all()] == list(DEFAULT_SCALE)


def test_it_leaves_out_what_the_level_expects_nothing_of(hr, version):
    kit = make(hr, version, code="l1")

    assert focus_slugs(kit) == ["c0-0", "c0-1"]


def test_it_focuses_on_the_chosen_competencies_in_the_order_given(hr, version):
    kit = make(hr, version, competency_ids=[comp(version, "c0-2").pk, comp(version, "c0-0").pk])

    assert focus_slugs(kit) == ["c0-2", "c0-0"]


def test_it_lets_only_hr_admins_make_kits(manager, version):
    with pytest.raises(PermissionDenied):
        make(manager, version)

    assert nothing_written()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "   "}, "name", "Name the kit"),
        ({"name": "x" * 121}, "name", "under 120 characters"),
        ({"description": "x" * 4001}, "description", "under 4,000 characters"),
        ({"competency_ids": []}, "competencies", "at least one competency"),
        ({"competency_ids": ["nope"]}, "competencies", "Level 2 has an expectation for"),
    ],
)
def test_it_says_what_is_wrong_at_the_field_and_writes_nothing(hr, version, change, field, message):
    with pytest.raises(ValidationError) as caught:
        make(hr, version, **change)

    assert message in field_error(caught, field)
    assert nothing_written()


def test_it_refuses_a_competency_the_level_expects_nothing_of(hr, version):
    with pytest.raises(ValidationError) as caught:
        make(hr, version, code="l1", competency_ids=[comp(version, "c0-2").pk])

    assert "Level 1 has an expectation for" in field_error(caught, "competencies")
    assert nothing_written()


def test_it_refuses_a_competency_of_another_version(hr, version):
    other = publish(gapped(slug="frontend"))

    with pytest.raises(ValidationError) as caught:
        make(hr, version, competency_ids=[comp(other, "c0-0").pk])

    assert "competencies" in caught.value.message_dict
    assert nothing_written()


def test_it_makes_kits_only_for_published_versions(hr, db):
    draft = framework_import(document=gapped(), publish=False).version

    with pytest.raises(ValidationError) as caught:
        make(hr, draft)

    assert "Choose a published framework version" in field_error(caught, "version")
    assert nothing_written()


def test_it_wants_the_level_on_the_track(hr, version):
    with pytest.raises(ValidationError) as caught:
        kit_create(actor=hr, name="Lead", version=version, track=track(version, "ic"), level=level(version, "l3-mgr"))

    assert "Level 3 Manager is not on the Individual Contributor track" in field_error(caught, "level")
    assert nothing_written()


def test_it_wants_the_track_and_level_of_the_version(hr, version):
    other = publish(gapped(slug="frontend"))

    with pytest.raises(ValidationError) as caught:
        kit_create(actor=hr, name="Lead", version=version, track=track(other), level=level(other, "l2"))

    assert "same framework version" in field_error(caught, "track")
    assert "same framework version" in field_error(caught, "level")
    assert nothing_written()


# --- kit_copy -------------------------------------------------------------------------


def with_questions(hr, kit) -> tuple[Question, Question]:
    focus = {f.competency.slug: f.pk for f in kit.focus.select_related("competency")}
    first = question_add(
        actor=hr, kit=kit, text="Tell me about an outage.", red_flags="Blames others",
        focus_ids=[focus["c0-0"], focus["c0-2"]],
    )
    second = question_add(actor=hr, kit=kit, text="Design a queue.", focus_ids=[focus["c0-2"]])
    return first, second


def test_it_copies_a_kit_whole(hr, version):
    kit = make(hr, version)
    with_questions(hr, kit)
    scale_update(actor=hr, kit=kit, points=[(1, "No", "Not yet", -1), (2, "Yes", "There", 0), (3, "Wow", "Beyond", 1)])

    copy, dropped = kit_copy(actor=hr, kit=kit)

    assert dropped == []
    assert copy.name == "Backend engineer (copy)"
    assert copy.copied_from == kit and copy.created_by == hr and copy.level == kit.level
    assert focus_slugs(copy) == focus_slugs(kit)
    assert [(p.value, p.label, p.anchor, p.offset) for p in copy.scale.all()] == [
        (1, "No", "Not yet", -1), (2, "Yes", "There", 0), (3, "Wow", "Beyond", 1)
    ]
    copied = list(copy.questions.order_by("position"))
    assert [q.text for q in copied] == ["Tell me about an outage.", "Design a queue."]
    assert copied[0].red_flags == "Blames others"
    assert sorted(f.competency.slug for f in copied[0].competencies.select_related("competency")) == ["c0-0", "c0-2"]
    assert all(f.kit_id == copy.pk for q in copied for f in q.competencies.all())
    # The original is untouched.
    assert kit.questions.count() == 2 and kit.focus.count() == 3


def test_it_copies_to_another_level_dropping_what_that_level_lacks(hr, version):
    kit = make(hr, version, code="l2")
    with_questions(hr, kit)

    copy, dropped = kit_copy(actor=hr, kit=kit, name="Junior backend", level=level(version, "l1"))

    assert [c.slug for c in dropped] == ["c0-2"]
    assert copy.name == "Junior backend" and copy.level.code == "l1"
    assert focus_slugs(copy) == ["c0-0", "c0-1"]
    first, second = copy.questions.order_by("position")
    assert [f.competency.slug for f in first.competencies.select_related("competency")] == ["c0-0"]
    assert list(second.competencies.all()) == []


def test_it_copies_to_the_next_version_by_competency_slug(hr, version):
    kit = make(hr, version, code="l2")
    with_questions(hr, kit)
    doc = gapped()
    doc["areas"][0]["competencies"][1]["slug"] = "c0-1-renamed"
    newer = publish(doc)

    copy, dropped = kit_copy(actor=hr, kit=kit, level=level(newer, "l2"))

    assert copy.version == newer and copy.track == track(newer)
    assert [c.slug for c in dropped] == ["c0-1"]
    assert focus_slugs(copy) == ["c0-0", "c0-2"]
    assert all(f.competency.version_id == newer.pk for f in copy.focus.select_related("competency"))


def test_it_lets_only_hr_admins_copy(hr, manager, version):
    kit = make(hr, version)

    with pytest.raises(PermissionDenied):
        kit_copy(actor=manager, kit=kit)

    assert Kit.objects.count() == 1


# --- questions ------------------------------------------------------------------------


def test_it_adds_edits_and_removes_questions(hr, version):
    kit = make(hr, version)
    first, second = with_questions(hr, kit)
    focus = kit.focus.order_by("position").first()

    assert (first.position, second.position) == (0, 1)
    question_edit(actor=hr, question=second, text=" Design a cache. ", follow_ups="Eviction?", focus_ids=[focus.pk])
    second.refresh_from_db()
    assert (second.text, second.follow_ups) == ("Design a cache.", "Eviction?")
    assert list(second.competencies.all()) == [focus]

    question_remove(actor=hr, question=first)
    assert list(kit.questions.all()) == [second]


def test_it_links_questions_only_to_the_kits_focus(hr, version):
    kit = make(hr, version)
    other = make(hr, version, name="Other")

    with pytest.raises(ValidationError) as caught:
        question_add(actor=hr, kit=kit, text="Why?", focus_ids=[other.focus.first().pk])

    assert "Choose competencies the kit focuses on." in field_error(caught, "competencies")
    assert not Question.objects.exists()


def test_it_wants_a_question(hr, version):
    kit = make(hr, version)

    with pytest.raises(ValidationError) as caught:
        question_add(actor=hr, kit=kit, text="  ")

    assert "Write the question." in field_error(caught, "text")
    assert not Question.objects.exists()


def test_it_lets_only_hr_admins_change_questions(hr, manager, version):
    kit = make(hr, version)
    first, _ = with_questions(hr, kit)

    with pytest.raises(PermissionDenied):
        question_edit(actor=manager, question=first, text="Changed")
    with pytest.raises(PermissionDenied):
        question_remove(actor=manager, question=first)

    first.refresh_from_db()
    assert first.text == "Tell me about an outage."


# --- focus ----------------------------------------------------------------------------


def test_it_reorders_adds_and_removes_focus_keeping_questions(hr, version):
    kit = make(hr, version, competency_ids=[comp(version, "c0-0").pk, comp(version, "c0-2").pk])
    with_questions(hr, kit)
    kept = kit.focus.get(competency__slug="c0-2")

    focus_set(actor=hr, kit=kit, competency_ids=[comp(version, "c0-2").pk, comp(version, "c0-1").pk])

    assert focus_slugs(kit) == ["c0-2", "c0-1"]
    assert kit.focus.get(competency__slug="c0-2").pk == kept.pk
    assert kit.questions.get(text="Design a queue.").competencies.get() == kept
    outage = kit.questions.get(text="Tell me about an outage.")
    assert list(outage.competencies.all()) == [kept]


def rated(kit, hr, manager, engineer, *, value: int | None = None):
    loop = loop_for(kit, hiring_manager=manager)
    interview = interview_for(loop, engineer)
    scorecard = interview.scorecards.get()
    focus = kit.focus.get(competency__slug="c0-1")
    point = kit.scale.get(value=value) if value else None
    return ScorecardRating.objects.create(scorecard=scorecard, focus=focus, point=point, evidence="Good")


def test_it_keeps_a_focus_a_scorecard_rated(hr, manager, engineer, version):
    kit = make(hr, version)
    rated(kit, hr, manager, engineer)

    with pytest.raises(ValidationError) as caught:
        focus_set(actor=hr, kit=kit, competency_ids=[comp(version, "c0-0").pk])

    assert "Scorecards rated Competency 0.1: keep it in focus" in field_error(caught, "competencies")
    assert focus_slugs(kit) == ["c0-0", "c0-1", "c0-2"]


def test_it_refuses_a_focus_outside_the_level(hr, version):
    kit = make(hr, version, code="l1")

    with pytest.raises(ValidationError) as caught:
        focus_set(actor=hr, kit=kit, competency_ids=[comp(version, "c0-0").pk, comp(version, "c0-2").pk])

    assert "Level 1 has an expectation for" in field_error(caught, "competencies")
    with pytest.raises(ValidationError) as caught:
        focus_set(actor=hr, kit=kit, competency_ids=[])
    assert "at least one" in field_error(caught, "competencies")
    assert focus_slugs(kit) == ["c0-0", "c0-1"]


# --- scale ----------------------------------------------------------------------------


def test_it_changes_the_scale_keeping_points_by_value(hr, version):
    kit = make(hr, version)
    first = kit.scale.get(value=1)

    scale_update(actor=hr, kit=kit, points=[(2, " Meets ", "As expected", 0), (1, "Below", "Short of it", -1)])

    assert [(p.value, p.label, p.anchor, p.offset) for p in kit.scale.all()] == [
        (1, "Below", "Short of it", -1), (2, "Meets", "As expected", 0)
    ]
    assert kit.scale.get(value=1).pk == first.pk


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ([(1, "Only", "One", 0)], "A scale has 2 to 10 points."),
        ([(n, f"P{n}", "A", 0) for n in range(1, 12)], "A scale has 2 to 10 points."),
        ([(1, "A", "A", 0), (3, "B", "B", 1)], "Number the points 1 to 2, each once."),
        ([(1, "A", "A", 0), (1, "B", "B", 1)], "Number the points 1 to 2, each once."),
        ([(1, " ", "A", 0), (2, "B", "B", 1)], "Give every point a label."),
        ([(1, "A", "", 0), (2, "B", "B", 1)], "Give every point an anchor"),
        ([(1, "A", "A", 1), (2, "B", "B", 0)], "offsets rise (or stay) with the value"),
        ([(1, "A", "A", -6), (2, "B", "B", 0)], "Keep offsets between -5 and +5"),
        ([(1, "A", "A", "x"), (2, "B", "B", 0)], "whole numbers"),
    ],
)
def test_it_checks_the_scale_and_writes_nothing(hr, version, points, message):
    kit = make(hr, version)

    with pytest.raises(ValidationError) as caught:
        scale_update(actor=hr, kit=kit, points=points)

    assert message in field_error(caught, "points")
    assert [(p.value, p.label, p.anchor, p.offset) for p in kit.scale.all()] == list(DEFAULT_SCALE)


def test_it_keeps_a_scale_point_a_scorecard_used(hr, manager, engineer, version):
    kit = make(hr, version)
    rated(kit, hr, manager, engineer, value=4)

    with pytest.raises(ValidationError) as caught:
        scale_update(actor=hr, kit=kit, points=[(1, "No", "A", 0), (2, "Yes", "B", 1), (3, "Wow", "C", 2)])

    assert "Scorecards rated with point 4: keep at least 4 points." in field_error(caught, "points")
    assert kit.scale.count() == 4


def test_it_lets_only_hr_admins_change_focus_and_scale(hr, manager, version):
    kit = make(hr, version)

    with pytest.raises(PermissionDenied):
        focus_set(actor=manager, kit=kit, competency_ids=[comp(version, "c0-0").pk])
    with pytest.raises(PermissionDenied):
        scale_update(actor=manager, kit=kit, points=[(1, "No", "A", 0), (2, "Yes", "B", 1)])

    assert kit.focus.count() == 3 and kit.scale.count() == 4


# --- reading --------------------------------------------------------------------------


def test_it_shows_kits_to_hr_and_to_the_people_of_their_loops(hr, manager, engineer, peer, outsider, version):
    kit = make(hr, version)
    other = make(hr, version, name="Unused")
    loop = loop_for(kit, hiring_manager=manager)
    loop.hiring_team.add(peer)
    interview_for(loop, engineer)

    assert set(kits_visible_to(hr)) == {kit, other}
    for person in (manager, peer, engineer):
        assert list(kits_visible_to(person)) == [kit]
        assert kit_get_for_user(person, kit.pk) == kit
    assert list(kits_visible_to(outsider)) == []
    with pytest.raises(Http404):
        kit_get_for_user(outsider, kit.pk)
    with pytest.raises(Http404):
        kit_get_for_user(manager, other.pk)
    with pytest.raises(Http404):
        kit_get_for_user(manager, "x")


def test_it_stops_showing_a_kit_to_someone_taken_off_the_loop(hr, manager, peer, version):
    kit = make(hr, version)
    loop = loop_for(kit, hiring_manager=manager)
    loop.hiring_team.add(peer)

    loop.hiring_team.remove(peer)

    assert list(kits_visible_to(peer)) == []


def test_it_reads_a_kit_with_the_levels_expectations(hr, version):
    kit = make(hr, version, competency_ids=[comp(version, "c0-1").pk, comp(version, "c0-0").pk])
    focus = {f.competency.slug: f.pk for f in kit.focus.select_related("competency")}
    question_add(actor=hr, kit=kit, text="Why?", focus_ids=[focus["c0-0"], focus["c0-1"]])

    detail = kit_detail(kit)

    assert [line.competency.name for line in detail.focus] == ["Competency 0.1", "Competency 0.0"]
    first = detail.focus[0]
    assert first.criteria == ["Behaviour 1.2 of area 0", "Second behaviour at l2"]
    assert first.proficiency.name == "Learning"
    assert detail.focus[1].proficiency.name == "Applying"
    assert [q.text for q in first.questions] == ["Why?"]
    assert [c.name for c in detail.questions[0].competencies] == ["Competency 0.1", "Competency 0.0"]
    assert [p.value for p in detail.scale] == [1, 2, 3, 4]


def queries_for_detail(kit) -> int:
    kit_detail(kit)
    with CaptureQueriesContext(connection) as captured:
        kit_detail(kit)
    return len(captured)


def test_it_reads_a_kit_in_the_same_queries_however_large(hr, db):
    big = publish(document(slug="big", levels=3, competencies=10, areas=2))
    small = make(hr, big, competency_ids=[comp(big, "c0-0").pk])
    question_add(actor=hr, kit=small, text="One", focus_ids=[small.focus.get().pk])
    large = make(hr, big, name="Backend engineer, every competency")
    ids = list(large.focus.values_list("pk", flat=True))
    for n in range(10):
        question_add(actor=hr, kit=large, text=f"Q{n}", focus_ids=ids[n:n + 3])

    assert queries_for_detail(small) == queries_for_detail(large) == 4


def test_it_reads_what_a_level_inherits_where_levels_include_the_ones_below(hr, db):
    doc = document(slug="inherits", levels=3, competencies=2)
    doc["levels_include_lower"] = True
    second = doc["areas"][0]["competencies"][1]
    second["expectations"] = [e for e in second["expectations"] if e["level"] != "l2"]
    inherits = publish(doc)

    kit = make(hr, inherits, code="l2")
    detail = kit_detail(kit)

    assert focus_slugs(kit) == ["c0-0", "c0-1"]
    assert detail.focus[1].criteria == ["Behaviour 1.1 of area 0", "Second behaviour at l1"]


def test_it_keeps_a_copys_name_short(hr, version):
    kit = make(hr, version)

    with pytest.raises(ValidationError) as caught:
        kit_copy(actor=hr, kit=kit, name="x" * 121)

    assert "under 120 characters" in field_error(caught, "name")
    assert Kit.objects.count() == 1


def test_it_keeps_the_names_of_kits_in_use_apart(hr, version):
    kit = make(hr, version)

    with pytest.raises(ValidationError) as caught:
        make(hr, version, code="l1", name="  BACKEND engineer ")
    assert "has this name already" in field_error(caught, "name")
    with pytest.raises(ValidationError) as caught:
        kit_copy(actor=hr, kit=kit, name="backend Engineer")
    assert "has this name already" in field_error(caught, "name")
    assert Kit.objects.count() == 1

    # Copies are numbered; an archived kit's name is free again.
    assert [kit_copy(actor=hr, kit=kit)[0].name for _ in range(3)] == [
        "Backend engineer (copy)", "Backend engineer (copy 2)", "Backend engineer (copy 3)"
    ]
    Kit.objects.filter(pk=kit.pk).update(is_archived=True)
    assert make(hr, version, name="Backend engineer").name == "Backend engineer"
