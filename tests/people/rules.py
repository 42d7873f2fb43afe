"""Reminder rules in tests: only those a test asks for are dispatched, and the code's are put back after it."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

import pytest

from people import reminders
from people.reminders import Due


class Rules:
    """The registry as one test sees it: empty at first, then what it keeps and adds."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.code = reminders.registered()
        self.registry: dict = {}
        # Every reader of the registry looks it up by name, here included.
        monkeypatch.setattr(reminders, "_registry", self.registry)

    def keep(self, *keys: str) -> None:
        """Dispatch these rules of the code."""
        for key in keys:
            self.registry[key] = self.code[key]

    def add(
        self,
        key: str,
        finder: Callable[[int, datetime.datetime], Iterable[Due]],
        *,
        days: int = 7,
        name: str = "",
        private: bool = False,
    ) -> None:
        reminders.rule(
            key,
            name=name or f"Test rule {key}",
            description=f"Registered by a test: {key}.",
            days=days,
            days_label="days in a test",
            private=private,
        )(finder)


def dues(recipients: Iterable[int], *, count: int, period: str = "2026-11", model: str = "tests.thing") -> list[Due]:
    """`count` reminders about as many objects, shared round the recipients."""
    recipients = list(recipients)
    return [
        Due(
            recipient_id=recipients[n % len(recipients)],
            subject=f"{model}:{n}",
            period=period,
            title=f"Thing {n} needs you",
            url=f"/things/{n}/",
        )
        for n in range(count)
    ]
