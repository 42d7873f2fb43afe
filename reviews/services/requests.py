"""Asking colleagues for feedback, and answering or declining: the rules in one place."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from people.models import Notification, User
from people.services.notifications import notification_send

from ..models import Feedback, FeedbackAsk, FeedbackRequest
from ..models.feedback import QUESTION_MAX_LENGTH
from ..selectors.requests import ids_storable, requests_visible_to
from .feedback import DOUBLE_CLICK, _tags, feedback_give

ASKED_AT_MOST = 10
DUE_WITHIN = datetime.timedelta(days=90)
DECLINE_REASON_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 200


def _about(request: FeedbackRequest) -> str:
    """What a request is about, in a few words, for a notification."""
    if request.question:
        return request.question if len(request.question) <= 200 else f"{request.question[:199]}…"
    if request.project:
        return f"Project: {request.project}"
    return "The competencies it names."


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
    of the requester's direct reports today. Every problem is raised at its field; nothing
    is written unless all of it is right. Each colleague asked is told, once."""
    if requester.pk != subject.pk and subject.manager_id != requester.pk:
        raise PermissionDenied("You can ask for feedback about yourself, or about someone who reports to you.")
    if not subject.is_active or not requester.is_active:
        raise PermissionDenied("Feedback is asked about people who work here.")
    errors: dict[str, str] = {}
    wanted = list(dict.fromkeys(respondent_ids or ()))
    respondents = {u.pk: u for u in User.objects.filter(pk__in=ids_storable(wanted), is_active=True)}
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
    elif visibility != Feedback.Visibility.SHARED and requester.pk == subject.pk:
        # Answers kept from the person who asked for them would be a request they can never read.
        errors["visibility"] = (
            "Answers to a request about yourself are shared with you; "
            "only your manager can ask for answers private to your manager chain."
        )
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
    # The requester's row, locked: the same form sent twice at once waits here for the first,
    # then finds it and asks nobody twice.
    User.objects.select_for_update().filter(pk=requester.pk).values_list("pk").first()
    just_asked = (
        FeedbackRequest.objects.filter(
            requester=requester, subject=subject, question=question, project=project, visibility=visibility,
            due_on=due_on, created_at__gte=timezone.now() - DOUBLE_CLICK,
        )
        .prefetch_related("asks", "competencies")
        .order_by("-created_at", "-pk")
    )
    for earlier in just_asked[:5]:
        same_people = {ask.respondent_id for ask in earlier.asks.all()} == set(wanted)
        if same_people and {c.pk for c in earlier.competencies.all()} == {c.pk for c in competencies}:
            return earlier
    request = FeedbackRequest.objects.create(
        requester=requester, subject=subject, question=question, project=project, visibility=visibility, due_on=due_on
    )
    request.competencies.set(competencies)
    FeedbackAsk.objects.bulk_create(FeedbackAsk(request=request, respondent=respondents[pk]) for pk in wanted)
    if requester.pk == subject.pk:
        title = f"{requester.name} asks for your feedback"
    else:
        title = f"{requester.name} asks for your feedback about {subject.name}"
    body = f"{_about(request)}\n\nDue {due_on:%A %-d %B}. Answer, or decline with a word of why."
    for ask in request.asks.all():
        notification_send(
            recipient=respondents[ask.respondent_id],
            title=title[:TITLE_MAX_LENGTH],
            body=body,
            url=reverse("reviews:ask", args=[ask.pk]),
            rule="reviews.feedback_asked",
            subject=f"reviews.ask:{ask.pk}",
        )
    return request


def _open_ask(ask: FeedbackAsk, respondent: User, *, field: str) -> FeedbackAsk:
    """The ask, locked, if `respondent` may still answer it; otherwise why not, at `field`."""
    ask = (
        FeedbackAsk.objects.select_for_update(of=("self",))
        .select_related("request__subject", "request__requester", "respondent")
        .get(pk=ask.pk)
    )
    if ask.respondent_id != respondent.pk:
        raise PermissionDenied("Only the colleague who was asked can answer.")
    if ask.status == FeedbackAsk.Status.ANSWERED:
        raise ValidationError({field: "You have already answered this request."})
    if ask.status == FeedbackAsk.Status.DECLINED:
        raise ValidationError({field: "You declined this request; it is closed."})
    subject = ask.request.subject
    if not subject.is_active:
        raise ValidationError({field: f"{subject.name} no longer works here, so this request is closed."})
    return ask


def _tell(
    ask: FeedbackAsk, *, rule: str, to_requester: str, to_subject: str = "", body: str = "", answer: Feedback | None = None
) -> None:
    """Tell the requester (and, when the answers are shared with them, the subject) what
    became of an ask; only people who may read the request today. The subject of a
    private request is never told anything of it."""
    request = ask.request
    recipients = {request.requester_id: (request.requester, to_requester)}
    if to_subject and request.visibility == Feedback.Visibility.SHARED:
        recipients.setdefault(request.subject_id, (request.subject, to_subject))
    if answer is not None:
        # Whoever giving the feedback already told of it (as new feedback) is not told twice.
        told = Notification.objects.filter(subject=f"reviews.feedback:{answer.pk}", recipient__in=list(recipients))
        for pk in told.values_list("recipient_id", flat=True):
            recipients.pop(pk, None)
    for recipient, title in recipients.values():
        if recipient.pk == request.subject_id and request.visibility != Feedback.Visibility.SHARED:
            continue
        # A manager who asked and no longer manages them reads nothing of it now.
        if not recipient.is_active or not requests_visible_to(recipient).filter(pk=request.pk).exists():
            continue
        notification_send(
            recipient=recipient,
            title=title[:TITLE_MAX_LENGTH],
            body=body,
            url=reverse("reviews:request", args=[request.pk]),
            rule=rule,
            subject=f"reviews.ask:{ask.pk}",
        )


@transaction.atomic
def feedback_request_answer(
    *, ask: FeedbackAsk, respondent: User, kind: str, body: str, competency_ids=None
) -> Feedback:
    """Answer an ask with feedback, read as the request set (shared or private) and tagged
    as it asked unless the answer says otherwise."""
    ask = _open_ask(ask, respondent, field="body")
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
    subject_name = request.subject.name
    _tell(
        ask,
        rule="reviews.request_answered",
        to_requester=(
            f"{respondent.name} answered your request for feedback"
            if request.requester_id == request.subject_id
            else f"{respondent.name} answered your request for feedback about {subject_name}"
        ),
        to_subject=f"{respondent.name} answered {request.requester.name}'s request for feedback about you",
        answer=feedback,
    )
    return feedback


@transaction.atomic
def feedback_request_decline(*, ask: FeedbackAsk, respondent: User, reason: str = "") -> FeedbackAsk:
    """Say no to an ask, with a word of why if they like; the requester is told."""
    reason = (reason or "").strip()
    ask = _open_ask(ask, respondent, field="reason")
    if len(reason) > DECLINE_REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {DECLINE_REASON_MAX_LENGTH} characters."})
    ask.status, ask.decline_reason, ask.closed_at = FeedbackAsk.Status.DECLINED, reason, timezone.now()
    ask.save(update_fields=["status", "decline_reason", "closed_at"])
    request = ask.request
    _tell(
        ask,
        rule="reviews.request_declined",
        to_requester=(
            f"{respondent.name} declined your request for feedback"
            if request.requester_id == request.subject_id
            else f"{respondent.name} declined your request for feedback about {request.subject.name}"
        ),
        body=f"Their reason: {reason}" if reason else "",
    )
    return ask
