"""Interview kits: made and adapted by HR, from a published ladder. The rules in one place.

A kit is for a role (a track and a level of a published framework version). Its
focus competencies are that level's, in the ladder's order unless HR reorder
them; its questions probe some of them; its scale says, point by point, where
the evidence stands against the level's expectation. What scorecards already
used (a focus, a scale point) stays: their ratings point at it.

The admin saves through these functions and checks its forms with the same
validators (`kit_role_errors`, `focus_validate`, `scale_validate`), so a rule
holds the same wherever a kit is changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, Value
from django.db.models.functions import Lower

from ladders.models import FrameworkVersion, Level, Track
from ladders.selectors.frameworks import Rubric, published_rubric
from people.models import User

from ..models import Kit, KitCompetency, Question, ScalePoint, ScorecardRating
from ..models.interviews import DEFAULT_SCALE, NAME_MAX_LENGTH, TEXT_MAX_LENGTH

SCALE_MIN_POINTS = 2
SCALE_MAX_POINTS = 10
OFFSET_LIMIT = 5
LABEL_MAX_LENGTH = ScalePoint._meta.get_field("label").max_length
ANCHOR_MAX_LENGTH = ScalePoint._meta.get_field("anchor").max_length


def _may_edit(actor: User) -> None:
    if not (actor.is_active and (actor.is_hr_admin or actor.sees_everyone)):
        raise PermissionDenied("Only HR admins make and change interview kits.")


def _ids(values) -> list[int]:
    """Ids as given, in order, each once; anything not a whole number (or too large to be a
    key: SQLite cannot compare it) raises ValueError."""
    ids = list(dict.fromkeys(int(value) for value in values))
    if any(not 0 < pk < 2**63 for pk in ids):
        raise ValueError("Not a key.")
    return ids


# --- Validators shared with the admin --------------------------------------------------


def kit_role_errors(version: FrameworkVersion | None, track: Track | None, level: Level | None) -> dict[str, str]:
    """What is wrong with a kit's role: a published version, a track and a level of it."""
    errors: dict[str, str] = {}
    if version is None:
        errors["version"] = "Choose the framework version the kit is for."
    elif version.is_draft:
        errors["version"] = "Choose a published framework version: a draft can still change."
    if track is None:
        errors["track"] = "Choose the track the kit is for."
    elif version is not None and track.version_id != version.pk:
        errors["track"] = "Choose a track of the same framework version."
    if level is None:
        errors["level"] = "Choose the level the kit is for."
    elif version is not None and level.version_id != version.pk:
        errors["level"] = "Choose a level of the same framework version."
    elif track is not None and "track" not in errors and not level.tracks.filter(pk=track.pk).exists():
        errors["level"] = f"{level} is not on the {track} track: choose one of its levels."
    if not errors and not level_competencies(published_rubric(version.pk), level, track):
        errors["level"] = f"{level} has no expectations to interview for."
    return errors


def level_competencies(rubric: Rubric, level: Level, track: Track | None = None) -> list:
    """The competencies `level` has an expectation for (its own or, where levels include the
    ones below, inherited), in the ladder's order: by area, then position."""
    return [c for c in rubric.competencies if rubric.effective(c, rubric.level_by_code[level.code], track) is not None]


def focus_validate(kit: Kit, competency_ids: Sequence[int], *, field: str = "competencies") -> list:
    """The competencies `competency_ids` name, in order, if they can be the kit's focus:
    at least one, each of the kit's level, and none dropped that a scorecard rated.
    Raises ValidationError at `field` otherwise."""
    rubric = published_rubric(kit.version_id)
    allowed = {c.pk: c for c in level_competencies(rubric, kit.level, kit.track)}
    if not competency_ids:
        raise ValidationError({field: "Choose at least one competency to focus on."})
    foreign = [pk for pk in competency_ids if pk not in allowed]
    if foreign:
        raise ValidationError({field: f"Choose competencies {kit.level} has an expectation for."})
    if kit.pk:
        rated = (
            KitCompetency.objects.filter(kit=kit)
            .exclude(competency_id__in=competency_ids)
            .filter(pk__in=ScorecardRating.objects.values("focus"))
            .values_list("competency_id", flat=True)
        )
        rated = set(rated)
        names = [c.name for c in rubric.competencies if c.pk in rated]
        if names:
            raise ValidationError(
                {field: f"Scorecards rated {', '.join(names)}: keep it in focus (interviews already used it)."}
            )
    return [allowed[pk] for pk in competency_ids]


