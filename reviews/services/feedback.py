"""Giving, changing, deleting, reacting to and replying to feedback: the rules in one place.

Whoever needs to act hears of it once, in the app and by e-mail: the subject of new
shared feedback, the manager of the subject of new private feedback (never the
subject), and the other side of a reply. Each notice is written in the same
transaction as what it tells of, and its e-mail queued only once that commits, so a
rolled-back write tells nobody anything.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from people.models import Notification, User
from people.services.notifications import notification_send

from ..models import Feedback, FeedbackAsk, FeedbackReply, FeedbackRevision, Reaction
from ..models.feedback import BODY_MAX_LENGTH, PROJECT_MAX_LENGTH, REPLY_MAX_LENGTH
from ..selectors.feedback import competencies_for

# Long enough to fix a typo or a tag, short enough that what was read stays what was said.
EDIT_WINDOW = datetime.timedelta(minutes=30)
# A double click gives feedback (or posts a reply) once: the same words, just sent, are
# the ones returned, and nobody is told twice.
DOUBLE_CLICK = datetime.timedelta(minutes=1)


def _window_minutes() -> int:
    return int(EDIT_WINDOW.total_seconds() // 60)


def _tags(*, subject: User | None, project: str, competency_ids, errors: dict[str, str]) -> tuple[str, list]:
    """What feedback (or a request for it) is about: the cleaned project and the chosen
    competencies of `subject`'s framework; problems go into `errors` at their field."""
    project = (project or "").strip()
    if len(project) > PROJECT_MAX_LENGTH:
        errors["project"] = f"Keep the project's name under {PROJECT_MAX_LENGTH} characters."
    allowed = competencies_for(subject) if subject is not None else {}
    chosen = []
    for pk in dict.fromkeys(competency_ids or ()):
        if pk not in allowed:
            errors["competencies"] = (
                f"Choose competencies of {subject.get_short_name()}'s framework."
                if allowed
                else f"{subject.get_short_name()} has no level on a framework yet, so there is no competency to tag."
            )
            break
        chosen.append(allowed[pk])
    return project, chosen


def _checked(*, subject: User | None, kind: str, body: str, project: str, competency_ids) -> tuple[str, str, list]:
    """The cleaned body, project and competencies, or every problem at its field."""
    errors: dict[str, str] = {}
    if kind not in Feedback.Kind.values:
        errors["kind"] = "Choose praise or growth."
    body = (body or "").strip()
    if not body:
        errors["body"] = "Write what they did and why it mattered."
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = f"Keep it under {BODY_MAX_LENGTH:,} characters: it has {len(body):,}. Nothing was cut."
    # Nobody chosen yet: their competencies are checked once they are.
    competency_ids = competency_ids if subject is not None else ()
    project, chosen = _tags(subject=subject, project=project, competency_ids=competency_ids, errors=errors)
    if errors:
        raise ValidationError(errors)
    return body, project, chosen


@transaction.atomic
def feedback_give(
    *,
    giver: User,
    subject: User | None,
    kind: str,
    visibility: str,
    body: str,
    competency_ids=(),
    project: str = "",
    once: bool = False,
) -> Feedback:
    """Record feedback from `giver` about `subject`; every problem is raised at its field
    and nothing is written. With `once` (a form a person sends), the same feedback sent
    again within DOUBLE_CLICK is the one returned, and nobody is told twice."""
    errors: dict[str, str] = {}
    if subject is None:
        # Said with everything else wrong, so that a form is put right in one go.
        errors["subject"] = "Choose who the feedback is for."
    elif subject.pk == giver.pk:
        errors["subject"] = "Feedback is for a colleague: you cannot give it to yourself."
    elif not subject.is_active:
        errors["subject"] = f"{subject.name} no longer works here."
    if visibility not in Feedback.Visibility.values:
        errors["visibility"] = "Choose who may read it: shared with them, or private to their manager chain."
    try:
        body, project, competencies = _checked(
            subject=subject, kind=kind, body=body, project=project, competency_ids=competency_ids
        )
    except ValidationError as problems:
        errors = {**problems.message_dict, **errors}
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if once:
        # The giver's row, locked: the same form sent twice at once waits here for the first.
        User.objects.select_for_update().filter(pk=giver.pk).values_list("pk").first()
        just_given = Feedback.objects.filter(
            giver=giver, subject=subject, kind=kind, visibility=visibility, body=body, project=project,
            ask__isnull=True, created_at__gte=now - DOUBLE_CLICK,
        ).prefetch_related("competencies").order_by("-created_at", "-pk").first()
        if just_given is not None and {c.pk for c in just_given.competencies.all()} == {c.pk for c in competencies}:
            return just_given
    feedback = Feedback.objects.create(
        giver=giver,
        subject=subject,
        kind=kind,
        visibility=visibility,
        body=body,
        project=project,
        created_at=now,
        editable_until=now + EDIT_WINDOW,
    )
    feedback.competencies.set(competencies)
    _tell_of_new(feedback)
    return feedback


