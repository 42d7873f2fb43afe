"""Writes for mentorship: each rule enforced here, once, inside a transaction."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from people.models import User
from people.queueing import delay_or_log
from people.services import notification_send

from . import matching, selectors
from .models import (
    ActionItem,
    AgendaTemplate,
    CalendarFeed,
    MentorProfile,
    Offer,
    Program,
    Proposal,
    Relationship,
    Request,
    Round,
    Style,
    Touchpoint,
    Want,
)


# --- Mentor profiles -------------------------------------------------------------------


@transaction.atomic
def mentor_profile_save(
    *,
    person: User,
    is_active: bool,
    capacity: int,
    domains: str,
    style: Style | None,
    availability: str,
    paused_until: datetime.date | None,
    offers: Mapping[str, int | None],
) -> MentorProfile:
    """Save what `person` offers. `offers` maps a competency slug of their framework to the
    proficiency they claim; a competency their latest agreed assessment rated takes that
    rating instead, marked validated."""
    growth = selectors.growth_of(person)
    if growth is None and offers:
        raise ValidationError("You need a level on a published career framework before you can offer competencies.")
    profile, _ = MentorProfile.objects.select_for_update().get_or_create(person=person)
    profile.is_active, profile.capacity, profile.domains = is_active, capacity, domains.strip()
    profile.style, profile.availability, profile.paused_until = style, availability.strip(), paused_until
    profile.updated_at = timezone.now()
    profile.full_clean()
    profile.save()
    profile.offers.all().delete()
    if growth is None:
        return profile
    names = {gap.slug: gap.name for gap in growth.gaps}
    values = {value for value, _ in growth.scale}
    rows, errors = [], {}
    for slug, claimed in offers.items():
        if slug not in names:
            errors[slug] = f"{slug} is not a competency of {growth.framework_name}."
            continue
        if slug in growth.agreed:
            rows.append(Offer(profile=profile, framework_id=growth.framework_id, competency=slug, name=names[slug], proficiency=growth.agreed[slug], validated=True))
        elif claimed in values:
            rows.append(Offer(profile=profile, framework_id=growth.framework_id, competency=slug, name=names[slug], proficiency=claimed, validated=False))
        else:
            errors[slug] = f"Say how far along you are in {names[slug]}: no agreed assessment rates it yet."
    if errors:
        raise ValidationError(errors)
    Offer.objects.bulk_create(rows)
    return profile


# --- Requests ---------------------------------------------------------------------------


def _months_later(day: datetime.date, months: int) -> datetime.date:
    return day + relativedelta(months=months)


@transaction.atomic
def request_submit(
    *,
    mentee: User,
    program: Program,
    goals: str,
    competencies: Iterable[str],
    domains: str = "",
    style: Style | None = None,
    duration: int,
) -> Request:
    """Ask `program` for a mentor, to grow `competencies` (slugs of the mentee's framework)."""
    if not selectors.programs_open_to(mentee).filter(pk=program.pk).exists():
        raise PermissionDenied("This program is not open to you.")
    growth = selectors.growth_of(mentee)
    if growth is None:
        raise ValidationError("You need a level on a published career framework before you can ask for a mentor.")
    errors: dict[str, str] = {}
    if not goals.strip():
        errors["goals"] = "Say in a sentence or two what you want to get out of it."
    if not program.duration_min <= duration <= program.duration_max:
        errors["duration"] = f"Choose between {program.duration_min} and {program.duration_max} months."
    gaps = {gap.slug: gap for gap in growth.gaps}
    chosen = list(dict.fromkeys(competencies))
    top = max(value for value, _ in growth.scale)
    if not chosen:
        errors["competencies"] = "Choose at least one competency to grow."
    for slug in chosen:
        if slug not in gaps:
            errors["competencies"] = f"{slug} is not a competency of {growth.framework_name}."
        elif gaps[slug].assessed >= top:
            errors["competencies"] = f"You are already at the top of the scale in {gaps[slug].name}."
    if len(chosen) > 8:
        errors["competencies"] = "Choose at most eight: a mentorship that grows everything grows nothing."
    if errors:
        raise ValidationError(errors)
    if selectors.open_request_of(mentee, program) is not None:
        raise ValidationError("You already have an open request in this program; change or withdraw it first.")
    current = selectors.mentor_of(mentee, program)
    if current is not None:
        raise ValidationError(f"{current.mentor} is already your mentor in this program; one at a time.")
    try:
        with transaction.atomic():
            request = Request.objects.create(
                program=program, mentee=mentee, goals=goals.strip(), framework_id=growth.framework_id,
                domains=domains.strip(), style=style, duration=duration,
            )
    except IntegrityError:
        # The same request sent twice at once: the database keeps one.
        raise ValidationError("You already have an open request in this program; change or withdraw it first.") from None
    Want.objects.bulk_create(
        Want(
            request=request, competency=slug, name=gaps[slug].name, assessed=gaps[slug].assessed,
            # Already at the next level's expectation: a step beyond it is the aim.
            target=max(gaps[slug].target, gaps[slug].assessed + 1),
        )
        for slug in chosen
    )
    return request


@transaction.atomic
def request_withdraw(*, request: Request, actor: User) -> Request:
    request = Request.objects.select_for_update().get(pk=request.pk)
    if request.mentee_id != actor.pk:
        raise PermissionDenied("Only the person who asked can withdraw a request.")
    if request.status != Request.Status.OPEN:
        return request
    request.status, request.updated_at = Request.Status.WITHDRAWN, timezone.now()
    request.save(update_fields=["status", "updated_at"])
    Relationship.objects.filter(request=request, status=Relationship.Status.PROPOSED).update(
        status=Relationship.Status.ENDED, reason="The request was withdrawn.", closed_at=timezone.now()
    )
    return request


# --- Programs ------------------------------------------------------------------------------


@transaction.atomic
def program_create(*, actor: User, departments: Iterable = (), **fields) -> Program:
    """A new program, run by HR; `fields` are the program's own (name, dates, durations, weights)."""
    if not selectors.is_hr(actor):
        raise PermissionDenied("Programs are run by HR.")
    program = Program(created_by=actor, **fields)
    program.full_clean()
    program.save()
    program.departments.set(departments)
    return program


# --- Rounds ------------------------------------------------------------------------------


@transaction.atomic
def round_start(*, program: Program, actor: User) -> Round:
    if not selectors.is_hr(actor):
        raise PermissionDenied("Only HR runs matching rounds.")
    Program.objects.select_for_update().get(pk=program.pk)
    busy = program.rounds.filter(status__in=(Round.Status.QUEUED, Round.Status.RUNNING)).first()
    if busy is not None:
        return busy
    round = Round.objects.create(program=program, started_by=actor, stage="Waiting for a worker")
    from .tasks import round_run  # tasks import services

    # A round that never reaches a worker is started by beat (tasks.rounds_queued_run).
    transaction.on_commit(lambda: delay_or_log(round_run, round.pk, what=f"the matching of round {round.pk}"))
    return round


def _progress(round_id: int, progress: int, stage: str) -> None:
    # Outside the round's own transaction, so the page polling it sees each step.
    Round.objects.filter(pk=round_id).update(progress=progress, stage=stage)


def round_compute(*, round_id: int) -> Round | None:
    """Match a round: read the open requests and mentors, solve, and keep the proposals to preview.

    Claimed with a conditional UPDATE: a retried or duplicated task finds the
    round already taken and does nothing.
    """
    claimed = Round.objects.filter(pk=round_id, status=Round.Status.QUEUED).update(
        status=Round.Status.RUNNING, progress=5, stage="Reading requests and mentors"
    )
    if not claimed:
        return None
    round = Round.objects.select_related("program").get(pk=round_id)
    try:
        now = timezone.now()
        requests = selectors.open_requests(round.program)
        profiles = list(selectors.mentor_profiles())
        mentees, mentors = selectors.matching_inputs(requests, profiles, now=now)
        _progress(round_id, 30, f"Scoring {len(mentees)} requests against {len(mentors)} mentors")
        weights = selectors.weights_of(round.program)
        scores = matching.score(mentees, mentors, weights)
        _progress(round_id, 60, "Finding the best assignment overall")
        pairs = matching.solve(scores)
        _progress(round_id, 85, "Writing the proposals")
        matched = {i for i, _ in pairs}
        rows = [
            Proposal(
                round=round, request=requests[i], mentor_id=mentors[j].key, proposed_mentor_id=mentors[j].key,
                score=float(scores.total[i, j]), explanation=matching.explain(scores, i, j, weights),
            )
            for i, j in pairs
        ]
        rows += [
            Proposal(round=round, request=requests[i], unmatched_reason=matching.unmatched_reason(scores, i))
            for i in range(len(requests))
            if i not in matched
        ]
        with transaction.atomic():
            Proposal.objects.bulk_create(rows, batch_size=1000)
            Round.objects.filter(pk=round_id).update(
                status=Round.Status.READY, progress=100, stage=f"{len(pairs)} of {len(requests)} requests matched",
                finished_at=timezone.now(), total_score=float(sum(p.score for p in rows if p.score)),
            )
    except Exception as error:
        Round.objects.filter(pk=round_id).update(
            status=Round.Status.FAILED, stage="Failed", error=f"{type(error).__name__}: {error}", finished_at=timezone.now()
        )
        raise
    round.refresh_from_db()
    return round


def _editable(round: Round) -> Round:
    round = Round.objects.select_for_update().get(pk=round.pk)
    if round.status != Round.Status.READY:
        raise ValidationError(f"This round is {round.get_status_display().lower()}: its proposals can no longer change.")
    return round


@transaction.atomic
def proposals_decide(*, round: Round, actor: User, proposal_ids: Iterable[int] | None, approve: bool) -> int:
    """Approve (or leave out) some of a round's proposals, or all of them when `proposal_ids` is None."""
    if not selectors.is_hr(actor):
        raise PermissionDenied("Only HR reviews matching rounds.")
    _editable(round)
    proposals = round.proposals.exclude(mentor=None)
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=list(proposal_ids))
    decision = Proposal.Decision.APPROVED if approve else Proposal.Decision.REJECTED
    return proposals.exclude(decision=decision).update(decision=decision, decided_by=actor)


