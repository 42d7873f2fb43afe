"""Asking colleagues for feedback, and answering or declining: the rules in one place."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User

from ..models import Feedback, FeedbackAsk, FeedbackRequest
from ..models.feedback import QUESTION_MAX_LENGTH
from .feedback import _tags, feedback_give

ASKED_AT_MOST = 10
DUE_WITHIN = datetime.timedelta(days=90)


@transaction.atomic
def feedback_request_create(
    *,
    requester: User,
    subject: User,
    respondent_ids,
    visibility: str,
    due_on: datetime.date,
    question: str = "",
    project: str = "",
    competency_ids=(),
) -> FeedbackRequest:
    """Ask named colleagues for feedback about `subject`: the requester themselves, or one
    of the requester's direct reports. Every problem is raised at its field; nothing is
    written unless all of it is right."""
    if requester.pk != subject.pk and subject.manager_id != requester.pk:
        raise PermissionDenied("You can ask for feedback about yourself, or about someone who reports to you.")
    errors: dict[str, str] = {}
    wanted = list(dict.fromkeys(respondent_ids or ()))
    respondents = {u.pk: u for u in User.objects.filter(pk__in=wanted, is_active=True)}
    if not wanted:
        errors["respondents"] = "Name at least one colleague to ask."
    elif len(wanted) > ASKED_AT_MOST:
        errors["respondents"] = f"Ask at most {ASKED_AT_MOST} colleagues at a time."
    elif any(pk not in respondents for pk in wanted):
        errors["respondents"] = "Choose colleagues who work here."
    elif subject.pk in respondents:
        errors["respondents"] = f"{subject.get_short_name()} is who the feedback is about: ask others."
    if visibility not in Feedback.Visibility.values:
        errors["visibility"] = "Choose who may read the answers: shared with them, or private to their manager chain."
    today = timezone.localdate()
    if not isinstance(due_on, datetime.date) or due_on < today:
        errors["due_on"] = "Choose a due date from today on."
    elif due_on > today + DUE_WITHIN:
        errors["due_on"] = f"Choose a due date within {DUE_WITHIN.days} days."
    question = (question or "").strip()
    if len(question) > QUESTION_MAX_LENGTH:
        errors["question"] = f"Keep the question under {QUESTION_MAX_LENGTH:,} characters."
    project, competencies = _tags(subject=subject, project=project, competency_ids=competency_ids, errors=errors)
    if not (question or project or competency_ids):
        errors["question"] = "Say what you would like feedback on: a question, a project or a competency."
    if errors:
        raise ValidationError(errors)
    request = FeedbackRequest.objects.create(
        requester=requester, subject=subject, question=question, project=project, visibility=visibility, due_on=due_on
    )
    request.competencies.set(competencies)
    FeedbackAsk.objects.bulk_create(FeedbackAsk(request=request, respondent=respondents[pk]) for pk in wanted)
    return request


def _open_ask(ask: FeedbackAsk, respondent: User) -> FeedbackAsk:
    ask = FeedbackAsk.objects.select_for_update().select_related("request__subject").get(pk=ask.pk)
    if ask.respondent_id != respondent.pk:
        raise PermissionDenied("Only the colleague who was asked can answer.")
    if ask.status == FeedbackAsk.Status.ANSWERED:
        raise ValidationError({"body": "You have already answered this request."})
    if ask.status == FeedbackAsk.Status.DECLINED:
        raise ValidationError({"body": "You declined this request; it is closed."})
    return ask


@transaction.atomic
def feedback_request_answer(
    *, ask: FeedbackAsk, respondent: User, kind: str, body: str, competency_ids=None
) -> Feedback:
    """Answer an ask with feedback, read as the request set (shared or private) and tagged
    as it asked unless the answer says otherwise."""
    ask = _open_ask(ask, respondent)
    request = ask.request
    if competency_ids is None:
        competency_ids = list(request.competencies.values_list("pk", flat=True))
    feedback = feedback_give(
        giver=respondent,
        subject=request.subject,
        kind=kind,
        visibility=request.visibility,
        body=body,
        competency_ids=competency_ids,
        project=request.project,
    )
    ask.status, ask.answer, ask.closed_at = FeedbackAsk.Status.ANSWERED, feedback, timezone.now()
    ask.save(update_fields=["status", "answer", "closed_at"])
    return feedback


@transaction.atomic
def feedback_request_decline(*, ask: FeedbackAsk, respondent: User, reason: str = "") -> FeedbackAsk:
    ask = _open_ask(ask, respondent)
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise ValidationError({"reason": "Keep the reason under 300 characters."})
    ask.status, ask.decline_reason, ask.closed_at = FeedbackAsk.Status.DECLINED, reason, timezone.now()
    ask.save(update_fields=["status", "decline_reason", "closed_at"])
    return ask
