"""Reading feedback requests: always through what the reader may see now.

A request is read by everyone above its subject in the reporting line today
and, when its answers are shared with the subject, by the
subject and by HR admins. A request whose answers are private to the manager
chain is never seen by its subject: not the question, not that it exists. A
manager who asked about a report and no longer manages them reads nothing of it.
Colleagues asked read the request through their own ask (`asks_of`), not here.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from people.models import User

from ..models import Feedback, FeedbackAsk, FeedbackRequest


def requests_visible_to(viewer: User) -> QuerySet[FeedbackRequest]:
    shared = Feedback.Visibility.SHARED
    rule = Q(subject=viewer, visibility=shared)
    if viewer.reporting_path:
        rule |= Q(subject__reporting_path__below=viewer.reporting_path, subject__is_active=True)
    if viewer.sees_everyone:
        rule |= Q(visibility=shared)
    # Whatever else would let them in, nobody reads a private request about themselves.
    return FeedbackRequest.objects.filter(rule).exclude(Q(subject=viewer) & ~Q(visibility=shared))


def request_get_for_user(viewer: User, pk: int) -> FeedbackRequest:
    request = (
        requests_visible_to(viewer)
        .select_related("requester", "subject")
        .prefetch_related("competencies")
        .filter(pk=pk)
        .first()
    )
    if request is None:
        raise Http404("No such feedback request.")
    return request


def asks_of(respondent: User) -> QuerySet[FeedbackAsk]:
    """What `respondent` has been asked, newest first, with what each request is about."""
    return (
        FeedbackAsk.objects.filter(respondent=respondent)
        .select_related("request__requester", "request__subject")
        .order_by("-request__created_at", "-pk")
    )


def ask_get_for_user(respondent: User, pk: int) -> FeedbackAsk:
    ask = asks_of(respondent).prefetch_related("request__competencies").filter(pk=pk).first()
    if ask is None:
        raise Http404("No such feedback request.")
    return ask
