"""Where people stand, their assessments and their gaps, scoped to who may see them."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from config.prepared import MARK_DATE, MARK_ID, MARK_ID_2, MARK_TEXT, PreparedQuery
from people.models import User
from people.stamp import Stamped, stamp_of

from ..models import Assessment, FrameworkVersion, Level, Placement, Rating, Track
from .frameworks import (
    Rubric,
    published_level,
    published_rubric,
    published_track,
    rubric_load,
    versions_for_user,
)

# --- Who may see whom ---------------------------------------------------------------


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day when it is shorter):
    where "assessed in the last six months" starts, for HR's home and the team page alike."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def can_view_career(viewer: User, person: User) -> bool:
    """A person's path and assessments: themselves, anyone above them, HR admins."""
    return viewer.pk == person.pk or viewer.sees_everyone or viewer.manages(person)


# The queries every path, comparison and team page runs, compiled once
# (see config.prepared): building them cost more than running them.
_person = PreparedQuery(
    lambda pk: User.objects.filter(pk=pk, is_active=True).select_related("manager", "department", "team"),
    pk=MARK_ID,
)
def _in_force(person, on) -> QuerySet[Placement]:
    # A person's placements up to `on`, the one in force first.
    return Placement.objects.filter(person_id=person, effective_date__lte=on).order_by("-effective_date", "-pk")


_placement_current = PreparedQuery(
    lambda person, on: _in_force(person, on).select_related("track", "level__version__framework")[:1],
    person=MARK_ID,
    on=MARK_DATE,
)
_standing_ids = PreparedQuery(
    lambda person, on: _in_force(person, on).values_list("level_id", "track_id")[:1], person=MARK_ID, on=MARK_DATE
)
_career = PreparedQuery(
    lambda person: Placement.objects.filter(person_id=person)
    .annotate(
        current_version=Subquery(
            FrameworkVersion.objects.filter(
                framework_id=OuterRef("level__version__framework_id"), status=FrameworkVersion.Status.PUBLISHED
            )
            .order_by("-number")
            .values("pk")[:1]
        )
    )
    .order_by("-effective_date", "-pk")
    .values_list("pk", "level_id", "track_id", "effective_date", "note", "current_version"),
    person=MARK_ID,
)
_current_version = PreparedQuery(
    lambda framework: FrameworkVersion.objects.filter(framework_id=framework, status=FrameworkVersion.Status.PUBLISHED)
    .select_related("framework")
    .order_by("-number")[:1],
    framework=MARK_ID,
)
_latest_submitted = PreparedQuery(
    lambda person, framework: Assessment.objects.filter(
        subject_id=person, status=Assessment.Status.SUBMITTED, version__framework_id=framework
    )
    .annotate(
        newest=Window(RowNumber(), partition_by=[F("kind")], order_by=[F("submitted_at").desc(), F("pk").desc()])
    )
    .filter(newest=1)
    .select_related("author", "level", "version__framework"),
    person=MARK_ID,
    framework=MARK_ID_2,
)
_drafts = PreparedQuery(
    lambda author, subject: Assessment.objects.filter(
        author_id=author, subject_id=subject, status=Assessment.Status.DRAFT
    ).select_related("level"),
    author=MARK_ID,
    subject=MARK_ID_2,
)
_ratings = PreparedQuery(lambda assessment: Rating.objects.filter(assessment_id=assessment).order_by(), assessment=MARK_ID)


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
            about |= Q(subject__reporting_path__below=user.reporting_path, subject__is_active=True)
        submitted = Q(status=Assessment.Status.SUBMITTED) & about
    return Assessment.objects.filter(drafts | submitted)


# The assessments list, compiled once per kind of reader (see config.prepared).
# Each part is the rule of assessments_visible_to narrowed to what the part
# lists and written so that an index leads (about a person, by an author, of
# one manager's reports, newest first); tests check that the list shows
# exactly what assessments_visible_to allows.
ASSESSMENTS_PAGE = 25
_SUBMITTED = Assessment.Status.SUBMITTED
# What a list row shows, read as plain values: a list of 25 assessments as
# model instances built 150 objects and converted every column of five tables.
_SHOWN = ("pk", "kind", "status", "submitted_at", "updated_at", "subject__name", "author__name", "level__title")
_KINDS = dict(Assessment.Kind.choices)
_STATUSES = dict(Assessment.Status.choices)


@dataclass(frozen=True, slots=True)
class Listed:
    """An assessment as the lists show it."""

    pk: int
    kind: str
    status: str
    submitted_at: datetime.datetime | None
    updated_at: datetime.datetime
    subject_name: str
    author_name: str
    level_title: str

    def get_kind_display(self) -> str:
        return _KINDS.get(self.kind, self.kind)

    def get_status_display(self) -> str:
        return _STATUSES.get(self.status, self.status)