def scale_errors(points: Sequence[tuple]) -> list[str]:
    """What is wrong with a scale given as (value, label, anchor, offset) points."""
    if not SCALE_MIN_POINTS <= len(points) <= SCALE_MAX_POINTS:
        return [f"A scale has {SCALE_MIN_POINTS} to {SCALE_MAX_POINTS} points."]
    problems = []
    try:
        ordered = sorted(points, key=lambda p: int(p[0]))
        values = [int(p[0]) for p in ordered]
        offsets = [int(p[3]) for p in ordered]
    except (TypeError, ValueError, IndexError):
        return ["Give each point a value, a label, an anchor and an offset (whole numbers for value and offset)."]
    if values != list(range(1, len(points) + 1)):
        problems.append(f"Number the points 1 to {len(points)}, each once.")
    if any(not str(p[1] or "").strip() for p in ordered):
        problems.append("Give every point a label.")
    elif any(len(str(p[1]).strip()) > LABEL_MAX_LENGTH for p in ordered):
        problems.append(f"Keep labels under {LABEL_MAX_LENGTH} characters.")
    if any(not str(p[2] or "").strip() for p in ordered):
        problems.append("Give every point an anchor: what the evidence looks like at that point.")
    elif any(len(str(p[2]).strip()) > ANCHOR_MAX_LENGTH for p in ordered):
        problems.append(f"Keep anchors under {ANCHOR_MAX_LENGTH:,} characters.")
    if any(abs(offset) > OFFSET_LIMIT for offset in offsets):
        problems.append(f"Keep offsets between -{OFFSET_LIMIT} and +{OFFSET_LIMIT} proficiencies.")
    elif any(later < earlier for earlier, later in zip(offsets, offsets[1:])):
        problems.append("A higher point cannot stand lower against the level: offsets rise (or stay) with the value.")
    return problems


def scale_validate(kit: Kit, points: Sequence[tuple], *, field: str = "points") -> list[tuple[int, str, str, int]]:
    """The points, cleaned and by value, if they can be the kit's scale; raises
    ValidationError at `field` otherwise (a point a scorecard used cannot go)."""
    problems = scale_errors(points)
    if problems:
        raise ValidationError({field: problems})
    cleaned = sorted(
        ((int(v), str(label).strip(), str(anchor).strip(), int(offset)) for v, label, anchor, offset in points)
    )
    if kit.pk:
        used = sorted(
            ScalePoint.objects.filter(kit=kit, value__gt=len(cleaned))
            .filter(pk__in=ScorecardRating.objects.values("point"))
            .values_list("value", flat=True)
        )
        if used:
            which = ", ".join(str(v) for v in used)
            raise ValidationError({field: f"Scorecards rated with point {which}: keep at least {used[-1]} points."})
    return cleaned


def _question_fields(kit: Kit, text: str, good_looks_like: str, follow_ups: str, red_flags: str, focus_ids) -> tuple:
    errors: dict[str, str] = {}
    fields = {
        "text": (text or "").strip(),
        "good_looks_like": (good_looks_like or "").strip(),
        "follow_ups": (follow_ups or "").strip(),
        "red_flags": (red_flags or "").strip(),
    }
    if not fields["text"]:
        errors["text"] = "Write the question."
    for name, value in fields.items():
        if len(value) > TEXT_MAX_LENGTH:
            errors[name] = f"Keep it under {TEXT_MAX_LENGTH:,} characters."
    focus = []
    try:
        wanted = _ids(focus_ids or ())
    except (TypeError, ValueError):
        wanted = None
    if wanted is None:
        errors["competencies"] = "Choose competencies the kit focuses on."
    elif wanted:
        focus = list(KitCompetency.objects.filter(kit=kit, pk__in=wanted))
        if len(focus) != len(wanted):
            errors["competencies"] = "Choose competencies the kit focuses on."
    if errors:
        raise ValidationError(errors)
    return fields, focus


def _positions(rows: Iterable) -> None:
    for n, row in enumerate(rows):
        row.position = n


# --- Kits ------------------------------------------------------------------------------


def kit_name_errors(name: str, *, kit: Kit | None = None, field: str = "name") -> dict[str, str]:
    """The problems with `name` for a kit in use (`kit` itself aside): empty, too long, or the
    name of another kit in use, whatever its case."""
    if not name:
        return {field: "Name the kit, e.g. the role and the interview."}
    if len(name) > NAME_MAX_LENGTH:
        return {field: f"Keep the name under {NAME_MAX_LENGTH} characters."}
    # Lowered by the database, as the constraint kit_name_once_in_use lowers it.
    others = Kit.objects.filter(is_archived=False).alias(key=Lower("name")).filter(key=Lower(Value(name)))
    if kit is not None and kit.pk:
        others = others.exclude(pk=kit.pk)
    if others.exists():
        return {field: "A kit in use has this name already: name this one apart, e.g. by its level or stage."}
    return {}


