"""Self and manager assessments: start, save a draft, submit, discard (reminders: ladders.reminders)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from people.audit import acting_as
from people.models import User
from people.services import notification_send

from ..models import Assessment, FrameworkVersion, Level, ProficiencyLevel, Rating
from ..selectors.careers import latest_submitted, ratings_by_slug
from ..selectors.frameworks import rubric_load

EVIDENCE_MAX_LENGTH = 5000


def assessment_kind_for(*, author: User, subject: User) -> str | None:
    """Which assessment `author` may write about `subject`, if any.

    The latest manager assessment is the agreed one, so only the person's own
    manager writes it: a skip-level or an HR admin reads it but does not
    override it.
    """
    if author.pk == subject.pk:
        return Assessment.Kind.SELF
    if subject.manager_id == author.pk and subject.is_active:
        return Assessment.Kind.MANAGER
    return None


def _check_author(*, author: User, subject: User, kind: str) -> None:
    if assessment_kind_for(author=author, subject=subject) == kind:
        return
    if kind == Assessment.Kind.SELF:
        raise PermissionDenied("A self-assessment is written by the person themselves.")
    raise PermissionDenied("Only a person's own manager writes their manager assessment.")


@transaction.atomic
def assessment_start(*, subject: User, author: User, kind: str, level: Level) -> Assessment:
    """Open a draft against `level`, or return the author's draft already open.

    A new draft starts from the author's previous submitted assessment of the
    same kind, so people update last time's answers rather than retype them.
    """
    _check_author(author=author, subject=subject, kind=kind)
    version = level.version
    if version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError("Assessments are made against a published framework version.")
    draft = (
        Assessment.objects.select_for_update()
        .filter(subject=subject, author=author, kind=kind, status=Assessment.Status.DRAFT)
        .first()
    )
    with acting_as(author):
        if draft is not None:
            if draft.version_id == version.pk and draft.level_id != level.pk:
                draft.level = level
                draft.updated_at = timezone.now()
                draft.save(update_fields=["level", "updated_at"])
            return draft
        draft = Assessment.objects.create(subject=subject, author=author, kind=kind, version=version, level=level)
        rubric = rubric_load(version)
        previous = ratings_by_slug(latest_submitted(subject, kind, version.framework_id, author=author))
        scale = {p.value: p for p in rubric.scale}
        ratings = []
        for competency in rubric.competencies:
            before = previous.get(competency.slug)
            ratings.append(
                Rating(
                    assessment=draft,
                    competency=competency,
                    proficiency=scale.get(before.proficiency.value) if before and before.proficiency else None,
                    evidence=before.evidence if before else "",
                )
            )
        Rating.objects.bulk_create(ratings)
    return draft


@transaction.atomic
def assessment_save(
    *,
    assessment: Assessment,
    author: User,
    summary: str,
    ratings: dict[int, tuple[int | None, str]],
) -> Assessment:
    """Store a draft's answers: `ratings` maps competency id to (proficiency id, evidence)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.author_id != author.pk:
        raise PermissionDenied("Only the author edits an assessment.")
    if not assessment.is_draft:
        raise ValidationError("This assessment has been submitted and can no longer change.")
    scale = {p.pk: p for p in ProficiencyLevel.objects.filter(version_id=assessment.version_id)}
    errors = {}
    existing = {r.competency_id: r for r in assessment.ratings.select_related("competency")}
    for competency_id, (proficiency_id, evidence) in ratings.items():
        rating = existing.get(competency_id)
        if rating is None:
            errors[f"competency-{competency_id}"] = "Not a competency of this framework version."
            continue
        if proficiency_id is not None and proficiency_id not in scale:
            errors[f"competency-{competency_id}"] = f"Choose a proficiency from the scale for {rating.competency}."
        if len(evidence) > EVIDENCE_MAX_LENGTH:
            errors[f"evidence-{competency_id}"] = f"Keep evidence under {EVIDENCE_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    changed = []
    with acting_as(author):
        for competency_id, (proficiency_id, evidence) in ratings.items():
            rating = existing[competency_id]
            evidence = evidence.strip()
            if rating.proficiency_id != proficiency_id or rating.evidence != evidence:
                rating.proficiency_id = proficiency_id
                rating.evidence = evidence
                rating.save(update_fields=["proficiency", "evidence"])
                changed.append(rating)
        assessment.summary = summary.strip()
        # A new last change: left alone again, the draft earns a new reminder (ladders.reminders).
        assessment.updated_at = timezone.now()
        assessment.save(update_fields=["summary", "updated_at"])
    return assessment


@transaction.atomic
def assessment_submit(*, assessment: Assessment, author: User) -> Assessment:
    """Submit a complete draft. Submitting again (a double click) changes nothing."""
    assessment = Assessment.objects.select_for_update().select_related("subject", "level").get(pk=assessment.pk)
    if assessment.author_id != author.pk:
        raise PermissionDenied("Only the author submits an assessment.")
    if not assessment.is_draft:
        return assessment
    _check_author(author=author, subject=assessment.subject, kind=assessment.kind)
    missing = assessment.ratings.filter(proficiency=None).select_related("competency")
    errors = {f"competency-{r.competency_id}": f"Rate {r.competency} before submitting." for r in missing}
    if errors:
        raise ValidationError(errors)
    with acting_as(author):
        assessment.status = Assessment.Status.SUBMITTED
        assessment.submitted_at = timezone.now()
        assessment.updated_at = assessment.submitted_at
        assessment.save(update_fields=["status", "submitted_at", "updated_at"])

    subject = assessment.subject
    url = reverse("ladders:assessment", args=[assessment.pk])
    if assessment.kind == Assessment.Kind.SELF and subject.manager_id:
        notification_send(
            recipient=subject.manager,
            title=f"{subject} submitted a self-assessment",
            body=f"Against {assessment.level.title}. Compare it with your view before your next 1:1.",
            url=url,
        )
    elif assessment.kind == Assessment.Kind.MANAGER:
        notification_send(
            recipient=subject,
            title=f"{author} submitted an assessment of you",
            body=f"Against {assessment.level.title}. It now sets the gap on your path.",
            url=url,
        )
    return assessment


@transaction.atomic
def assessment_discard(*, assessment: Assessment, author: User) -> None:
    if assessment.author_id != author.pk:
        raise PermissionDenied("Only the author discards a draft.")
    if not assessment.is_draft:
        raise ValidationError("A submitted assessment is part of the record and stays.")
    with acting_as(author):
        assessment.delete()
