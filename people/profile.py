"""What other apps add to a person's page, registered by them, so that people knows nothing of them.

A section is a callable `section(viewer, person)` that returns what to show
(a template and its context) or None when there is nothing for this viewer,
registered under a key from the app's `AppConfig.ready()`:

    from people.profile import Section, register

    def person_level(viewer, person):
        if not may_see(viewer, person):
            return None
        return Section("ladders/_person_level.html", {"level": ...})

    register("ladders.level", person_level, order=10)

The section decides who may see it: the person page itself is open to
everyone signed in (see people.selectors.person_get_for_user). A section
shown on every page of a large organisation must cost a constant number of
queries, whoever the person is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import User


@dataclass(frozen=True)
class Section:
    """One part of a person's page: the template that draws it, given `section` (the context)."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)


SectionFinder = Callable[["User", "User"], Section | None]  # finder(viewer, person)


@dataclass(frozen=True)
class _Registered:
    key: str
    order: int
    finder: SectionFinder


_registry: dict[str, _Registered] = {}


def register(key: str, finder: SectionFinder, *, order: int = 100) -> None:
    """Add `finder`'s section to every person's page, lower `order` first."""
    known = _registry.get(key)
    if known is not None and known.finder is not finder:
        raise ValueError(f"A person page section {key!r} is already registered.")
    _registry[key] = _Registered(key, order, finder)


def unregister(key: str) -> None:
    """Forget a section (tests register sections of their own and take them away again)."""
    _registry.pop(key, None)


def sections_for(viewer: User, person: User) -> list[Section]:
    """The sections `viewer` sees on `person`'s page, in order."""
    found = []
    for entry in sorted(_registry.values(), key=lambda entry: (entry.order, entry.key)):
        section = entry.finder(viewer, person)
        if section is not None:
            found.append(section)
    return found
