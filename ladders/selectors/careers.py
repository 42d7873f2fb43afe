"""Where people stand, their assessments and their gaps, scoped to who may see them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from config.prepared import MARK_DATE, MARK_ID, MARK_ID_2, PreparedQuery
from people.models import User

from ..models import Assessment, Framework, FrameworkVersion, Level, Placement, ProficiencyLevel, Rating, Track
from .frameworks import Rubric, published_level, published_rubric, published_track, rubric_load

# --- Who may see whom ---------------------------------------------------------------


def can_view_career(viewer: User, person: User) -> bool:
    """A person's path and assessments: themselves, anyone above them, HR admins."""
    return viewer.pk == person.pk or viewer.sees_everyone or viewer.manages(person)


# The queries every path, comparison and team page runs, compiled once
# (see config.prepared): building them cost more than running them.
_person = PreparedQuery(
    lambda pk: User.objects.filter(pk=pk, is_active=True).select_related("manager", "department", "team"),
    pk=MARK_ID,
)
_placement_current = PreparedQuery(
    lambda person, on: Placement.objects.filter(person_id=person, effective_date__lte=on)
    .select_related("track", "level__version__framework")
    .order_by("-effective_date", "-pk")[:1],
    person=MARK_ID,
    on=MARK_DATE,
)
_placement_history = PreparedQuery(
    lambda person: Placement.objects.filter(person_id=person)
    .select_related("track", "level__version__framework", "recorded_by")
    .order_by("-effective_date", "-pk"),
    person=MARK_ID,
)
_current_version = PreparedQuery(
    lambda framework: FrameworkVersion.objects.filter(framework_id=framework, status=FrameworkVersion.Status.PUBLISHED)
    .select_related("framework")
    .order_by("-number")[:1],
    framework=MARK_ID,
)
_latest_submitted = {
    kind: PreparedQuery(
        lambda person, framework, kind=kind: Assessment.objects.filter(
            subject_id=person, kind=kind, status=Assessment.Status.SUBMITTED, version__framework_id=framework
        )
        .select_related("author", "level", "version__framework")
        .order_by("-submitted_at", "-pk")[:1],
        person=MARK_ID,
        framework=MARK_ID_2,
    )
    for kind in Assessment.Kind.values
}
_drafts = PreparedQuery(
    lambda author, subject: Assessment.objects.filter(
        author_id=author, subject_id=subject, status=Assessment.Status.DRAFT
    ).select_related("level"),
    author=MARK_ID,
    subject=MARK_ID_2,
)
_ratings = PreparedQuery(lambda assessment: Rating.objects.filter(assessment_id=assessment).order_by(), assessment=MARK_ID)


def person_get(pk: int) -> User | None:
    """An active person with their manager, department and team."""
    return _person.first(pk=pk)


def person_get_for_viewer(viewer: User, pk: int) -> User:
    person = _person.first(pk=pk)
    if person is None or not can_view_career(viewer, person):
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


def placement_current(person: User) -> Placement | None:
    """One person's placement in force today, in one query."""
    return _placement_current.first(person=person.pk, on=timezone.localdate())


def placement_history(person: User) -> list[Placement]:
    return _placement_history.all(person=person.pk)


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
    return _current_version.first(framework=framework_id)


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


def drafts_of(*, author: User, subject: User) -> list[Assessment]:
    """`author`'s open drafts about `subject`; callers check that the author may still write them."""
    return _drafts.all(author=author.pk, subject=subject.pk)


def latest_submitted_both(person: User, framework_id: int) -> tuple[Assessment | None, Assessment | None]:
    """The latest submitted manager (agreed) and self-assessment of `person` in a framework."""
    return (
        _latest_submitted[Assessment.Kind.MANAGER].first(person=person.pk, framework=framework_id),
        _latest_submitted[Assessment.Kind.SELF].first(person=person.pk, framework=framework_id),
    )