def pair_problem(mentee: User, mentor: User) -> str | None:
    """Why `mentor` may not mentor `mentee` as the organisation is now, in words, or None."""
    if mentee.pk == mentor.pk:
        return "Nobody mentors themselves."
    if not mentor.is_active:
        return f"{mentor} has left."
    if f"/{mentor.pk}/" in mentee.reporting_path or f"/{mentee.pk}/" in mentor.reporting_path:
        return f"{mentor} is in {mentee}'s management chain; a mentor comes from outside it."
    return None


def _room_problem(mentor: User, *, taking: int = 1, already: int = 0) -> str | None:
    """Why `mentor` cannot take `taking` more mentees now (paused, not offering, or full), or None.

    Locks the mentor's profile, so two people asking at once cannot both take the last place.
    `already` counts places this change has set aside (a round's other approved pairs).
    """
    profile = MentorProfile.objects.select_for_update().filter(person=mentor).first()
    if profile is None or not profile.is_active:
        return f"{mentor} does not offer to mentor."
    if profile.is_paused():
        return f"{mentor} is paused until {profile.paused_until:%-d %B %Y}."
    load = selectors.open_load([mentor.pk]).get(mentor.pk, 0) + already
    if load + taking > profile.capacity:
        return f"{mentor} has no room: {profile.capacity} mentee{'s' if profile.capacity != 1 else ''} at most."
    return None


