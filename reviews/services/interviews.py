"""Interviews: candidates, their loops and interviews, scorecards, the decision, erasure.

Who does what:
- HR admins run every loop; a loop's hiring manager runs theirs (schedules its
  interviews, opens its debrief, decides it). Managers (people with reports) may add
  candidates and open loops they lead themselves, for candidates they added.
- A scorecard is its interviewer's alone to write: a draft saves as it is; submitting
  needs every focus competency of the interview rated, or skipped with a note saying
  why (the interview did not reach it), and a recommendation. Submitting again changes
  nothing. A submitted scorecard can be amended by its interviewer until the loop is
  decided; each earlier version is kept as a ScorecardRevision, read under the same
  independence rule (the audit log notes only when it went in).
- A loop is decided once, with a reason.
- Erasing a candidate (HR) removes every personal detail in one update and the free
  text written about them, and keeps the ratings, anonymous, for calibration. Their loop
  takes no new interviews or interviewers after that; the scorecards already asked for
  are still written and the loop decided, but no words typed about them are kept
  (ERASED_REASON stands in for evidence and the decision's reason).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone

from ladders.models import Level
from people.audit import acting_as
from people.models import Notification, User

from ..models import (
    Candidate,
    Interview,
    Kit,
    KitCompetency,
    Loop,
    Question,
    ScalePoint,
    Scorecard,
    ScorecardRating,
    ScorecardRevision,
)
from ..models.interviews import EVIDENCE_MAX_LENGTH, NAME_MAX_LENGTH, TEXT_MAX_LENGTH

MINUTES_MIN, MINUTES_MAX = 15, 480
# An interview is scheduled up to a year ahead, or recorded up to a month after it took place.
SCHEDULE_BEHIND, SCHEDULE_AHEAD = datetime.timedelta(days=30), datetime.timedelta(days=365)
# What a decided loop's reason reads once its candidate is erased (the reason may have named them).
ERASED_REASON = "Erased with the candidate's personal data."


# --- Who may ------------------------------------------------------------------------------------


def _is_hr(user: User) -> bool:
    return bool(user.is_authenticated and user.sees_everyone)


def loop_runs(loop: Loop, user: User) -> bool:
    """Whether `user` runs `loop`: HR admins, and its hiring manager while they work here."""
    return _is_hr(user) or (user.is_authenticated and user.is_active and user.pk == loop.hiring_manager_id)


def _run(loop: Loop, actor: User) -> None:
    if not loop_runs(loop, actor):
        raise PermissionDenied("Only the hiring manager and HR run a loop.")


# The largest key a database holds (a 64-bit integer): a larger number is no key, and
# SQLite cannot even compare it.
KEY_MAX = 2**63 - 1


def _key(value) -> int | None:
    """A primary key from an object, a number or its digits; None for anything else."""
    pk = getattr(value, "pk", value)
    if isinstance(pk, bool):
        return None
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk <= KEY_MAX else None


def _ids(values: Iterable) -> list[int]:
    """Primary keys from objects or keys, in order, once each."""
    seen: dict[int, None] = {}
    for value in values or ():
        pk = _key(value)
        # Not a key: -1 is found in no set, so it is reported at the field.
        seen[-1 if pk is None else pk] = None
    return list(seen)


def _locked_loop(loop_id: int) -> Loop:
    return Loop.objects.select_for_update(of=("self",)).select_related("kit", "candidate").get(pk=loop_id)


ERASED_LOOP = "This candidate's personal data has been erased: their loop takes no new interviews or interviewers."


def _not_erased(loop: Loop) -> None:
    """An erased candidate's loop takes no new interviews (with titles that could name them)
    nor interviewers: the scorecards already asked for can still be written (see _words_kept)."""
    if Candidate.objects.filter(pk=loop.candidate_id, erased_at__isnull=False).exists():
        raise ValidationError(ERASED_LOOP)


def _undecided(loop: Loop, field: str | None = None) -> None:
    if loop.decision:
        message = "This loop has been decided: its interviews and scorecards are the record."
        raise ValidationError({field: message} if field else message)


# --- Candidates ---------------------------------------------------------------------------------


@transaction.atomic
def candidate_create(
    *, actor: User, name: str, email: str = "", phone: str = "", source: str = "", notes: str = ""
) -> Candidate:
    """A candidate with as little about them as the job needs: a name, and a way to reach them
    if the hiring team must (e-mail, phone), where they came from and short notes."""
    if not (_is_hr(actor) or (actor.is_active and actor.reports.exists())):
        raise PermissionDenied("HR and hiring managers add candidates.")
    name, email, phone = (name or "").strip(), (email or "").strip(), (phone or "").strip()
    source, notes = (source or "").strip(), (notes or "").strip()
    errors = {}
    if not name:
        errors["name"] = "Enter the candidate's name."
    elif len(name) > NAME_MAX_LENGTH:
        errors["name"] = f"Keep the name under {NAME_MAX_LENGTH} characters."
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter a valid e-mail address, or leave it empty."
    if len(phone) > 40:
        errors["phone"] = "Keep the phone number under 40 characters."
    if len(source) > 80:
        errors["source"] = "Keep the source under 80 characters."
    if len(notes) > TEXT_MAX_LENGTH:
        errors["notes"] = f"Keep the notes under {TEXT_MAX_LENGTH} characters."
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        return Candidate.objects.create(
            name=name, email=email, phone=phone, source=source, notes=notes, created_by=actor
        )


def _scrub_audit(model, pks: list[int], fields: set[str], repr_for=None) -> None:
    """Remove `fields` from audit entries of these rows (and their descriptions, which may
    carry the person's name): the entries stay, saying that something changed and when."""
    if not pks:
        return
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id__in=pks
    ).only("pk", "object_id", "changes", "serialized_data", "changes_text", "object_repr")
    for entry in entries:
        changes = entry.changes
        if isinstance(changes, dict):
            changes = {key: value for key, value in changes.items() if key not in fields}
        entry.changes = changes
        entry.serialized_data = None
        entry.changes_text = ""
        if repr_for is not None:
            entry.object_repr = repr_for(entry.object_id)
        entry.save(update_fields=["changes", "serialized_data", "changes_text", "object_repr"])


