"""Frameworks for tests: the real FT file, or a generated one of any size.

Frameworks enter the database the way they do in production, through the
import service, so tests exercise the same path as HR admins.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from ladders import formats
from ladders.models import FrameworkVersion, Level, Placement, Track
from ladders.services.frameworks import framework_import

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
        "scale": scale,
        "tracks": tracks,
        "levels": level_rows,
        "areas": area_rows,
    }


def publish(doc: dict) -> FrameworkVersion:
    return framework_import(document=doc, publish=True).version


def place(person, version: FrameworkVersion, code: str, *, track: str | None = None, on: datetime.date | None = None) -> Placement:
    level = Level.objects.get(version=version, code=code)
    track_obj = Track.objects.get(version=version, slug=track) if track else level.tracks.order_by("position").first()
    return Placement.objects.create(
        person=person, level=level, track=track_obj, effective_date=on or datetime.date(2024, 1, 1)
    )