def pair_explanation(request: Request, mentor: User) -> str:
    """The engine's plain words for a pair HR chose by hand."""
    now = timezone.now()
    profiles = list(selectors.mentor_profiles().filter(person=mentor))
    if not profiles:
        return ""
    weights = selectors.weights_of(request.program)
    scores = matching.score(*selectors.matching_inputs([request], profiles, now=now, with_load=False), weights)
    return matching.explain(scores, 0, 0, weights)


@transaction.atomic
def proposal_override(*, proposal: Proposal, actor: User, mentor: User, reason: str) -> Proposal:
    """Pair a request with a mentor HR chose instead of the engine's; the reason is kept with the round."""
    if not selectors.is_hr(actor):
        raise PermissionDenied("Only HR overrides a proposal.")
    _editable(proposal.round)
    proposal = (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("request__mentee", "request__program", "round")
        .get(pk=proposal.pk)
    )
    errors = {}
    if not reason.strip():
        errors["reason"] = "Say why you chose otherwise: the reason is kept with the round."
    problem = pair_problem(proposal.request.mentee, mentor)
    if problem is None:
        others = (
            proposal.round.proposals.filter(mentor=mentor, decision=Proposal.Decision.APPROVED).exclude(pk=proposal.pk).count()
        )
        problem = _room_problem(mentor, already=others)
    if problem:
        errors["mentor"] = problem
    if errors:
        raise ValidationError(errors)
    proposal.mentor = mentor
    proposal.override_reason = reason.strip()
    proposal.decision = Proposal.Decision.APPROVED
    proposal.decided_by = actor
    proposal.unmatched_reason = ""
    # What the pair is told is why they fit, in the engine's words; HR's reason stays with the round.
    proposal.explanation = pair_explanation(proposal.request, mentor)
    proposal.score = None
    proposal.save()
    return proposal