def _erase_revisions(scorecard_pks: list[int]) -> None:
    """What amended scorecards said before: the take-aways and evidence go, as on the scorecard;
    the points and recommendations stay."""
    revisions = ScorecardRevision.objects.filter(scorecard__in=scorecard_pks).only("pk", "takeaways", "ratings")
    for revision in revisions:
        ratings = [
            {**r, "evidence": ""} if isinstance(r, dict) else r for r in (revision.ratings or [])
        ]
        if revision.takeaways or ratings != revision.ratings:
            revision.takeaways, revision.ratings = "", ratings
            revision.save(update_fields=["takeaways", "ratings"])


def _erase_from_notifications(
    candidate_pk: int, name: str, scorecard_pks: list[int], interview_pks: list[int], loop_pks: list[int]
) -> None:
    """Notifications already sent about the candidate's loops (reminders name them): the name
    becomes "Candidate <pk>" in their title and body."""
    subjects = [
        *(f"reviews.scorecard:{pk}" for pk in scorecard_pks),
        *(f"reviews.interview:{pk}" for pk in interview_pks),
        *(f"reviews.loop:{pk}" for pk in loop_pks),
    ]
    if not subjects:
        return
    anonymous = f"Candidate {candidate_pk}"
    for notice in Notification.objects.filter(subject__in=subjects).only("pk", "title", "body"):
        title, body = notice.title, notice.body
        if name:
            title, body = title.replace(name, anonymous), body.replace(name, anonymous)
        if name and (name in title or title == notice.title):
            # Cut short in the title (or written otherwise): say only what it is about.
            title = f"About an interview loop of {anonymous}"
        if (title, body) != (notice.title, notice.body):
            notice.title, notice.body = title[:200], body
            notice.save(update_fields=["title", "body"])