def _listed(rows) -> list[Listed]:
    return [Listed(*row) for row in rows]


def _paged(qs: QuerySet, page: int) -> QuerySet:
    return qs[(page - 1) * ASSESSMENTS_PAGE : page * ASSESSMENTS_PAGE]


def _counted(qs: QuerySet) -> QuerySet:
    return qs.order_by().annotate(n=Func(template="COUNT(*)", output_field=IntegerField())).values_list("n", flat=True)


def _page_with_total(qs: QuerySet, order: tuple[str, ...], page: int) -> QuerySet:
    # One page as the list shows it, each row carrying how many the whole
    # list has: counted by the same scan that sorts, not by a second one.
    return _paged(qs.annotate(total=Window(Count("pk"))).order_by(*order).values_list(*_SHOWN, "total"), page)


def _about(user) -> QuerySet:
    # Submitted ones about the person, and drafts they write themselves.
    return Assessment.objects.filter(subject_id=user).filter(Q(status=_SUBMITTED) | Q(author_id=user))


def _written_by(user, path=None) -> QuerySet:
    # Drafts only about whoever reports to the author now; submitted ones
    # about anyone below the author now (an HR admin: anyone).
    drafts = Q(status=Assessment.Status.DRAFT, subject__manager_id=user, subject__is_active=True)
    submitted = Q(status=_SUBMITTED)
    if path is not None:
        submitted &= Q(subject__reporting_path__below=path, subject__is_active=True)
    return Assessment.objects.filter(author_id=user).exclude(subject_id=user).filter(drafts | submitted)


def _of_reports(user, head) -> QuerySet:
    # `head` is the reader or someone below them (team_head_for_viewer), so
    # everyone reporting to `head` is below the reader: their submitted
    # assessments are the reader's to see.
    return (
        Assessment.objects.filter(status=_SUBMITTED, subject__manager_id=head, subject__is_active=True)
        .exclude(subject_id=user)
        .exclude(author_id=user)
    )


def _of_everyone(user) -> QuerySet:
    # For HR admins, who see every submitted assessment.
    return Assessment.objects.filter(status=_SUBMITTED).exclude(subject_id=user).exclude(author_id=user)


_about_me = PreparedQuery(
    lambda user: _about(user).order_by("status", "-updated_at", "-pk").values_list(*_SHOWN)[:100], user=MARK_ID
)
_written_count = {
    True: PreparedQuery(lambda user: _counted(_written_by(user)), user=MARK_ID),
    False: PreparedQuery(lambda user, path: _counted(_written_by(user, path)), user=MARK_ID, path=MARK_TEXT),
}
_written = {
    True: PreparedQuery(
        lambda user, page: _page_with_total(_written_by(user), ("status", "-updated_at", "-pk"), page),
        variants=("page",),
        user=MARK_ID,
    ),
    False: PreparedQuery(
        lambda user, path, page: _page_with_total(_written_by(user, path), ("status", "-updated_at", "-pk"), page),
        variants=("page",),
        user=MARK_ID,
        path=MARK_TEXT,
    ),
}
_everyone_count = PreparedQuery(lambda user: _counted(_of_everyone(user)), user=MARK_ID)
_everyone_page = PreparedQuery(
    lambda user, page: _paged(
        _of_everyone(user)
        .annotate(total=Subquery(_counted(_of_everyone(user))))
        .order_by("-submitted_at", "-pk")
        .values_list(*_SHOWN, "total"),
        page,
    ),
    variants=("page",),
    user=MARK_ID,
)
_reports_count = PreparedQuery(lambda user, head: _counted(_of_reports(user, head)), user=MARK_ID, head=MARK_ID_2)
_reports_page = PreparedQuery(
    # Found through the reports first, then sorted: walking every submitted
    # assessment newest first to find a team's would read the company's.
    lambda user, head, page: _page_with_total(
        Assessment.objects.filter(pk__in=_of_reports(user, head).values("pk")), ("-submitted_at", "-pk"), page
    ),
    variants=("page",),
    user=MARK_ID,
    head=MARK_ID_2,
)


# Someone not yet in any reporting line has nobody below them: a path no one has.
_NOBODY_BELOW = "/-/"


def _submitted_about(person, viewer=None, path=None) -> QuerySet:
    # The rule of assessments_visible_to for submitted ones, about one person.
    about = Assessment.objects.filter(subject_id=person, status=_SUBMITTED)
    if path is not None:
        about = about.filter(Q(subject_id=viewer) | Q(subject__reporting_path__below=path, subject__is_active=True))
    return about.select_related("author", "level", "version__framework").order_by("-submitted_at", "-pk")[:RECENT_ABOUT]


