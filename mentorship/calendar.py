"""A person's mentorship touchpoints as an iCalendar feed, behind a secret address."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from icalendar import Calendar, Event

from .models import CalendarFeed, Relationship, Touchpoint
from .services import feed_digest

# Far enough back for a calendar to show the mentorship's history.
HISTORY_DAYS = 400


def feed_for_token(token: str) -> bytes | None:
    """The feed of whoever holds `token`, or None when no feed answers to it."""
    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(digest=feed_digest(token), person__is_active=True).select_related("person").first()
    if feed is None:
        return None
    person = feed.person
    touchpoints = (
        Touchpoint.objects.filter(Q(relationship__mentee=person) | Q(relationship__mentor=person))
        .filter(
            starts_at__gte=timezone.now() - datetime.timedelta(days=HISTORY_DAYS),
            relationship__status__in=(
                Relationship.Status.ACTIVE, Relationship.Status.PAUSED, Relationship.Status.COMPLETED, Relationship.Status.ENDED
            ),
        )
        .select_related("relationship__mentee", "relationship__mentor")
        .order_by("starts_at")[:500]
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Trellis//Mentorship//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Trellis mentorship")
    site = settings.SITE_URL.rstrip("/")
    for touchpoint in touchpoints:
        relationship = touchpoint.relationship
        other = relationship.mentor if relationship.mentee_id == person.pk else relationship.mentee
        role = "Mentoring" if relationship.mentor_id == person.pk else "Mentorship with"
        event = Event()
        event.add("uid", f"touchpoint-{touchpoint.pk}@trellis")
        event.add("summary", f"{role} {other.name}")
        event.add("dtstart", touchpoint.starts_at)
        event.add("dtend", touchpoint.starts_at + datetime.timedelta(minutes=touchpoint.minutes))
        event.add("dtstamp", touchpoint.updated_at)
        # The agenda, not the notes: a calendar is often shared with assistants or on phones.
        event.add("description", touchpoint.agenda or "No agenda yet.")
        event.add("url", f"{site}{touchpoint.get_absolute_url()}")
        calendar.add_component(event)
    return calendar.to_ical()
