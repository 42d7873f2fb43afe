"""Where people stand, their assessments and their gaps, scoped to who may see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from people.models import User

from ..models import Assessment, Framework, FrameworkVersion, Level, Placement, Rating, Track
from .frameworks import Rubric, rubric_load

# --- Who may see whom ---------------------------------------------------------------


def can_view_career(viewer: User, person: User) -> bool:
    """A person's path and assessments: themselves, anyone above them, HR admins."""
    return viewer.pk == person.pk or viewer.sees_everyone or viewer.manages(person)


def person_get_for_viewer(viewer: User, pk: int) -> User:
    try:
        person = User.objects.select_related("manager", "department", "team").get(pk=pk, is_active=True)
    except User.DoesNotExist:
        raise Http404("No such person.") from None
    if not can_view_career(viewer, person):
        raise Http404("No such person.")
    return person


def assessments_visible_to(user: User) -> QuerySet[Assessment]:
    """Assessments `user` may read, decided by the reporting line as it is now.

    A draft is its author's alone, and only while they may still write it:
    their own self-assessment, or a manager assessment of someone who
    reports to them today. A submitted one is seen by the subject, by
    everyone above an active subject today, and by HR admins. Whoever
    managed the person when the record was made gains nothing from it.
    """
    drafts = Q(status=Assessment.Status.DRAFT, author=user) & (
        Q(kind=Assessment.Kind.SELF) | Q(subject__manager=user, subject__is_active=True)
    )
    if user.sees_everyone:
        submitted = Q(status=Assessment.Status.SUBMITTED)
    else:
        about = Q(subject=user)
        if user.reporting_path:
            about |= Q(subject__reporting_path__startswith=user.reporting_path, subject__is_active=True)
        submitted = Q(status=Assessment.Status.SUBMITTED) & about
    return Assessment.objects.filter(drafts | submitted)


def assessment_get_for_user(user: User, pk: int) -> Assessment:
    try:
        return assessments_visible_to(user).select_related(
            "subject", "author", "level", "version__framework"
        ).get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


def assessment_history(assessment: Assessment, rubric: Rubric) -> list[dict]:
    """The lifecycle of an assessment from the audit log, in words, oldest first."""
    titles = {str(level.pk): level.title for level in rubric.levels}
    rows = []
    entries = (
        LogEntry.objects.get_for_object(assessment).select_related("actor").order_by("timestamp", "pk")
    )
    for entry in entries:
        changes = entry.changes_dict or {}
        if entry.action == LogEntry.Action.CREATE:
            level = titles.get(str((changes.get("level") or [None, None])[1]), assessment.level.title)
            text = f"Started a draft against {level}"
        elif (changes.get("status") or [None, None])[1] == Assessment.Status.SUBMITTED:
            text = "Submitted"
        elif "level" in changes:
            text = f"Changed the level to {titles.get(str(changes['level'][1]), 'another level')}"
        else:
            continue
        rows.append({"when": entry.timestamp, "who": entry.actor, "text": text})
    return rows


# --- Placements ---------------------------------------------------------------------


def _current_placement_subquery(on: datetime.date) -> Subquery:
    return Subquery(
        Placement.objects.filter(person=OuterRef("pk"), effective_date__lte=on)
        .order_by("-effective_date", "-pk")
        .values("pk")[:1]
    )


def placements_current(people: QuerySet[User] | list[User], *, on: datetime.date | None = None) -> dict[int, Placement]:
    """Each person's placement in force on `on` (today), in two queries for any number of people."""
    on = on or timezone.localdate()
    ids = [p.pk for p in people] if isinstance(people, list) else people.values("pk")
    placement_ids = (
        User.objects.filter(pk__in=ids)
        .annotate(placement_id=_current_placement_subquery(on))
        .exclude(placement_id=None)
        .values_list("placement_id", flat=True)
    )
    placements = Placement.objects.filter(pk__in=list(placement_ids)).select_related(
        "track", "level__version__framework"
    )
    return {p.person_id: p for p in placements}


