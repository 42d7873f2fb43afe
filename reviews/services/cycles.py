"""Review cycles: HR open one for a population and a period, with its phases and written
sections; then add someone late, remove someone with a reason, extend a deadline or close
a phase early. Every change after opening is in the audit log (see apps.py).

Who does what:
- HR admins alone open and change cycles.
- A participant is reviewed against the level they hold on the day they join the cycle
  (their placement then), kept on their row.
- Phases run in PHASE_ORDER, each opening no earlier than the one before it; the release
  is on or after the day calibration closes. Upward reviews are optional.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from ladders.selectors.careers import standing_columns
from people.audit import acting_as
from people.models import Department, Team, User

from ..models import Cycle, Participant, Phase, Section
from ..models.cycles import NAME_MAX_LENGTH, PHASE_ORDER, REASON_MAX_LENGTH

# The phases every cycle has; upward reviews are the cycle's choice.
PHASES_REQUIRED = [kind for kind in PHASE_ORDER if kind != Phase.Kind.UPWARD]
SECTIONS_MAX = 8
EMAILS_MAX = 20000
DEFAULT_SECTIONS = (
    ("Strengths", "What went well, with examples: what should they keep doing?"),
    ("Growth", "Where would they grow most in the next period, and how?"),
    ("Impact", "What difference did their work make this period?"),
)


def day_name(day: datetime.date) -> str:
    """"3 December 2026"."""
    return f"{day.day} {day:%B %Y}"


def _plausible(day: datetime.date) -> bool:
    """A day within ten years of today either way (a mistyped year is caught at its field)."""
    return abs((day - timezone.localdate()).days) <= 3653


def _may_run(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_active and actor.sees_everyone):
        raise PermissionDenied("HR admins run review cycles.")


# --- Who is in a cycle --------------------------------------------------------------------------


@dataclass(frozen=True)
class Population:
    """Who a new cycle reviews: everyone, or the people of some departments and teams and
    of a list of e-mail addresses (one a line), together."""

    everyone: bool = False
    departments: Sequence[int] = ()
    teams: Sequence[int] = ()
    emails: str = ""


def _emails_people(text: str, errors: dict[str, str]) -> list[int]:
    """The people a list of addresses names, one a line (blank lines and repeats are fine);
    every line that is no address of someone working here is an error, by its number."""
    lines = (text or "").splitlines()
    if len(lines) > EMAILS_MAX:
        errors["emails"] = f"Give at most {EMAILS_MAX:,} addresses."
        return []
    wanted: dict[str, int] = {}
    problems: list[tuple[int, str]] = []
    for number, line in enumerate(lines, start=1):
        address = line.strip().lower()
        if not address:
            continue
        try:
            validate_email(address)
        except ValidationError:
            problems.append((number, f"line {number}: “{address[:80]}” is not an e-mail address"))
            continue
        wanted.setdefault(address, number)
    found: dict[str, int] = {}
    if wanted:
        rows = User.objects.filter(is_active=True).alias(key=Lower("email")).filter(key__in=list(wanted))
        found = {email.lower(): pk for email, pk in rows.values_list("email", "pk")}
    problems += [
        (number, f"line {number}: nobody working here has the address {address}")
        for address, number in wanted.items()
        if address not in found
    ]
    if problems:
        problems.sort()
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        errors["emails"] = "Check " + "; ".join(text for _, text in problems[:10]) + more + "."
    return list(found.values())


def _keys(values) -> list[int] | None:
    """Distinct primary keys from objects, numbers or their digits; None if any is not one."""
    keys = set()
    for value in values or ():
        pk = getattr(value, "pk", value)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if isinstance(value, bool) or not 0 < pk < 2**63:
            return None
        keys.add(pk)
    return sorted(keys)


def _population_people(population: Population, errors: dict[str, str]) -> Q | None:
    """Who `population` names, as a filter of active people; None with an error when nobody."""
    if population.everyone:
        return Q(is_active=True)
    named = Q(pk__in=[])
    departments, teams = _keys(population.departments), _keys(population.teams)
    if departments is None or Department.objects.filter(pk__in=departments).count() != len(departments):
        errors["departments"] = "Choose departments from the list."
    elif departments:
        named |= Q(department_id__in=departments)
    if teams is None or Team.objects.filter(pk__in=teams).count() != len(teams):
        errors["teams"] = "Choose teams from the list."
    elif teams:
        named |= Q(team_id__in=teams)
    by_email = _emails_people(population.emails, errors)
    if by_email:
        named |= Q(pk__in=by_email)
    if {"emails", "departments", "teams"} & set(errors):
        return None
    if not (departments or teams or by_email):
        errors["population"] = "Choose who the cycle reviews: everyone, departments, teams or a list of addresses."
        return None
    return Q(is_active=True) & named


# --- Phases -------------------------------------------------------------------------------------


def _phase_dates(phases: Mapping[str, tuple], *, upward: bool, errors: dict[str, str]) -> list[tuple[str, datetime.date, datetime.date]]:
    """The phases asked for, checked and in order: (kind, opens_on, closes_on)."""
    wanted = [kind for kind in PHASE_ORDER if kind in PHASES_REQUIRED or (upward and kind == Phase.Kind.UPWARD)]
    rows = []
    for kind in wanted:
        label = Phase.Kind(kind).label
        opens_on, closes_on = (phases.get(kind) or (None, None))[:2]
        if kind == Phase.Kind.RELEASE:
            closes_on = opens_on  # a release is a day
        if not isinstance(opens_on, datetime.date):
            errors[f"{kind}_opens_on"] = f"Choose the day {label.lower()} opens."
        if not isinstance(closes_on, datetime.date):
            errors[f"{kind}_closes_on"] = f"Choose the deadline of {label.lower()}."
        for field, value in ((f"{kind}_opens_on", opens_on), (f"{kind}_closes_on", closes_on)):
            if isinstance(value, datetime.date) and not _plausible(value):
                errors[field] = "Choose a day within ten years of today: check the year."
        if isinstance(opens_on, datetime.date) and isinstance(closes_on, datetime.date):
            if closes_on < opens_on:
                errors[f"{kind}_closes_on"] = f"{label} closes on or after the day it opens."
            rows.append((kind, opens_on, closes_on))
    for (before, opened, closed), (kind, opens_on, _) in zip(rows, rows[1:]):
        if opens_on < opened and f"{kind}_opens_on" not in errors:
            errors[f"{kind}_opens_on"] = (
                f"{Phase.Kind(kind).label} opens on or after {Phase.Kind(before).label.lower()} ({day_name(opened)})."
            )
    dates = {kind: (opens_on, closes_on) for kind, opens_on, closes_on in rows}
    if Phase.Kind.CALIBRATION in dates:
        calibration_opens = dates[Phase.Kind.CALIBRATION][0]
        for kind, (_, closes_on) in dates.items():
            if kind not in (Phase.Kind.CALIBRATION, Phase.Kind.RELEASE) and closes_on >= calibration_opens:
                errors.setdefault(
                    f"{kind}_closes_on", f"{Phase.Kind(kind).label} closes before calibration opens ({day_name(calibration_opens)})."
                )
    if Phase.Kind.RELEASE in dates and Phase.Kind.CALIBRATION in dates:
        if dates[Phase.Kind.RELEASE][0] <= dates[Phase.Kind.CALIBRATION][1]:
            errors.setdefault(
                f"{Phase.Kind.RELEASE}_opens_on", "Release results after calibration has closed: choose a later day."
            )
    return rows


# --- Opening a cycle ----------------------------------------------------------------------------


@transaction.atomic
def cycle_open(
    *,
    actor: User,
    name: str,
    period_start: datetime.date | None,
    period_end: datetime.date | None,
    population: Population,
    phases: Mapping[str, tuple],
    upward: bool = False,
    peer_reviews_shared: bool = False,
    sections: Iterable[tuple[str, str]] | None = None,
    check_only: bool = False,
) -> Cycle | None:
    """Open a cycle: its participants (each at the level they hold today), phases and
    written sections (DEFAULT_SECTIONS unless given). Every problem is raised at its field;
    nothing is written then, nor ever with `check_only` (a form that found problems of its
    own asks for the others). A constant number of queries however many people it reviews."""
    _may_run(actor)
    errors: dict[str, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "Name the cycle, e.g. “2026 H2 reviews”."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name under {NAME_MAX_LENGTH} characters."
    for field, value in (("period_start", period_start), ("period_end", period_end)):
        if isinstance(value, datetime.date) and not _plausible(value):
            errors[field] = "Choose a day within ten years of today: check the year."
    if not isinstance(period_start, datetime.date):
        errors.setdefault("period_start", "Choose the first day of the period reviewed.")
    if not isinstance(period_end, datetime.date):
        errors["period_end"] = "Choose the last day of the period reviewed."
    elif isinstance(period_start, datetime.date) and period_end < period_start:
        errors.setdefault("period_end", "The period ends on or after the day it starts.")
    rows = _phase_dates(phases, upward=upward, errors=errors)
    cleaned_sections = _sections_checked(DEFAULT_SECTIONS if sections is None else sections, errors)
    who = _population_people(population, errors)
    if who is not None and not errors and not check_only:
        people = list(
            User.objects.filter(who).order_by("pk").annotate(**standing_columns(timezone.localdate()))
            .values_list("pk", "level_id", "track_id")
        )
        if not people:
            errors["population"] = "Nobody working here is in that population: choose others."
    if errors:
        raise ValidationError(errors)
    if check_only:
        return None
    now = timezone.now()
    with acting_as(actor):
        cycle = Cycle.objects.create(
            name=name, period_start=period_start, period_end=period_end,
            peer_reviews_shared=bool(peer_reviews_shared), created_by=actor, created_at=now,
        )
    Phase.objects.bulk_create(Phase(cycle=cycle, kind=kind, opens_on=o, closes_on=c) for kind, o, c in rows)
    Section.objects.bulk_create(
        Section(cycle=cycle, title=title, prompt=prompt, position=n) for n, (title, prompt) in enumerate(cleaned_sections)
    )
    # Thousands of rows at once: the cycle's opening is their audit entry.
    Participant.objects.bulk_create(
        (Participant(cycle=cycle, person_id=pk, level_id=level, track_id=track, added_at=now, added_by=actor)
         for pk, level, track in people),
        batch_size=2000,
    )
    return cycle


def _sections_checked(sections: Iterable[tuple[str, str]], errors: dict[str, str]) -> list[tuple[str, str]]:
    cleaned = []
    for n, (title, prompt) in enumerate(sections, start=1):
        title, prompt = (title or "").strip(), (prompt or "").strip()
        if not title and not prompt:
            continue
        if not title:
            errors.setdefault("sections", f"Section {n}: give it a title.")
        elif len(title) > NAME_MAX_LENGTH or len(prompt) > REASON_MAX_LENGTH:
            errors.setdefault("sections", f"Section {n}: keep the title under {NAME_MAX_LENGTH} characters and the prompt under {REASON_MAX_LENGTH}.")
        cleaned.append((title, prompt))
    if not cleaned:
        errors.setdefault("sections", "Give the reviews at least one written section, e.g. Strengths.")
    elif len(cleaned) > SECTIONS_MAX:
        errors.setdefault("sections", f"Keep to {SECTIONS_MAX} written sections at most.")
    return cleaned


# --- Changing a running cycle -------------------------------------------------------------------


def _open_cycle(cycle: Cycle) -> Cycle:
    cycle = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if cycle.released_at is not None:
        raise ValidationError("This cycle's results are released: it no longer changes.")
    return cycle


def phase_state(phase: Phase, on: datetime.date | None = None) -> str:
    """"upcoming", "open" or "closed" on `on` (today)."""
    on = on or timezone.localdate()
    if phase.closed_early_at is not None or on > phase.closes_on:
        return "closed"
    return "open" if on >= phase.opens_on else "upcoming"


@transaction.atomic
def participant_add(*, actor: User, cycle: Cycle, person: User) -> Participant:
    """Add `person` to `cycle` (late, once its first phase has opened), at the level they hold
    today; someone removed earlier comes back on their old row, their reviews kept."""
    _may_run(actor)
    cycle = _open_cycle(cycle)
    if cycle.calibration_locked_at is not None:
        raise ValidationError({"person": "Calibration is locked: nobody joins the cycle any more."})
    person = User.objects.filter(pk=getattr(person, "pk", person), is_active=True).first()
    if person is None:
        raise ValidationError({"person": "Choose someone who works here."})
    first = Phase.objects.filter(cycle=cycle).order_by("opens_on").values_list("opens_on", flat=True).first()
    late = first is not None and first <= timezone.localdate()
    existing = Participant.objects.select_for_update().filter(cycle=cycle, person=person).first()
    with acting_as(actor):
        if existing is not None:
            if existing.removed_at is None:
                raise ValidationError({"person": f"{person.name} is already in this cycle."})
            existing.removed_at, existing.removed_reason, existing.removed_by = None, "", None
            existing.save(update_fields=["removed_at", "removed_reason", "removed_by"])
            return existing
        level, track = (
            User.objects.filter(pk=person.pk).annotate(**standing_columns(timezone.localdate()))
            .values_list("level_id", "track_id").get()
        )
        try:
            with transaction.atomic():
                return Participant.objects.create(
                    cycle=cycle, person=person, level_id=level, track_id=track, added_late=late, added_by=actor
                )
        except IntegrityError:  # added at the same moment by someone else
            raise ValidationError({"person": f"{person.name} is already in this cycle."}) from None


@transaction.atomic
def participant_remove(*, actor: User, participant: Participant, reason: str) -> Participant:
    """Take someone out of a cycle, with a reason; their row and reviews stay on record."""
    _may_run(actor)
    cycle = _open_cycle(participant.cycle)
    if cycle.calibration_locked_at is not None:
        raise ValidationError({"reason": "Calibration is locked: the cycle's people and ratings are final."})
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    reason = (reason or "").strip()
    if participant.removed_at is not None:
        raise ValidationError({"reason": "They have already been taken out of this cycle."})
    if not reason:
        raise ValidationError({"reason": "Say why they are taken out of the cycle: it stays on record."})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": f"Keep the reason under {REASON_MAX_LENGTH} characters."})
    with acting_as(actor):
        participant.removed_at, participant.removed_reason, participant.removed_by = timezone.now(), reason, actor
        participant.save(update_fields=["removed_at", "removed_reason", "removed_by"])
    return participant


@transaction.atomic
def phase_extend(*, actor: User, phase: Phase, closes_on: datetime.date | None) -> Phase:
    """Move a phase's deadline later. A phase closed (early or by its date) opens again until
    the new deadline; writing phases close before calibration opens, and a calibration
    extended past the release day moves the release to the day after it."""
    _may_run(actor)
    cycle = _open_cycle(phase.cycle)
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    label = phase.get_kind_display()
    if phase.kind == Phase.Kind.RELEASE:
        raise ValidationError({"closes_on": "A release is a day: move it by extending calibration first, then the release."})
    if not isinstance(closes_on, datetime.date):
        raise ValidationError({"closes_on": "Choose the new deadline."})
    if phase.kind == Phase.Kind.UPWARD and phase_state(phase) == "closed":
        # Once closed, HR have read the answers together: one more, read again, is one person's.
        raise ValidationError({"closes_on": "Upward reviews have closed: reopened, each late answer could be read on its own."})
    if closes_on <= phase.closes_on and phase.closed_early_at is None:
        raise ValidationError({"closes_on": f"Choose a day after the current deadline, {day_name(phase.closes_on)}."})
    if closes_on < timezone.localdate():
        raise ValidationError({"closes_on": "Choose today or a day to come."})
    if not _plausible(closes_on):
        raise ValidationError({"closes_on": "Choose a day within ten years of today: check the year."})
    if phase.kind != Phase.Kind.CALIBRATION:
        calibration = Phase.objects.filter(cycle=cycle, kind=Phase.Kind.CALIBRATION).values_list("opens_on", flat=True).first()
        if calibration is not None and closes_on >= calibration:
            raise ValidationError({"closes_on": f"Calibration opens on {day_name(calibration)}: {label.lower()} closes before that."})
    if phase.kind == Phase.Kind.CALIBRATION:
        if cycle.calibration_locked_at is not None:
            raise ValidationError({"closes_on": "Calibration is locked: it no longer takes changes."})
    with acting_as(actor):
        phase.closes_on, phase.closed_early_at = closes_on, None
        phase.save(update_fields=["closes_on", "closed_early_at"])
        if phase.kind == Phase.Kind.CALIBRATION:
            # The release follows: on the day after calibration closes, at the earliest.
            release = Phase.objects.filter(cycle=cycle, kind=Phase.Kind.RELEASE, opens_on__lte=closes_on).first()
            if release is not None:
                release.opens_on = release.closes_on = closes_on + datetime.timedelta(days=1)
                release.save(update_fields=["opens_on", "closes_on"])
    return phase


@transaction.atomic
def phase_close(*, actor: User, phase: Phase) -> Phase:
    """Close an open phase before its deadline: nothing more is submitted in it."""
    _may_run(actor)
    _open_cycle(phase.cycle)
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    state = phase_state(phase)
    if state != "open":
        raise ValidationError(f"{phase.get_kind_display()} is {state}: only an open phase closes early.")
    if phase.kind == Phase.Kind.RELEASE:
        raise ValidationError("A release does not close: results are released on its day.")
    with acting_as(actor):
        phase.closed_early_at = timezone.now()
        phase.save(update_fields=["closed_early_at"])
    return phase
