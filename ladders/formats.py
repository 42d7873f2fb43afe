"""Framework files: reading, checking and writing.

Two formats are read:

* Trellis's own (`format: trellis-framework/1`), described in
  docs/framework-format.md and `schemas/trellis-framework.schema.json`;
* the Financial Times job-family format (engineering-progression), which is
  turned into the Trellis form on the way in.

Both produce a *document*: a plain dict in the Trellis form, checked against
the schema and for cross-references, with every problem reported as a line
and a field. Writing goes the other way: a version becomes a document and a
document becomes YAML. Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify
from jsonschema import Draft202012Validator

from people.textfiles import MEGABYTE, NotUTF8, decode_utf8

FORMAT = "trellis-framework/1"
# A framework file is usually a few hundred kB; the admin and the command refuse larger ones.
MAX_BYTES = 2 * MEGABYTE
# Deep enough for any framework (areas → competencies → expectations → criteria).
MAX_DEPTH = 32
SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"
FT_PROFICIENCIES = ["Awareness", "Foundational", "Working knowledge", "Practitioner", "Expert"]
FT_TRACK_MARKERS = [
    # (track slug, track name, level-id suffix, level-name suffix)
    ("ic", "Individual Contributor", "-ic", "(Individual Contributor)"),
    ("pm", "People Manager", "-pm", "(People Manager)"),
]


@dataclass(frozen=True)
class FileProblem:
    line: int | None
    field: str
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        if self.column:
            where += f", column {self.column}"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class FrameworkFileError(Exception):
    def __init__(self, problems: list[FileProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@cache
def _validator(name: str) -> Draft202012Validator:
    schema = json.loads((SCHEMA_DIR / name).read_text())
    return Draft202012Validator(schema)


def _field(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


class _Lines:
    """Line numbers of every node of a YAML document, by path."""

    def __init__(self, node: yaml.Node | None):
        self.lines: dict[tuple, int] = {}
        if node is not None:
            self._walk(node, ())

    def _walk(self, node: yaml.Node, path: tuple) -> None:
        self.lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                self._walk(value, path + (key.value,))
                # Point at the key, which is where a reader looks.
                self.lines[path + (key.value,)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self._walk(item, path + (index,))

    def __call__(self, path: tuple) -> int | None:
        path = tuple(path)
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path)


def _schema_problems(data: Any, schema: str, lines: _Lines) -> list[FileProblem]:
    problems = []
    for error in sorted(_validator(schema).iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        path = tuple(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at each unknown key, not at the mapping that holds it.
            known = error.schema.get("properties", {})
            for key in (k for k in error.instance if k not in known):
                problems.append(FileProblem(lines(path + (key,)), _field(path + (key,)), "unknown field"))
            continue
        if error.validator == "required" and isinstance(error.instance, dict):
            # Name the missing field; the line is that of the mapping it is missing from.
            missing = [k for k in error.validator_value if k not in error.instance and repr(k) in message]
            if missing:
                problems.append(FileProblem(lines(path), _field(path + (missing[0],)), "this field is required"))
                continue
        if error.validator == "oneOf":
            message = f"{error.instance!r} is neither a name from the scale nor a number"
        problems.append(FileProblem(lines(path), _field(path), message))
    return problems


class _Refused(yaml.MarkedYAMLError):
    """Valid YAML that a framework file may not use."""


class _Resolver(yaml.resolver.BaseResolver):
    """Plain scalars are text, except what a framework file uses: null, true and
    false, and whole numbers in plain decimal. Nothing is read as a date, a
    float, octal, hex or base 60, so nothing costs more to read than it is long."""


_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]{0,8})$"), list("-+0123456789")
)
_Resolver.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""])

try:  # libyaml's parser, when PyYAML was built with it (the wheels are): several times faster.
    from yaml._yaml import CParser as _Parser

    _PARSER_COUNTS_BYTES = True
except ImportError:  # pragma: no cover - PyYAML without libyaml
    class _Parser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)

    _PARSER_COUNTS_BYTES = False


class _BoundedLoader(_Parser, yaml.composer.Composer, yaml.constructor.SafeConstructor, _Resolver):
    """YAML whose reading costs what the file's size says.

    Anchors and aliases let a few hundred bytes stand for gigabytes ("billion
    laughs") or for a value that contains itself, and tags ask for
    constructors a framework never needs; a framework file has no use for
    either, so they are refused where they appear. Nesting is capped, so a
    file of brackets cannot exhaust the stack. Events come from the parser;
    composing them into nodes is PyYAML's own composer with those checks.
    """

    # libyaml's parser composes nodes itself; these are the checked ones.
    check_node = yaml.composer.Composer.check_node
    get_node = yaml.composer.Composer.get_node
    get_single_node = yaml.composer.Composer.get_single_node
    compose_document = yaml.composer.Composer.compose_document

    def __init__(self, text: str):
        _Parser.__init__(self, text)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        _Resolver.__init__(self)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                problem=f"aliases (*{event.anchor}) are not allowed in framework files; write the value out in full",
                problem_mark=event.start_mark,
            )
        if getattr(event, "anchor", None) is not None:
            raise _Refused(
                problem=f"anchors (&{event.anchor}) are not allowed in framework files; write each value out in full",
                problem_mark=event.start_mark,
            )
        if getattr(event, "tag", None) not in (None, "!"):
            raise _Refused(
                problem=f"tags ({event.tag}) are not allowed in framework files; write plain values",
                problem_mark=event.start_mark,
            )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(problem=f"nested more than {MAX_DEPTH} levels deep", problem_mark=event.start_mark)
        try:
            return yaml.composer.Composer.compose_node(self, parent, index)
        finally:
            self.depth -= 1


def _load(text: str) -> tuple[yaml.Node | None, Any]:
    """Compose once, then build the data from the same nodes."""
    loader = _BoundedLoader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _position(text: str, offset: int) -> tuple[int, int]:
    if _PARSER_COUNTS_BYTES:
        # libyaml counts bytes of UTF-8; lines and columns count characters.
        offset = len(text.encode("utf-8")[:offset].decode("utf-8", errors="ignore"))
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def parse(text: str | bytes) -> dict:
    """Read a framework file in either format and return a checked document."""
    if isinstance(text, bytes):
        try:
            text = decode_utf8(text)
        except NotUTF8 as exc:
            raise FrameworkFileError([FileProblem(exc.line, "", exc.reason, exc.column)]) from None
    try:
        node, data = _load(text)
    except _Refused as exc:
        mark = exc.problem_mark
        raise FrameworkFileError([FileProblem(mark.line + 1, "", exc.problem, mark.column + 1)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise FrameworkFileError([FileProblem(line, "", f"not valid YAML: {exc.problem or exc.context}")]) from exc
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (a NUL byte, say), found before parsing.
        line, column = _position(text, exc.position)
        raise FrameworkFileError(
            [FileProblem(line, "", f"character #x{exc.character:04x} is not allowed in a YAML file", column)]
        ) from None
    except yaml.YAMLError as exc:
        raise FrameworkFileError([FileProblem(None, "", f"not valid YAML: {exc}")]) from exc
    except (ValueError, OverflowError, RecursionError) as exc:  # pragma: no cover - a safety net
        # The resolver above leaves nothing for a constructor to choke on;
        # should something still, the person hears it rather than a 500.
        raise FrameworkFileError([FileProblem(None, "", f"could not be read: {exc}")]) from exc
    lines = _Lines(node)
    if not isinstance(data, dict):
        raise FrameworkFileError([FileProblem(1, "", "expected a mapping of fields at the top of the file")])
    if "format" in data:
        if data["format"] != FORMAT:
            raise FrameworkFileError(
                [FileProblem(lines(("format",)), "format", f"unknown format {data['format']!r}; expected {FORMAT!r}")]
            )
        problems = _schema_problems(data, "trellis-framework.schema.json", lines)
        if problems:
            # Report the cross-reference problems of the same file too, so it is fixed in one round.
            problems += _references_despite(problems, data, lines)
            raise FrameworkFileError(sorted(problems, key=lambda p: p.line or 0))
        document = _normalise(data)
    elif "themes" in data and "competencies" in data:
        problems = _schema_problems(data, "ft-job-family.schema.json", lines)
        problems += _ft_reference_problems(data, lines)
        if problems:
            raise FrameworkFileError(problems)
        document = from_ft(data)
        # A converted FT file carries no line numbers of its own form.
        lines = _Lines(None)
    else:
        raise FrameworkFileError(
            [FileProblem(1, "format", f"unknown file: add `format: {FORMAT}` or use the FT job-family format")]
        )
    problems = _reference_problems(document, lines)
    if problems:
        raise FrameworkFileError(problems)
    return document


def _text(value: Any) -> str:
    """Tidy free text: lines wrapped in the file are joined, blank lines kept as paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", (value or "").strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def _one_line(value: str) -> str:
    # Criteria and examples are stored one per line.
    return " ".join(value.split())


def _normalise(data: dict) -> dict:
    """Fill defaults and tidy whitespace so that equal content compares equal."""
    all_tracks = [t["slug"] for t in data["tracks"]]
    scale_names = [s["name"] for s in data["scale"]]

    def proficiency(value: Any) -> Any:
        if isinstance(value, int) and 1 <= value <= len(scale_names):
            return scale_names[value - 1]
        return value

    return {
        "format": FORMAT,
        "slug": data["slug"],
        "name": data["name"].strip(),
        "summary": _text(data.get("summary")),
        "change_notes": _text(data.get("change_notes")),
        "levels_include_lower": bool(data.get("levels_include_lower", False)),
        "scale": [{"name": s["name"].strip(), "description": _text(s.get("description"))} for s in data["scale"]],
        "tracks": [
            {"slug": t["slug"], "name": t["name"].strip(), "summary": _text(t.get("summary"))} for t in data["tracks"]
        ],
        "levels": [
            {
                "code": lv["code"],
                "title": lv["title"].strip(),
                "summary": _text(lv.get("summary")),
                "rung": lv["rung"],
                "tracks": list(lv.get("tracks") or all_tracks),
            }
            for lv in data["levels"]
        ],
        "areas": [
            {
                "slug": area["slug"],
                "name": area["name"].strip(),
                "summary": _text(area.get("summary")),
                "competencies": [
                    {
                        "slug": comp["slug"],
                        "name": comp["name"].strip(),
                        "summary": _text(comp.get("summary")),
                        "expectations": [
                            {
                                "level": exp["level"],
                                "proficiency": proficiency(exp["proficiency"]),
                                "criteria": [_one_line(c) for c in exp["criteria"] if c.strip()],
                                "examples": [_one_line(e) for e in exp.get("examples") or [] if e.strip()],
                                "key": (exp.get("key") or "").strip(),
                            }
                            for exp in comp["expectations"]
                        ],
                    }
                    for comp in area["competencies"]
                ],
            }
            for area in data["areas"]
        ],
    }


def _duplicates(items: list[dict], key: str, path: tuple, lines: _Lines, what: str) -> tuple[set, list[FileProblem]]:
    seen: dict[str, int] = {}
    problems = []
    for index, item in enumerate(items):
        value = item[key]
        if value in seen:
            problems.append(
                FileProblem(
                    lines(path + (index, key)),
                    _field(path + (index, key)),
                    f"{what} {value!r} is used twice (first at {_field(path + (seen[value], key))})",
                )
            )
        else:
            seen[value] = index
    return set(seen), problems


def _reference_problems(doc: dict, lines: _Lines) -> list[FileProblem]:
    """What a schema cannot say: unique keys, references, one level per rung per track."""
    problems: list[FileProblem] = []
    names, found = _duplicates(doc["scale"], "name", ("scale",), lines, "proficiency")
    problems += found
    tracks, found = _duplicates(doc["tracks"], "slug", ("tracks",), lines, "track")
    problems += found
    levels, found = _duplicates(doc["levels"], "code", ("levels",), lines, "level code")
    problems += found

    rung_owner: dict[tuple[str, int], str] = {}
    for index, level in enumerate(doc["levels"]):
        for position, track in enumerate(level["tracks"]):
            path = ("levels", index, "tracks", position)
            if track not in tracks:
                problems.append(FileProblem(lines(path), _field(path), f"no track {track!r} in tracks"))
                continue
            owner = rung_owner.setdefault((track, level["rung"]), level["code"])
            if owner != level["code"]:
                path = ("levels", index, "rung")
                problems.append(
                    FileProblem(
                        lines(path),
                        _field(path),
                        f"track {track!r} already has level {owner!r} on rung {level['rung']}",
                    )
                )

    _, found = _duplicates(doc["areas"], "slug", ("areas",), lines, "area")
    problems += found
    competency_seen: dict[str, tuple] = {}
    for a, area in enumerate(doc["areas"]):
        for c, comp in enumerate(area["competencies"]):
            cpath = ("areas", a, "competencies", c)
            if comp["slug"] in competency_seen:
                problems.append(
                    FileProblem(
                        lines(cpath + ("slug",)),
                        _field(cpath + ("slug",)),
                        f"competency {comp['slug']!r} is used twice (first at {_field(competency_seen[comp['slug']])})",
                    )
                )
            competency_seen.setdefault(comp["slug"], cpath)
            level_seen: set[str] = set()
            for e, exp in enumerate(comp["expectations"]):
                epath = cpath + ("expectations", e)
                if exp["level"] not in levels:
                    problems.append(
                        FileProblem(lines(epath + ("level",)), _field(epath + ("level",)), f"no level {exp['level']!r} in levels")
                    )
                elif exp["level"] in level_seen:
                    problems.append(
                        FileProblem(
                            lines(epath + ("level",)),
                            _field(epath + ("level",)),
                            f"{comp['slug']!r} already has an expectation for level {exp['level']!r}",
                        )
                    )
                level_seen.add(exp["level"])
                if exp["proficiency"] not in names:
                    problems.append(
                        FileProblem(
                            lines(epath + ("proficiency",)),
                            _field(epath + ("proficiency",)),
                            f"{exp['proficiency']!r} is not on the scale ({', '.join(s['name'] for s in doc['scale'])})",
                        )
                    )
                if not exp["criteria"]:
                    problems.append(
                        FileProblem(lines(epath + ("criteria",)), _field(epath + ("criteria",)), "at least one criterion is required")
                    )
    return problems


def _references_despite(found: list[FileProblem], data: dict, lines: _Lines) -> list[FileProblem]:
    """The cross-reference problems of a file the schema has refused.

    The file is read as far as its shape allows: a missing or mistyped value
    stands in as empty, and a reference problem at (or inside) a field the
    schema already named is left out, so each mistake is told once.
    """

    def items(value: Any) -> list:
        return value if isinstance(value, list) else []

    def mapping(value: Any) -> dict:
        return value if isinstance(value, dict) else {}

    def key(value: Any) -> str | int | None:
        return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None

    # Named in messages, so text even where the file has none.
    scale = [{"name": n if isinstance(n := mapping(s).get("name"), str) else ""} for s in items(data.get("scale"))]
    names = [s["name"] for s in scale]
    tracks = [{"slug": key(mapping(t).get("slug"))} for t in items(data.get("tracks"))]
    all_tracks = [t["slug"] for t in tracks]

    def proficiency(value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= len(names):
            return names[value - 1]
        return key(value)

    shaped = {
        "scale": scale,
        "tracks": tracks,
        "levels": [
            {
                "code": key(mapping(lv).get("code")),
                "rung": key(mapping(lv).get("rung")),
                "tracks": [key(t) for t in items(mapping(lv).get("tracks"))] or list(all_tracks),
            }
            for lv in items(data.get("levels"))
        ],
        "areas": [
            {
                "slug": key(mapping(a).get("slug")),
                "competencies": [
                    {
                        "slug": key(mapping(c).get("slug")),
                        "expectations": [
                            {
                                "level": key(mapping(e).get("level")),
                                "proficiency": proficiency(mapping(e).get("proficiency")),
                                "criteria": [x for x in items(mapping(e).get("criteria")) if isinstance(x, str) and x.strip()]
                                if "criteria" in mapping(e)
                                else ["(missing)"],
                            }
                            for e in items(mapping(c).get("expectations"))
                        ],
                    }
                    for c in items(mapping(a).get("competencies"))
                ],
            }
            for a in items(data.get("areas"))
        ],
    }
    named = [p.field for p in found]

    def told(field: str) -> bool:
        return any(field == n or field.startswith(n + ".") or field.startswith(n + "[") for n in named)

    # A reference to a level, track or proficiency whose own definition the
    # schema refused is more likely right than wrong: it is not told again.
    refused = {
        "no level ": any(re.match(r"levels(\[\d+\]\.code)?$", n) for n in named),
        "no track ": any(re.match(r"tracks(\[\d+\]\.slug)?$", n) for n in named),
        "is not on the scale": any(n == "scale" or n.startswith("scale[") for n in named),
    }
    return [
        p
        for p in _reference_problems(shaped, lines)
        if not told(p.field) and "None" not in p.message and not any(refused[m] and m in p.message for m in refused)
    ]


# --- The Financial Times job-family format ----------------------------------


def _ft_reference_problems(data: dict, lines: _Lines) -> list[FileProblem]:
    problems = []
    level_ids, found = _duplicates(data["levels"], "id", ("levels",), lines, "level id")
    problems += found
    theme_ids, found = _duplicates(data["themes"], "id", ("themes",), lines, "theme id")
    problems += found
    _, found = _duplicates(data["competencies"], "id", ("competencies",), lines, "competency id")
    problems += found
    pairs: dict[tuple[str, str], int] = {}
    for index, comp in enumerate(data["competencies"]):
        path = ("competencies", index)
        if comp["level"] not in level_ids:
            problems.append(FileProblem(lines(path + ("level",)), _field(path + ("level",)), f"no level {comp['level']!r} in levels"))
        if comp["theme"] not in theme_ids:
            problems.append(FileProblem(lines(path + ("theme",)), _field(path + ("theme",)), f"no theme {comp['theme']!r} in themes"))
        pair = (comp["theme"], comp["level"])
        if pair in pairs:
            problems.append(
                FileProblem(
                    lines(path),
                    _field(path),
                    f"theme {pair[0]!r} already has a competency for level {pair[1]!r} at competencies[{pairs[pair]}]",
                )
            )
        pairs.setdefault(pair, index)
    return problems


def _ft_track(level: dict) -> str | None:
    for slug, _name, id_suffix, name_suffix in FT_TRACK_MARKERS:
        if level["id"].endswith(id_suffix) or level["name"].strip().endswith(name_suffix):
            return slug
    return None


def _criteria_from_summary(summary: str) -> list[str]:
    """FT summaries are one paragraph, or a numbered list of behaviours."""
    text = summary.strip()
    items = re.split(r"(?:^|\n)\s*\d+\.\s+", text)
    items = [_one_line(item) for item in items if item.strip()]
    if len(items) > 1 or re.match(r"\s*\d+\.\s", text):
        return items
    return [_one_line(text)]


def from_ft(data: dict) -> dict:
    """Turn an FT job family into a Trellis document.

    FT levels carry no tracks: a level whose id ends in -ic / -pm (or whose
    name ends in "(Individual Contributor)" / "(People Manager)") is on that
    track, any other level is on every track, and neighbouring levels that
    differ only by that marker share a rung. FT themes become competencies in
    one area, and each FT competency becomes the expectation of its theme at
    its level; a numbered summary becomes one criterion per item.
    """
    level_tracks = {level["id"]: _ft_track(level) for level in data["levels"]}
    used = {slug for slug in level_tracks.values() if slug}
    if used:
        tracks = [
            {"slug": slug, "name": name, "summary": ""} for slug, name, _, _ in FT_TRACK_MARKERS if slug in used
        ]
    else:
        tracks = [{"slug": slugify(data["name"]) or "main", "name": data["name"].strip(), "summary": ""}]
    all_tracks = [t["slug"] for t in tracks]

    levels = []
    rung = 0
    previous_forked = False
    for level in data["levels"]:
        track = level_tracks[level["id"]]
        # A forked level right after another forked level is its sibling
        # on the other track, unless that track already has this rung.
        taken = track and previous_forked and any(
            other["rung"] == rung and track in other["tracks"] for other in levels
        )
        if not (track and previous_forked) or taken:
            rung += 1
        previous_forked = bool(track)
        levels.append(
            {
                "code": level["id"],
                "title": level["name"].strip(),
                "summary": "",
                "rung": rung,
                "tracks": [track] if track else list(all_tracks),
            }
        )

    by_theme: dict[str, list[dict]] = {theme["id"]: [] for theme in data["themes"]}
    level_order = {level["id"]: index for index, level in enumerate(data["levels"])}
    for comp in data["competencies"]:
        examples = [_one_line(e) for e in comp.get("examples") or []]
        examples += [f"{u['label']}: {u['url']}" for u in comp.get("supportingUrls") or []]
        by_theme[comp["theme"]].append(
            {
                "level": comp["level"],
                "proficiency": comp["proficiency"],
                "criteria": _criteria_from_summary(comp["summary"]),
                "examples": examples,
                "key": comp["id"],
            }
        )
    competencies = []
    for theme in data["themes"]:
        expectations = sorted(by_theme[theme["id"]], key=lambda e: level_order[e["level"]])
        if not expectations:
            continue
        competencies.append(
            {"slug": theme["id"], "name": theme["name"].strip(), "summary": _text(theme.get("summary")), "expectations": expectations}
        )
    if not competencies:
        raise FrameworkFileError([FileProblem(None, "competencies", "the job family has no competencies")])

    return {
        "format": FORMAT,
        "slug": slugify(data["name"]) or "framework",
        "name": data["name"].strip(),
        "summary": _text(data.get("summary")),
        "change_notes": "",
        "levels_include_lower": False,
        "scale": [{"name": name, "description": ""} for name in FT_PROFICIENCIES],
        "tracks": tracks,
        "levels": levels,
        "areas": [{"slug": "themes", "name": "Themes", "summary": "", "competencies": competencies}],
    }


# --- Writing ------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    pass


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _list_representer(dumper: yaml.SafeDumper, value: list) -> yaml.Node:
    # Lists of slugs (a level's tracks) read best on one line: [ic, pm].
    short = all(isinstance(v, str) and " " not in v and len(v) <= 40 for v in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=bool(value) and short)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(list, _list_representer)


def _prune(document: dict) -> Any:
    """Leave out empty optional fields so exported files read like hand-written ones."""

    def walk(value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {
                k: walk(v, k)
                for k, v in value.items()
                if (v not in ("", []) or k in ("criteria",)) and not (k == "levels_include_lower" and v is False)
            }
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(document)


def dump(document: dict) -> str:
    header = (
        "# Trellis career framework. Format: docs/framework-format.md\n"
        "# Schema: ladders/schemas/trellis-framework.schema.json\n"
    )
    body = yaml.dump(_prune(document), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)
    return header + body