def _snapshot(mentee: User, request: Request) -> dict[str, int | None]:
    agreed = selectors.agreed_ratings(mentee, request.framework_id)
    return {want.competency: agreed.get(want.competency) for want in request.wants.all()}


@dataclass
class Published:
    started: list[Relationship] = field(default_factory=list)
    # (mentee, mentor, why not): pairs the organisation no longer allows, left open for the next round.
    skipped: list[tuple[User, User, str]] = field(default_factory=list)


@transaction.atomic
def round_publish(*, round: Round, actor: User) -> Published:
    """Turn a round's approved proposals into mentorships and tell both sides. Runs once.

    Each pair is checked again as things are now: someone may have moved into
    the other's reporting line, paused, or filled up since the preview. A pair
    that no longer may be is left out and its mentee stays open.
    """
    if not selectors.is_hr(actor):
        raise PermissionDenied("Only HR publishes matching rounds.")
    round = _editable(round)
    approved = list(
        round.proposals.filter(decision=Proposal.Decision.APPROVED)
        .exclude(mentor=None)
        .select_related("request__mentee", "request__program", "mentor")
        .order_by("pk")
    )
    if not approved:
        raise ValidationError("Approve at least one proposal before publishing.")
    today = timezone.localdate()
    program = round.program
    published = Published()
    for proposal in approved:
        request, mentor = proposal.request, proposal.mentor
        if request.status != Request.Status.OPEN:
            continue
        # The mentee's own pending request to this mentor counts as theirs already.
        asked = Relationship.objects.filter(
            program=program, mentee=request.mentee, mentor=mentor, status__in=selectors.OPEN
        ).first()
        problem = pair_problem(request.mentee, mentor) or (None if asked else _room_problem(mentor))
        if problem is None and asked is not None and asked.status != Relationship.Status.PROPOSED:
            problem = f"{request.mentee} and {mentor} are already paired."
        if problem:
            published.skipped.append((request.mentee, mentor, problem))
            continue
        start = max(today, program.starts_on)
        fields = {
            "request": request, "source": Relationship.Source.ROUND, "goals": request.goals,
            "explanation": proposal.explanation, "status": Relationship.Status.ACTIVE, "starts_on": start,
            "ends_on": _months_later(start, request.duration), "ratings_before": _snapshot(request.mentee, request),
            "decided_at": timezone.now(),
        }
        if asked is not None:
            for name, value in fields.items():
                setattr(asked, name, value)
            asked.save()
            relationship = asked
        else:
            relationship = Relationship.objects.create(program=program, mentee=request.mentee, mentor=mentor, **fields)
        _request_matched(request, relationship)
        published.started.append(relationship)
        url = relationship.get_absolute_url()
        notification_send(
            recipient=request.mentee, title=f"{mentor} is your mentor in {program}",
            body=f"Why you were paired: {proposal.explanation}. Plan your first touchpoint together.", url=url,
            subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.paired",
        )
        notification_send(
            recipient=mentor, title=f"You are mentoring {request.mentee} in {program}",
            body=f"Their goals: {request.goals}", url=url,
            subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.paired",
        )
    round.status, round.published_at = Round.Status.PUBLISHED, timezone.now()
    round.save(update_fields=["status", "published_at"])
    return published


def _request_matched(request: Request, relationship: Relationship) -> None:
    """The request has its mentor: mark it, and close any other ask still waiting on it."""
    Request.objects.filter(pk=request.pk).update(status=Request.Status.MATCHED, updated_at=timezone.now())
    waiting = Relationship.objects.filter(request=request, status=Relationship.Status.PROPOSED).exclude(pk=relationship.pk)
    for other in waiting.select_related("mentor"):
        other.status, other.closed_at = Relationship.Status.ENDED, timezone.now()
        other.reason = "They have been matched with another mentor."
        other.save(update_fields=["status", "closed_at", "reason"])


