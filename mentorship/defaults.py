"""The ways of working and agenda templates a new installation starts with (HR edits them in the admin)."""

from __future__ import annotations

from .models import AgendaTemplate, Style

STYLES = [
    ("Async written", "Questions and answers in writing, between meetings.", 1),
    ("Live pairing", "Working through real code or designs together.", 2),
    ("Structured agenda", "A short agenda agreed before each meeting.", 3),
]

AGENDAS = [
    ("Code review", "code_review", "A change you are proud of, and one you are unsure of\nWhat a reviewer would ask first\nOne habit to try before next time", 1),
    ("Architecture decision", "architecture", "The decision and its context\nOptions weighed, and what each costs\nWho needs to agree, and how to write it down", 2),
    ("Career progression", "career", "Where your path says you are, and the next level\nOne gap to work on this month\nEvidence you could gather for it", 3),
    ("Custom", "custom", "What went well since we last met\nWhat is in your way\nWhat you will do before next time", 4),
]


def defaults_ensure() -> None:
    """Put back the starting lists when they are empty (after `flush`, say); never touches HR's edits."""
    if not Style.objects.exists():
        Style.objects.bulk_create(Style(name=n, description=d, position=p) for n, d, p in STYLES)
    if not AgendaTemplate.objects.exists():
        AgendaTemplate.objects.bulk_create(AgendaTemplate(name=n, kind=k, agenda=a, position=p) for n, k, a, p in AGENDAS)