def _link(feedback: Feedback) -> str:
    return reverse("reviews:feedback", args=[feedback.pk])


def _active(pk: int | None) -> User | None:
    return User.objects.filter(pk=pk, is_active=True).first() if pk else None


def _tell_of_new(feedback: Feedback) -> None:
    """Shared feedback is news for its subject; private feedback for their manager, who
    can act on it, unless they wrote it. Never the subject of private feedback."""
    giver, subject = feedback.giver, feedback.subject
    kind = feedback.get_kind_display().lower()
    about = f" about {feedback.project}" if feedback.project else ""
    if feedback.visibility == Feedback.Visibility.SHARED:
        notification_send(
            recipient=subject,
            title=f"New feedback from {giver.name}",
            body=f"{giver.name} gave you {kind}{about}. Read it, react or reply in Trellis.",
            url=_link(feedback),
            rule="reviews.feedback_received",
            subject=f"reviews.feedback:{feedback.pk}",
        )
        return
    manager = _active(subject.manager_id)
    if manager is None or manager.pk in (giver.pk, subject.pk):
        return
    notification_send(
        recipient=manager,
        title=f"Private feedback about {subject.name} from {giver.name}",
        body=f"{giver.name} gave {subject.name} {kind}{about}, private to their manager chain: "
        f"{subject.get_short_name()} does not see it.",
        url=_link(feedback),
        rule="reviews.feedback_about_report",
        subject=f"reviews.feedback:{feedback.pk}",
    )


@transaction.atomic
def feedback_edit(
    *, feedback: Feedback, editor: User, kind: str, body: str, competency_ids=(), project: str = ""
) -> Feedback:
    """Change feedback within its window, by its giver only. Who may read it stays as it
    was given: the reader chose knowing who would see it."""
    feedback = Feedback.objects.select_for_update().select_related("subject").get(pk=feedback.pk)
    if feedback.giver_id != editor.pk:
        raise PermissionDenied("Only the person who gave feedback can change it.")
    if not feedback.editable():
        raise ValidationError(
            {"body": f"Feedback can be changed for {_window_minutes()} minutes after it is given; this is now part of the record."}
        )
    body, project, competencies = _checked(
        subject=feedback.subject, kind=kind, body=body, project=project, competency_ids=competency_ids
    )
    words_changed = (feedback.kind, feedback.body, feedback.project) != (kind, body, project)
    tags_changed = set(feedback.competencies.values_list("pk", flat=True)) != {c.pk for c in competencies}
    if not (words_changed or tags_changed):
        return feedback  # sent twice, or saved as it was: nothing to record
    now = timezone.now()
    if words_changed:
        # What was read until now stays readable, by whoever may read the feedback.
        FeedbackRevision.objects.create(
            feedback=feedback, kind=feedback.kind, body=feedback.body, project=feedback.project, replaced_at=now
        )
    feedback.kind, feedback.body, feedback.project = kind, body, project
    feedback.edited_at = now
    feedback.save(update_fields=["kind", "body", "project", "edited_at"])
    if tags_changed:
        feedback.competencies.set(competencies)
    return feedback