def kit_copy_name(kit: Kit) -> str:
    """"<name> (copy)", then "(copy 2)" and so on, whichever no kit in use has."""
    base = kit.name[: NAME_MAX_LENGTH - len(" (copy 99)")]
    name, n = f"{base} (copy)", 1
    while kit_name_errors(name):
        n += 1
        name = f"{base} (copy {n})"
    return name


def _save_named(kit: Kit) -> None:
    """Save a new kit; another saved under the same name at the same moment is a name error."""
    try:
        with transaction.atomic():
            kit.save()
    except IntegrityError:
        raise ValidationError(kit_name_errors(kit.name) or {"name": "A kit in use has this name already."}) from None


@transaction.atomic
def kit_create(
    *,
    actor: User,
    name: str,
    version: FrameworkVersion | None,
    track: Track | None,
    level: Level | None,
    competency_ids=None,
    description: str = "",
) -> Kit:
    """A kit for a role of a published version. Its focus is every competency the level has
    an expectation for, in the ladder's order, or the chosen ones in the order given; its
    scale the default one. Every problem is raised at its field; nothing is written then."""
    _may_edit(actor)
    errors = kit_role_errors(version, track, level)
    name = (name or "").strip()
    description = (description or "").strip()
    errors.update(kit_name_errors(name))
    if len(description) > TEXT_MAX_LENGTH:
        errors["description"] = f"Keep the description under {TEXT_MAX_LENGTH:,} characters."
    if errors:
        raise ValidationError(errors)
    kit = Kit(name=name, version=version, track=track, level=level, description=description, created_by=actor)
    if competency_ids is None:
        competencies = level_competencies(published_rubric(version.pk), level, track)
    else:
        try:
            wanted = _ids(competency_ids)
        except (TypeError, ValueError):
            raise ValidationError({"competencies": f"Choose competencies {level} has an expectation for."}) from None
        competencies = focus_validate(kit, wanted)
    _save_named(kit)
    KitCompetency.objects.bulk_create(
        KitCompetency(kit=kit, competency=c, position=n) for n, c in enumerate(competencies)
    )
    ScalePoint.objects.bulk_create(
        ScalePoint(kit=kit, value=value, label=label, anchor=anchor, offset=offset)
        for value, label, anchor, offset in DEFAULT_SCALE
    )
    return kit


@transaction.atomic
def kit_copy(*, actor: User, kit: Kit, name: str | None = None, level: Level | None = None) -> tuple[Kit, list]:
    """A copy of `kit` to adapt: its focus, questions (with their competencies) and scale.

    With `level` (of any published version), the copy is for that level, on the kit's
    track where the level is on it (else the level's first track): focus competencies are
    matched by slug, and those the new level has no expectation for are dropped. Returns
    the copy and the competencies dropped (empty when none were).
    """
    _may_edit(actor)
    name = (name or "").strip() or kit_copy_name(kit)
    if errors := kit_name_errors(name):
        raise ValidationError(errors)
    level = level or kit.level
    version = FrameworkVersion.objects.get(pk=level.version_id)
    track = kit.track
    if track.version_id != version.pk or not level.tracks.filter(pk=track.pk).exists():
        track = level.tracks.filter(slug=kit.track.slug).first() or level.tracks.order_by("position", "pk").first()
    errors = kit_role_errors(version, track, level)
    if errors:
        raise ValidationError(errors)
    rubric = published_rubric(version.pk)
    available = {c.slug: c for c in level_competencies(rubric, level, track)}
    old_focus = list(kit.focus.select_related("competency").order_by("position", "pk"))
    kept, dropped = [], []
    for focus in old_focus:
        match = available.get(focus.competency.slug)
        (kept if match else dropped).append((focus, match))
    if not kept:
        raise ValidationError({"level": f"{level} has none of the kit's competencies: make a new kit for it."})
    copy = Kit(
        name=name, version=version, track=track, level=level, description=kit.description,
        copied_from=kit, created_by=actor,
    )
    _save_named(copy)
    new_focus = KitCompetency.objects.bulk_create(
        KitCompetency(kit=copy, competency=match, position=n) for n, (_, match) in enumerate(kept)
    )
    focus_map = {old.pk: new.pk for (old, _), new in zip(kept, new_focus)}
    if not all(new.pk for new in new_focus):  # Backends that return no ids from bulk_create.
        by_competency = dict(KitCompetency.objects.filter(kit=copy).values_list("competency_id", "pk"))
        focus_map = {old.pk: by_competency[match.pk] for old, match in kept}
    ScalePoint.objects.bulk_create(
        ScalePoint(kit=copy, value=p.value, label=p.label, anchor=p.anchor, offset=p.offset) for p in kit.scale.all()
    )
    links = Question.competencies.through
    for question in kit.questions.prefetch_related("competencies").order_by("position", "pk"):
        old_ids = [f.pk for f in question.competencies.all()]
        question.pk = None
        question._state.adding = True
        question.kit = copy
        question.save()
        links.objects.bulk_create(
            links(question_id=question.pk, kitcompetency_id=focus_map[pk]) for pk in old_ids if pk in focus_map
        )
    return copy, [focus.competency for focus, _ in dropped]


