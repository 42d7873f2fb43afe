"""Reads for mentorship, each already limited to what the reader may see.

Notes, agendas and action items belong to the pair: nobody else reads them,
HR admins included. HR sees who takes part and when they met; a manager sees
that a report has a mentor, and nothing of what they discuss.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.db.models import Count, F, Max, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from ladders.models import Assessment, Placement
from ladders.selectors.careers import career_of, gap_rows, latest_submitted_both, ratings_by_slug
from people.models import User
from people.stamp import stamp_of

from . import matching
from .models import (
    ActionItem,
    MentorProfile,
    Offer,
    Program,
    Proposal,
    Relationship,
    Request,
    Round,
    Touchpoint,
    tags,
)

OPEN = (Relationship.Status.PROPOSED, Relationship.Status.ACTIVE, Relationship.Status.PAUSED)
SUGGESTIONS = 5


def key(framework_id: int, slug: str) -> str:
    """A competency as the matching engine knows it: unique across frameworks."""
    return f"{framework_id}:{slug}"


# --- Who may see what ------------------------------------------------------------


def is_hr(user: User) -> bool:
    return user.sees_everyone


def programs_open_to(user: User) -> QuerySet[Program]:
    """Programs `user` may join today: open, not over, and for their department (or everyone's)."""
    today = timezone.localdate()
    programs = Program.objects.filter(is_open=True, ends_on__gte=today)
    return programs.filter(Q(departments=None) | Q(departments=user.department_id)).distinct()


def program_open_get(user: User, slug: str) -> Program:
    try:
        return programs_open_to(user).get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program open to you.") from None


def programs_for_hr(user: User) -> QuerySet[Program]:
    return Program.objects.all() if is_hr(user) else Program.objects.none()


def program_get_for_hr(user: User, slug: str) -> Program:
    try:
        return programs_for_hr(user).get(slug=slug)
    except Program.DoesNotExist:
        raise Http404("No such program.") from None


def round_get_for_hr(user: User, pk: int) -> Round:
    rounds = Round.objects.select_related("program") if is_hr(user) else Round.objects.none()
    try:
        return rounds.get(pk=pk)
    except Round.DoesNotExist:
        raise Http404("No such round.") from None


def relationships_of(user: User) -> QuerySet[Relationship]:
    """Relationships `user` is one side of: the only ones whose page they may open."""
    return Relationship.objects.filter(Q(mentee=user) | Q(mentor=user)).select_related("mentee", "mentor", "program")


def relationship_get_for_user(user: User, pk: int) -> Relationship:
    try:
        return relationships_of(user).get(pk=pk)
    except Relationship.DoesNotExist:
        raise Http404("No such mentorship.") from None


def touchpoint_get_for_user(user: User, pk: int) -> Touchpoint:
    touchpoints = Touchpoint.objects.filter(Q(relationship__mentee=user) | Q(relationship__mentor=user))
    try:
        return touchpoints.select_related("relationship__mentee", "relationship__mentor", "relationship__program", "template").get(pk=pk)
    except Touchpoint.DoesNotExist:
        raise Http404("No such touchpoint.") from None


def action_get_for_user(user: User, pk: int) -> ActionItem:
    actions = ActionItem.objects.filter(Q(relationship__mentee=user) | Q(relationship__mentor=user))
    try:
        return actions.select_related("relationship", "touchpoint").get(pk=pk)
    except ActionItem.DoesNotExist:
        raise Http404("No such action item.") from None


def mentor_profile_of(user: User) -> MentorProfile | None:
    return MentorProfile.objects.filter(person=user).select_related("style").prefetch_related("offers").first()


def open_request_of(user: User, program: Program) -> Request | None:
    """`user`'s own request waiting for a mentor in `program`, if any."""
    return (
        Request.objects.filter(program=program, mentee=user, status=Request.Status.OPEN).select_related("program", "style").first()
    )


def mentor_of(user: User, program: Program) -> Relationship | None:
    """`user`'s mentorship under way in `program` (one at a time), if any."""
    under_way = (Relationship.Status.ACTIVE, Relationship.Status.PAUSED)
    return Relationship.objects.filter(program=program, mentee=user, status__in=under_way).select_related("mentor").first()


def asks_of(request: Request) -> tuple[Relationship | None, list[Relationship]]:
    """For a mentee's own request: the mentor asked and not yet answering, and those who declined."""
    asks = list(
        Relationship.objects.filter(
            request=request, status__in=(Relationship.Status.PROPOSED, Relationship.Status.DECLINED)
        ).select_related("mentor")
    )
    waiting = next((r for r in asks if r.status == Relationship.Status.PROPOSED), None)
    return waiting, [r for r in asks if r.status == Relationship.Status.DECLINED]


def reports_in_mentorship(manager: User) -> QuerySet[Relationship]:
    """A manager's direct reports who have a mentor: who and since when, nothing they discuss."""
    return (
        # Under way only: whom a report has asked, and whether they said no, is the report's business.
        Relationship.objects.filter(
            mentee__manager=manager, mentee__is_active=True, status__in=(Relationship.Status.ACTIVE, Relationship.Status.PAUSED)
        )
        .select_related("mentee", "mentor")
        .only("status", "starts_on", "ends_on", "mentee__name", "mentee__email", "mentor__name", "mentor__email")
        .order_by("mentee__name")
    )


# --- When pairs last met -----------------------------------------------------------


def with_last_met(relationships: QuerySet[Relationship]) -> QuerySet[Relationship]:
    """`last_met` on each: when the pair last held a touchpoint (None if never)."""
    return relationships.annotate(last_met=Max("touchpoints__starts_at", filter=Q(touchpoints__held=True)))


def gone_quiet(since: datetime.datetime) -> QuerySet[Relationship]:
    """Active mentorships with no touchpoint held since `since` (nor any since they began before it)."""
    return with_last_met(Relationship.objects.filter(status=Relationship.Status.ACTIVE)).filter(
        Q(last_met__lt=since) | Q(last_met=None, starts_on__lt=since.date())
    )


# --- Home --------------------------------------------------------------------------


@dataclass
class Home:
    as_mentee: list[Relationship]
    as_mentor: list[Relationship]
    next_touchpoint: Touchpoint | None
    actions: list[ActionItem]
    requests: list[Request]
    profile: MentorProfile | None


def home_for(user: User) -> Home:
    mine = list(with_last_met(relationships_of(user).filter(status__in=OPEN)).order_by("status", "-starts_on"))
    next_touchpoint = (
        Touchpoint.objects.filter(
            Q(relationship__mentee=user) | Q(relationship__mentor=user),
            relationship__status=Relationship.Status.ACTIVE,
            starts_at__gte=timezone.now() - datetime.timedelta(hours=2),
            held=False,
        )
        .select_related("relationship__mentee", "relationship__mentor")
        .order_by("starts_at")
        .first()
    )
    actions = list(
        ActionItem.objects.filter(owner=user, done_at=None, relationship__status__in=OPEN)
        .select_related("owner", "relationship__mentee", "relationship__mentor", "touchpoint")
        .order_by("due_on", "id")[:20]
    )
    requests = list(Request.objects.filter(mentee=user, status=Request.Status.OPEN).select_related("program"))
    profile = MentorProfile.objects.filter(person=user).select_related("style").first()
    return Home(
        as_mentee=[r for r in mine if r.mentee_id == user.pk],
        as_mentor=[r for r in mine if r.mentor_id == user.pk],
        next_touchpoint=next_touchpoint,
        actions=actions,
        requests=requests,
        profile=profile,
    )


# --- Where a person stands, for prefilling -------------------------------------------


@dataclass(frozen=True)
class Gap:
    slug: str
    name: str
    area: str
    assessed: int
    target: int
    target_name: str

    @property
    def size(self) -> int:
        return self.target - self.assessed


@dataclass
class Growth:
    """A person's framework today, the scale, and the gap of each competency to their next level."""

    framework_id: int
    framework_name: str
    level_title: str
    next_title: str
    scale: list[tuple[int, str]]
    gaps: list[Gap]
    agreed: dict[str, int]

    @property
    def largest(self) -> list[Gap]:
        return sorted((g for g in self.gaps if g.size > 0), key=lambda g: (-g.size, g.name))


def growth_of(person: User, viewer: User | None = None) -> Growth | None:
    """Where `person` stands against their next level; None without a level on a published framework."""
    stamp = stamp_of(viewer or person)
    standing = career_of(person, stamp=stamp).standing
    if standing is None:
        return None
    rubric = standing.rubric
    agreed, own = latest_submitted_both(person, rubric.framework.pk, stamp=stamp)
    target = (standing.next_levels or [standing.level])[0]
    basis = ratings_by_slug(agreed or own)
    gaps = []
    for row in gap_rows(rubric, standing.level, target, basis):
        competency = row["competency"]
        required = row["target"] if row["target"] is not None else row["current"]
        if required is None:
            continue
        gaps.append(
            Gap(
                slug=competency.slug,
                name=competency.name,
                area=competency.area.name,
                # Never rated: taken to be where their level expects them, not at nothing.
                assessed=row["assessed"] if row["assessed"] is not None else (row["current"] or 0),
                target=required,
                target_name=row["target_name"] or row["current_name"],
            )
        )
    agreed_values = {
        slug: rating.proficiency.value
        for slug, rating in ratings_by_slug(agreed).items()
        if rating.proficiency is not None
    }
    return Growth(
        framework_id=rubric.framework.pk,
        framework_name=rubric.framework.name,
        level_title=standing.level.title,
        next_title=target.title,
        scale=[(p.value, p.name) for p in rubric.scale],
        gaps=gaps,
        agreed=agreed_values,
    )


def agreed_ratings(person: User, framework_id: int) -> dict[str, int]:
    """`person`'s latest agreed (manager) ratings in a framework, competency slug → value."""
    agreed = (
        Assessment.objects.filter(
            subject=person, kind=Assessment.Kind.MANAGER, status=Assessment.Status.SUBMITTED,
            version__framework_id=framework_id,
        )
        .order_by("-submitted_at", "-pk")
        .first()
    )
    return {
        slug: rating.proficiency.value
        for slug, rating in ratings_by_slug(agreed).items()
        if rating.proficiency is not None
    }


# --- What the matching engine reads -----------------------------------------------------


def utc_offset(name: str, at: datetime.datetime) -> float:
    try:
        offset = at.astimezone(zoneinfo.ZoneInfo(name)).utcoffset()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0
    return offset.total_seconds() / 3600 if offset else 0.0


def _above(person: User) -> frozenset[int]:
    return frozenset(int(part) for part in person.reporting_path.strip("/").split("/") if part and int(part) != person.pk)


def rungs_of(people: list[int]) -> dict[int, int]:
    """The rung each person stands on today (for reverse mentoring)."""
    today = timezone.localdate()
    rungs: dict[int, int] = {}
    rows = (
        Placement.objects.filter(person__in=people, effective_date__lte=today)
        .order_by("person", "-effective_date", "-pk")
        .values_list("person", "level__rung")
    )
    for person, rung in rows.iterator(chunk_size=5000):
        rungs.setdefault(person, rung)
    return rungs


def mentees_of(requests: list[Request], rungs: dict[int, int], at: datetime.datetime) -> list[matching.Mentee]:
    mentees = []
    for request in requests:
        wants = request.wants.all()
        mentees.append(
            matching.Mentee(
                # The person, not the request: the engine's rules compare it with
                # mentors and reporting chains, which are people (one open request
                # per person per program, so it names the request too).
                key=request.mentee_id,
                gaps={key(request.framework_id, w.competency): (w.assessed, w.target) for w in wants},
                domains=frozenset(tags(request.domains)),
                style=request.style.name if request.style else None,
                utc_offset=utc_offset(request.mentee.timezone, at),
                chain=_above(request.mentee),
                rung=rungs.get(request.mentee_id),
                names={key(request.framework_id, w.competency): w.name for w in wants},
            )
        )
    return mentees


def open_load(mentor_ids: list[int] | None = None) -> dict[int, int]:
    """How many open mentorships each mentor has now."""
    rows = Relationship.objects.filter(status__in=OPEN)
    if mentor_ids is not None:
        rows = rows.filter(mentor__in=mentor_ids)
    return dict(rows.values_list("mentor").annotate(n=Count("pk")).values_list("mentor", "n"))


def mentor_profiles() -> QuerySet[MentorProfile]:
    return (
        MentorProfile.objects.filter(is_active=True, person__is_active=True)
        .select_related("person", "style")
        .prefetch_related(Prefetch("offers", queryset=Offer.objects.order_by()))
    )


def mentors_of(
    profiles: list[MentorProfile], load: dict[int, int], rungs: dict[int, int], at: datetime.datetime
) -> list[matching.Mentor]:
    today = at.date()
    mentors = []
    for profile in profiles:
        person = profile.person
        mentors.append(
            matching.Mentor(
                key=person.pk,
                offers={key(o.framework_id, o.competency): (o.proficiency, o.validated) for o in profile.offers.all()},
                capacity=max(profile.capacity - load.get(person.pk, 0), 0),
                domains=frozenset(tags(profile.domains)),
                style=profile.style.name if profile.style else None,
                utc_offset=utc_offset(person.timezone, at),
                chain=_above(person),
                rung=rungs.get(person.pk),
                paused=profile.is_paused(today),
            )
        )
    return mentors


def matching_inputs(
    requests: list[Request], profiles: list[MentorProfile], *, now: datetime.datetime, with_load: bool = True
) -> tuple[list[matching.Mentee], list[matching.Mentor]]:
    """The engine's view of these requests and mentor profiles: two queries (rungs, and
    each mentor's open mentorships unless `with_load` is off, as when only explaining)."""
    ids = [p.person_id for p in profiles]
    rungs = rungs_of([*ids, *(r.mentee_id for r in requests)])
    load = open_load(ids) if with_load else {}
    return mentees_of(requests, rungs, now), mentors_of(profiles, load, rungs, now)


def weights_of(program: Program) -> matching.Weights:
    return matching.Weights(
        gap=program.weight_gap,
        domain=program.weight_domain,
        style=program.weight_style,
        timezone=program.weight_timezone,
        self_claimed=program.self_claimed,
    )


def open_requests(program: Program) -> list[Request]:
    return list(
        Request.objects.filter(program=program, status=Request.Status.OPEN, mentee__is_active=True)
        .select_related("mentee", "style")
        .prefetch_related("wants")
        .order_by("created_at", "pk")
    )


# --- Self-serve suggestions --------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    mentor: User
    profile: MentorProfile
    score: float
    explanation: str
    room: int


def suggestions_for(
    request: Request, *, limit: int = SUGGESTIONS, domain: str = "", style_id: int | None = None
) -> list[Suggestion]:
    """The best mentors with room for `request`, best first, each explained (the same scoring as a round).

    Mentors who already declined this request, or who are already paired with
    the mentee, are left out.
    """
    now = timezone.now()
    profiles = list(mentor_profiles().exclude(person=request.mentee_id))
    if domain:
        profiles = [p for p in profiles if domain.lower() in tags(p.domains)]
    if style_id:
        profiles = [p for p in profiles if p.style_id == style_id]
    taken = set(
        Relationship.objects.filter(
            Q(request=request, status=Relationship.Status.DECLINED) | Q(mentee=request.mentee_id, status__in=OPEN)
        ).values_list("mentor", flat=True)
    )
    profiles = [p for p in profiles if p.person_id not in taken]
    if not profiles:
        return []
    mentee, mentors = matching_inputs([request], profiles, now=now)
    scores = matching.score(mentee, mentors, weights_of(request.program))
    ranked = sorted(
        (j for j in range(len(mentors)) if scores.allowed[0, j] and mentors[j].capacity > 0),
        key=lambda j: -scores.total[0, j],
    )[:limit]
    weights = weights_of(request.program)
    return [
        Suggestion(
            mentor=profiles[j].person,
            profile=profiles[j],
            score=float(scores.total[0, j]),
            explanation=matching.explain(scores, 0, j, weights),
            room=mentors[j].capacity,
        )
        for j in ranked
    ]


# --- Relationship pages ------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    name: str
    before: int | None
    after: int | None
    target: int

    @property
    def change(self) -> int | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


def movement_of(relationship: Relationship) -> list[Movement]:
    """Per wanted competency: the mentee's agreed rating when it began and now (or when it closed)."""
    request = relationship.request
    if request is None:
        return []
    wants = list(request.wants.all())
    if relationship.is_closed:
        after = relationship.ratings_after
    else:
        after = agreed_ratings(relationship.mentee, request.framework_id)
    return [
        Movement(w.name, relationship.ratings_before.get(w.competency), after.get(w.competency), w.target)
        for w in wants
    ]


def timeline_of(relationship: Relationship) -> list[Touchpoint]:
    return list(
        relationship.touchpoints.select_related("template").prefetch_related(
            Prefetch("actions", queryset=ActionItem.objects.select_related("owner"))
        )
    )


def open_actions_before(touchpoint: Touchpoint) -> list[ActionItem]:
    """Action items from earlier touchpoints still not done: they carry over until they are."""
    return list(
        ActionItem.objects.filter(
            relationship=touchpoint.relationship_id, done_at=None, touchpoint__starts_at__lt=touchpoint.starts_at
        ).select_related("owner", "touchpoint")
    )


# --- HR's dashboard ------------------------------------------------------------------------


@dataclass
class Dashboard:
    program: Program
    requests_open: int
    requests_total: int
    mentors: int
    relationships: dict[str, int]
    match_rate: float | None
    months: list[dict]
    quiet: list[Relationship]
    rounds: list[Round]

    @property
    def statuses(self) -> list[tuple[str, int]]:
        """(status as people read it, how many), in the order a mentorship goes through them."""
        return [(label, self.relationships[value]) for value, label in Relationship.Status.choices if self.relationships.get(value)]


QUIET_DAYS = 42


def dashboard_for(program: Program) -> Dashboard:
    today = timezone.localdate()
    requests = dict(
        Request.objects.filter(program=program).values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    statuses = dict(
        Relationship.objects.filter(program=program)
        .values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    asked = sum(requests.values())
    matched = requests.get(Request.Status.MATCHED, 0)
    live = Relationship.objects.filter(program=program, status__in=(Relationship.Status.ACTIVE, Relationship.Status.COMPLETED, Relationship.Status.PAUSED, Relationship.Status.ENDED))
    mentors = live.values("mentor").distinct().count()
    # Touchpoints held against touchpoints due, per period over the program so far.
    periods = []
    period = program.period_of(program.starts_on)
    last = program.period_of(min(today, program.ends_on))
    while period <= last and len(periods) < 36:
        periods.append(period)
        period = program.next_period(period)
    held = dict(
        Touchpoint.objects.filter(relationship__program=program, held=True)
        .values_list("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    spans = list(live.values_list("starts_on", "ends_on"))
    months = []
    peak = 1
    for start in periods:
        end = program.next_period(start)
        due = sum(1 for s, e in spans if s < end and e >= start)
        months.append({"period": start, "due": due, "held": held.get(start, 0)})
        peak = max(peak, due, held.get(start, 0))
    for month in months:
        month["due_pct"] = round(100 * month["due"] / peak)
        month["held_pct"] = round(100 * month["held"] / peak)
    quiet_since = timezone.now() - datetime.timedelta(days=QUIET_DAYS)
    quiet = list(
        gone_quiet(quiet_since)
        .filter(program=program)
        .select_related("mentee", "mentor")
        .only("starts_on", "ends_on", "status", "mentee__name", "mentee__email", "mentor__name", "mentor__email")
        .order_by("last_met")[:50]
    )
    return Dashboard(
        program=program,
        requests_open=requests.get(Request.Status.OPEN, 0),
        requests_total=asked,
        mentors=mentors,
        relationships=statuses,
        match_rate=(matched / asked) if asked else None,
        months=months,
        quiet=quiet,
        rounds=list(program.rounds.select_related("started_by")[:10]),
    )


ROUND_PAGE = 50


def _proposals(round: Round) -> QuerySet[Proposal]:
    return round.proposals.select_related("request__mentee", "mentor", "proposed_mentor").only(
        "round_id", "request_id", "score", "explanation", "unmatched_reason", "decision", "override_reason", "mentor_id",
        "proposed_mentor_id", "request__mentee__name", "request__mentee__title", "mentor__name", "proposed_mentor__name",
    )


def round_counts(round: Round) -> dict[str, int]:
    """How many proposals a round has, matched and not, and how many HR approved: one query."""
    return round.proposals.aggregate(
        matched=Count("pk", filter=Q(mentor__isnull=False)),
        unmatched=Count("pk", filter=Q(mentor__isnull=True)),
        approved=Count("pk", filter=Q(decision=Proposal.Decision.APPROVED)),
    )


def round_proposals(round: Round) -> list[Proposal]:
    """Every proposal of a round, best score first, those left unmatched last."""
    return list(_proposals(round).order_by(F("score").desc(nulls_last=True), "pk"))


def round_page(round: Round, *, matched: bool, number: int) -> list[Proposal]:
    """One page of a round's proposals (best score first), or of the mentees it left unmatched."""
    rows = _proposals(round).filter(mentor__isnull=not matched).order_by(F("score").desc(nulls_last=True), "pk")
    start = (number - 1) * ROUND_PAGE
    return list(rows[start : start + ROUND_PAGE])


def proposal_get_for_hr(user: User, round: Round, pk: int) -> Proposal:
    try:
        proposals = round.proposals.select_related("request__mentee", "request__program", "mentor")
        return (proposals if is_hr(user) else proposals.none()).get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404("No such proposal in this round.") from None
