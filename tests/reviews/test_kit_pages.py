"""Interview kit pages: the kits one may read, a kit as the interviewer's guide, and HR's
pages to make a kit, change its questions and scale, and copy it for another level."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from ladders.models import Level, Track
from reviews.models import Kit, KitCompetency, Question, ScalePoint
from reviews.models.interviews import DEFAULT_SCALE
from tests.conftest import flashed, page_queries
from tests.ladders.factories import document, publish
from tests.reviews.interview_factories import interview_for, kit_for, loop_for


def gapped() -> dict:
    """Three levels, three competencies; level 1 expects nothing of the third (c0-2)."""
    doc = document(levels=3, competencies=3, fork_at=3)
    third = doc["areas"][0]["competencies"][2]
    third["expectations"] = [e for e in third["expectations"] if e["level"] != "l1"]
    return doc


@pytest.fixture
def version(db):
    return publish(gapped())


@pytest.fixture
def kit(version):
    return kit_for(version, "l2", name="Backend engineer")


@pytest.fixture
def loop(kit, manager):
    return loop_for(kit, hiring_manager=manager)


def question(kit, text="Tell me about a design you changed.", *, focus=None, **fields) -> Question:
    q = Question.objects.create(kit=kit, text=text, position=kit.questions.count(), **fields)
    q.competencies.set(focus if focus is not None else list(kit.focus.all()[:1]))
    return q


def url(name, kit=None) -> str:
    return reverse(f"reviews:{name}", args=[kit.pk] if kit else [])


def field_errors(response, field: str) -> list[str]:
    return list(response.context["form"].errors.get(field, []))


def scale(kit) -> list[tuple]:
    return [(p.value, p.label, p.anchor, p.offset) for p in kit.scale.order_by("value")]


def scale_post(points) -> dict:
    data = {}
    for n, (label, anchor, offset) in enumerate(points, 1):
        data.update({f"label-{n}": label, f"anchor-{n}": anchor, f"offset-{n}": str(offset)})
    return data


# --- The list ---------------------------------------------------------------------------


def test_it_lists_every_kit_for_hr_with_its_role_and_counts(as_user, hr, kit, version):
    question(kit)
    kit_for(version, "l1", name="Graduate engineer")

    response = as_user(hr).get(url("kits"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Backend engineer" in html and "Graduate engineer" in html
    assert "Level 2 · Individual Contributor · Backend v1" in html
    assert "3 competencies in focus · 1 question" in html
    assert url("kit_new") in html


def test_it_lists_only_the_kits_of_the_loops_one_is_part_of(as_user, version, kit, loop, manager, peer, outsider):
    other = kit_for(version, "l1", name="Graduate engineer")
    interview_for(loop, peer)

    for person in (manager, peer):
        html = as_user(person).get(url("kits")).content.decode()
        assert "Backend engineer" in html
        assert other.name not in html
        assert url("kit_new") not in html
    html = as_user(outsider).get(url("kits")).content.decode()
    assert "Backend engineer" not in html
    assert "No kit to show" in html


def test_it_lists_kits_in_the_same_queries_however_many(as_user, hr, version):
    for n in range(2):
        question(kit_for(version, "l2", name=f"Kit {n}"))
    client = as_user(hr)
    small = page_queries(client, url("kits"))

    for n in range(20):
        k = kit_for(version, "l1" if n % 2 else "l3-ic", name=f"More {n}")
        question(k)
        question(k)

    assert page_queries(client, url("kits")) == small


# --- The guide --------------------------------------------------------------------------


def test_it_shows_an_interviewer_the_guide(as_user, kit, loop, peer):
    interview_for(loop, peer)
    question(
        kit, "Walk me through an outage you led.", good_looks_like="Names the trade-offs.",
        follow_ups="What would you change?", red_flags="Blames others.", focus=list(kit.focus.all()[:2]),
    )

    response = as_user(peer).get(url("kit", kit))

    assert response.status_code == 200
    html = response.content.decode()
    detail = response.context["detail"]
    assert [line.competency.slug for line in detail.focus] == ["c0-0", "c0-1", "c0-2"]
    assert "Competency 0.0" in html and "Applying" in html  # Level 2 expects c0-0 at proficiency 2.
    assert "Behaviour 0.2 of area 0" in html  # The level's criteria.
    assert "Walk me through an outage you led." in html
    assert "Names the trade-offs." in html and "What would you change?" in html and "Blames others." in html
    for _, label, anchor, _ in DEFAULT_SCALE:
        assert label in html and escape(anchor) in html
    assert url("kit_questions", kit) not in html and url("kit_copy", kit) not in html
    assert "/admin/" not in html


def test_it_offers_hr_to_edit_and_copy_a_kit(as_user, hr, kit):
    html = as_user(hr).get(url("kit", kit)).content.decode()

    for name in ("kit_questions", "kit_scale", "kit_copy"):
        assert url(name, kit) in html
    assert reverse("admin:reviews_kit_change", args=[kit.pk]) in html


def test_it_hides_a_kit_from_whoever_is_on_none_of_its_loops(as_user, kit, loop, outsider, engineer):
    assert as_user(outsider).get(url("kit", kit)).status_code == 404
    assert as_user(engineer).get(url("kit", kit)).status_code == 404


def test_it_hides_a_kit_once_the_hiring_manager_hands_the_loop_over(as_user, kit, loop, manager, skip_level):
    client = as_user(manager)
    assert client.get(url("kit", kit)).status_code == 200

    loop.hiring_manager = skip_level
    loop.save()

    assert client.get(url("kit", kit)).status_code == 404


def test_it_shows_the_guide_in_the_same_queries_however_large(as_user, hr, kit):
    question(kit)
    client = as_user(hr)
    small = page_queries(client, url("kit", kit))

    for n in range(10):
        question(kit, f"Question {n}", focus=list(kit.focus.all()), good_looks_like="Clear.", red_flags="Vague.")

    assert page_queries(client, url("kit", kit)) == small


# --- Who may reach which page -----------------------------------------------------------


@pytest.mark.parametrize("name", ["kits", "kit", "kit_new", "kit_questions", "kit_scale", "kit_copy"])
def test_it_sends_strangers_to_sign_in(client, kit, name):
    target = url(name, kit if name not in ("kits", "kit_new") else None)

    response = client.get(target)

    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize("name", ["kit_new", "kit_questions", "kit_scale", "kit_copy"])
def test_it_hides_hr_pages_from_everyone_else(as_user, kit, loop, manager, name):
    target = url(name, kit if name != "kit_new" else None)
    client = as_user(manager)  # Reads the kit: hiring manager of its loop.

    assert client.get(target).status_code == 404
    assert client.post(target, {"name": "Mine", "action": "add", "new-text": "Hello?"}).status_code == 404
    assert Kit.objects.count() == 1
    assert not Question.objects.exists()


@pytest.mark.parametrize(
    "name,method", [("kits", "post"), ("kit", "post"), ("kit_new", "put"), ("kit_questions", "delete"),
                    ("kit_scale", "put"), ("kit_copy", "patch")],
)
def test_it_refuses_other_methods(as_user, hr, kit, name, method):
    target = url(name, kit if name not in ("kits", "kit_new") else None)

    assert getattr(as_user(hr), method)(target).status_code == 405


# --- A new kit --------------------------------------------------------------------------


def test_it_offers_the_roles_of_published_ladders(as_user, hr, version):
    publish(document(slug="data", levels=2, competencies=1))  # Another framework.

    response = as_user(hr).get(url("kit_new"))

    choices = dict(response.context["form"].fields["role"].choices)
    assert "Backend · Individual Contributor · Level 2" in choices.values()
    assert "Backend · Manager · Level 3 Manager" in choices.values()
    assert "Data · Individual Contributor · Level 1" in choices.values()
    assert "Backend · Individual Contributor · Level 3 Manager" not in choices.values()


def test_it_makes_a_kit_for_a_role(as_user, hr, version):
    level = Level.objects.get(version=version, code="l1")
    track = Track.objects.get(version=version, slug="ic")

    response = as_user(hr).post(
        url("kit_new"), {"name": "Graduate engineer", "role": f"{track.pk}-{level.pk}", "description": "First round"}
    )

    kit = Kit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("kit", kit)
    assert (kit.name, kit.level, kit.track, kit.version, kit.description) == (
        "Graduate engineer", level, track, version, "First round"
    )
    assert [f.competency.slug for f in kit.focus.order_by("position")] == ["c0-0", "c0-1"]


def test_it_says_at_the_field_what_is_missing_from_a_new_kit(as_user, hr, version):
    response = as_user(hr).post(url("kit_new"), {"name": " ", "role": ""})

    assert response.status_code == 400
    assert field_errors(response, "name") == ["Name the kit, e.g. the role and the interview."]
    assert field_errors(response, "role")
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Kit.objects.exists()


def test_it_refuses_a_role_not_on_offer(as_user, hr, version):
    level = Level.objects.get(version=version, code="l3-mgr")
    track = Track.objects.get(version=version, slug="ic")

    response = as_user(hr).post(url("kit_new"), {"name": "Odd", "role": f"{track.pk}-{level.pk}"})

    assert response.status_code == 400
    assert field_errors(response, "role") == ["Choose a role from the list: a level of a published ladder."]
    assert not Kit.objects.exists()


# --- Questions --------------------------------------------------------------------------


def test_it_adds_a_question_probing_chosen_competencies(as_user, hr, kit):
    first, _, third = kit.focus.order_by("position")

    response = as_user(hr).post(
        url("kit_questions", kit),
        {"action": "add", "new-text": "How do you review code?", "new-good_looks_like": "Kind and specific.",
         "new-follow_ups": "An example?", "new-red_flags": "Nitpicks only.", "new-competencies": [first.pk, third.pk]},
    )

    assert response.status_code == 302
    q = Question.objects.get()
    assert (q.text, q.good_looks_like, q.follow_ups, q.red_flags) == (
        "How do you review code?", "Kind and specific.", "An example?", "Nitpicks only."
    )
    assert set(q.competencies.all()) == {first, third}
    assert "The question is added." in flashed(response)


def test_it_shows_the_kits_focus_as_checkboxes(as_user, hr, kit):
    html = as_user(hr).get(url("kit_questions", kit)).content.decode()

    for focus in kit.focus.all():
        assert f'type="checkbox" name="new-competencies" value="{focus.pk}"' in html


def test_it_changes_a_question(as_user, hr, kit):
    q = question(kit)
    second = kit.focus.order_by("position")[1]
    client = as_user(hr)

    page = client.get(url("kit_questions", kit) + f"?edit={q.pk}")
    assert page.status_code == 200
    assert page.context["edit_form"].initial["text"] == q.text

    response = client.post(
        url("kit_questions", kit),
        {"action": "edit", "question": q.pk, "edit-text": "A better question", "edit-competencies": [second.pk]},
    )

    assert response.status_code == 302
    q.refresh_from_db()
    assert q.text == "A better question"
    assert list(q.competencies.all()) == [second]


def test_it_removes_a_question(as_user, hr, kit):
    q = question(kit)

    response = as_user(hr).post(url("kit_questions", kit), {"action": "remove", "question": q.pk})

    assert response.status_code == 302
    assert not Question.objects.exists()


def test_it_says_at_the_field_a_question_is_missing(as_user, hr, kit):
    response = as_user(hr).post(url("kit_questions", kit), {"action": "add", "new-text": "  "})

    assert response.status_code == 400
    assert list(response.context["add_form"].errors["text"]) == ["Write the question."]
    assert not Question.objects.exists()


def test_it_refuses_a_competency_not_in_focus(as_user, hr, kit, version):
    other = kit_for(version, "l1", name="Other")
    q = question(kit)
    foreign = other.focus.first()

    response = as_user(hr).post(
        url("kit_questions", kit),
        {"action": "edit", "question": q.pk, "edit-text": "Changed", "edit-competencies": [foreign.pk]},
    )

    assert response.status_code == 400
    assert list(response.context["edit_form"].errors["competencies"]) == ["Choose competencies the kit focuses on."]
    q.refresh_from_db()
    assert q.text != "Changed"


def test_it_finds_no_question_of_another_kit(as_user, hr, kit, version):
    other = question(kit_for(version, "l1", name="Other"))
    client = as_user(hr)

    assert client.get(url("kit_questions", kit) + f"?edit={other.pk}").status_code == 404
    assert client.post(url("kit_questions", kit), {"action": "remove", "question": other.pk}).status_code == 404
    assert Question.objects.filter(pk=other.pk).exists()


# --- The scale --------------------------------------------------------------------------


def test_it_changes_the_scale(as_user, hr, kit):
    points = [("No", "Below the level.", -1), ("Yes", "At the level.", 0), ("Strong yes", "Above it.", 1)]

    response = as_user(hr).post(url("kit_scale", kit), scale_post(points))

    assert response.status_code == 302
    assert scale(kit) == [(1, "No", "Below the level.", -1), (2, "Yes", "At the level.", 0), (3, "Strong yes", "Above it.", 1)]


def test_it_shows_the_scale_with_a_point_to_add(as_user, hr, kit):
    response = as_user(hr).get(url("kit_scale", kit))

    html = response.content.decode()
    assert response.context["shown"] == len(DEFAULT_SCALE) + 1
    assert DEFAULT_SCALE[0][2] in html
    assert 'name="label-5"' in html and 'name="label-6"' not in html


def test_it_says_at_the_field_what_a_point_lacks(as_user, hr, kit):
    before = scale(kit)
    points = [("No", "Below.", -1), ("Yes", "", 0), ("Strong yes", "Above.", -2)]

    response = as_user(hr).post(url("kit_scale", kit), scale_post(points))

    assert response.status_code == 400
    assert field_errors(response, "anchor-2") == ["Say what the evidence looks like at this point."]
    assert field_errors(response, "offset-3")
    assert scale(kit) == before


def test_it_says_a_scale_needs_two_points(as_user, hr, kit):
    before = scale(kit)

    response = as_user(hr).post(url("kit_scale", kit), scale_post([("Yes", "At the level.", 0)]))

    assert response.status_code == 400
    assert "A scale has 2 to 10 points." in response.context["form"].non_field_errors()
    assert scale(kit) == before


# --- Copies -----------------------------------------------------------------------------


def test_it_copies_a_kit_for_a_lower_level_and_says_what_was_left_out(as_user, hr, kit, version):
    question(kit, focus=list(kit.focus.all()))
    level = Level.objects.get(version=version, code="l1")

    response = as_user(hr).post(url("kit_copy", kit), {"name": "Graduate engineer", "level": level.pk})

    copy = Kit.objects.get(name="Graduate engineer")
    assert response.status_code == 302
    assert response["Location"] == url("kit", copy)
    assert copy.level == level and copy.copied_from == kit
    assert [f.competency.slug for f in copy.focus.order_by("position")] == ["c0-0", "c0-1"]
    assert copy.questions.count() == 1
    assert flashed(response) == [
        "Graduate engineer is made for Level 1. Left out, as Level 1 has no expectation for it: Competency 0.2."
    ]


def test_it_copies_a_kit_as_it_is(as_user, hr, kit):
    response = as_user(hr).post(url("kit_copy", kit), {"name": "", "level": kit.level_id})

    copy = Kit.objects.exclude(pk=kit.pk).get()
    assert response.status_code == 302
    assert copy.name == "Backend engineer (copy)"
    assert KitCompetency.objects.filter(kit=copy).count() == 3
    assert ScalePoint.objects.filter(kit=copy).count() == len(DEFAULT_SCALE)
    assert "with every competency" in flashed(response)[0]


def test_it_names_a_copy_apart_from_the_kits_in_use(as_user, hr, kit):
    client = as_user(hr)
    client.post(url("kit_copy", kit), {"name": "", "level": kit.level_id})

    assert client.get(url("kit_copy", kit)).context["form"].initial["name"] == "Backend engineer (copy 2)"
    for taken in ("backend engineer", "Backend engineer (COPY)"):
        response = client.post(url("kit_copy", kit), {"name": taken, "level": kit.level_id})
        assert response.status_code == 400
        assert "has this name already" in field_errors(response, "name")[0]
    response = client.post(url("kit_new"), {"name": "Backend Engineer", "role": f"{kit.track_id}-{kit.level_id}"})
    assert "has this name already" in field_errors(response, "name")[0]
    assert Kit.objects.count() == 2


def test_it_offers_the_levels_of_the_kits_track(as_user, hr, kit, version):
    response = as_user(hr).get(url("kit_copy", kit))

    labels = [label for _, label in response.context["form"].fields["level"].choices]
    assert labels == ["Level 1", "Level 2", "Level 3 IC"]
    assert response.context["form"].initial["level"] == kit.level_id


def test_it_refuses_a_copy_for_a_level_not_on_offer(as_user, hr, kit, version):
    level = Level.objects.get(version=version, code="l3-mgr")

    response = as_user(hr).post(url("kit_copy", kit), {"name": "Manager", "level": level.pk})

    assert response.status_code == 400
    assert field_errors(response, "level") == ["Choose a level from the list."]
    assert Kit.objects.count() == 1


def test_it_refuses_a_copy_with_too_long_a_name(as_user, hr, kit):
    response = as_user(hr).post(url("kit_copy", kit), {"name": "x" * 200, "level": kit.level_id})

    assert response.status_code == 400
    assert field_errors(response, "name")
    assert Kit.objects.count() == 1



def test_it_offers_a_copy_the_levels_of_a_newer_version_too(as_user, hr, kit, version):
    doc = gapped()
    doc["areas"][0]["competencies"][0]["name"] = "Competency 0.0, renamed"
    newer = publish(doc)
    assert newer.framework_id == version.framework_id and newer.number == 2
    level = Level.objects.get(version=newer, code="l1")

    response = as_user(hr).get(url("kit_copy", kit))
    labels = [label for _, label in response.context["form"].fields["level"].choices]
    assert labels[:3] == ["Level 1 · v2", "Level 2 · v2", "Level 3 IC · v2"]
    assert "Level 2 · v1" in labels

    response = as_user(hr).post(url("kit_copy", kit), {"name": "Next ladder", "level": level.pk})

    copy = Kit.objects.get(name="Next ladder")
    assert (copy.version, copy.level, copy.track.slug) == (newer, level, "ic")


def test_it_builds_the_roles_in_the_same_queries_however_many_ladders(as_user, hr, version):
    client = as_user(hr)
    small = page_queries(client, url("kit_new"))

    for n in range(5):
        publish(document(slug=f"more-{n}", levels=4, competencies=1, fork_at=2))

    assert page_queries(client, url("kit_new")) == small


def test_it_lists_questions_in_the_same_queries_however_many(as_user, hr, kit):
    question(kit)
    client = as_user(hr)
    small = page_queries(client, url("kit_questions", kit))

    for n in range(10):
        question(kit, f"Question {n}", focus=list(kit.focus.all()))

    assert page_queries(client, url("kit_questions", kit)) == small


def test_it_finds_no_question_to_change_by_a_word(as_user, hr, kit):
    assert as_user(hr).get(url("kit_questions", kit) + "?edit=first").status_code == 404


def test_it_starts_a_point_to_add_where_the_last_one_stands(as_user, hr, kit):
    response = as_user(hr).get(url("kit_scale", kit))

    assert response.context["form"].initial["offset-5"] == DEFAULT_SCALE[-1][3]


def test_it_drops_the_last_points_cleared(as_user, hr, kit):
    points = [(label, anchor, offset) for _, label, anchor, offset in DEFAULT_SCALE[:3]] + [("", "", 1)]

    response = as_user(hr).post(url("kit_scale", kit), scale_post(points))

    assert response.status_code == 302
    assert scale(kit) == list(DEFAULT_SCALE[:3])


def test_it_says_at_the_field_a_point_is_missing_between_two(as_user, hr, kit):
    before = scale(kit)
    points = [("No", "Below.", -1), ("", "", 0), ("Yes", "At it.", 0)]

    response = as_user(hr).post(url("kit_scale", kit), scale_post(points))

    assert response.status_code == 400
    assert field_errors(response, "label-2") == ["Fill point 2 in, or clear the points after it: a scale has no gaps."]
    assert scale(kit) == before
