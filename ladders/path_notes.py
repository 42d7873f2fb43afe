"""What other apps say beside each competency on a person's path, registered by them, so that
ladders knows nothing of them.

A finder is a callable `finder(viewer, person, rubric)` that returns a
`Column` of notes, one per competency slug of the rubric the person stands on
today, or None when it has nothing for this viewer. Apps built on ladders
register theirs from their `AppConfig.ready()`:

    from ladders.path_notes import Column, Note, register

    def feedback_on_path(viewer, person, rubric):
        counts = ...  # one query, only what `viewer` may read
        return Column("Feedback", {c.slug: Note(f"{counts[c.slug]} pieces …", url=...) for c in rubric.competencies})

    register("reviews.feedback", feedback_on_path, order=10)

The path page itself decides who may read a path (see
careers.person_get_for_viewer); a finder decides what this viewer may learn
from its notes. Notes are read afresh on every request: they may change
without the stamp changing (feedback does), so the page keys what it keeps
by their values (see `key_of`). A finder costs a constant number of queries
(one is the aim), whatever the person's history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from people.models import User

    from .selectors.frameworks import Rubric


@dataclass(frozen=True)
class Note:
    """A line beside one competency: `text`, a link on it when `url` is set, and a
    following action ("ask for some") when `action` is. A `quiet` note says there is
    nothing to report; it is shown in the table but left out of short lists."""

    text: str
    url: str = ""
    action: str = ""
    action_url: str = ""
    quiet: bool = False


@dataclass(frozen=True)
class Column:
    """One app's notes for the path's competencies, under `heading`, by competency slug."""

    heading: str
    notes: tuple[tuple[str, Note], ...]

    def __init__(self, heading: str, notes: Mapping[str, Note] | Iterable[tuple[str, Note]]):
        object.__setattr__(self, "heading", heading)
        items = notes.items() if isinstance(notes, Mapping) else notes
        object.__setattr__(self, "notes", tuple(items))

    def note_for(self, slug: str) -> Note | None:
        return dict(self.notes).get(slug)


NoteFinder = Callable[["User", "User", "Rubric"], Column | None]  # finder(viewer, person, rubric)


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    finder: NoteFinder


_registry: dict[str, _Registered] = {}


def register(key: str, finder: NoteFinder, *, order: int = 100) -> None:
    """Add `finder`'s column beside the gap on every path, lower `order` first."""
    known = _registry.get(key)
    if known is not None and known.finder is not finder:
        raise ValueError(f"Path notes {key!r} are already registered.")
    _registry[key] = _Registered(key, order, finder)


def unregister(key: str) -> None:
    """Forget a finder (tests register their own and take them away again)."""
    _registry.pop(key, None)


def columns_for(viewer: User, person: User, rubric: Rubric) -> list[Column]:
    """The columns of notes `viewer` sees on `person`'s path, in order."""
    found = []
    for entry in sorted(_registry.values(), key=lambda entry: (entry.order, entry.key)):
        column = entry.finder(viewer, person, rubric)
        if column is not None:
            found.append(column)
    return found


def beside(rows: list[dict], columns: list[Column]) -> list[dict]:
    """The gap rows with each one's notes, `row["notes"]`: (heading, note or None) per column."""
    by_slug = [(column.heading, dict(column.notes)) for column in columns]
    for row in rows:
        slug = row["competency"].slug
        row["notes"] = [(heading, notes.get(slug)) for heading, notes in by_slug]
    return rows


def listed(columns: list[Column]) -> list[Note]:
    """The notes worth a line of their own where there is no table to put them in."""
    return [note for column in columns for _, note in column.notes if not note.quiet]


def key_of(columns: list[Column]) -> str:
    """A short key standing for every value the notes show: what is kept with the notes
    drawn in it is kept under it, and drawn again as soon as a note changes."""
    if not columns:
        return ""
    return hashlib.blake2b(repr(columns).encode(), digest_size=12).hexdigest()