@transaction.atomic
def candidate_erase(*, actor: User, candidate: Candidate) -> Candidate:
    """Erase a candidate's personal data (HR only); idempotent.

    Blanked: the candidate's name, e-mail, phone, source and notes (in one update with
    `erased_at`, which the database checks), and everything typed about them that could
    name them: scorecards' take-aways, ratings' evidence (and what amended scorecards said
    before), interviews' titles and a decided loop's reason. The same fields are removed from
    audit entries, and notifications already sent call them "Candidate <pk>". Kept: loops, interviews,
    who interviewed, every rating's point and recommendation, the decision: anonymous
    scores for calibration.
    """
    if not _is_hr(actor):
        raise PermissionDenied("Only HR erase a candidate.")
    candidate = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if candidate.erased_at is not None:
        return candidate
    name = candidate.name
    now = timezone.now()
    Candidate.objects.filter(pk=candidate.pk).update(
        name="", email="", phone="", source="", notes="", erased_at=now
    )
    loops = Loop.objects.filter(candidate=candidate)
    interviews = Interview.objects.filter(loop__in=loops)
    scorecards = Scorecard.objects.filter(interview__in=interviews)
    ratings = ScorecardRating.objects.filter(scorecard__in=scorecards)
    scorecard_pks = list(scorecards.values_list("pk", flat=True))
    rating_pks = list(ratings.values_list("pk", flat=True))
    interview_pks = list(interviews.values_list("pk", flat=True))
    loop_pks = list(loops.values_list("pk", flat=True))
    scorecards.exclude(takeaways="").update(takeaways="")
    ratings.exclude(evidence="").update(evidence="")
    interviews.exclude(title="").update(title="")
    loops.exclude(decision="").update(decision_reason=ERASED_REASON)
    _erase_revisions(scorecard_pks)
    _erase_from_notifications(candidate.pk, name, scorecard_pks, interview_pks, loop_pks)

    _scrub_audit(Candidate, [candidate.pk], {"name", "email", "phone", "source", "notes"}, lambda pk: f"Candidate {pk}")
    _scrub_audit(Scorecard, scorecard_pks, {"takeaways"})
    _scrub_audit(ScorecardRating, rating_pks, {"evidence"})
    _scrub_audit(Interview, interview_pks, {"title"})
    _scrub_audit(Loop, loop_pks, {"decision_reason"})
    # The erasure itself is on the record, with nothing personal in it.
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Candidate),
        object_pk=str(candidate.pk),
        object_id=candidate.pk,
        object_repr=f"Candidate {candidate.pk}",
        action=LogEntry.Action.UPDATE,
        changes={"erased_at": ["None", now.isoformat()]},
        actor=actor,
    )
    candidate.refresh_from_db()
    return candidate


# --- Loops --------------------------------------------------------------------------------------


def _level_on_kit(kit: Kit, level_id, field: str, errors: dict[str, str]) -> Level | None:
    level_id = _key(level_id)
    level = Level.objects.filter(pk=level_id, version_id=kit.version_id, tracks=kit.track_id).first() if level_id else None
    if level is None:
        errors[field] = f"Choose a level on the {kit.track} track of the kit's framework version."
    return level


def _active_people(values: Iterable, field: str, errors: dict[str, str], *, what: str) -> list[User]:
    pks = _ids(values)
    people = list(User.objects.filter(pk__in=pks, is_active=True))
    if len(people) != len(pks):
        errors[field] = f"Choose {what} among people who work here."
    return people