def ratings_by_slug(assessment: Assessment | None) -> dict[str, Rating]:
    """An assessment's ratings by competency slug, their competency and proficiency
    taken from the (kept) rubric of the assessment's version rather than joined."""
    if assessment is None:
        return {}
    rubric = rubric_load(assessment.version)
    competencies = {c.pk: c for c in rubric.competencies}
    scale = {p.pk: p for p in rubric.scale}
    ratings = {}
    for rating in _ratings.all(assessment=assessment.pk):
        rating.competency = competencies[rating.competency_id]
        rating.proficiency = scale.get(rating.proficiency_id)
        ratings[rating.competency.slug] = rating
    return ratings


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
        User.objects.filter(is_active=True, reporting_path__below=manager.reporting_path)
        .select_related("manager", "department")
        .order_by("name")
    )


def team_head_for_viewer(viewer: User, pk: str | None) -> User:
    """Whose direct reports a team page shows: the viewer's own, or those of someone
    below them in the reporting line as it is now (an HR admin: anyone's)."""
    if not pk:
        return viewer
    if not (pk.isascii() and pk.isdigit() and len(pk) < 18):
        raise Http404("No such team.")
    try:
        head = User.objects.get(pk=int(pk), is_active=True)
    except User.DoesNotExist:
        raise Http404("No such team.") from None
    if head.pk != viewer.pk and not viewer.sees_everyone and not viewer.manages(head):
        raise Http404("No such team.")
    return head


def _latest_placement(on) -> Subquery:
    return _current_placement_subquery(on)


def _latest_agreed(framework) -> Subquery:
    return Subquery(
        Assessment.objects.filter(
            subject=OuterRef("pk"),
            kind=Assessment.Kind.MANAGER,
            status=Assessment.Status.SUBMITTED,
            version__framework_id=framework,
        )
        .order_by("-submitted_at", "-pk")
        .values("pk")[:1]
    )


def _reports(head) -> QuerySet[User]:
    return User.objects.filter(manager_id=head, is_active=True)


# A team page reads one manager's direct reports, whoever the manager: a
# handful of queries compiled once, each about all of the reports at once.
_team_reports = PreparedQuery(
    lambda head: _reports(head).select_related("department").order_by("name", "pk"), head=MARK_ID
)
_team_placements = PreparedQuery(
    lambda head, on: Placement.objects.filter(
        pk__in=_reports(head).annotate(current=_latest_placement(on)).values("current")
    ).values_list("person_id", "level_id", "track_id"),
    head=MARK_ID,
    on=MARK_DATE,
)
_team_agreed = PreparedQuery(
    lambda head, framework: Assessment.objects.filter(
        pk__in=_reports(head).annotate(agreed=_latest_agreed(framework)).values("agreed")
    ).values_list("pk", "subject_id", "submitted_at", "version_id"),
    head=MARK_ID,
    framework=MARK_ID_2,
)
_team_ratings = PreparedQuery(
    lambda head, framework: Rating.objects.filter(
        assessment_id__in=_reports(head).annotate(agreed=_latest_agreed(framework)).values("agreed")
    ).values_list("assessment_id", "competency_id", "proficiency_id"),
    head=MARK_ID,
    framework=MARK_ID_2,
)
_team_sizes = PreparedQuery(
    lambda head: User.objects.filter(Q(pk=head) | Q(manager_id=head, is_active=True))
    .annotate(
        size=Subquery(
            User.objects.filter(reporting_path__below=OuterRef("reporting_path"), is_active=True)
            .order_by()
            .values("is_active")
            .annotate(size=Count("pk"))
            .values("size")
        )
    )
    .values_list("pk", "size"),
    head=MARK_ID,
)


_team_leads = PreparedQuery(
    lambda head: _reports(head)
    .filter(Exists(User.objects.filter(manager_id=OuterRef("pk"), is_active=True)))
    .order_by("name", "pk"),
    head=MARK_ID,
)


