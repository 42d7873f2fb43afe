"""Mentorship's pages in `make bench` and `make bench-http`, on the demo organisation."""

from __future__ import annotations

from people.models import User

from .models import Program, Relationship, Round


def pages(sender, *, people: dict[str, User], **kwargs) -> list[tuple[str, str, str]]:
    engineer = people.get("engineer")
    relationship = Relationship.objects.filter(mentee=engineer).order_by("-starts_on").first() if engineer else None
    program = Program.objects.order_by("pk").first()
    round = Round.objects.order_by("pk").first()
    if relationship is None or program is None or round is None:
        return []
    touchpoint = relationship.touchpoints.order_by("-starts_at").first()
    found = [
        ("engineer", "mentorship", "/mentorship/"),
        ("engineer", "mentorship relationship", relationship.get_absolute_url()),
        ("engineer", "mentor profile", "/mentorship/mentor/"),
        ("manager", "mentorship", "/mentorship/"),
        ("hr", "mentorship programs", "/mentorship/programs/"),
        ("hr", "mentorship program", program.get_absolute_url()),
        ("hr", "matching round", round.get_absolute_url()),
    ]
    if touchpoint is not None:
        found.insert(2, ("engineer", "touchpoint", touchpoint.get_absolute_url()))
    return found
