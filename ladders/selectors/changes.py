"""What a framework file changes against the version people read now.

Both sides are documents (formats.py): the current published version
exported, and the file as read. Comparing documents rather than rows means
the import page can say what would change before anything is written, and
the audit entry of an import can say the same thing afterwards. Things are
matched by what the file names them by: tracks and areas by slug, levels by
code, competencies by slug, expectations by competency and level.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .frameworks import _criteria_diff, _words_diff

# The order in which kinds of change are listed and summed up.
KINDS = ("added", "removed", "raised", "lowered", "reworded", "changed")


@dataclass
class Change:
    """One thing that differs: a level, a competency, an expectation…"""

    what: str  # "track", "level", "area", "competency", "expectation", "proficiency"
    kind: str  # one of KINDS
    name: str
    details: list[str] = field(default_factory=list)
    # Word-level pieces of a reworded summary: (kind, text), kind same/removed/added.
    words: list[tuple[str, str]] = field(default_factory=list)
    # Criteria paired up (selectors.frameworks._criteria_diff), only those that changed.
    criteria: list[dict] = field(default_factory=list)


@dataclass
class DocumentChanges:
    against: int | None  # number of the version compared with, None for a first version
    changes: list[Change] = field(default_factory=list)

    def of(self, what: str) -> list[Change]:
        return [c for c in self.changes if c.what == what]

    @property
    def groups(self) -> list[tuple[str, list[Change]]]:
        order = ("framework", "proficiency", "track", "level", "area", "competency", "expectation")
        titles = {
            "framework": "Framework",
            "proficiency": "Proficiency scale",
            "track": "Tracks",
            "level": "Levels",
            "area": "Competency areas",
            "competency": "Competencies",
            "expectation": "Expectations",
        }
        return [(titles[what], self.of(what)) for what in order if self.of(what)]

    def counts(self) -> list[tuple[str, str, int]]:
        """(what, kind, how many), in a fixed order."""
        counter = Counter((c.what, c.kind) for c in self.changes)
        whats = ("framework", "proficiency", "track", "level", "area", "competency", "expectation")
        return [(w, k, counter[(w, k)]) for w in whats for k in KINDS if counter[(w, k)]]

    def summary(self) -> str:
        """'3 levels changed, 2 expectations raised, …', or 'no changes'."""
        if not self.changes:
            return "no changes"
        plural = {"proficiency": "proficiencies", "competency": "competencies"}
        parts = []
        for what, kind, n in self.counts():
            if what == "framework":
                parts.append("its name or settings changed")
                continue
            noun = what if n == 1 else plural.get(what, what + "s")
            parts.append(f"{n} {noun} {kind}")
        return ", ".join(parts)


def _by(items: list[dict], key: str) -> dict[str, dict]:
    return {item[key]: item for item in items}


def _text_change(label: str, before: str, after: str, change: Change) -> None:
    if before == after:
        return
    if before and after:
        change.details.append(f"{label} reworded")
        if not change.words:
            change.words = _words_diff(before, after)
    elif after:
        change.details.append(f"{label} added")
    else:
        change.details.append(f"{label} removed")


def _added_removed(what: str, before: dict, after: dict, label) -> list[Change]:
    out = [Change(what, "added", label(after[k])) for k in after if k not in before]
    out += [Change(what, "removed", label(before[k])) for k in before if k not in after]
    return out


def document_changes(before: dict | None, after: dict, *, against: int | None = None) -> DocumentChanges:
    """Everything `after` changes relative to `before` (None: everything is new)."""
    result = DocumentChanges(against=against)
    if before is None:
        return result
    out = result.changes

    framework = Change("framework", "changed", after["name"])
    if before["name"] != after["name"]:
        framework.details.append(f"renamed from {before['name']}")
    _text_change("summary", before["summary"], after["summary"], framework)
    # Settings of the whole framework, whatever the format adds: named as the file names them.
    nested = {"format", "slug", "name", "summary", "change_notes", "scale", "tracks", "levels", "areas"}
    for key in sorted((set(before) | set(after)) - nested):
        if before.get(key) != after.get(key):
            framework.details.append(f"{key.replace('_', ' ')}: {before.get(key)} → {after.get(key)}")
    if framework.details:
        out.append(framework)

    scale_before = [s["name"] for s in before["scale"]]
    scale_after = [s["name"] for s in after["scale"]]
    out += [Change("proficiency", "added", n) for n in scale_after if n not in scale_before]
    out += [Change("proficiency", "removed", n) for n in scale_before if n not in scale_after]

    tracks_before, tracks_after = _by(before["tracks"], "slug"), _by(after["tracks"], "slug")
    out += _added_removed("track", tracks_before, tracks_after, lambda t: t["name"])
    for slug, new in tracks_after.items():
        old = tracks_before.get(slug)
        if old is None:
            continue
        change = Change("track", "changed", new["name"])
        if old["name"] != new["name"]:
            change.details.append(f"renamed from {old['name']}")
        _text_change("summary", old["summary"], new["summary"], change)
        if change.details:
            out.append(change)

    levels_before, levels_after = _by(before["levels"], "code"), _by(after["levels"], "code")
    out += _added_removed("level", levels_before, levels_after, lambda lv: f"{lv['title']} ({lv['code']})")
    for code, new in levels_after.items():
        old = levels_before.get(code)
        if old is None:
            continue
        change = Change("level", "changed", f"{new['title']} ({code})")
        if old["title"] != new["title"]:
            change.details.append(f"renamed from {old['title']}")
        if old["rung"] != new["rung"]:
            change.details.append(f"rung {old['rung']} → {new['rung']}")
        if sorted(old["tracks"]) != sorted(new["tracks"]):
            change.details.append(f"tracks {', '.join(old['tracks'])} → {', '.join(new['tracks'])}")
        _text_change("summary", old["summary"], new["summary"], change)
        if change.details:
            out.append(change)

    areas_before, areas_after = _by(before["areas"], "slug"), _by(after["areas"], "slug")
    out += _added_removed("area", areas_before, areas_after, lambda a: a["name"])
    for slug, new in areas_after.items():
        old = areas_before.get(slug)
        if old is not None and old["name"] != new["name"]:
            out.append(Change("area", "changed", new["name"], [f"renamed from {old['name']}"]))

    def competencies(document: dict) -> dict[str, tuple[dict, dict]]:
        return {c["slug"]: (c, a) for a in document["areas"] for c in a["competencies"]}

    comps_before, comps_after = competencies(before), competencies(after)
    out += [Change("competency", "added", c["name"], [f"in {a['name']}"]) for s, (c, a) in comps_after.items() if s not in comps_before]
    out += [Change("competency", "removed", c["name"]) for s, (c, _) in comps_before.items() if s not in comps_after]
    for slug, (new, area) in comps_after.items():
        if slug not in comps_before:
            continue
        old, old_area = comps_before[slug]
        change = Change("competency", "changed", new["name"])
        if old["name"] != new["name"]:
            change.details.append(f"renamed from {old['name']}")
        if old_area["slug"] != area["slug"]:
            change.details.append(f"moved from {old_area['name']} to {area['name']}")
        _text_change("summary", old["summary"], new["summary"], change)
        if change.details:
            out.append(change)

    out += _expectation_changes(before, after, comps_before, comps_after, levels_before, levels_after)
    return result


def _expectation_changes(before, after, comps_before, comps_after, levels_before, levels_after) -> list[Change]:
    rank_before = {s["name"]: i for i, s in enumerate(before["scale"])}
    rank_after = {s["name"]: i for i, s in enumerate(after["scale"])}

    def expectations(comps: dict) -> dict[tuple[str, str], dict]:
        return {(slug, e["level"]): e for slug, (c, _) in comps.items() for e in c["expectations"]}

    def name(key: tuple[str, str], comps: dict, levels: dict) -> str:
        slug, code = key
        level = levels.get(code)
        return f"{comps[slug][0]['name']} at {level['title'] if level else code}"

    old_all, new_all = expectations(comps_before), expectations(comps_after)
    out: list[Change] = []
    # In the order of the file: area, competency, level.
    for key, new in new_all.items():
        label = name(key, comps_after, levels_after)
        old = old_all.get(key)
        if old is None:
            out.append(Change("expectation", "added", label, [f"at {new['proficiency']}"]))
            continue
        up = rank_after.get(new["proficiency"], 0) - rank_before.get(old["proficiency"], 0)
        rows = [row for row in _criteria_diff(old["criteria"], new["criteria"]) if row["kind"] != "same"]
        details = []
        if old["proficiency"] != new["proficiency"]:
            details.append(f"{old['proficiency']} → {new['proficiency']}")
        if old["examples"] != new["examples"]:
            details.append("examples changed")
        if up > 0:
            kind = "raised"
        elif up < 0:
            kind = "lowered"
        elif rows or old["examples"] != new["examples"] or old["proficiency"] != new["proficiency"]:
            kind = "reworded"
        else:
            continue
        out.append(Change("expectation", kind, label, details, criteria=rows))
    out += [
        Change("expectation", "removed", name(key, comps_before, levels_before))
        for key in old_all
        if key not in new_all
    ]
    return out
