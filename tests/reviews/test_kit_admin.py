"""Interview kits in the admin: HR make, adapt and copy them, with the services' rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

import reviews.admin_kits  # noqa: F401  (registers the kit admin)
from ladders.models import Competency, Level, Track
from ladders.services.frameworks import framework_import
from reviews.models import Kit, ScorecardRating
from reviews.models.interviews import DEFAULT_SCALE
from reviews.services.kits import kit_create, question_add
from tests.conftest import flashed, page_queries
from tests.ladders.factories import publish
from tests.reviews.interview_factories import interview_for, loop_for
from tests.reviews.test_kits import gapped

KITS = reverse("admin:reviews_kit_changelist")
ADD = reverse("admin:reviews_kit_add")


@pytest.fixture
def version(db):
    return publish(gapped())


def change_url(kit: Kit) -> str:
    return reverse("admin:reviews_kit_change", args=[kit.pk])


def make(hr, version, code="l2", **kwargs) -> Kit:
    return kit_create(
        actor=hr, name=kwargs.pop("name", "Backend engineer"), version=version,
        track=Track.objects.get(version=version, slug="ic"), level=Level.objects.get(version=version, code=code),
        **kwargs,
    )


def comp(version, slug: str) -> Competency:
    return Competency.objects.get(version=version, slug=slug)


def _formset(data: dict, prefix: str, rows: list[dict]) -> None:
    data.update({
        f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": sum(1 for r in rows if r.get("id")),
        f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000,
    })
    for n, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{n}-{key}"] = value


def change_form(kit: Kit, *, focus=None, questions=None, scale=None, **fields) -> dict:
    """What the change form posts back for `kit`, with the given rows instead of its own."""
    data = {"name": kit.name, "description": kit.description, **fields}
    if focus is None:
        focus = [
            {"id": f.pk, "kit": kit.pk, "competency": f.competency_id, "position": f.position}
            for f in kit.focus.order_by("position")
        ]
    if questions is None:
        questions = [
            {"id": q.pk, "kit": kit.pk, "text": q.text, "position": q.position,
             "competencies": [f.pk for f in q.competencies.all()]}
            for q in kit.questions.order_by("position")
        ]
    if scale is None:
        scale = [
            {"id": p.pk, "kit": kit.pk, "value": p.value, "label": p.label, "anchor": p.anchor, "offset": p.offset}
            for p in kit.scale.all()
        ]
    _formset(data, "focus", focus)
    _formset(data, "questions", questions)
    _formset(data, "scale", scale)
    return data


def scale_of(kit) -> list[tuple]:
    return [(p.value, p.label, p.anchor, p.offset) for p in kit.scale.all()]


def test_it_lists_kits_for_hr(as_user, hr, version):
    make(hr, version)
    make(hr, version, code="l1", name="Junior backend")

    response = as_user(hr).get(KITS)

    assert response.status_code == 200
    assert "Backend engineer" in response.text and "Junior backend" in response.text
    assert "Backend v1" in response.text


def test_it_lets_hr_add_a_kit_with_the_levels_focus_and_the_default_scale(as_user, hr, version):
    client = as_user(hr)
    assert client.get(ADD).status_code == 200

    response = client.post(ADD, {
        "name": "Senior backend", "version": version.pk, "track": Track.objects.get(version=version, slug="ic").pk,
        "level": Level.objects.get(version=version, code="l1").pk, "description": "Second round",
    })

    assert response.status_code == 302
    kit = Kit.objects.get()
    assert (kit.name, kit.level.code, kit.created_by) == ("Senior backend", "l1", hr)
    assert [f.competency.slug for f in kit.focus.select_related("competency")] == ["c0-0", "c0-1"]
    assert scale_of(kit) == list(DEFAULT_SCALE)
    assert response["Location"] == KITS


def test_it_refuses_a_level_off_the_track_at_the_field(as_user, hr, version):
    response = as_user(hr).post(ADD, {
        "name": "Lead", "version": version.pk, "track": Track.objects.get(version=version, slug="ic").pk,
        "level": Level.objects.get(version=version, code="l3-mgr").pk,
    })

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["level"] == [
        "Level 3 Manager is not on the Individual Contributor track: choose one of its levels."
    ]
    assert not Kit.objects.exists()


def test_it_shows_a_kit_with_its_focus_questions_and_scale(as_user, hr, version):
    kit = make(hr, version)
    question_add(actor=hr, kit=kit, text="Tell me about an outage.", focus_ids=[kit.focus.first().pk])

    response = as_user(hr).get(change_url(kit))

    assert response.status_code == 200
    for words in ("Competency 0.2", "Tell me about an outage.", "Strong yes", "Level 2"):
        assert words in response.text


def test_it_lets_hr_adapt_focus_questions_and_scale(as_user, hr, version):
    kit = make(hr, version)
    c0, c2 = kit.focus.get(competency__slug="c0-0"), kit.focus.get(competency__slug="c0-2")
    data = change_form(
        kit,
        name="Backend engineer, technical",
        focus=[
            {"id": c2.pk, "kit": kit.pk, "competency": c2.competency_id, "position": 0},
            {"id": c0.pk, "kit": kit.pk, "competency": c0.competency_id, "position": 1},
            # The third, c0-1, is deleted.
            {"id": kit.focus.get(competency__slug="c0-1").pk, "kit": kit.pk,
             "competency": comp(version, "c0-1").pk, "position": 2, "DELETE": "on"},
        ],
        questions=[{"kit": kit.pk, "text": "Design a queue.", "position": 0, "competencies": [c2.pk]}],
        scale=[
            {"id": p.pk, "kit": kit.pk, "value": p.value, "label": p.label, "anchor": p.anchor, "offset": p.offset}
            for p in kit.scale.all()
            if p.value < 4
        ] + [{"kit": kit.pk, "value": 4, "label": "Beyond", "anchor": "The next level's examples", "offset": 1}],
    )

    response = as_user(hr).post(change_url(kit), data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    kit.refresh_from_db()
    assert kit.name == "Backend engineer, technical"
    assert [(f.pk, f.competency.slug) for f in kit.focus.select_related("competency")] == [(c2.pk, "c0-2"), (c0.pk, "c0-0")]
    question = kit.questions.get()
    assert (question.text, list(question.competencies.all())) == ("Design a queue.", [c2])
    assert scale_of(kit)[3] == (4, "Beyond", "The next level's examples", 1)


def test_it_checks_the_scale_with_the_services_rules(as_user, hr, version):
    kit = make(hr, version)
    scale = [
        {"id": p.pk, "kit": kit.pk, "value": p.value, "label": p.label, "anchor": p.anchor, "offset": -p.offset}
        for p in kit.scale.all()
    ]

    response = as_user(hr).post(change_url(kit), change_form(kit, scale=scale))

    assert response.status_code == 200
    assert "offsets rise (or stay) with the value" in response.text
    assert scale_of(kit) == list(DEFAULT_SCALE)


def test_it_wants_at_least_two_points(as_user, hr, version):
    kit = make(hr, version)
    scale = [
        {"id": p.pk, "kit": kit.pk, "value": p.value, "label": p.label, "anchor": p.anchor, "offset": p.offset,
         **({"DELETE": "on"} if p.value > 1 else {})}
        for p in kit.scale.all()
    ]

    response = as_user(hr).post(change_url(kit), change_form(kit, scale=scale))

    assert response.status_code == 200
    assert "A scale has 2 to 10 points." in response.text
    assert kit.scale.count() == 4


def test_it_keeps_a_focus_a_scorecard_rated(as_user, hr, manager, engineer, version):
    kit = make(hr, version)
    scorecard = interview_for(loop_for(kit, hiring_manager=manager), engineer).scorecards.get()
    rated = kit.focus.get(competency__slug="c0-1")
    ScorecardRating.objects.create(scorecard=scorecard, focus=rated)
    focus = [
        {"id": f.pk, "kit": kit.pk, "competency": f.competency_id, "position": f.position,
         **({"DELETE": "on"} if f.pk == rated.pk else {})}
        for f in kit.focus.all()
    ]

    response = as_user(hr).post(change_url(kit), change_form(kit, focus=focus, name="Renamed"))

    assert response.status_code == 200
    # The admin's own check for what ratings point at speaks first.
    assert "would require deleting the following protected related objects: scorecard rating" in response.text
    kit.refresh_from_db()
    assert kit.name == "Backend engineer" and kit.focus.count() == 3


def test_it_keeps_the_focus_to_the_level(as_user, hr, version):
    kit = make(hr, version, code="l1")
    focus = [
        {"id": f.pk, "kit": kit.pk, "competency": f.competency_id, "position": f.position} for f in kit.focus.all()
    ] + [{"kit": kit.pk, "competency": comp(version, "c0-2").pk, "position": 5}]

    response = as_user(hr).post(change_url(kit), change_form(kit, focus=focus))

    assert response.status_code == 200
    assert "Choose competencies Level 1 has an expectation for." in response.text
    assert kit.focus.count() == 2


def test_it_copies_the_selected_kits(as_user, hr, version):
    kit = make(hr, version)
    question_add(actor=hr, kit=kit, text="Why?", focus_ids=[kit.focus.first().pk])

    response = as_user(hr).post(KITS, {"action": "copy_kits", "_selected_action": [kit.pk]})

    assert response.status_code == 302
    copy = Kit.objects.get(copied_from=kit)
    assert copy.name == "Backend engineer (copy)" and copy.created_by == hr
    assert copy.focus.count() == 3 and copy.questions.count() == 1 and copy.scale.count() == 4
    assert any("Backend engineer (copy)" in message and "is ready to adapt" in message for message in flashed(response))


@pytest.mark.parametrize("person", ["manager", "engineer"])
def test_it_keeps_everyone_else_out(request, as_user, hr, version, person):
    kit = make(hr, version)
    client = as_user(request.getfixturevalue(person))

    for url in (KITS, ADD, change_url(kit)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.post(KITS, {"action": "copy_kits", "_selected_action": [kit.pk]})
    client.post(change_url(kit), change_form(kit, name="Taken over"))

    assert Kit.objects.count() == 1
    kit.refresh_from_db()
    assert kit.name == "Backend engineer"


def test_it_reads_a_kits_page_in_the_same_queries_however_many_questions(as_user, hr, version):
    small = make(hr, version)
    question_add(actor=hr, kit=small, text="One", focus_ids=[small.focus.first().pk])
    large = make(hr, version, name="Large")
    ids = list(large.focus.values_list("pk", flat=True))
    for n in range(10):
        question_add(actor=hr, kit=large, text=f"Q{n}", focus_ids=ids[n % 3:])
    client = as_user(hr)

    assert page_queries(client, change_url(small)) == page_queries(client, change_url(large))


def test_it_copies_to_the_level_chosen_saying_what_it_left_out(as_user, hr, version):
    kit = make(hr, version, code="l2")
    junior = Level.objects.get(version=version, code="l1")

    response = as_user(hr).post(KITS, {"action": "copy_kits", "_selected_action": [kit.pk], "level": junior.pk})

    assert response.status_code == 302
    copy = Kit.objects.get(copied_from=kit)
    assert copy.level == junior
    assert [f.competency.slug for f in copy.focus.select_related("competency")] == ["c0-0", "c0-1"]
    assert "Level 1 has no expectation for Competency 0.2: left out of Backend engineer (copy)." in flashed(response)


def test_it_copies_to_no_level_of_a_draft(as_user, hr, version):
    kit = make(hr, version)
    draft = framework_import(document=gapped(slug="frontend"), publish=False).version

    for level in (Level.objects.get(version=draft, code="l1").pk, 99999):
        as_user(hr).post(KITS, {"action": "copy_kits", "_selected_action": [kit.pk], "level": level})

    assert Kit.objects.count() == 1


def test_it_lists_kits_in_the_same_queries_however_many(as_user, hr, version):
    make(hr, version)
    client = as_user(hr)
    few = page_queries(client, KITS)
    for n in range(9):
        make(hr, version, code="l1" if n % 2 else "l2", name=f"Kit {n}")

    assert page_queries(client, KITS) == few


def test_it_keeps_the_names_of_kits_in_use_apart_at_the_field(as_user, hr, version):
    kit = make(hr, version)
    other = make(hr, version, code="l1", name="Junior backend")
    client = as_user(hr)

    response = client.post(ADD, {
        "name": "backend ENGINEER", "version": version.pk, "track": Track.objects.get(version=version, slug="ic").pk,
        "level": Level.objects.get(version=version, code="l1").pk,
    })
    assert response.status_code == 200
    assert "has this name already" in response.context["adminform"].form.errors["name"][0]
    response = client.post(change_url(other), change_form(other, name="Backend engineer"))
    assert "has this name already" in response.context["adminform"].form.errors["name"][0]

    # Archived, a kit's name is free; brought back into use under a taken name, it is refused.
    assert client.post(change_url(kit), change_form(kit, is_archived="on")).status_code == 302
    assert client.post(change_url(other), change_form(other, name="Backend engineer")).status_code == 302
    response = client.post(change_url(kit), change_form(kit, is_archived=""))
    assert "has this name already" in response.context["adminform"].form.errors["name"][0]
    assert sorted(Kit.objects.values_list("name", "is_archived")) == [("Backend engineer", False), ("Backend engineer", True)]