@transaction.atomic
def feedback_delete(*, feedback: Feedback, actor: User) -> None:
    """Take feedback back within its window, by its giver only. Afterwards it is part of
    the record."""
    feedback = Feedback.objects.select_for_update().filter(pk=feedback.pk).first()
    if feedback is None:
        return  # already deleted: a second click changes nothing
    if feedback.giver_id != actor.pk:
        raise PermissionDenied("Only the person who gave feedback can delete it.")
    if not feedback.editable():
        raise ValidationError(
            f"Feedback can be deleted for {_window_minutes()} minutes after it is given; this is now part of the record."
        )
    # The request it answered, if any, waits for an answer again.
    for ask in FeedbackAsk.objects.select_for_update().filter(answer=feedback):
        ask.status, ask.answer, ask.closed_at = FeedbackAsk.Status.OPEN, None, None
        ask.save(update_fields=["status", "answer", "closed_at"])
    # Notices about it would lead nowhere now.
    told = [f"reviews.feedback:{feedback.pk}"]
    told += [f"reviews.feedback_reply:{pk}" for pk in feedback.replies.values_list("pk", flat=True)]
    Notification.objects.filter(rule__startswith="reviews.feedback", subject__in=told).delete()
    feedback.delete()  # through the model, so the audit log records it


@transaction.atomic
def feedback_react(*, feedback: Feedback, person: User, reaction: str) -> Feedback:
    """The subject's answer to shared feedback, one at a time; "" takes it back."""
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.subject_id != person.pk:
        raise PermissionDenied("Only the person the feedback is about can react to it.")
    if feedback.visibility != Feedback.Visibility.SHARED:
        raise PermissionDenied("Only the person the feedback is about can react to it.")
    if reaction not in ("", *Reaction.values):
        raise ValidationError({"reaction": "Choose one of the reactions offered."})
    if feedback.reaction == reaction:
        return feedback
    feedback.reaction = reaction
    feedback.reacted_at = timezone.now() if reaction else None
    feedback.save(update_fields=["reaction", "reacted_at"])
    return feedback


@transaction.atomic
def feedback_reply(*, feedback: Feedback, author: User, body: str) -> FeedbackReply:
    """A word back on shared feedback, from its subject or its giver; the other is told."""
    # Locked: the same reply sent twice at once waits here for the first.
    feedback = Feedback.objects.select_for_update(of=("self",)).select_related("giver", "subject").get(pk=feedback.pk)
    if author.pk not in (feedback.subject_id, feedback.giver_id):
        raise PermissionDenied("Only the person the feedback is about and the person who gave it can reply.")
    if feedback.visibility != Feedback.Visibility.SHARED:
        raise ValidationError({"body": "Replies are for shared feedback: its subject never reads this."})
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write your reply."})
    if len(body) > REPLY_MAX_LENGTH:
        raise ValidationError({"body": f"Keep a reply under {REPLY_MAX_LENGTH:,} characters: it has {len(body):,}. Nothing was cut."})
    now = timezone.now()
    just_posted = (
        FeedbackReply.objects.filter(feedback=feedback, author=author, body=body, created_at__gte=now - DOUBLE_CLICK)
        .order_by("-created_at", "-pk")
        .first()
    )
    if just_posted is not None:
        return just_posted
    reply = FeedbackReply.objects.create(feedback=feedback, author=author, body=body, created_at=now)
    if author.pk == feedback.subject_id:
        recipient, title = _active(feedback.giver_id), f"{author.name} replied to your feedback"
    else:
        recipient, title = _active(feedback.subject_id), f"{author.name} replied on the feedback they gave you"
    if recipient is not None:
        notification_send(
            recipient=recipient,
            title=title,
            body="Read the reply and answer in Trellis.",
            url=f"{_link(feedback)}#reply-{reply.pk}",
            rule="reviews.feedback_reply",
            subject=f"reviews.feedback_reply:{reply.pk}",
        )
    return reply
