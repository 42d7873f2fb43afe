"""Mentorship data for tests, made through the services where the pages make it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from mentorship import services
from mentorship.models import MentorProfile, Offer, Program, Relationship, Request, Touchpoint, Want
from tests.ladders import factories as ladder_factories


def program(slug: str = "mentoring", **fields) -> Program:
    today = timezone.localdate()
    values = {
        "name": slug.replace("-", " ").title(),
        "starts_on": today.replace(day=1) - datetime.timedelta(days=60),
        "ends_on": today + datetime.timedelta(days=300),
    }
    values.update(fields)
    return Program.objects.create(slug=slug, **values)


def framework():
    """The small test framework: levels l1 to l4, competencies c0-0, c0-1, c0-2 on a 1–5 scale."""
    return ladder_factories.publish(ladder_factories.document())


def placed(person, version, code: str, *, rated_by=None, value: int | None = None):
    """`person` at `code`; with `rated_by`, an agreed assessment rating every competency `value`."""
    ladder_factories.place(person, version, code)
    if rated_by is not None:
        ladder_factories.submitted(person, rated_by, version, code, value=value)
    return person


def mentor(person, *, capacity: int = 2, offers: dict[str, int | None] | None = None, **fields) -> MentorProfile:
    return services.mentor_profile_save(
        person=person,
        is_active=fields.get("is_active", True),
        capacity=capacity,
        domains=fields.get("domains", ""),
        style=fields.get("style"),
        availability=fields.get("availability", ""),
        paused_until=fields.get("paused_until"),
        offers=offers if offers is not None else {"c0-0": None, "c0-1": None, "c0-2": None},
    )


def ask(mentee, in_program: Program, *, competencies=("c0-0", "c0-1"), goals: str = "Design services end to end.", duration=None) -> Request:
    return services.request_submit(
        mentee=mentee, program=in_program, goals=goals, competencies=competencies,
        duration=duration or in_program.duration_default,
    )


def relationship(mentee, mentor_person, in_program: Program, *, status=Relationship.Status.ACTIVE, request: Request | None = None, **fields) -> Relationship:
    today = timezone.localdate()
    values = {
        "starts_on": today - datetime.timedelta(days=30),
        "ends_on": today + datetime.timedelta(days=90),
        "source": Relationship.Source.ROUND,
        "goals": "Grow in system design.",
    }
    values.update(fields)
    return Relationship.objects.create(program=in_program, mentee=mentee, mentor=mentor_person, status=status, request=request, **values)


def touchpoint(relation: Relationship, *, starts_at: datetime.datetime | None = None, held: bool = False, **fields) -> Touchpoint:
    starts_at = starts_at or timezone.now() + datetime.timedelta(days=1)
    return Touchpoint.objects.create(
        relationship=relation, period=relation.program.period_of(timezone.localtime(starts_at).date()),
        starts_at=starts_at, held=held, **fields,
    )


def want(request: Request, slug: str, *, assessed: int = 1, target: int = 3) -> Want:
    return Want.objects.create(request=request, competency=slug, name=slug, assessed=assessed, target=target)


__all__ = ["Offer", "framework", "program", "placed", "mentor", "ask", "relationship", "touchpoint", "want"]