# --- Self-serve -------------------------------------------------------------------------------


@transaction.atomic
def relationship_ask(*, request: Request, mentor: User, actor: User) -> Relationship:
    """A mentee asks one of their suggestions to mentor them; the mentor accepts or declines."""
    request = Request.objects.select_for_update(of=("self",)).select_related("mentee", "program").get(pk=request.pk)
    if request.mentee_id != actor.pk:
        raise PermissionDenied("Only the person who asked can choose their mentor.")
    if request.status != Request.Status.OPEN:
        raise ValidationError("This request is no longer open.")
    existing = Relationship.objects.filter(request=request, mentor=mentor, status=Relationship.Status.PROPOSED).first()
    if existing is not None:
        return existing
    if Relationship.objects.filter(request=request, status=Relationship.Status.PROPOSED).exists():
        raise ValidationError("You have already asked someone; wait for their answer or withdraw the request.")
    if mentor.pk not in {s.mentor.pk for s in selectors.suggestions_for(request, limit=50)}:
        raise ValidationError(f"{mentor} cannot take you on in this program right now.")
    problem = _room_problem(mentor)  # and holds the mentor's place until this commits
    if problem:
        raise ValidationError(problem)
    start = max(timezone.localdate(), request.program.starts_on)
    relationship = Relationship.objects.create(
        program=request.program, request=request, mentee=request.mentee, mentor=mentor,
        source=Relationship.Source.REQUESTED, goals=request.goals, status=Relationship.Status.PROPOSED,
        starts_on=start, ends_on=_months_later(start, request.duration),
    )
    notification_send(
        recipient=mentor, title=f"{request.mentee} asks you to mentor them",
        body=f"Their goals: {request.goals}", url=relationship.get_absolute_url(),
        subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.asked",
    )
    return relationship


def _locked(relationship: Relationship) -> Relationship:
    return Relationship.objects.select_for_update(of=("self",)).select_related("mentee", "mentor", "program", "request").get(pk=relationship.pk)


@transaction.atomic
def relationship_accept(*, relationship: Relationship, actor: User) -> Relationship:
    relationship = _locked(relationship)
    if relationship.mentor_id != actor.pk:
        raise PermissionDenied("Only the mentor asked can accept.")
    if relationship.status == Relationship.Status.ACTIVE:
        return relationship
    if relationship.status != Relationship.Status.PROPOSED:
        raise ValidationError("This request has already been answered.")
    if relationship.request is not None:
        request = Request.objects.select_for_update().get(pk=relationship.request_id)
        if request.status != Request.Status.OPEN:
            raise ValidationError(f"{relationship.mentee} is no longer looking for a mentor in this program.")
    problem = pair_problem(relationship.mentee, relationship.mentor)
    if problem:
        raise ValidationError(problem)
    # This ask already holds one of the mentor's places: taking it needs no other.
    problem = _room_problem(relationship.mentor, taking=0)
    if problem:
        raise ValidationError(f"{problem} Change your mentor profile first, or decline.")
    relationship.status, relationship.decided_at = Relationship.Status.ACTIVE, timezone.now()
    if relationship.request is not None:
        relationship.ratings_before = _snapshot(relationship.mentee, relationship.request)
        _request_matched(relationship.request, relationship)
    relationship.save()
    notification_send(
        recipient=relationship.mentee, title=f"{relationship.mentor} will mentor you",
        body="Plan your first touchpoint together.", url=relationship.get_absolute_url(),
        subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.accepted",
    )
    return relationship


@transaction.atomic
def relationship_decline(*, relationship: Relationship, actor: User, reason: str) -> Relationship:
    relationship = _locked(relationship)
    if relationship.mentor_id != actor.pk:
        raise PermissionDenied("Only the mentor asked can decline.")
    if relationship.status == Relationship.Status.DECLINED:
        return relationship
    if relationship.status != Relationship.Status.PROPOSED:
        raise ValidationError("This request has already been answered.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why, kindly: the person who asked reads it."})
    relationship.status, relationship.reason = Relationship.Status.DECLINED, reason.strip()
    relationship.decided_at = relationship.closed_at = timezone.now()
    relationship.save()
    url = reverse("mentorship:find", args=[relationship.program.slug])
    notification_send(
        recipient=relationship.mentee, title=f"{relationship.mentor} cannot mentor you this time",
        body=f"{relationship.reason}\n\nYour request is still open: there are fresh suggestions waiting.", url=url,
        subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.declined",
    )
    return relationship


