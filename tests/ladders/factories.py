"""Frameworks for tests: the real FT file, or a generated one of any size.

Frameworks enter the database the way they do in production, through the
import service, so tests exercise the same path as HR admins.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from auditlog.models import LogEntry
from django.utils import timezone

from ladders import formats
from ladders.models import (
    Assessment,
    Competency,
    CompetencyArea,
    Expectation,
    Framework,
    FrameworkVersion,
    Level,
    Placement,
    ProficiencyLevel,
    Rating,
    Track,
)
from ladders.services.assessments import (
    assessment_save,
    assessment_start,
    assessment_submit,
)
from ladders.services.frameworks import framework_import
from people.services import person_save

DATA = Path(__file__).resolve().parents[2] / "ladders" / "data"
FT_FILE = DATA / "ft-engineering.yml"


def ft_document() -> dict:
    return formats.parse(FT_FILE.read_text())


def document(*, slug: str = "backend", levels: int = 4, competencies: int = 3, areas: int = 1, fork_at: int | None = None) -> dict:
    """A framework with `levels` rungs and `competencies` per area.

    With `fork_at`, rungs from that one on exist twice: on an "ic" and an "mgr" track.
    """
    tracks = [{"slug": "ic", "name": "Individual Contributor", "summary": ""}]
    if fork_at:
        tracks.append({"slug": "mgr", "name": "Manager", "summary": ""})
    level_rows = []
    for rung in range(1, levels + 1):
        if fork_at and rung >= fork_at:
            level_rows.append({"code": f"l{rung}-ic", "title": f"Level {rung} IC", "summary": "", "rung": rung, "tracks": ["ic"]})
            level_rows.append({"code": f"l{rung}-mgr", "title": f"Level {rung} Manager", "summary": "", "rung": rung, "tracks": ["mgr"]})
        else:
            level_rows.append({"code": f"l{rung}", "title": f"Level {rung}", "summary": "", "rung": rung, "tracks": [t["slug"] for t in tracks]})
    scale = [{"name": name, "description": ""} for name in ("Learning", "Applying", "Skilled", "Leading", "Shaping")]
    area_rows = []
    for a in range(areas):
        comps = []
        for c in range(competencies):
            expectations = []
            for level in level_rows:
                value = min(5, max(1, level["rung"] - (1 if c % 2 else 0)))
                expectations.append(
                    {
                        "level": level["code"],
                        "proficiency": scale[value - 1]["name"],
                        "criteria": [f"Behaviour {c}.{level['rung']} of area {a}", f"Second behaviour at {level['code']}"],
                        "examples": [f"Example at {level['code']}"] if c == 0 else [],
                        "key": "",
                    }
                )
            comps.append({"slug": f"c{a}-{c}", "name": f"Competency {a}.{c}", "summary": "", "expectations": expectations})
        area_rows.append({"slug": f"area-{a}", "name": f"Area {a}", "summary": "", "competencies": comps})
    return {
        "format": formats.FORMAT,
        "slug": slug,
        "name": slug.replace("-", " ").title(),
        "summary": "A framework made for tests.",
        "change_notes": "",
        "levels_include_lower": False,
        "scale": scale,
        "tracks": tracks,
        "levels": level_rows,
        "areas": area_rows,
    }


def publish(doc: dict) -> FrameworkVersion:
    return framework_import(document=doc, publish=True).version


def reports_to(person, boss) -> None:
    """Move someone to another manager, as HR would in the admin."""
    person.manager = boss
    person_save(person=person)


def place(person, version: FrameworkVersion, code: str, *, track: str | None = None, on: datetime.date | None = None) -> Placement:
    level = Level.objects.get(version=version, code=code)
    track_obj = Track.objects.get(version=version, slug=track) if track else level.tracks.order_by("position").first()
    return Placement.objects.create(
        person=person, level=level, track=track_obj, effective_date=on or datetime.date(2024, 1, 1)
    )


def assess(
    subject,
    author,
    version: FrameworkVersion,
    code: str,
    *,
    values: dict[str, int | None] | None = None,
    default: int | None = 3,
    evidence: str = "",
    submit: bool = True,
) -> Assessment:
    """An assessment made through the services, as the pages make it.

    `values` maps competency slugs to proficiency values; every other
    competency gets `default` (None leaves it unrated).
    """
    kind = Assessment.Kind.SELF if subject.pk == author.pk else Assessment.Kind.MANAGER
    level = Level.objects.get(version=version, code=code)
    assessment = assessment_start(subject=subject, author=author, kind=kind, level=level)
    scale = {p.value: p.pk for p in ProficiencyLevel.objects.filter(version=version)}
    ratings = {}
    for rating in assessment.ratings.select_related("competency"):
        value = (values or {}).get(rating.competency.slug, default)
        ratings[rating.competency_id] = (scale[value] if value is not None else None, evidence)
    assessment_save(assessment=assessment, author=author, summary="", ratings=ratings)
    if submit:
        assessment_submit(assessment=assessment, author=author)
    assessment.refresh_from_db()
    return assessment


def framework_row_counts() -> dict[str, int]:
    """How many rows every framework table holds, to show that something wrote nothing."""
    models = [Framework, FrameworkVersion, ProficiencyLevel, Track, Level, CompetencyArea, Competency, Expectation, LogEntry]
    return {model.__name__: model.objects.count() for model in models}


def submitted(subject, author, version: FrameworkVersion, code: str, *, value: int = 3) -> Assessment:
    """A submitted assessment written straight to the database, every competency rated `value`.

    Much faster than `assess`; for building large data sets (query counts).
    """
    kind = Assessment.Kind.SELF if subject.pk == author.pk else Assessment.Kind.MANAGER
    assessment = Assessment.objects.create(
        subject=subject,
        author=author,
        kind=kind,
        version=version,
        level=Level.objects.get(version=version, code=code),
        status=Assessment.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    proficiency = ProficiencyLevel.objects.get(version=version, value=value)
    Rating.objects.bulk_create(
        Rating(assessment=assessment, competency=competency, proficiency=proficiency)
        for competency in Competency.objects.filter(version=version)
    )
    return assessment
