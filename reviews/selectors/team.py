"""A manager's team feedback: how much each report has received per week or month, and who has
gone without.

Everything is counted through feedback_visible_to(manager): the feedback
the manager may read now (both visibilities, for the people below them
today). The people are those reporting to the manager today; a report who
moved or left is no longer theirs to see.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from people.models import User

from ..models import Feedback
from .feedback import feedback_visible_to

QUIET_DAYS = 30
TEAMMATES_ASKED = 5
TEAM_FEEDBACK_PAGE = 50
PERIODS = {"week": 12, "month": 6}  # buckets shown for each
SCOPES = ("direct", "all")


@dataclass(frozen=True)
class Bucket:
    start: datetime.date
    label: str  # "3 Mar", "Mar 2026"
    long_label: str  # "Week of 3 March 2026", "March 2026"


@dataclass
class BucketCount:
    bucket: Bucket
    praise: int = 0
    growth: int = 0

    @property
    def total(self) -> int:
        return self.praise + self.growth


@dataclass
class ReportFlow:
    """One report's feedback over the buckets, and when they last had any."""

    person: User
    direct: bool
    last_at: datetime.datetime | None
    quiet: bool
    counts: list[BucketCount] = field(default_factory=list)
    # Filled in by the page: its drawing, its links.
    chart: dict = field(default_factory=dict)
    nudges: dict = field(default_factory=dict)
    feedback_url: str = ""

    @property
    def praise(self) -> int:
        return sum(c.praise for c in self.counts)

    @property
    def days_ago(self) -> int | None:
        """Days since the last feedback, on the reader's calendar (0: today)."""
        if self.last_at is None:
            return None
        return (timezone.localdate() - timezone.localdate(self.last_at)).days

    @property
    def growth(self) -> int:
        return sum(c.growth for c in self.counts)

    @property
    def total(self) -> int:
        return self.praise + self.growth


def team_reports(manager: User, *, whole_tree: bool) -> QuerySet[User]:
    """The active people reporting to `manager` today: directly, or anywhere below them."""
    people = User.objects.filter(is_active=True)
    if whole_tree and manager.reporting_path:
        return people.filter(reporting_path__below=manager.reporting_path)
    return people.filter(manager=manager)


def quiet_since(now: datetime.datetime | None = None, days: int = QUIET_DAYS) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=days)


def team_reports_listed(manager: User, reports: QuerySet[User], since: datetime.datetime) -> QuerySet[User]:
    """`reports` with `last_feedback_at` (of what `manager` may read) and `is_quiet` (none
    since `since`), the quiet first, then by name."""
    visible = feedback_visible_to(manager).filter(subject=OuterRef("pk"))
    return (
        reports.annotate(
            last_feedback_at=Subquery(visible.order_by("-created_at").values("created_at")[:1]),
            is_quiet=Case(
                When(Exists(visible.filter(created_at__gte=since)), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .select_related("manager")
        .order_by("-is_quiet", "name", "pk")
    )


def team_totals(manager: User, reports: QuerySet[User], since: datetime.datetime) -> tuple[int, int]:
    """How many `reports` there are, and how many have received nothing `manager` may
    read since `since`: one query."""
    recent = feedback_visible_to(manager).filter(subject=OuterRef("pk"), created_at__gte=since)
    totals = reports.aggregate(people=Count("pk"), quiet=Count("pk", filter=~Exists(recent)))
    return totals["people"], totals["quiet"]


def buckets(by: str, now: datetime.datetime | None = None) -> list[Bucket]:
    """The weeks (Monday first) or months shown, oldest first, the current one last, on
    the reader's clock."""
    today = timezone.localdate(now)
    if by == "month":
        starts = []
        year, month = today.year, today.month
        for _ in range(PERIODS["month"]):
            starts.append(datetime.date(year, month, 1))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        return [Bucket(d, d.strftime("%b %Y"), d.strftime("%B %Y")) for d in reversed(starts)]
    monday = today - datetime.timedelta(days=today.weekday())
    starts = [monday - datetime.timedelta(weeks=n) for n in range(PERIODS["week"] - 1, -1, -1)]
    return [Bucket(d, f"{d.day} {d:%b}", f"Week of {d.day} {d:%B %Y}") for d in starts]


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def team_flow_counts(
    manager: User, subject_ids: list[int], by: str, shown: list[Bucket]
) -> dict[tuple[int, datetime.date, str], int]:
    """Pieces of feedback `manager` may read, per (subject, bucket start, kind): one query,
    truncated to weeks or months by the database on the reader's clock."""
    if not subject_ids or not shown:
        return {}
    truncate = TruncMonth if by == "month" else TruncWeek
    rows = (
        feedback_visible_to(manager)
        .filter(subject_id__in=subject_ids, created_at__gte=_aware(shown[0].start))
        .annotate(bucket=truncate("created_at"))
        .values_list("subject_id", "bucket", "kind")
        .annotate(pieces=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, datetime.date, str], int] = {}
    for subject_id, bucket, kind, pieces in rows:
        # A datetime at midnight on the reader's clock (a date on some databases).
        day = timezone.localtime(bucket).date() if isinstance(bucket, datetime.datetime) else bucket
        key = (subject_id, day, kind)
        counts[key] = counts.get(key, 0) + pieces
    return counts


def team_flows(manager: User, people: list[User], by: str, shown: list[Bucket]) -> list[ReportFlow]:
    """Each of `people` (listed by team_reports_listed) with their counts per bucket."""
    counts = team_flow_counts(manager, [p.pk for p in people], by, shown)
    flows = []
    for person in people:
        flows.append(
            ReportFlow(
                person=person,
                direct=person.manager_id == manager.pk,
                last_at=person.last_feedback_at,
                quiet=bool(person.is_quiet),
                counts=[
                    BucketCount(
                        bucket,
                        praise=counts.get((person.pk, bucket.start, Feedback.Kind.PRAISE), 0),
                        growth=counts.get((person.pk, bucket.start, Feedback.Kind.GROWTH), 0),
                    )
                    for bucket in shown
                ],
            )
        )
    return flows


def teammates_of(manager: User, limit: int = TEAMMATES_ASKED + 1) -> list[int]:
    """Ids of (up to `limit`) active people reporting directly to `manager`, by name: the
    colleagues a quiet direct report's manager may ask about them (less that report)."""
    return list(
        User.objects.filter(manager=manager, is_active=True).order_by("name", "pk").values_list("pk", flat=True)[:limit]
    )


def quiet_direct_reports(since: datetime.datetime) -> QuerySet[User]:
    """Active people with an active manager who have received no feedback since `since`,
    for the weekly reminder to their managers.

    Read for every manager at once, so not through feedback_visible_to(manager):
    a manager reads every piece of feedback about an active direct report, of
    either visibility (they are above them in the line today), so "none that
    the manager may read" is "none at all" here. Only a count reaches the
    manager, never a word of the feedback.
    """
    recent = Feedback.objects.filter(subject=OuterRef("pk"), created_at__gte=since)
    return User.objects.filter(is_active=True, manager__isnull=False, manager__is_active=True).filter(~Exists(recent))