def placement_current(person: User) -> Placement | None:
    return placements_current([person]).get(person.pk)


def placement_history(person: User) -> list[Placement]:
    return list(
        Placement.objects.filter(person=person)
        .select_related("track", "level__version__framework", "recorded_by")
        .order_by("-effective_date", "-pk")
    )


# --- A person's path and gap -----------------------------------------------------------


@dataclass
class Standing:
    """A placement read against the current version of its framework."""

    placement: Placement
    rubric: Rubric
    level: Level
    track: Track

    @property
    def next_levels(self) -> list[Level]:
        return self.rubric.next_levels(self.level, self.track)

    @property
    def target_levels(self) -> list[Level]:
        return [self.level, *self.next_levels]


def latest_published(framework_id: int) -> FrameworkVersion | None:
    return FrameworkVersion.objects.select_related("framework").filter(framework_id=framework_id).current()


def standing_for(placement: Placement) -> Standing | None:
    """Follow a placement's level into the framework's current version, by code."""
    version = latest_published(placement.level.version.framework_id)
    if version is None:
        return None
    rubric = rubric_load(version)
    level = rubric.level_by_code.get(placement.level.code)
    if level is None:
        return None
    track = rubric.track_by_slug.get(placement.track.slug) or rubric.level_tracks(level)[0]
    if track.pk not in level.track_ids:
        track = rubric.level_tracks(level)[0]
    return Standing(placement, rubric, level, track)


def latest_submitted(
    person: User, kind: str, framework_id: int | None = None, *, author: User | None = None
) -> Assessment | None:
    assessments = Assessment.objects.filter(
        subject=person, kind=kind, status=Assessment.Status.SUBMITTED
    ).select_related("author", "level", "version__framework")
    if framework_id is not None:
        assessments = assessments.filter(version__framework_id=framework_id)
    if author is not None:
        assessments = assessments.filter(author=author)
    return assessments.order_by("-submitted_at", "-pk").first()


def ratings_by_slug(assessment: Assessment | None) -> dict[str, Rating]:
    if assessment is None:
        return {}
    ratings = Rating.objects.filter(assessment=assessment).select_related("competency", "proficiency")
    return {r.competency.slug: r for r in ratings}


def gap_rows(rubric: Rubric, level: Level, target: Level | None, ratings: dict[str, Rating]) -> list[dict]:
    """Per competency: assessed value, what the current and target levels require, and the gap.

    Ratings are matched to the rubric by competency slug, so an assessment
    made against an earlier version still lines up with the current one.
    The gap is what the target level requires minus what was assessed;
    zero or less means the expectation is met.
    """
    rows = []
    for competency in rubric.competencies:
        rating = ratings.get(competency.slug)
        assessed = rating.proficiency.value if rating and rating.proficiency else None
        here = rubric.expectation(competency, level)
        there = rubric.expectation(competency, target) if target else None
        required = there.proficiency.value if there else (here.proficiency.value if here else None)
        rows.append(
            {
                "competency": competency,
                "assessed": assessed,
                "assessed_name": rating.proficiency.name if rating and rating.proficiency else "",
                "current": here.proficiency.value if here else None,
                "current_name": here.proficiency.name if here else "",
                "target": there.proficiency.value if there else None,
                "target_name": there.proficiency.name if there else "",
                "gap": (required - assessed) if (required is not None and assessed is not None) else None,
            }
        )
    return rows


def gap_chart(rows: list[dict], max_value: int) -> dict:
    """Positions of the gap chart's bars and marks, as percentages of the scale.

    The chart is plain HTML and CSS drawn on the server: it reflows on a
    phone, needs no script, and the table beside it gives the same numbers
    to screen readers.
    """

    def percent(value: int | None) -> float | None:
        return None if value is None else round(100 * value / max_value, 2)

    bars = [
        {**row, "assessed_pct": percent(row["assessed"]) or 0, "current_pct": percent(row["current"]), "target_pct": percent(row["target"])}
        for row in rows
    ]
    return {"bars": bars, "max": max_value, "ticks": list(range(0, max_value + 1))}


