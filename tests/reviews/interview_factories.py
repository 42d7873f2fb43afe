"""Kits, loops and scorecards for interview tests, made straight in the database (the
services that make them in the app are tested on their own)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from ladders.models import Competency, FrameworkVersion, Level
from reviews.models import Candidate, Interview, Kit, KitCompetency, Loop, ScalePoint, Scorecard
from reviews.models.interviews import DEFAULT_SCALE


def kit_for(version: FrameworkVersion, level_code: str, *, track: str = "ic", name: str = "") -> Kit:
    """A kit for `level_code` on `track`, every competency of the version in focus, the default scale."""
    level = Level.objects.get(version=version, code=level_code)
    if not name:  # kits in use have names of their own
        name, n = f"{level.title} interview", 1
        while Kit.objects.filter(name__iexact=name, is_archived=False).exists():
            n += 1
            name = f"{level.title} interview {n}"
    kit = Kit.objects.create(name=name, version=version, track=version.tracks.get(slug=track), level=level)
    KitCompetency.objects.bulk_create(
        KitCompetency(kit=kit, competency=c, position=n)
        for n, c in enumerate(Competency.objects.filter(version=version).order_by("area__position", "position"))
    )
    ScalePoint.objects.bulk_create(
        ScalePoint(kit=kit, value=value, label=label, anchor=anchor, offset=offset)
        for value, label, anchor, offset in DEFAULT_SCALE
    )
    return kit


def loop_for(kit: Kit, *, hiring_manager, name: str = "Grace Hopper", email: str = "grace@example.com") -> Loop:
    candidate = Candidate.objects.create(name=name, email=email, source="Referral")
    return Loop.objects.create(candidate=candidate, kit=kit, target_level=kit.level, hiring_manager=hiring_manager)


def interview_for(loop: Loop, *interviewers, stage: str = "technical", focus=None) -> Interview:
    interview = Interview.objects.create(
        loop=loop, stage=stage, starts_at=timezone.now() - datetime.timedelta(hours=2)
    )
    interview.focus.set(focus if focus is not None else loop.kit.focus.all())
    for person in interviewers:
        Scorecard.objects.create(interview=interview, interviewer=person)
    return interview