RECENT_ABOUT = 60
_recent_about = {
    True: PreparedQuery(lambda person: _submitted_about(person), person=MARK_ID),
    False: PreparedQuery(
        lambda person, viewer, path: _submitted_about(person, viewer, path),
        person=MARK_ID,
        viewer=MARK_ID_2,
        path=MARK_TEXT,
    ),
}


def assessments_recent_about(viewer: User, person: User) -> list[Assessment]:
    """The latest submitted assessments about `person` that `viewer` may read, newest first."""
    if viewer.sees_everyone:
        return _recent_about[True].all(person=person.pk)
    return _recent_about[False].all(person=person.pk, viewer=viewer.pk, path=viewer.reporting_path or _NOBODY_BELOW)


def _reader(user: User) -> dict:
    if user.sees_everyone:
        return {"user": user.pk}
    return {"user": user.pk, "path": user.reporting_path or _NOBODY_BELOW}


def assessments_about(user: User) -> list[Listed]:
    """The latest hundred about `user`: submitted ones and their own drafts."""
    return _listed(_about_me.all(user=user.pk))


def _page_of(read_page, read_count, page: int) -> tuple[int, int, list[Listed]]:
    # The first page with the list's total, in one query; a later one after
    # the total, so that it is one that exists (the last, past the end).
    if page > 1:
        total = next(iter(read_count()), 0)
        page = min(page, max(1, -(-total // ASSESSMENTS_PAGE)))
        if page > 1:
            return total, page, _listed(row[:-1] for row in read_page(page))
    rows = read_page(1)
    return (rows[0][-1] if rows else 0), 1, _listed(row[:-1] for row in rows)


def page_number(asked: str | None) -> int:
    """A page number as the address gives it: a positive whole number, else the first page."""
    if asked and asked.isascii() and asked.isdigit() and len(asked) < 9:
        return max(1, int(asked))
    return 1


def assessments_written_by(user: User, page: int) -> tuple[int, int, list[Listed]]:
    """How many `user` wrote about others that they may still read, the page number
    shown (the last page, past the end) and its rows: drafts first, then the latest."""
    written, reader = _written[user.sees_everyone], _reader(user)
    return _page_of(
        lambda n: written.all(**reader, page=n), lambda: _written_count[user.sees_everyone].all(**reader), page
    )


def assessments_listed(
    user: User, head: User | None, page: int, *, stamp: int | None = None
) -> tuple[int, int, list[Listed]]:
    """How many submitted assessments the list has, of `head`'s direct reports or
    everyone's (None, HR admins), the page number shown and its rows, newest first.
    A team's are kept while `stamp` stays the same: submitted ones never change."""
    if head is None:
        return _page_of(
            lambda n: _everyone_page.all(user=user.pk, page=n), lambda: _everyone_count.all(user=user.pk), page
        )
    return _page_of(
        lambda n: _stamped_assessments.get_or_build(
            stamp, ("reports", user.pk, head.pk, n), lambda: _reports_page.all(user=user.pk, head=head.pk, page=n)
        ),
        lambda: _stamped_assessments.get_or_build(
            stamp, ("reports-count", user.pk, head.pk), lambda: _reports_count.all(user=user.pk, head=head.pk)
        ),
        page,
    )


def assessment_get_for_user(user: User, pk: int) -> Assessment:
    try:
        return assessments_visible_to(user).select_related(
            "subject", "author", "level", "version__framework"
        ).get(pk=pk)
    except Assessment.DoesNotExist:
        raise Http404("No such assessment.") from None


def answers_count(assessment: Assessment) -> int:
    """How many competencies of an assessment have an answer: a proficiency or evidence."""
    return Rating.objects.filter(assessment=assessment).exclude(proficiency=None, evidence="").count()


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


def standing_columns(on: datetime.date, *, person: str = "pk") -> dict[str, Subquery]:
    """The level and track in force on `on`, as `level_id` and `track_id` columns to
    annotate on a query of people (whose key is `person`): no query of their own."""
    in_force = _in_force(OuterRef(person), on)
    return {
        "level_id": Subquery(in_force.values("level_id")[:1]),
        "track_id": Subquery(in_force.values("track_id")[:1]),
    }


def placement_current(person: User) -> Placement | None:
    """One person's placement in force today, in one query."""
    return _placement_current.first(person=person.pk, on=timezone.localdate())


def versions_and_standing(*, user: User, slug: str) -> tuple[list[FrameworkVersion], Placed | None]:
    """A framework's versions `user` may see (see versions_for_user) and `user`'s level
    today, both kept while the stamp read with `user` stays the same."""
    return versions_for_user(user=user, slug=slug), level_current(user, stamp=stamp_of(user))


def level_current(person: User, *, stamp: int | None = None) -> Placed | None:
    """The level and track of `person` today, from the kept rubrics: one small query,
    or none while `stamp` stays the same."""
    today = timezone.localdate()
    found = _stamped_standings.get_or_build(
        stamp, ("standing", person.pk, today), lambda: _standing_ids.first(person=person.pk, on=today)
    )
    if found is None:
        return None
    try:
        return Placed.of(*found)
    except (LookupError, KeyError):
        return None


# What pages keep while the stamp stays the same (see people.stamp): the
# stamp changes with every placement, framework version, reporting line,
# name and title, and whenever an assessment is started, submitted or removed.
_stamped_versions = Stamped(size=256)
_stamped_standings = Stamped(size=4096)
_stamped_shapes = Stamped(size=512)
_stamped_careers = Stamped(size=4096)
_stamped_assessments = Stamped(size=4096)


@dataclass
class Career:
    """Where a person stands: their level history (newest first) and today's standing."""

    history: list[Placement]
    placement: Placement | None
    standing: Standing | None


def career_of(person: User, *, stamp: int | None = None) -> Career:
    """A person's placements and where they stand today, in one query (none while
    `stamp` stays the same); levels, tracks and rubrics come from the published
    versions this process keeps."""
    today = timezone.localdate()
    history, placement, standing = [], None, None
    rows = _stamped_careers.get_or_build(stamp, ("career", person.pk), lambda: tuple(_career.all(person=person.pk)))
    for pk, level_id, track_id, effective, note, current_version in rows:
        level = published_level(level_id)
        entry = Placement(pk=pk, person_id=person.pk, effective_date=effective, note=note)
        entry.level, entry.track = level, published_track(track_id, level)
        history.append(entry)
        if placement is None and effective <= today:
            placement = entry
            standing = standing_for(placement, published_rubric(current_version))
    return Career(history, placement, standing)


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


def latest_published(framework_id: int, *, stamp: int | None = None) -> FrameworkVersion | None:
    """A framework's current published version; kept while `stamp` stays the same."""
    return _stamped_versions.get_or_build(stamp, ("latest", framework_id), lambda: _current_version.first(framework=framework_id))


def standing_for(placement: Placement, rubric: Rubric | None = None, *, stamp: int | None = None) -> Standing | None:
    """Follow a placement's level into the framework's current version (`rubric`), by code."""
    if rubric is None:
        version = latest_published(placement.level.version.framework_id, stamp=stamp)
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


def latest_submitted_both(
    person: User, framework_id: int, *, stamp: int | None = None
) -> tuple[Assessment | None, Assessment | None]:
    """The latest submitted manager (agreed) and self-assessment of `person` in a
    framework; kept while `stamp` stays the same (a submitted one never changes)."""
    found = _stamped_assessments.get_or_build(
        stamp, ("latest", person.pk, framework_id), lambda: _latest_submitted.all(person=person.pk, framework=framework_id)
    )
    latest = {a.kind: a for a in found}
    return latest.get(Assessment.Kind.MANAGER), latest.get(Assessment.Kind.SELF)


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


def _reports(head) -> QuerySet[User]:
    return User.objects.filter(manager_id=head, is_active=True)


_team_leads = PreparedQuery(
    lambda head, limit: _reports(head)
    .filter(Exists(User.objects.filter(manager_id=OuterRef("pk"), is_active=True)))
    .only("name", "title")
    .order_by("name", "pk")[:limit],
    variants=("limit",),
    head=MARK_ID,
)


@dataclass(frozen=True)
class Lead:
    """A direct report who leads people, as the list of teams names them."""

    pk: int
    name: str
    title: str


def team_leads(head: User, *, limit: int | None = None, stamp: int | None = None) -> list[Lead]:
    """Those of `head`'s direct reports who lead people themselves, by name;
    kept while `stamp` stays the same."""
    return _stamped_shapes.get_or_build(
        stamp,
        ("leads", head.pk, limit),
        lambda: [Lead(person.pk, person.name, person.title) for person in _team_leads.all(head=head.pk, limit=limit)],
    )


@dataclass(frozen=True)
class Placed:
    """A level and track of a published version, as the kept rubrics have them."""

    level: Level
    track: Track

    @classmethod
    def of(cls, level_id: int, track_id: int) -> Placed:
        level = published_level(level_id)
        return cls(level, published_track(track_id, level))


def team_chain(viewer: User, head: User) -> list[User]:
    """The managers from the viewer down to `head`, for the team pages' breadcrumb."""
    if head.pk == viewer.pk:
        return [viewer]
    ids = [int(part) for part in head.reporting_path.strip("/").split("/") if part]
    start = ids.index(viewer.pk) if viewer.pk in ids else len(ids) - 1
    chain = ids[start:]
    people = User.objects.in_bulk(chain)
    return [people[pk] for pk in chain if pk in people]