# --- A manager's team ------------------------------------------------------------------


def team_members(manager: User) -> QuerySet[User]:
    if not manager.reporting_path:
        return User.objects.none()
    return (
        User.objects.filter(is_active=True, reporting_path__startswith=manager.reporting_path)
        .exclude(pk=manager.pk)
        .select_related("manager", "department")
        .order_by("name")
    )


def team_frameworks(members: QuerySet[User]) -> list[tuple[Framework, int]]:
    """The frameworks a team is placed on, most people first, over the whole team."""
    current = (
        members.order_by()
        .annotate(placement_id=_current_placement_subquery(timezone.localdate()))
        .exclude(placement_id=None)
        .values("placement_id")
    )
    counts = (
        Placement.objects.filter(pk__in=current)
        .values("level__version__framework")
        .annotate(people=Count("pk"))
        .order_by("-people")
    )
    counted = {row["level__version__framework"]: row["people"] for row in counts}
    frameworks = Framework.objects.in_bulk(list(counted))
    return sorted(
        ((frameworks[pk], n) for pk, n in counted.items()), key=lambda item: (-item[1], item[0].name)
    )


def latest_agreed_for(people: list[User], framework_id: int) -> dict[int, Assessment]:
    """Each person's latest submitted manager assessment in one framework, in one query."""
    latest = Subquery(
        Assessment.objects.filter(
            subject=OuterRef("pk"),
            kind=Assessment.Kind.MANAGER,
            status=Assessment.Status.SUBMITTED,
            version__framework_id=framework_id,
        )
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )
    ids = (
        User.objects.filter(pk__in=[p.pk for p in people])
        .annotate(agreed_id=latest)
        .exclude(agreed_id=None)
        .values_list("agreed_id", flat=True)
    )
    return {a.subject_id: a for a in Assessment.objects.filter(pk__in=list(ids)).select_related("author")}


def team_gap_rows(people: list[User], rubric: Rubric, *, against: str = "next") -> list[dict]:
    """A heat-map row per person: their level in `rubric`, the target and the gap per competency.

    `against` is "next" (each person's next level on their track) or
    "current". People placed on another framework are named as such. A fixed
    number of queries for any number of people.
    """
    framework = rubric.framework
    placements = placements_current(people)
    agreed = latest_agreed_for(people, framework.pk)
    ratings = ratings_for(list(agreed.values()))
    rows = []
    for person in people:
        placement = placements.get(person.pk)
        on_this = placement is not None and placement.level.version.framework_id == framework.pk
        level = rubric.level_by_code.get(placement.level.code) if on_this else None
        target = None
        if level is not None:
            following = rubric.next_levels(level, rubric.track_by_slug.get(placement.track.slug))
            target = following[0] if (against == "next" and following) else level
        assessment = agreed.get(person.pk)
        gaps = (
            gap_rows(rubric, level, target, ratings.get(assessment.pk, {}))
            if level is not None and assessment is not None
            else []
        )
        rows.append(
            {
                "person": person,
                "placement": placement,
                "elsewhere": placement.level.version.framework if placement and not on_this else None,
                "level": level,
                "target": target,
                "assessment": assessment,
                "gaps": gaps,
                "open": sum(1 for g in gaps if g["gap"] is not None and g["gap"] > 0),
            }
        )
    return rows


def ratings_for(assessments: list[Assessment]) -> dict[int, dict[str, Rating]]:
    by_assessment: dict[int, dict[str, Rating]] = {a.pk: {} for a in assessments}
    ratings = Rating.objects.filter(assessment__in=[a.pk for a in assessments]).select_related(
        "competency", "proficiency"
    )
    for rating in ratings:
        by_assessment[rating.assessment_id][rating.competency.slug] = rating
    return by_assessment
