"""Reading feedback: always through what the reader may see now.

Shared feedback is read by its subject, by everyone above them in the
reporting line today, by HR admins and by whoever gave it. Private feedback
is read by everyone above the subject today and by whoever gave it; never by
its subject, and not by HR admins for being HR admins. A manager who no
longer manages the person reads nothing of theirs, whoever wrote it when.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from ladders.models import Competency
from ladders.selectors.careers import career_of
from people.models import User

from ..models import Feedback


def feedback_visible_to(viewer: User) -> QuerySet[Feedback]:
    rule = Q(giver=viewer) | Q(subject=viewer, visibility=Feedback.Visibility.SHARED)
    if viewer.reporting_path:
        rule |= Q(subject__reporting_path__below=viewer.reporting_path, subject__is_active=True)
    if viewer.sees_everyone:
        # HR reads what is shared, but what is private to the manager chain stays there;
        # and nobody, HR included, reads what is private about themselves.
        rule |= Q(visibility=Feedback.Visibility.SHARED)
    return Feedback.objects.filter(rule)


def feedback_get_for_user(viewer: User, pk: int) -> Feedback:
    feedback = (
        feedback_visible_to(viewer).select_related("giver", "subject").prefetch_related("competencies").filter(pk=pk).first()
    )
    if feedback is None:
        raise Http404("No such feedback.")
    return feedback


def competencies_for(subject: User) -> dict[int, Competency]:
    """The competencies feedback about `subject` may be tagged with: those of the current
    version of the framework they stand on today, by id (none without a level)."""
    standing = career_of(subject).standing
    if standing is None:
        return {}
    return {competency.pk: competency for competency in standing.rubric.competencies}
