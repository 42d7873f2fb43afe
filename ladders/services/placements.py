"""Placing people on a ladder: one dated row per change of level."""

from __future__ import annotations

import copy
import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import IO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from people.audit import acting_as, log_bulk
from people.csvimport import ImportFailed, ImportProblem, parse_date, read_rows
from people.models import User, normalize_email
from people.services import notification_send

from ..models import FrameworkVersion, Level, Placement, Track
from ..selectors.careers import placement_current
from ..selectors.frameworks import latest_published_versions, rubric_load


@transaction.atomic
def placement_record(
    *,
    person: User,
    level: Level,
    track: Track,
    effective_date: datetime.date,
    actor: User | None,
    note: str = "",
    notify: bool = True,
) -> Placement:
    """Record that `person` is at `level` on `track` from `effective_date`.

    A second record for the same day replaces the first, so correcting a
    mistake or importing the same export again never duplicates history.
    """
    if level.version.status != FrameworkVersion.Status.PUBLISHED:
        raise ValidationError({"level": "People can only be placed on a published version."})
    if track.version_id != level.version_id or not level.tracks.filter(pk=track.pk).exists():
        raise ValidationError({"track": f"{level} is not on the {track} track."})
    # Only needed to decide whether to tell the person; imports do not notify,
    # so they skip the lookup on every row.
    tell = notify and actor is not None and actor.pk != person.pk
    previous = placement_current(person) if tell else None
    with acting_as(actor):
        placement = Placement.objects.filter(person=person, effective_date=effective_date).first()
        if placement is None:
            placement = Placement(person=person, effective_date=effective_date)
        elif placement.level_id == level.pk and placement.track_id == track.pk and placement.note == note:
            return placement
        placement.level, placement.track, placement.note = level, track, note
        placement.recorded_by = actor
        placement.full_clean()
        placement.save()
    moved = previous is None or previous.level.code != level.code
    if tell and moved:
        notification_send(
            recipient=person,
            title=f"Your level is now {level.title}",
            body=f"From {effective_date.day} {effective_date:%B %Y}, on the {track.name} track.",
            url=reverse("ladders:my_path"),
        )
    return placement


PLACEMENT_COLUMNS_REQUIRED = ["email", "framework", "level", "effective_date"]
PLACEMENT_COLUMNS_OPTIONAL = ["track", "note"]
PLACEMENT_COLUMN_ALIASES = {
    "e_mail": "email",
    "email_address": "email",
    "level_code": "level",
    "effective": "effective_date",
    "effective_from": "effective_date",
    "date": "effective_date",
    "framework_slug": "framework",
    "job_family": "framework",
    "track_slug": "track",
}


@dataclass(frozen=True)
class PlacementLine:
    """A placement the import records or corrects, as the preview shows it."""

    line: int
    email: str
    name: str
    framework: str
    level: str
    track: str
    effective_date: datetime.date
    note: str = ""
    was: str = ""  # what a corrected placement said before


@dataclass
class PlacementImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    problems: list[str] = field(default_factory=list)
    recorded: list[PlacementLine] = field(default_factory=list)
    corrected: list[PlacementLine] = field(default_factory=list)

    def outcome(self) -> dict:
        """What the import does, whether checked or applied (see people.services.imports)."""
        return {
            "recorded": [(p.email, p.level, p.track, p.effective_date.isoformat(), p.note) for p in self.recorded],
            "corrected": [(p.email, p.level, p.track, p.effective_date.isoformat(), p.note, p.was) for p in self.corrected],
            "unchanged": self.unchanged,
        }

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.created} placements {verb} recorded, {self.updated} {verb} corrected, "
            f"{self.unchanged} unchanged."
        )


