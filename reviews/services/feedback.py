"""Giving and editing feedback: the rules in one place."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User

from ..models import Feedback
from ..models.feedback import BODY_MAX_LENGTH, PROJECT_MAX_LENGTH
from ..selectors.feedback import competencies_for

# Long enough to fix a typo or a tag, short enough that what was read stays what was said.
EDIT_WINDOW = datetime.timedelta(minutes=30)


def _tags(*, subject: User, project: str, competency_ids, errors: dict[str, str]) -> tuple[str, list]:
    """What feedback (or a request for it) is about: the cleaned project and the chosen
    competencies of `subject`'s framework; problems go into `errors` at their field."""
    project = (project or "").strip()
    if len(project) > PROJECT_MAX_LENGTH:
        errors["project"] = f"Keep the project's name under {PROJECT_MAX_LENGTH} characters."
    allowed = competencies_for(subject)
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


def _checked(*, subject: User, kind: str, body: str, project: str, competency_ids) -> tuple[str, str, list]:
    """The cleaned body, project and competencies, or every problem at its field."""
    errors: dict[str, str] = {}
    if kind not in Feedback.Kind.values:
        errors["kind"] = "Choose praise or growth."
    body = (body or "").strip()
    if not body:
        errors["body"] = "Write what they did and why it mattered."
    elif len(body) > BODY_MAX_LENGTH:
        errors["body"] = f"Keep it under {BODY_MAX_LENGTH:,} characters: it has {len(body):,}. Nothing was cut."
    project, chosen = _tags(subject=subject, project=project, competency_ids=competency_ids, errors=errors)
    if errors:
        raise ValidationError(errors)
    return body, project, chosen


@transaction.atomic
def feedback_give(
    *,
    giver: User,
    subject: User,
    kind: str,
    visibility: str,
    body: str,
    competency_ids=(),
    project: str = "",
) -> Feedback:
    """Record feedback from `giver` about `subject`; every problem is raised at its field
    and nothing is written."""
    errors: dict[str, str] = {}
    if subject.pk == giver.pk:
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
    return feedback


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
            {"body": f"Feedback can be changed for {int(EDIT_WINDOW.total_seconds() // 60)} minutes after it is given; "
             "this is now part of the record."}
        )
    body, project, competencies = _checked(
        subject=feedback.subject, kind=kind, body=body, project=project, competency_ids=competency_ids
    )
    feedback.kind, feedback.body, feedback.project = kind, body, project
    feedback.edited_at = timezone.now()
    feedback.save(update_fields=["kind", "body", "project", "edited_at"])
    feedback.competencies.set(competencies)
    return feedback
