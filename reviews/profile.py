"""What reviews adds to a person's page (see people.profile): feedback and 1:1s with them."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.http import urlencode

from people.models import User
from people.profile import Section

from .selectors.oneonones import series_visible_to


def person_feedback_and_oneonones(viewer: User, person: User) -> Section | None:
    """Give them feedback and their 1:1s with the reader, for everyone; their feedback
    timeline for those who may follow it (everyone above them now, HR admins), as that
    page itself decides. Nothing on one's own page, or on the page of someone who left."""
    if viewer.pk == person.pk or not person.is_active or not viewer.is_active:
        return None
    series = series_visible_to(viewer).filter(Q(organiser=person) | Q(attendee=person), ended_at=None).first()
    follows = viewer.sees_everyone or viewer.manages(person)
    return Section(
        "reviews/_person_section.html",
        {
            "give_url": f"{reverse('reviews:give')}?{urlencode({'to': person.pk})}",
            "series": series,
            "series_new_url": f"{reverse('reviews:series_new')}?{urlencode({'with': person.pk})}",
            "feedback_url": reverse("reviews:person_feedback", args=[person.pk]) if follows else "",
        },
    )


def register() -> None:
    from people import profile

    profile.register("reviews.feedback", person_feedback_and_oneonones, order=30)
