"""Feedback: the rules of giving and editing it, and who reads it."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from ladders.models import Competency
from reviews.models import Feedback
from reviews.selectors.feedback import feedback_get_for_user, feedback_visible_to
from reviews.services.feedback import EDIT_WINDOW, feedback_edit, feedback_give
from tests.ladders.factories import document, place, publish, reports_to
from tests.people.factories import UserFactory


@pytest.fixture
def backend(db):
    return publish(document(slug="backend", levels=3, competencies=2))


@pytest.fixture
def placed(engineer, backend):
    place(engineer, backend, "l2")
    return engineer


def competency(version, slug: str) -> Competency:
    return Competency.objects.get(version=version, slug=slug)


def give(giver, subject, **changes) -> Feedback:
    values = {"kind": "praise", "visibility": "shared", "body": "Ran the incident review calmly.", **changes}
    return feedback_give(giver=giver, subject=subject, **values)


def problems(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


# --- giving ----------------------------------------------------------------------------


def test_it_records_feedback_tagged_with_the_subjects_competencies(peer, placed, backend):
    tag = competency(backend, "c0-1")
    feedback = give(peer, placed, kind="growth", competency_ids=[tag.pk, tag.pk], project=" Checkout ")

    assert (feedback.giver, feedback.subject, feedback.kind, feedback.project) == (peer, placed, "growth", "Checkout")
    assert list(feedback.competencies.all()) == [tag]
    assert feedback.editable_until == feedback.created_at + EDIT_WINDOW
    assert str(feedback) == f"Feedback {feedback.pk}"  # never the words


def test_it_refuses_feedback_to_oneself(placed):
    with pytest.raises(ValidationError) as error:
        give(placed, placed)
    assert problems(error.value)["subject"] == ["Feedback is for a colleague: you cannot give it to yourself."]
    assert not Feedback.objects.exists()


def test_it_refuses_feedback_to_someone_who_has_left(peer, placed):
    placed.is_active = False
    placed.save()
    with pytest.raises(ValidationError) as error:
        give(peer, placed)
    assert problems(error.value)["subject"] == ["Ada Okafor no longer works here."]


def test_it_says_every_problem_at_its_field_and_writes_nothing(peer, placed):
    with pytest.raises(ValidationError) as error:
        give(peer, placed, kind="meh", visibility="everyone", body="   ", project="x" * 121)
    assert set(problems(error.value)) == {"kind", "visibility", "body", "project"}
    assert problems(error.value)["body"] == ["Write what they did and why it mattered."]
    with pytest.raises(ValidationError) as error:
        give(peer, placed, body="y" * 5001)
    assert problems(error.value)["body"] == ["Keep it under 5,000 characters: it has 5,001. Nothing was cut."]
    assert not Feedback.objects.exists()


def test_it_refuses_a_competency_of_another_framework(peer, placed, backend):
    other = publish(document(slug="frontend", levels=2, competencies=1))
    with pytest.raises(ValidationError) as error:
        give(peer, placed, competency_ids=[competency(other, "c0-0").pk])
    assert problems(error.value)["competencies"] == ["Choose competencies of Ada's framework."]
    assert not Feedback.objects.exists()


def test_it_refuses_a_competency_of_an_older_version_of_the_same_framework(peer, placed, backend):
    publish(document(slug="backend", levels=4, competencies=2))  # v2 is current now
    with pytest.raises(ValidationError):
        give(peer, placed, competency_ids=[competency(backend, "c0-0").pk])


def test_it_lets_someone_without_a_level_get_feedback_but_not_tags(peer, engineer, backend):
    assert give(peer, engineer).pk
    with pytest.raises(ValidationError) as error:
        give(peer, engineer, competency_ids=[competency(backend, "c0-0").pk])
    assert "has no level on a framework yet" in problems(error.value)["competencies"][0]


def test_the_database_refuses_feedback_to_oneself_too(placed):
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.create(
            giver=placed, subject=placed, kind="praise", visibility="shared", body="x",
            editable_until=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC),
        )


# --- editing ---------------------------------------------------------------------------


def test_the_giver_can_change_it_within_the_window(peer, placed, backend):
    feedback = give(peer, placed)
    tag = competency(backend, "c0-0")

    changed = feedback_edit(feedback=feedback, editor=peer, kind="growth", body="Better said.", competency_ids=[tag.pk])

    assert (changed.kind, changed.body, changed.edited_at is not None) == ("growth", "Better said.", True)
    assert list(changed.competencies.all()) == [tag]
    assert changed.visibility == "shared"  # who may read it stays as it was given


def test_nobody_can_change_it_after_the_window(peer, placed):
    feedback = give(peer, placed)
    Feedback.objects.filter(pk=feedback.pk).update(editable_until=feedback.created_at)
    with pytest.raises(ValidationError) as error:
        feedback_edit(feedback=feedback, editor=peer, kind="praise", body="Rewritten later.")
    assert "this is now part of the record" in problems(error.value)["body"][0]
    feedback.refresh_from_db()
    assert feedback.body == "Ran the incident review calmly."


def test_only_the_giver_can_change_it(peer, manager, placed):
    feedback = give(peer, placed)
    with pytest.raises(PermissionDenied):
        feedback_edit(feedback=feedback, editor=manager, kind="praise", body="Not mine to change.")


# --- who reads it ----------------------------------------------------------------------


@pytest.fixture
def both(peer, placed):
    return {"shared": give(peer, placed), "private": give(peer, placed, visibility="private", kind="growth")}


def readers(feedback: Feedback, *people) -> list[bool]:
    return [feedback_visible_to(person).filter(pk=feedback.pk).exists() for person in people]


def test_shared_feedback_reaches_the_person_their_line_hr_and_the_giver(both, placed, peer, manager, skip_level, hr, outsider):
    other = UserFactory(manager=manager)
    assert readers(both["shared"], placed, peer, manager, skip_level, hr, other, outsider) == [
        True, True, True, True, True, False, False,
    ]


def test_private_feedback_never_reaches_its_subject(both, placed, peer, manager, skip_level, hr, outsider):
    assert readers(both["private"], placed, peer, manager, skip_level, hr, outsider) == [
        False, True, True, True, False, False,
    ]
    # Nor in a count of what they have received.
    assert feedback_visible_to(placed).filter(subject=placed).count() == 1
    with pytest.raises(Http404):
        feedback_get_for_user(placed, both["private"].pk)


def test_an_hr_admin_never_reads_private_feedback_about_themselves(peer, manager, hr):
    hr.manager = manager
    hr.save()
    private = give(peer, hr, visibility="private")
    assert readers(private, hr, manager) == [False, True]


def test_the_line_as_it_is_now_decides(both, placed, manager, skip_level, outsider):
    new_boss = outsider.manager
    reports_to(placed, new_boss)

    assert readers(both["private"], manager, skip_level, new_boss) == [False, False, True]
    assert readers(both["shared"], manager, skip_level, new_boss) == [False, False, True]


def test_the_line_reads_nothing_of_someone_who_has_left(both, placed, manager):
    placed.is_active = False
    placed.save()
    assert readers(both["private"], manager) == [False]
