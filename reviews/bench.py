"""Reviews' pages in `make bench` and `make bench-http`, on the demo organisation."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.urls import reverse

from people.models import User

from .models import Cycle, Feedback, FeedbackAsk, FeedbackRequest, Loop, Packet, Participant, Scorecard, Series


def pages(sender, *, people: dict[str, User], **kwargs) -> list[tuple[str, str, str]]:
    engineer, manager = people.get("engineer"), people.get("manager")
    if engineer is None or manager is None:
        return []
    feedback = Feedback.objects.filter(subject=engineer, visibility="shared").order_by("-created_at").first()
    request = FeedbackRequest.objects.filter(subject=engineer).order_by("pk").first()
    ask = FeedbackAsk.objects.filter(respondent=engineer, status=FeedbackAsk.Status.OPEN).order_by("pk").first()
    series = Series.objects.filter(organiser=manager, attendee=engineer, ended_at=None).first()
    if None in (feedback, request, ask, series):
        return []
    meeting = series.meetings.filter(starts_at__lt=series.next_at).order_by("-starts_at").first()
    return [
        *_feedback_and_1on1s(engineer, feedback, request, ask, series, meeting), *_interviews(people), *_cycles(people),
        *_packets(people),
    ]


def _cycles(people: dict[str, User]) -> list[tuple[str, str, str]]:
    engineer = people["engineer"]
    released = Participant.objects.filter(person=engineer, cycle__released_at__isnull=False).order_by("-cycle__released_at").first()
    running = Cycle.objects.filter(released_at=None).order_by("-pk").first()
    if released is None or running is None:
        return []
    return [
        ("engineer", "my reviews", reverse("reviews:my_reviews")),
        ("engineer", "review results", reverse("reviews:cycle_results", args=[released.pk])),
        ("manager", "cycle team status", reverse("reviews:cycle_team", args=[running.pk])),
        ("manager", "cycle calibration", reverse("reviews:cycle_calibration", args=[running.pk])),
        ("hr", "review cycles", reverse("reviews:cycles")),
        ("hr", "review cycle dashboard", reverse("reviews:cycle", args=[running.pk])),
        ("hr", "cycle calibration", reverse("reviews:cycle_calibration", args=[running.pk])),
    ]


def _packets(people: dict[str, User]) -> list[tuple[str, str, str]]:
    engineer, manager = people["engineer"], people["manager"]
    own = Packet.objects.filter(person=engineer).order_by("-pk").first()
    waiting = Packet.objects.filter(sponsor=manager, status=Packet.Status.IN_COMMITTEE).order_by("pk").first()
    if own is None or waiting is None:
        return []
    return [
        ("engineer", "promotion packets", reverse("reviews:packets")),
        ("engineer", "my packet", reverse("reviews:packet", args=[own.pk])),
        ("manager", "a packet in committee", reverse("reviews:packet", args=[waiting.pk])),
        ("manager", "a draft packet with the year to pull in", reverse("reviews:packet", args=[own.pk])),
        ("hr", "all packets", reverse("reviews:packet_all")),
        ("hr", "promotion fairness", reverse("reviews:promotion_fairness")),
        ("hr", "promotion fairness by manager", reverse("reviews:promotion_fairness") + "?by=manager"),
    ]


def _interviews(people: dict[str, User]) -> list[tuple[str, str, str]]:
    engineer, manager = people["engineer"], people["manager"]
    scorecard = Scorecard.objects.filter(interviewer=engineer, submitted_at=None).order_by("pk").first()
    # The loop page with its scheduling form, and a debrief with everything to read and the
    # decision to take: an undecided loop of the manager's whose scorecards are all in.
    cards = Scorecard.objects.filter(interview__loop=OuterRef("pk"))
    loop = (
        Loop.objects.filter(hiring_manager=manager, decision="", candidate__erased_at=None)
        .filter(Exists(cards), ~Exists(cards.filter(submitted_at=None)))
        .order_by("pk")
        .first()
    )
    if scorecard is None or loop is None:
        return []
    return [
        ("engineer", "my interviews", reverse("reviews:my_interviews")),
        ("engineer", "scorecard", reverse("reviews:scorecard", args=[scorecard.pk])),
        ("manager", "loops", reverse("reviews:loops")),
        ("manager", "loop", reverse("reviews:loop", args=[loop.pk])),
        ("manager", "debrief", reverse("reviews:debrief", args=[loop.pk])),
        ("engineer", "interview kit", reverse("reviews:kit", args=[scorecard.interview.loop.kit_id])),
        ("hr", "interview kits", reverse("reviews:kits")),
        ("hr", "interviewer calibration", reverse("reviews:calibration")),
    ]


def _feedback_and_1on1s(engineer, feedback, request, ask, series, meeting) -> list[tuple[str, str, str]]:
    return [
        ("engineer", "my feedback", reverse("reviews:timeline")),
        ("engineer", "give feedback", reverse("reviews:give")),
        ("engineer", "feedback", reverse("reviews:feedback", args=[feedback.pk])),
        ("engineer", "feedback requests", reverse("reviews:requests")),
        ("engineer", "feedback request", reverse("reviews:request", args=[request.pk])),
        ("engineer", "answer a request", reverse("reviews:ask", args=[ask.pk])),
        ("manager", "team feedback", reverse("reviews:team")),
        ("manager", "a person's feedback", reverse("reviews:person_feedback", args=[engineer.pk])),
        ("manager", "1:1s", reverse("reviews:series_list")),
        ("manager", "1:1 series", reverse("reviews:series", args=[series.pk])),
        ("manager", "1:1 meeting", reverse("reviews:meeting", args=[meeting.pk])),
    ]