def _side(relationship: Relationship, actor: User) -> str:
    if actor.pk == relationship.mentee_id:
        return "mentee"
    if actor.pk == relationship.mentor_id:
        return "mentor"
    raise PermissionDenied("Only the mentor and mentee change a mentorship.")


@transaction.atomic
def relationship_pause(*, relationship: Relationship, actor: User, pause: bool) -> Relationship:
    relationship = _locked(relationship)
    _side(relationship, actor)
    wanted, allowed_from = (
        (Relationship.Status.PAUSED, Relationship.Status.ACTIVE) if pause else (Relationship.Status.ACTIVE, Relationship.Status.PAUSED)
    )
    if relationship.status == wanted:
        return relationship
    if relationship.status != allowed_from:
        raise ValidationError(f"A mentorship that is {relationship.get_status_display().lower()} cannot be {'paused' if pause else 'resumed'}.")
    relationship.status = wanted
    relationship.save(update_fields=["status"])
    return relationship


@transaction.atomic
def relationship_end(*, relationship: Relationship, actor: User, reason: str) -> Relationship:
    relationship = _locked(relationship)
    _side(relationship, actor)
    if relationship.status == Relationship.Status.ENDED:
        return relationship
    if relationship.status not in (Relationship.Status.ACTIVE, Relationship.Status.PAUSED):
        raise ValidationError("Only an active or paused mentorship can be ended early.")
    if not reason.strip():
        raise ValidationError({"reason": "Say why it ends early; both of you will read it."})
    _close(relationship, Relationship.Status.ENDED)
    relationship.reason = reason.strip()
    relationship.save()
    other = relationship.mentor if actor.pk == relationship.mentee_id else relationship.mentee
    notification_send(
        recipient=other, title=f"{actor} ended your mentorship early", body=relationship.reason,
        url=relationship.get_absolute_url(), subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.ended",
    )
    return relationship


def _close(relationship: Relationship, status: str) -> None:
    relationship.status, relationship.closed_at = status, timezone.now()
    if relationship.request is not None:
        relationship.ratings_after = _snapshot(relationship.mentee, relationship.request)


def reflection_open(relationship: Relationship) -> bool:
    """A closing reflection is written in the last month of a mentorship, or once it is over."""
    if relationship.is_closed:
        return True
    return relationship.status in (Relationship.Status.ACTIVE, Relationship.Status.PAUSED) and (
        relationship.ends_on <= timezone.localdate() + datetime.timedelta(days=30)
    )


@transaction.atomic
def relationship_reflect(*, relationship: Relationship, actor: User, text: str) -> Relationship:
    relationship = _locked(relationship)
    side = _side(relationship, actor)
    if not reflection_open(relationship):
        raise ValidationError("A closing reflection is written in the last month or once the mentorship is over.")
    if len(text) > 4000:
        raise ValidationError({"text": f"Keep it under 4,000 characters (it has {len(text):,})."})
    setattr(relationship, f"{side}_reflection", text.strip())
    relationship.save(update_fields=[f"{side}_reflection"])
    return relationship


def relationships_complete_due(*, today: datetime.date | None = None) -> int:
    """Complete mentorships whose end date plus the program's grace period has passed."""
    today = today or timezone.localdate()
    due = Relationship.objects.filter(
        status__in=(Relationship.Status.ACTIVE, Relationship.Status.PAUSED), ends_on__lt=today
    ).select_related("program")
    done = 0
    for candidate in list(due[:500]):
        if candidate.ends_on + datetime.timedelta(days=candidate.program.grace_days) >= today:
            continue
        with transaction.atomic():
            relationship = _locked(candidate)
            if relationship.status not in (Relationship.Status.ACTIVE, Relationship.Status.PAUSED):
                continue
            _close(relationship, Relationship.Status.COMPLETED)
            relationship.save()
            for person in (relationship.mentee, relationship.mentor):
                notification_send(
                    recipient=person, title="Your mentorship is complete",
                    body="Write a closing reflection: what changed, what you would do again.",
                    url=relationship.get_absolute_url(),
                    subject=f"mentorship.relationship:{relationship.pk}", rule="mentorship.completed",
                )
            done += 1
    return done


