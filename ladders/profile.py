"""The level section of a person's page (see people.profile): where they stand, for those who may read their path."""

from __future__ import annotations

from django.urls import reverse

from people.models import User
from people.profile import Section
from people.stamp import stamp_of

from .selectors.careers import can_view_career, career_of


def person_level(viewer: User, person: User) -> Section | None:
    """The person's level, track and framework, since when, and a link to their path:
    for the person, everyone above them and HR admins, as the path page itself."""
    # The path of someone who has left is not open to anyone (see person_get_for_viewer).
    if not person.is_active or not can_view_career(viewer, person):
        return None
    # Read as the path page reads it, and kept under the same stamp: no query
    # while nothing about the person's placements or frameworks has changed.
    career = career_of(person, stamp=stamp_of(viewer))
    is_me = viewer.pk == person.pk
    return Section(
        "ladders/_person_level.html",
        {
            "standing": career.standing,
            "placement": career.placement,
            "is_me": is_me,
            "path_url": reverse("ladders:my_path") if is_me else reverse("ladders:person_path", args=[person.pk]),
        },
    )