def team_leads(head: User) -> list[User]:
    """Those of `head`'s direct reports who lead people themselves."""
    return _team_leads.all(head=head.pk)


def team_direct_reports(head: User) -> list[User]:
    """Everyone who reports to `head` directly, by name."""
    return _team_reports.all(head=head.pk)


def team_sizes(head: User) -> dict[int, int]:
    """How many active people are below `head` and below each of their reports, at any depth.

    Each count is a range of the reporting-path index (see people.models.Below),
    so the query reads as many index entries as the teams have members.
    """
    return {pk: size or 0 for pk, size in _team_sizes.all(head=head.pk)}


@dataclass(frozen=True)
class TeamPlacement:
    level: Level
    track: Track


def team_placements(head: User) -> dict[int, TeamPlacement]:
    """Where each of `head`'s direct reports stands today (levels from the kept rubrics)."""
    placements = {}
    for person_id, level_id, track_id in _team_placements.all(head=head.pk, on=timezone.localdate()):
        level = published_level(level_id)
        placements[person_id] = TeamPlacement(level, published_track(track_id, level))
    return placements


def team_frameworks(placements: dict[int, TeamPlacement]) -> list[Framework]:
    """The frameworks a team is placed on, most people first."""
    counted: dict[int, list] = {}
    for placement in placements.values():
        framework = placement.level.version.framework
        counted.setdefault(framework.pk, [framework, 0])[1] += 1
    return [f for f, _ in sorted(counted.values(), key=lambda item: (-item[1], item[0].name))]


@dataclass(frozen=True)
class Agreed:
    """A latest manager assessment, as the heat map shows it."""

    pk: int
    submitted_at: datetime.datetime
    ratings: dict


@dataclass(frozen=True)
class Rated:
    """A rating as the gap needs it: the proficiency, from the kept rubric."""

    proficiency: ProficiencyLevel | None


def team_agreed(head: User, rubric: Rubric) -> dict[int, Agreed]:
    """Each direct report's latest manager assessment in `rubric`'s framework, with its ratings
    (matched by competency slug, so an assessment of an older version still lines up)."""
    framework = rubric.framework.pk
    found = _team_agreed.all(head=head.pk, framework=framework)
    competencies, scale = {}, {}
    for version_id in {version_id for *_, version_id in found}:
        made_against = published_rubric(version_id)
        competencies.update((c.pk, c) for c in made_against.competencies)
        scale.update((p.pk, p) for p in made_against.scale)
    ratings: dict[int, dict[str, Rated]] = {pk: {} for pk, *_ in found}
    for assessment_id, competency_id, proficiency_id in _team_ratings.all(head=head.pk, framework=framework):
        if assessment_id in ratings:
            ratings[assessment_id][competencies[competency_id].slug] = Rated(scale.get(proficiency_id))
    return {subject: Agreed(pk, submitted_at, ratings[pk]) for pk, subject, submitted_at, _ in found}


def team_gap_rows(
    people: list[User],
    rubric: Rubric,
    placements: dict[int, TeamPlacement],
    agreed: dict[int, Agreed],
    *,
    against: str = "next",
) -> list[dict]:
    """A heat-map row per person: their level in `rubric`, the target and the gap per competency.

    `against` is "next" (each person's next level on their track) or
    "current". People placed on another framework are named as such.
    """
    framework = rubric.framework
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
        gaps = gap_rows(rubric, level, target, assessment.ratings) if level is not None and assessment else []
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


def team_chain(viewer: User, head: User) -> list[User]:
    """The managers from the viewer down to `head`, for the team pages' breadcrumb."""
    if head.pk == viewer.pk:
        return [viewer]
    ids = [int(part) for part in head.reporting_path.strip("/").split("/") if part]
    start = ids.index(viewer.pk) if viewer.pk in ids else len(ids) - 1
    chain = ids[start:]
    people = User.objects.in_bulk(chain)
    return [people[pk] for pk in chain if pk in people]