# --- Touchpoints --------------------------------------------------------------------------------


def _period_label(program: Program, period: datetime.date) -> str:
    if program.cadence == Program.Cadence.MONTHLY:
        return f"{period:%B %Y}"
    end = program.next_period(period) - datetime.timedelta(days=1)
    return f"{period:%B} to {end:%B %Y}"


@transaction.atomic
def touchpoint_log(
    *,
    relationship: Relationship,
    actor: User,
    starts_at: datetime.datetime,
    minutes: int = 45,
    template: AgendaTemplate | None = None,
    agenda: str = "",
) -> Touchpoint:
    """Plan (or record) the touchpoint of a period; one per relationship per period."""
    relationship = _locked(relationship)
    _side(relationship, actor)
    if relationship.status != Relationship.Status.ACTIVE:
        raise ValidationError("Touchpoints are planned in an active mentorship.")
    problem = _when_problem(relationship, starts_at)
    if problem:
        raise ValidationError(problem)
    period = relationship.program.period_of(timezone.localtime(starts_at).date())
    if not agenda.strip() and template is not None:
        agenda = template.agenda
    touchpoint = Touchpoint(
        relationship=relationship, period=period, starts_at=starts_at, minutes=minutes, template=template,
        agenda=agenda.strip(), created_by=actor, held=starts_at <= timezone.now(),
    )
    try:
        with transaction.atomic():
            touchpoint.save()
    except IntegrityError:
        raise ValidationError(
            {"starts_at": f"There is already a touchpoint for {_period_label(relationship.program, period)}: one per period."}
        ) from None
    return touchpoint


# After a mentorship closes, the pair have this long to finish its notes and actions.
WRAP_UP = datetime.timedelta(days=30)


def touchpoints_editable(relationship: Relationship) -> bool:
    """Whether the pair may still change touchpoints, notes and actions: while the mentorship
    is active or paused, and for a month after it completed or ended."""
    if relationship.status in (Relationship.Status.ACTIVE, Relationship.Status.PAUSED):
        return True
    if relationship.is_closed and relationship.closed_at is not None:
        return timezone.now() - relationship.closed_at <= WRAP_UP
    return False


def _check_editable(relationship: Relationship) -> None:
    if not touchpoints_editable(relationship):
        if relationship.is_closed:
            raise ValidationError("This mentorship closed over a month ago; its touchpoints are kept as they were.")
        raise ValidationError("Touchpoints are written once the mentorship has started.")


def _when_problem(relationship: Relationship, starts_at: datetime.datetime) -> dict | None:
    day = timezone.localtime(starts_at).date()
    last = relationship.ends_on + datetime.timedelta(days=relationship.program.grace_days)
    if not relationship.starts_on <= day <= last:
        return {"starts_at": f"Choose a day between {relationship.starts_on:%-d %b %Y} and {last:%-d %b %Y}."}
    return None


@transaction.atomic
def touchpoint_move(*, touchpoint: Touchpoint, actor: User, starts_at: datetime.datetime, minutes: int) -> Touchpoint:
    """Another day or length for a touchpoint not yet held; still one per period."""
    touchpoint = Touchpoint.objects.select_for_update(of=("self",)).select_related("relationship__program").get(pk=touchpoint.pk)
    relationship = touchpoint.relationship
    _side(relationship, actor)
    _check_editable(relationship)
    if touchpoint.held:
        raise ValidationError("This touchpoint was held: it stays on the day it happened.")
    problem = _when_problem(relationship, starts_at)
    if problem:
        raise ValidationError(problem)
    period = relationship.program.period_of(timezone.localtime(starts_at).date())
    touchpoint.starts_at, touchpoint.minutes, touchpoint.period = starts_at, minutes, period
    touchpoint.updated_at = timezone.now()
    try:
        with transaction.atomic():
            touchpoint.save(update_fields=["starts_at", "minutes", "period", "updated_at"])
    except IntegrityError:
        raise ValidationError(
            {"starts_at": f"There is already a touchpoint for {_period_label(relationship.program, period)}: one per period."}
        ) from None
    return touchpoint