@transaction.atomic
def loop_create(
    *, actor: User, candidate: Candidate, kit: Kit, hiring_manager: User, target_level=None, hiring_team: Iterable = ()
) -> Loop:
    """A loop for `candidate` against `kit`, aiming at `target_level` (the kit's level unless
    said), led by `hiring_manager`. HR open any loop; a manager opens loops they lead for
    candidates they added."""
    if not _is_hr(actor):
        if not (
            actor.is_active
            and getattr(hiring_manager, "pk", None) == actor.pk
            and candidate.created_by_id == actor.pk
            and actor.reports.exists()
        ):
            raise PermissionDenied("HR open loops; a hiring manager opens their own.")
    errors: dict[str, str] = {}
    candidate = Candidate.objects.filter(pk=candidate.pk).first()
    if candidate is None or candidate.erased_at is not None:
        errors["candidate"] = "This candidate's data has been erased: start with a new candidate."
    kit = Kit.objects.filter(pk=getattr(kit, "pk", kit)).first()
    if kit is None or kit.is_archived:
        errors["kit"] = "Choose a kit in use."
    elif target_level is None:
        target_level = kit.level
    else:
        target_level = _level_on_kit(kit, getattr(target_level, "pk", target_level), "target_level", errors)
    manager = User.objects.filter(pk=getattr(hiring_manager, "pk", hiring_manager), is_active=True).first()
    if manager is None:
        errors["hiring_manager"] = "Choose a hiring manager who works here."
    team = _active_people(hiring_team, "hiring_team", errors, what="the hiring team")
    if "candidate" not in errors and "kit" not in errors and _open_loop(candidate, kit):
        errors["kit"] = OPEN_LOOP
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), acting_as(actor):
            loop = Loop.objects.create(candidate=candidate, kit=kit, target_level=target_level, hiring_manager=manager)
            loop.hiring_team.set([p for p in team if p.pk != manager.pk])
    except IntegrityError:  # the same loop opened at the same moment
        raise ValidationError({"kit": OPEN_LOOP}) from None
    return loop


OPEN_LOOP = "This candidate's loop for this kit is still open: schedule its interviews there."


def _open_loop(candidate: Candidate, kit: Kit) -> bool:
    return Loop.objects.filter(candidate=candidate, kit=kit, decision="").exists()


# --- Interviews ---------------------------------------------------------------------------------