@transaction.atomic
def focus_set(*, actor: User, kit: Kit, competency_ids) -> list[KitCompetency]:
    """The kit's focus, in this order: competencies kept keep their questions, new ones are
    added, the rest removed (not one a scorecard rated)."""
    _may_edit(actor)
    try:
        wanted = _ids(competency_ids or ())
    except (TypeError, ValueError):
        raise ValidationError({"competencies": f"Choose competencies {kit.level} has an expectation for."}) from None
    competencies = focus_validate(kit, wanted)
    current = {f.competency_id: f for f in KitCompetency.objects.select_for_update().filter(kit=kit)}
    KitCompetency.objects.filter(kit=kit).exclude(competency_id__in=wanted).delete()
    rows = []
    for competency in competencies:
        rows.append(current.get(competency.pk) or KitCompetency(kit=kit, competency=competency))
    _positions(rows)
    KitCompetency.objects.bulk_update([r for r in rows if r.pk], ["position"])
    KitCompetency.objects.bulk_create([r for r in rows if not r.pk])
    return list(KitCompetency.objects.filter(kit=kit).order_by("position", "pk"))


@transaction.atomic
def scale_update(*, actor: User, kit: Kit, points) -> list[ScalePoint]:
    """The kit's scale as (value, label, anchor, offset) points: 2 to 10, numbered from 1,
    each labelled and anchored, offsets rising with the value. A point keeps its row (and
    the ratings made with it) by value; a point a scorecard used cannot be removed."""
    _may_edit(actor)
    points = list(points or ())
    cleaned = scale_validate(kit, points)
    current = {p.value: p for p in ScalePoint.objects.select_for_update().filter(kit=kit)}
    ScalePoint.objects.filter(kit=kit, value__gt=len(cleaned)).delete()
    changed, added = [], []
    for value, label, anchor, offset in cleaned:
        point = current.get(value)
        if point is None:
            added.append(ScalePoint(kit=kit, value=value, label=label, anchor=anchor, offset=offset))
        elif (point.label, point.anchor, point.offset) != (label, anchor, offset):
            point.label, point.anchor, point.offset = label, anchor, offset
            changed.append(point)
    ScalePoint.objects.bulk_update(changed, ["label", "anchor", "offset"])
    ScalePoint.objects.bulk_create(added)
    return list(ScalePoint.objects.filter(kit=kit).order_by("value"))


# --- Questions -------------------------------------------------------------------------


@transaction.atomic
def question_add(
    *,
    actor: User,
    kit: Kit,
    text: str,
    good_looks_like: str = "",
    follow_ups: str = "",
    red_flags: str = "",
    focus_ids=(),
) -> Question:
    """A question at the end of the kit, probing some of its focus competencies (by
    KitCompetency id)."""
    _may_edit(actor)
    fields, focus = _question_fields(kit, text, good_looks_like, follow_ups, red_flags, focus_ids)
    last = kit.questions.aggregate(last=Max("position"))["last"]
    question = Question.objects.create(kit=kit, position=0 if last is None else last + 1, **fields)
    question.competencies.set(focus)
    return question


@transaction.atomic
def question_edit(
    *,
    actor: User,
    question: Question,
    text: str,
    good_looks_like: str = "",
    follow_ups: str = "",
    red_flags: str = "",
    focus_ids=(),
    position: int | None = None,
) -> Question:
    """A question's words, guidance and competencies (and, given one, its place)."""
    _may_edit(actor)
    fields, focus = _question_fields(question.kit, text, good_looks_like, follow_ups, red_flags, focus_ids)
    for name, value in fields.items():
        setattr(question, name, value)
    if position is not None:
        if not isinstance(position, int) or not 0 <= position <= 32767:
            raise ValidationError({"position": "Give the question's place as a number from 0."})
        question.position = position
    question.save()
    question.competencies.set(focus)
    return question


@transaction.atomic
def question_remove(*, actor: User, question: Question) -> None:
    """A question off its kit (interviews that planned it no longer list it)."""
    _may_edit(actor)
    question.delete()