@transaction.atomic
def touchpoint_cancel(*, touchpoint: Touchpoint, actor: User) -> Relationship:
    """Call off a touchpoint not yet held, as long as nothing was written in it."""
    touchpoint = Touchpoint.objects.select_for_update(of=("self",)).select_related("relationship").get(pk=touchpoint.pk)
    relationship = touchpoint.relationship
    _side(relationship, actor)
    _check_editable(relationship)
    if touchpoint.held:
        raise ValidationError("This touchpoint was held: it stays in your history.")
    if touchpoint.notes.strip() or touchpoint.actions.exists():
        raise ValidationError("It has notes or action items: move it to another day instead.")
    touchpoint.delete()
    return relationship


def touchpoint_version(touchpoint: Touchpoint) -> str:
    """What a form remembers of the touchpoint it was opened on (see touchpoint_update)."""
    return touchpoint.updated_at.isoformat()


@transaction.atomic
def touchpoint_update(*, touchpoint: Touchpoint, actor: User, version: str | None = None, **changes) -> Touchpoint:
    """Change a touchpoint's agenda, notes or whether it was held (both sides may).

    With `version` (see touchpoint_version), a change made on a copy the other
    side has saved over since is refused rather than silently erasing theirs.
    """
    touchpoint = Touchpoint.objects.select_for_update(of=("self",)).select_related("relationship").get(pk=touchpoint.pk)
    _side(touchpoint.relationship, actor)
    _check_editable(touchpoint.relationship)
    if version and version != touchpoint_version(touchpoint):
        raise ValidationError(
            "The other side has saved this touchpoint since you opened it. Copy what you wrote, reload the page "
            "to see their changes, and add yours again."
        )
    if changes.get("held") and touchpoint.starts_at > timezone.now():
        raise ValidationError({"held": "It has not happened yet: tick this once you have met."})
    allowed = {"agenda", "notes", "held"}
    for name, value in changes.items():
        if name not in allowed:
            raise ValueError(name)
        setattr(touchpoint, name, value.strip() if isinstance(value, str) else value)
    touchpoint.updated_at = timezone.now()
    touchpoint.full_clean(exclude=["relationship", "template", "created_by"])
    touchpoint.save(update_fields=[*changes, "updated_at"])
    return touchpoint


@transaction.atomic
def action_add(*, touchpoint: Touchpoint, actor: User, text: str, owner: User, due_on: datetime.date | None) -> ActionItem:
    relationship = touchpoint.relationship
    _side(relationship, actor)
    _check_editable(relationship)
    errors = {}
    if not text.strip():
        errors["text"] = "Say what will be done."
    elif len(text.strip()) > 300:
        errors["text"] = f"Keep it under 300 characters (it has {len(text.strip())})."
    if owner.pk not in (relationship.mentee_id, relationship.mentor_id):
        errors["owner"] = "An action belongs to the mentor or the mentee."
    if due_on is not None and due_on < timezone.localdate():
        errors["due_on"] = "Choose today or a day to come."
    if errors:
        raise ValidationError(errors)
    # A double click adds it once: the same action, just added, is the one returned.
    Touchpoint.objects.select_for_update().filter(pk=touchpoint.pk).first()
    just_added = ActionItem.objects.filter(
        touchpoint=touchpoint, text=text.strip(), owner=owner, due_on=due_on,
        created_at__gte=timezone.now() - datetime.timedelta(minutes=1),
    ).first()
    if just_added is not None:
        return just_added
    return ActionItem.objects.create(
        relationship=relationship, touchpoint=touchpoint, text=text.strip(), owner=owner, due_on=due_on
    )


@transaction.atomic
def action_mark(*, action: ActionItem, actor: User, done: bool) -> ActionItem:
    action = ActionItem.objects.select_for_update(of=("self",)).select_related("relationship").get(pk=action.pk)
    _side(action.relationship, actor)
    _check_editable(action.relationship)
    if done and action.done_at is None:
        action.done_at = timezone.now()
    elif not done:
        action.done_at = None
    action.save(update_fields=["done_at"])
    return action


# --- Calendar feed -------------------------------------------------------------------------------


def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_rotate(*, person: User) -> str:
    """A new secret address for `person`'s calendar; the old one stops answering at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(person=person, defaults={"digest": feed_digest(token), "created_at": timezone.now()})
    return token


def calendar_feed_revoke(*, person: User) -> None:
    CalendarFeed.objects.filter(person=person).delete()