def _interview_fields(
    loop: Loop, *, stage, starts_at, minutes, title, focus, questions, interviewers, errors: dict[str, str],
    interview: Interview | None = None,
):
    """The checked fields of a new interview, or of `interview` changed (its time kept as it
    was, however long ago, needs no new check)."""
    if stage not in Interview.Stage.values:
        errors["stage"] = "Choose a stage."
    if not isinstance(starts_at, datetime.datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = "Choose the day and time of the interview."
    elif interview is None or starts_at != interview.starts_at:
        now = timezone.now()
        if starts_at < now - SCHEDULE_BEHIND:
            errors["starts_at"] = "Choose a time in the last 30 days at the earliest: check the year."
        elif starts_at > now + SCHEDULE_AHEAD:
            errors["starts_at"] = "Choose a time within a year from now: check the year."
        elif starts_at > now and interview is not None and interview.scorecards.filter(submitted_at__isnull=False).exists():
            errors["starts_at"] = "Scorecards of this interview are in, so it has taken place: keep its time in the past."
    if not isinstance(minutes, int) or not MINUTES_MIN <= minutes <= MINUTES_MAX:
        errors["minutes"] = f"An interview lasts between {MINUTES_MIN} and {MINUTES_MAX} minutes."
    title = (title or "").strip()
    if len(title) > NAME_MAX_LENGTH:
        errors["title"] = f"Keep the title under {NAME_MAX_LENGTH} characters."
    focus_pks = _ids(focus)
    if not focus_pks:
        errors["focus"] = "Choose at least one of the kit's focus competencies."
    elif KitCompetency.objects.filter(kit_id=loop.kit_id, pk__in=focus_pks).count() != len(focus_pks):
        errors["focus"] = "Choose focus competencies of this loop's kit."
    question_pks = _ids(questions)
    if question_pks and Question.objects.filter(kit_id=loop.kit_id, pk__in=question_pks).count() != len(question_pks):
        errors["questions"] = "Choose questions of this loop's kit."
    people = _active_people(interviewers, "interviewers", errors, what="interviewers")
    if not _ids(interviewers):
        errors["interviewers"] = "Choose at least one interviewer."
    return title, focus_pks, question_pks, people


@transaction.atomic
def interview_schedule(
    *,
    actor: User,
    loop: Loop,
    stage: str,
    starts_at: datetime.datetime,
    focus: Iterable,
    interviewers: Iterable,
    questions: Iterable = (),
    minutes: int = 60,
    title: str = "",
) -> Interview:
    """An interview of `loop` covering some of its kit's focus competencies and questions,
    with a draft scorecard for each interviewer."""
    loop = _locked_loop(loop.pk)
    _run(loop, actor)
    _undecided(loop)
    _not_erased(loop)
    errors: dict[str, str] = {}
    title, focus_pks, question_pks, people = _interview_fields(
        loop, stage=stage, starts_at=starts_at, minutes=minutes, title=title, focus=focus,
        questions=questions, interviewers=interviewers, errors=errors,
    )
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        interview = Interview.objects.create(loop=loop, stage=stage, starts_at=starts_at, minutes=minutes, title=title)
        interview.focus.set(focus_pks)
        interview.questions.set(question_pks)
        Scorecard.objects.bulk_create(Scorecard(interview=interview, interviewer=p) for p in people)
    return interview


@transaction.atomic
def interview_change(
    *,
    actor: User,
    interview: Interview,
    stage: str,
    starts_at: datetime.datetime,
    focus: Iterable,
    interviewers: Iterable,
    questions: Iterable = (),
    minutes: int = 60,
    title: str = "",
) -> Interview:
    """Change an interview. Someone taken off the panel loses their draft; a submitted
    scorecard stays (it is evidence), as do its ratings of a focus taken out of the interview."""
    loop = _locked_loop(interview.loop_id)
    _run(loop, actor)
    _undecided(loop)
    _not_erased(loop)
    interview = Interview.objects.get(pk=interview.pk)
    errors: dict[str, str] = {}
    title, focus_pks, question_pks, people = _interview_fields(
        loop, stage=stage, starts_at=starts_at, minutes=minutes, title=title, focus=focus,
        questions=questions, interviewers=interviewers, errors=errors, interview=interview,
    )
    if errors:
        raise ValidationError(errors)
    wanted = {p.pk for p in people}
    with acting_as(actor):
        interview.stage, interview.starts_at, interview.minutes, interview.title = stage, starts_at, minutes, title
        interview.save(update_fields=["stage", "starts_at", "minutes", "title"])
        interview.focus.set(focus_pks)
        interview.questions.set(question_pks)
        drafts = Scorecard.objects.filter(interview=interview, submitted_at=None)
        drafts.exclude(interviewer__in=wanted).delete()
        ScorecardRating.objects.filter(scorecard__in=drafts).exclude(focus__in=focus_pks).delete()
        have = set(Scorecard.objects.filter(interview=interview).values_list("interviewer_id", flat=True))
        Scorecard.objects.bulk_create(
            Scorecard(interview=interview, interviewer=p) for p in people if p.pk not in have
        )
    return interview


def panel_hints(loop: Loop, *, interviews: list[Interview] | None = None, kit_focus: Iterable[KitCompetency] | None = None) -> list[str]:
    """What a hiring manager should know about a loop's panel, as sentences: nobody from outside
    the hiring team; one interviewer rating every focus competency (unless
    settings.PANEL_HINT_SAME_RATER is False).

    Five queries; one (the hiring team) when the caller has the loop's `interviews` already,
    with their `scorecards` (and each one's interviewer) and `focus` prefetched, and the
    kit's focus."""
    if interviews is None:
        interviews = list(
            loop.interviews.prefetch_related(
                Prefetch("scorecards", queryset=Scorecard.objects.select_related("interviewer")), "focus"
            )
        )
    rows = sorted(
        ((card.interviewer.name, card.interviewer_id, interview) for interview in interviews for card in interview.scorecards.all()),
        key=lambda row: (row[0], row[1]),
    )
    if not rows:
        return []
    hints = []
    inside = {loop.hiring_manager_id, *loop.hiring_team.values_list("pk", flat=True)}
    if all(pk in inside for _, pk, _ in rows):
        hints.append("Nobody on the panel is from outside the hiring team")
    if settings.PANEL_HINT_SAME_RATER:
        if kit_focus is None:
            kit_focus = KitCompetency.objects.filter(kit_id=loop.kit_id)
        all_focus = {focus.pk for focus in kit_focus}
        covered: dict[int, tuple[str, set[int]]] = {}
        for name, pk, interview in rows:
            covered.setdefault(pk, (name, set()))[1].update(focus.pk for focus in interview.focus.all())
        for name, focus in covered.values():
            if all_focus and all_focus <= focus:
                hints.append(f"{name} rates every focus competency")
    return hints


# --- Scorecards ---------------------------------------------------------------------------------


def _own_scorecard(scorecard: Scorecard, actor: User) -> tuple[Scorecard, Loop]:
    scorecard = Scorecard.objects.select_for_update(of=("self",)).select_related("interview").get(pk=scorecard.pk)
    if scorecard.interviewer_id != actor.pk or not actor.is_active:
        raise PermissionDenied("Only its interviewer writes a scorecard.")
    loop = Loop.objects.get(pk=scorecard.interview.loop_id)
    return scorecard, loop


def _check_answers(
    scorecard: Scorecard, loop: Loop, *, ratings: dict, takeaways: str, recommendation: str, errors: dict[str, str]
) -> dict[int, tuple[int | None, str]]:
    """The ratings checked and cleaned: focus id -> (scale point id or None, evidence)."""
    focus = {f.pk: f for f in scorecard.interview.focus.select_related("competency")}
    points = set(ScalePoint.objects.filter(kit_id=loop.kit_id).values_list("pk", flat=True))
    clean: dict[int, tuple[int | None, str]] = {}
    for key, value in (ratings or {}).items():
        focus_id = getattr(key, "pk", key)
        point, evidence = value if isinstance(value, (tuple, list)) else (value, "")
        point = getattr(point, "pk", point)
        if focus_id not in focus:
            errors[f"point-{focus_id}"] = "This competency is not a focus of this interview."
            continue
        if point is not None and point not in points:
            errors[f"point-{focus_id}"] = f"Choose a point of this kit's scale for {focus[focus_id].competency}."
        evidence = (evidence or "").strip()
        if len(evidence) > EVIDENCE_MAX_LENGTH:
            errors[f"evidence-{focus_id}"] = f"Keep the evidence under {EVIDENCE_MAX_LENGTH} characters."
        clean[focus_id] = (point, evidence)
    if len((takeaways or "").strip()) > TEXT_MAX_LENGTH:
        errors["takeaways"] = f"Keep the take-aways under {TEXT_MAX_LENGTH} characters."
    if recommendation and recommendation not in Scorecard.Recommendation.values:
        errors["recommendation"] = "Choose a recommendation."
    return clean


def _complete(scorecard: Scorecard, ratings: dict[int, tuple[int | None, str]], recommendation: str, errors: dict) -> None:
    """What submitting asks: every focus rated, or skipped with a note why; a recommendation."""
    for focus in scorecard.interview.focus.select_related("competency"):
        point, evidence = ratings.get(focus.pk, (None, ""))
        if point is None and not evidence:
            errors.setdefault(
                f"point-{focus.pk}",
                f"Rate {focus.competency}, or say in the evidence why the interview did not reach it.",
            )
    if not recommendation:
        errors.setdefault("recommendation", "Choose a recommendation (or No decision).")


def _words_kept(loop: Loop, ratings: dict[int, tuple[int | None, str]], takeaways: str):
    """What a scorecard keeps of the words typed into it: all of them, unless the candidate has
    been erased. Then none (they could name them again, and erasing is done once): evidence
    given reads ERASED_REASON (so a competency the interview did not reach still says it was
    noted), take-aways are left empty; points and the recommendation are kept."""
    if not Candidate.objects.filter(pk=loop.candidate_id, erased_at__isnull=False).exists():
        return ratings, takeaways
    kept = {
        focus_id: (point, ERASED_REASON if (evidence or "").strip() else "")
        for focus_id, (point, evidence) in ratings.items()
    }
    return kept, ""


def _write(scorecard: Scorecard, ratings: dict[int, tuple[int | None, str]], takeaways: str, recommendation: str) -> None:
    existing = {r.focus_id: r for r in scorecard.ratings.all()}
    for focus_id, (point, evidence) in ratings.items():
        rating = existing.get(focus_id)
        if rating is None:
            ScorecardRating.objects.create(scorecard=scorecard, focus_id=focus_id, point_id=point, evidence=evidence)
        elif rating.point_id != point or rating.evidence != evidence:
            rating.point_id, rating.evidence = point, evidence
            rating.save(update_fields=["point", "evidence"])
    scorecard.takeaways = (takeaways or "").strip()
    scorecard.recommendation = recommendation or ""
    scorecard.updated_at = timezone.now()


def _current(scorecard: Scorecard, ratings: dict) -> dict[int, tuple[int | None, str]]:
    """The ratings as stored, with the ones given laid over them."""
    merged = {r.focus_id: (r.point_id, r.evidence) for r in scorecard.ratings.all()}
    merged.update(ratings)
    return merged


@transaction.atomic
def scorecard_save(
    *, actor: User, scorecard: Scorecard, ratings: dict, takeaways: str = "", recommendation: str = ""
) -> Scorecard:
    """Save a draft as it is: `ratings` maps a focus (KitCompetency or its id) to
    (scale point or its id or None, evidence)."""
    scorecard, loop = _own_scorecard(scorecard, actor)
    _undecided(loop)
    if scorecard.submitted_at is not None:
        raise ValidationError("This scorecard has been submitted: amend it instead.")
    errors: dict[str, str] = {}
    clean = _check_answers(scorecard, loop, ratings=ratings, takeaways=takeaways, recommendation=recommendation, errors=errors)
    if errors:
        raise ValidationError(errors)
    clean, takeaways = _words_kept(loop, clean, takeaways)
    with acting_as(actor):
        _write(scorecard, clean, takeaways, recommendation)
        scorecard.save(update_fields=["takeaways", "recommendation", "updated_at"])
    return scorecard


@transaction.atomic
def scorecard_submit(*, actor: User, scorecard: Scorecard) -> Scorecard:
    """Submit a saved draft, once the interview has started. Submitting again (a double click)
    changes nothing and returns it."""
    scorecard, loop = _own_scorecard(scorecard, actor)
    if scorecard.submitted_at is not None:
        return scorecard
    _undecided(loop)
    if scorecard.interview.starts_at > timezone.now():
        starts = timezone.localtime(scorecard.interview.starts_at)
        raise ValidationError(
            f"The interview starts on {starts.day} {starts:%B at %H:%M}: submit your scorecard once it has taken place "
            "(save a draft until then)."
        )
    errors: dict[str, str] = {}
    _complete(scorecard, _current(scorecard, {}), scorecard.recommendation, errors)
    if errors:
        raise ValidationError(errors)
    with acting_as(actor):
        scorecard.submitted_at = scorecard.updated_at = timezone.now()
        scorecard.save(update_fields=["submitted_at", "updated_at"])
    return scorecard


@transaction.atomic
def scorecard_amend(
    *, actor: User, scorecard: Scorecard, ratings: dict, takeaways: str, recommendation: str
) -> Scorecard:
    """Change a submitted scorecard, by its interviewer, until the loop is decided. It must stay
    complete; what it said before is kept beside it as a ScorecardRevision (read under the
    same independence rule as the scorecard), and the audit log notes that it changed. An
    amendment that changes nothing keeps no revision."""
    scorecard, loop = _own_scorecard(scorecard, actor)
    if scorecard.submitted_at is None:
        raise ValidationError("This scorecard is a draft: save it instead.")
    _undecided(loop)
    errors: dict[str, str] = {}
    clean = _check_answers(scorecard, loop, ratings=ratings, takeaways=takeaways, recommendation=recommendation, errors=errors)
    _complete(scorecard, _current(scorecard, clean), recommendation, errors)
    if errors:
        raise ValidationError(errors)
    clean, takeaways = _words_kept(loop, clean, takeaways)
    before = {r.focus_id: (r.point_id, r.evidence) for r in scorecard.ratings.all()}
    after = {**before, **clean}
    unchanged = (
        after == before
        and scorecard.takeaways == (takeaways or "").strip()
        and scorecard.recommendation == (recommendation or "")
    )
    if unchanged:
        return scorecard
    now = timezone.now()
    ScorecardRevision.objects.create(
        scorecard=scorecard,
        takeaways=scorecard.takeaways,
        recommendation=scorecard.recommendation,
        ratings=[
            {"focus": focus_id, "point": point, "evidence": evidence}
            for focus_id, (point, evidence) in sorted(before.items())
        ],
        replaced_at=now,
    )
    with acting_as(actor):
        _write(scorecard, clean, takeaways, recommendation)
        scorecard.save(update_fields=["takeaways", "recommendation", "updated_at"])
    return scorecard


def scorecard_add(*, actor: User, interview: Interview, interviewer: User) -> Scorecard:
    """Put one more interviewer on an interview (a draft scorecard for them). One scorecard per
    interviewer per interview: a second is refused at the field."""
    loop = Loop.objects.get(pk=interview.loop_id)
    _run(loop, actor)
    _undecided(loop)
    _not_erased(loop)
    if not interviewer.is_active:
        raise ValidationError({"interviewer": "Choose an interviewer who works here."})
    try:
        with transaction.atomic(), acting_as(actor):
            return Scorecard.objects.create(interview=interview, interviewer=interviewer)
    except IntegrityError:
        raise ValidationError({"interviewer": f"{interviewer.name} already has a scorecard for this interview."}) from None


# --- Debrief and decision -----------------------------------------------------------------------


@transaction.atomic
def loop_debrief_open(*, actor: User, loop: Loop) -> Loop:
    """Open the debrief: the hiring manager and HR read every submitted scorecard from now on,
    whether or not all are in. Once; opening again changes nothing."""
    loop = _locked_loop(loop.pk)
    _run(loop, actor)
    if loop.debrief_opened_at is None:
        with acting_as(actor):
            loop.debrief_opened_at = timezone.now()
            loop.save(update_fields=["debrief_opened_at"])
    return loop


@transaction.atomic
def loop_decide(*, actor: User, loop: Loop, decision: str, reason: str, decided_level=None) -> Loop:
    """Record the hiring decision with its reason (and the level offered, on the kit's track).
    A loop is decided once; deciding opens the debrief if it was not. An erased candidate's
    loop is decided like any other, its reason kept as ERASED_REASON."""
    loop = _locked_loop(loop.pk)
    _run(loop, actor)
    if loop.decision:
        raise ValidationError({"decision": "This loop has already been decided."})
    errors: dict[str, str] = {}
    if decision not in Loop.Decision.values:
        errors["decision"] = "Choose hire or do not hire."
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "Say why: the reason is part of the record."
    elif len(reason) > TEXT_MAX_LENGTH:
        errors["reason"] = f"Keep the reason under {TEXT_MAX_LENGTH} characters."
    level = None
    if decided_level is not None and decided_level != "":
        level = _level_on_kit(loop.kit, getattr(decided_level, "pk", decided_level), "decided_level", errors)
    if errors:
        raise ValidationError(errors)
    if loop.candidate.erased_at is not None:
        reason = ERASED_REASON  # the reason may name them: kept as their other words are
    now = timezone.now()
    with acting_as(actor):
        loop.decision, loop.decision_reason, loop.decided_level = decision, reason, level
        loop.decided_by, loop.decided_at = actor, now
        loop.debrief_opened_at = loop.debrief_opened_at or now
        loop.save(update_fields=["decision", "decision_reason", "decided_level", "decided_by", "decided_at", "debrief_opened_at"])
    return loop