def placements_import(*, source: IO | str, dry_run: bool = False, actor: User | None = None) -> PlacementImportReport:
    """Record placements from a CSV export (email, framework, level, effective_date[, track, note]).

    Every line is checked before anything is written. A level on one track
    needs no track column; for a level shared by several tracks the person's
    current track is kept when it applies, and otherwise the first track.
    """
    problems: list[ImportProblem] = []
    rows, columns = read_rows(
        source,
        required=PLACEMENT_COLUMNS_REQUIRED,
        optional=PLACEMENT_COLUMNS_OPTIONAL,
        aliases=PLACEMENT_COLUMN_ALIASES,
        problems=problems,
    )
    versions = {}
    for version in latest_published_versions():
        versions[version.framework.slug.lower()] = version
        versions[version.framework.name.lower()] = version
    rubrics = {}
    emails = {normalize_email(r.get("email")) for r in rows}
    people = {u.email: u for u in _in_chunks(User.objects.only("pk", "email", "name").order_by(), "email", emails)}
    current = _current_tracks(list(people.values()))

    planned = []
    seen: dict[tuple[str, datetime.date], int] = {}
    # In date order, so that a person's track carries forward from one line
    # of the file to their next one, as it would have in the HR system.
    carried: dict[str, str] = {}
    for row in sorted(rows, key=_by_date):
        email = normalize_email(row.get("email"))
        person = people.get(email)
        if person is None:
            problems.append(ImportProblem(row.line, "email", f"no one with the e-mail {email or '(empty)'} is in Trellis; import people first."))
        framework = row.get("framework")
        version = versions.get(framework.lower())
        if version is None:
            problems.append(ImportProblem(row.line, "framework", f"no published framework called “{framework}”."))
        try:
            effective = parse_date(row.get("effective_date"))
        except ValueError as exc:
            problems.append(ImportProblem(row.line, "effective_date", str(exc)))
            effective = None
        if version is None:
            continue
        if version.pk not in rubrics:
            rubrics[version.pk] = rubric_load(version)
        rubric = rubrics[version.pk]
        code = row.get("level")
        level = rubric.level_by_code.get(code) or next(
            (lv for lv in rubric.levels if lv.code.lower() == code.lower()), None
        )
        if level is None:
            known = ", ".join(lv.code for lv in rubric.levels)
            problems.append(ImportProblem(row.line, "level", f"no level “{code}” in {version.framework} (levels: {known})."))
            continue
        options = rubric.level_tracks(level)
        wanted = row.get("track") if "track" in columns else ""
        if wanted:
            track = next((t for t in options if wanted.lower() in (t.slug.lower(), t.name.lower())), None)
            if track is None:
                names = ", ".join(t.slug for t in options)
                problems.append(ImportProblem(row.line, "track", f"{level.code} is not on a track “{wanted}” (it is on {names})."))
                continue
        else:
            held = carried.get(email) or current.get(email)
            track = next((t for t in options if t.slug == held), options[0])
        carried[email] = track.slug
        note = row.get("note") if "note" in columns else ""
        limit = Placement._meta.get_field("note").max_length
        if len(note) > limit:
            problems.append(ImportProblem(row.line, "note", f"a note can have at most {limit} characters."))
            continue
        if person is not None and effective is not None:
            key = (email, effective)
            if key in seen:
                problems.append(
                    ImportProblem(row.line, "effective_date", f"{email} already has a placement on {effective} at line {seen[key]}.")
                )
                continue
            seen[key] = row.line
            planned.append((person, level, track, effective, note, row.line))
    if problems:
        raise ImportFailed(sorted(problems, key=lambda p: p.line or 0))

    report = PlacementImportReport(dry_run=dry_run)
    existing = {
        (p.person_id, p.effective_date): p
        # With its level, to say what a corrected placement said before.
        for p in _in_chunks(Placement.objects.select_related("level").order_by(), "person_id", {p[0].pk for p in planned})
    }
    new: list[tuple] = []
    corrected: list[tuple[Placement, Placement]] = []
    for person, level, track, effective, note, line in sorted(planned, key=lambda p: p[-1]):
        before = existing.get((person.pk, effective))
        shown = PlacementLine(
            line, person.email, person.name, rubrics[level.version_id].framework.name, f"{level.title} ({level.code})",
            track.name, effective, note,
        )
        if before is None:
            new.append((person, level, track, effective, note))
            report.recorded.append(shown)
        elif (before.level_id, before.track_id, before.note) == (level.pk, track.pk, note):
            report.unchanged += 1
        else:
            after = copy.copy(before)
            after.person, after.level, after.track, after.note, after.recorded_by = person, level, track, note, actor
            corrected.append((before, after))
            report.corrected.append(replace(shown, was=f"{before.level.title} ({before.level.code})"))
    report.created, report.updated = len(new), len(corrected)
    if dry_run:
        return report
    with transaction.atomic():
        # A batch at a time with its audit entries, so memory stays flat.
        for start in range(0, len(new), 1000):
            batch = Placement.objects.bulk_create(
                [
                    Placement(person=person, level=level, track=track, effective_date=effective, note=note, recorded_by=actor)
                    for person, level, track, effective, note in new[start : start + 1000]
                ]
            )
            log_bulk(((None, p) for p in batch), actor=actor)
        for start in range(0, len(corrected), 1000):
            batch = corrected[start : start + 1000]
            Placement.objects.bulk_update([after for _, after in batch], ["level", "track", "note", "recorded_by"])
            log_bulk(batch, actor=actor)
    return report


def _in_chunks(queryset, field: str, values: set, size: int = 5000) -> Iterator:
    """Rows whose `field` is among `values`, a few thousand values per query
    (SQLite refuses statements with more than 32,766 parameters)."""
    ordered = sorted(values)
    for start in range(0, len(ordered), size):
        yield from queryset.filter(**{f"{field}__in": ordered[start : start + size]})


def _by_date(row) -> tuple:
    try:
        return (0, parse_date(row.get("effective_date")), row.line)
    except ValueError:
        return (1, datetime.date.min, row.line)


def _current_tracks(people: list[User]) -> dict[str, str]:
    """Each person's current track slug, to keep it on a shared level."""
    email_of = {person.pk: person.email for person in people}
    latest: dict[int, tuple] = {}
    rows = _in_chunks(
        Placement.objects.order_by().values_list("person_id", "effective_date", "pk", "track__slug"),
        "person_id",
        set(email_of),
    )
    for person_id, effective, pk, slug in rows:
        if person_id not in latest or (effective, pk) > latest[person_id][:2]:
            latest[person_id] = (effective, pk, slug)
    return {email_of[person_id]: slug for person_id, (_, _, slug) in latest.items()}
