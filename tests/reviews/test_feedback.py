"""Feedback: the rules of giving, changing, deleting, reacting and replying, who reads it,
and who is told."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404

from ladders.models import Competency
from people.models import Notification
from people.services.notifications import notification_emails_send
from reviews.models import Feedback, FeedbackAsk, FeedbackReply, FeedbackRevision
from reviews.selectors.feedback import feedback_get_for_user, feedback_visible_to
from reviews.services.feedback import (
    EDIT_WINDOW,
    feedback_delete,
    feedback_edit,
    feedback_give,
    feedback_react,
    feedback_reply,
)
from reviews.services.requests import feedback_request_answer, feedback_request_create
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


# --- earlier versions ------------------------------------------------------------------


def test_a_change_keeps_what_it_said_before(peer, placed):
    feedback = give(peer, placed, project="Checkout")

    feedback_edit(feedback=feedback, editor=peer, kind="growth", body="Better said.", project="Checkout v2")
    feedback_edit(feedback=feedback, editor=peer, kind="growth", body="Better said, twice.", project="Checkout v2")

    revisions = list(feedback.revisions.all())
    assert [(r.kind, r.body, r.project) for r in revisions] == [
        ("praise", "Ran the incident review calmly.", "Checkout"),
        ("growth", "Better said.", "Checkout v2"),
    ]
    assert revisions[0].replaced_at <= revisions[1].replaced_at


def test_saving_it_unchanged_records_nothing(peer, placed):
    feedback = give(peer, placed)
    feedback_edit(feedback=feedback, editor=peer, kind="praise", body="  Ran the incident review calmly. ")
    feedback.refresh_from_db()
    assert feedback.edited_at is None
    assert not FeedbackRevision.objects.exists()


def test_a_refused_change_keeps_no_version(peer, placed):
    feedback = give(peer, placed)
    with pytest.raises(ValidationError):
        feedback_edit(feedback=feedback, editor=peer, kind="praise", body="")
    assert not FeedbackRevision.objects.exists()


# --- deleting --------------------------------------------------------------------------


def test_the_giver_can_delete_it_within_the_window(peer, placed):
    feedback = give(peer, placed)
    feedback_reply(feedback=feedback, author=placed, body="Thanks!")

    feedback_delete(feedback=feedback, actor=peer)

    assert not Feedback.objects.exists()
    assert not FeedbackReply.objects.exists()
    # The notices about it would lead nowhere.
    assert not Notification.objects.filter(subject__startswith="reviews.feedback").exists()
    feedback_delete(feedback=feedback, actor=peer)  # a second click changes nothing


def test_nobody_can_delete_it_after_the_window(peer, placed):
    feedback = give(peer, placed)
    Feedback.objects.filter(pk=feedback.pk).update(editable_until=feedback.created_at)
    with pytest.raises(ValidationError) as error:
        feedback_delete(feedback=feedback, actor=peer)
    assert error.value.messages == [
        "Feedback can be deleted for 30 minutes after it is given; this is now part of the record."
    ]
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_only_the_giver_can_delete_it(peer, manager, placed):
    feedback = give(peer, placed)
    for someone in (manager, placed):
        with pytest.raises(PermissionDenied):
            feedback_delete(feedback=feedback, actor=someone)
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_deleting_an_answer_opens_the_request_again(peer, placed):
    request = feedback_request_create(
        requester=placed, subject=placed, respondent_ids=[peer.pk], visibility="shared",
        due_on=datetime.date.today() + datetime.timedelta(days=7), question="How did the launch go?",
    )
    ask = request.asks.get()
    answer = feedback_request_answer(ask=ask, respondent=peer, kind="praise", body="Smoothly.")

    feedback_delete(feedback=answer, actor=peer)

    ask.refresh_from_db()
    assert (ask.status, ask.answer, ask.closed_at) == (FeedbackAsk.Status.OPEN, None, None)


# --- reacting --------------------------------------------------------------------------


def test_the_subject_reacts_and_changes_their_mind(peer, placed):
    feedback = give(peer, placed)

    feedback_react(feedback=feedback, person=placed, reaction="thanks")
    feedback.refresh_from_db()
    assert feedback.reaction == "thanks" and feedback.reacted_at is not None

    feedback_react(feedback=feedback, person=placed, reaction="")
    feedback.refresh_from_db()
    assert (feedback.reaction, feedback.reacted_at) == ("", None)


def test_only_the_subject_reacts_and_only_to_shared_feedback(peer, manager, placed):
    shared, private = give(peer, placed), give(peer, placed, visibility="private")
    for someone in (peer, manager):
        with pytest.raises(PermissionDenied):
            feedback_react(feedback=shared, person=someone, reaction="thanks")
    with pytest.raises(PermissionDenied):
        feedback_react(feedback=private, person=placed, reaction="thanks")
    with pytest.raises(ValidationError) as error:
        feedback_react(feedback=shared, person=placed, reaction="love")
    assert problems(error.value)["reaction"] == ["Choose one of the reactions offered."]
    assert set(Feedback.objects.values_list("reaction", flat=True)) == {""}


# --- replying --------------------------------------------------------------------------


def test_the_subject_and_the_giver_reply_and_each_is_told(peer, placed):
    feedback = give(peer, placed)

    first = feedback_reply(feedback=feedback, author=placed, body=" Thank you, that helps. ")
    second = feedback_reply(feedback=feedback, author=peer, body="Any time.")

    assert [(r.author, r.body) for r in feedback.replies.all()] == [(placed, "Thank you, that helps."), (peer, "Any time.")]
    told = Notification.objects.filter(rule="reviews.feedback_reply")
    assert sorted((n.recipient_id, n.subject) for n in told) == sorted(
        [(peer.pk, f"reviews.feedback_reply:{first.pk}"), (placed.pk, f"reviews.feedback_reply:{second.pk}")]
    )
    assert told.get(recipient=peer).url == f"/feedback/{feedback.pk}/#reply-{first.pk}"


def test_nobody_else_replies(peer, manager, placed):
    feedback = give(peer, placed)
    with pytest.raises(PermissionDenied):
        feedback_reply(feedback=feedback, author=manager, body="Let me add something.")
    assert not FeedbackReply.objects.exists()


def test_a_reply_is_checked_at_its_field(peer, placed):
    feedback, private = give(peer, placed), give(peer, placed, visibility="private")
    with pytest.raises(ValidationError) as error:
        feedback_reply(feedback=feedback, author=placed, body="   ")
    assert problems(error.value)["body"] == ["Write your reply."]
    with pytest.raises(ValidationError) as error:
        feedback_reply(feedback=feedback, author=placed, body="x" * 2001)
    assert problems(error.value)["body"] == ["Keep a reply under 2,000 characters: it has 2,001. Nothing was cut."]
    with pytest.raises(ValidationError) as error:
        feedback_reply(feedback=private, author=peer, body="About this…")
    assert "Replies are for shared feedback" in problems(error.value)["body"][0]
    assert not FeedbackReply.objects.exists()


# --- who is told -----------------------------------------------------------------------


def sent_to() -> list[str]:
    notification_emails_send()
    return sorted(address for message in mail.outbox for address in message.to)


def test_new_shared_feedback_tells_its_subject_once(peer, placed, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = give(peer, placed, project="Checkout")

    told = Notification.objects.get()
    assert (told.recipient, told.title, told.rule, told.subject, told.url) == (
        placed, "New feedback from Sam Rivera", "reviews.feedback_received", f"reviews.feedback:{feedback.pk}",
        f"/feedback/{feedback.pk}/",
    )
    assert "Checkout" in told.body
    assert "Ran the incident review" not in told.body  # the words stay in Trellis
    # Changing it tells nobody again.
    feedback_edit(feedback=feedback, editor=peer, kind="praise", body="Ran it calmly.")
    assert Notification.objects.count() == 1
    assert sent_to() == ["engineer@example.com"]


def test_new_private_feedback_tells_the_manager_never_the_subject(peer, placed, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback = give(peer, placed, visibility="private")

    told = Notification.objects.get()
    assert (told.recipient, told.rule, told.subject) == (manager, "reviews.feedback_about_report", f"reviews.feedback:{feedback.pk}")
    assert told.title == "Private feedback about Ada Okafor from Sam Rivera"
    assert not Notification.objects.filter(recipient=placed).exists()
    assert sent_to() == ["manager@example.com"]


def test_private_feedback_from_the_manager_tells_nobody(placed, manager, skip_level):
    give(manager, placed, visibility="private")
    assert not Notification.objects.exists()


def test_private_feedback_about_someone_without_a_manager_tells_nobody(peer, skip_level):
    give(peer, skip_level, visibility="private")
    assert not Notification.objects.exists()


def test_an_answered_private_request_never_tells_its_subject(peer, placed, manager):
    request = feedback_request_create(
        requester=manager, subject=placed, respondent_ids=[peer.pk], visibility="private",
        due_on=datetime.date.today() + datetime.timedelta(days=7), question="How is Ada doing?",
    )
    feedback_request_answer(ask=request.asks.get(), respondent=peer, kind="growth", body="Could share more.")
    assert not Notification.objects.filter(recipient=placed).exists()
    assert Notification.objects.filter(recipient=manager, rule="reviews.feedback_about_report").count() == 1


def test_nothing_is_told_when_the_giving_is_rolled_back(peer, placed, django_capture_on_commit_callbacks):
    class Undone(Exception):
        pass

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Undone), transaction.atomic():
            give(peer, placed)
            give(peer, placed, visibility="private")
            raise Undone
    assert callbacks == []
    assert not Notification.objects.exists()
    assert sent_to() == []


def test_a_reply_from_someone_whose_counterpart_left_tells_nobody(peer, placed):
    feedback = give(peer, placed)
    peer.is_active = False
    peer.save()
    feedback_reply(feedback=feedback, author=placed, body="Thanks!")
    assert not Notification.objects.filter(rule="reviews.feedback_reply").exists()
