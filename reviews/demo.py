"""Reviews' part of `seed_demo`: feedback of both visibilities over the last six months, requests
open and answered, and 1:1 series with past meetings, open actions and one tomorrow, so that
`make run` shows every page with something on it and the first dispatcher run has reminders to send.
"""

from __future__ import annotations

import datetime
import random as _random

from django.utils import timezone

from people.models import Notification, User

from .models import ActionItem, AgendaChange, Feedback, FeedbackAsk, FeedbackRequest, Meeting, PrivateNote, Series, TalkingPoint
from .selectors.feedback import competencies_for
from .services.feedback import EDIT_WINDOW, feedback_give
from .services.oneonones import point_add, series_create
from .services.requests import feedback_request_answer, feedback_request_create

PRAISE = [
    "Your write-up of the search outage was the clearest incident review this quarter: the timeline, the "
    "contributing factors and the follow-ups each had an owner.",
    "Thank you for pairing with the new joiners on the billing service; they shipped their first change in a week.",
    "The migration plan for the events table was careful: the dry run on a copy of production caught the lock problem.",
    "You kept the architecture review on track and made sure the quieter people were heard.",
    "Great call to cut scope on the export feature; we shipped on time and nobody missed the rest.",
]
GROWTH = [
    "In the design review the rollback plan came last and thin. Next time start with how we undo it.",
    "Pull requests of 1,500 lines are hard to review well; splitting them would get you faster, better reviews.",
    "When the on-call page fired you fixed it alone; pulling someone in earlier would have shortened it.",
    "The estimate for the payments work slipped twice without a heads-up. Say so as soon as you know.",
]
PROJECTS = ["Search relaunch", "Billing migration", "Checkout", "Data platform", ""]
QUESTIONS = [
    "How did I do leading the design review for the events pipeline?",
    "What should I keep doing, and do differently, when I run incident reviews?",
    "Was my hand-over of the billing work clear enough?",
]


def _teammates(person: User, everyone: list[User]) -> list[User]:
    return [p for p in everyone if p.manager_id == person.manager_id and p.pk != person.pk and person.manager_id]


def seed(sender, *, personas: dict[str, User], random: _random.Random, stdout, **kwargs) -> None:
    rnd = random
    now = timezone.now()
    today = timezone.localdate()
    ada, marcus, director, sofia = personas["engineer"], personas["manager"], personas["director"], personas["datalead"]
    everyone = list(User.objects.filter(is_active=True).order_by("pk"))
    by_manager: dict[int, list[User]] = {}
    for person in everyone:
        if person.manager_id:
            by_manager.setdefault(person.manager_id, []).append(person)

    # Feedback flowing in the teams of the personas who manage, and in a sample of the others:
    # most people every few weeks, one report of Marcus's none for two months.
    managers = [marcus, director, sofia] + [
        boss for boss in everyone if boss.pk in by_manager and boss.pk not in {marcus.pk, director.pk, sofia.pk}
    ][:20]
    # The last of Marcus's team: the first ones give and answer Ada's feedback below.
    quiet = next((p for p in reversed(by_manager.get(marcus.pk, [])) if p.pk != ada.pk), None)
    rows, tagged = [], []
    for boss in managers:
        for report in by_manager.get(boss.pk, []):
            allowed = list(competencies_for(report))
            givers = _teammates(report, everyone)[:6] + [boss]
            for weeks_ago in range(1, 26):
                if report == quiet and weeks_ago < 9:
                    continue
                if rnd.random() > (0.55 if report == ada else 0.3):
                    continue
                giver = rnd.choice(givers)
                kind = rnd.choice(["praise", "praise", "growth"])
                private = giver == boss and rnd.random() < 0.25
                when = now - datetime.timedelta(weeks=weeks_ago, hours=rnd.randint(0, 100))
                rows.append(Feedback(
                    giver=giver, subject=report, kind=kind, visibility="private" if private else "shared",
                    body=rnd.choice(PRAISE if kind == "praise" else GROWTH), project=rnd.choice(PROJECTS),
                    created_at=when, editable_until=when + EDIT_WINDOW,
                ))
                tagged.append(rnd.sample(allowed, min(2, len(allowed))))
    # Loaded at once: the rules they would pass are the services' (tested there), and a
    # large demo company would otherwise take minutes.
    Feedback.objects.bulk_create(rows, batch_size=500)
    Through = Feedback.competencies.through
    Through.objects.bulk_create(
        [Through(feedback_id=row.pk, competency_id=pk) for row, pks in zip(rows, tagged, strict=True) for pk in pks],
        batch_size=1000,
    )

    # Ada's own story: growth from Marcus on System design, praise from her team, a note
    # private to her manager chain from another lead, and feedback she gave a teammate
    # minutes ago (still editable).
    # The competency her story is about: design where the framework names it, else the technical one.
    mine = list(competencies_for(ada).values())
    design = next((c for word in ("design", "technical") for c in mine if word in c.name.lower()), None)
    tags = [design.pk] if design else []
    feedback_give(
        giver=marcus, subject=ada, kind="growth", visibility="shared", competency_ids=tags, project="Events pipeline",
        body="Your design for the events pipeline was solid, but the rollback plan came last and thin. "
        "At Senior 2 we expect the failure modes first: how we notice, how we undo.",
    )
    if sofia.pk != marcus.pk:
        feedback_give(
            giver=sofia, subject=ada, kind="growth", visibility="private", competency_ids=tags, project="Data platform",
            body="For Marcus: Ada pushed back hard on the schema change in front of my team. She was right on "
            "substance, but it landed badly; worth a word in your next 1:1.",
        )
    teammate = next((p for p in by_manager.get(marcus.pk, []) if p.pk not in {ada.pk}), None)
    if teammate is not None:
        feedback_give(
            giver=ada, subject=teammate, kind="praise", visibility="shared", project="Checkout",
            body="Thanks for reviewing the checkout changes on a Friday evening; the catch on the currency rounding saved a bad week.",
            competency_ids=list(competencies_for(teammate))[:1],
        )

    # Requests: Ada asked two colleagues about System design a week ago; one answered, one has
    # not yet (due in three days). Marcus asked about another report, privately; and someone
    # asked Ada, who has yet to answer.
    colleagues = [p for p in _teammates(ada, everyone) if p.pk != ada.pk][:2] or [director]
    asked = feedback_request_create(
        requester=ada, subject=ada, respondent_ids=[p.pk for p in colleagues], visibility="shared",
        due_on=today + datetime.timedelta(days=3), question=QUESTIONS[0], competency_ids=tags, project="Events pipeline",
    )
    FeedbackRequest.objects.filter(pk=asked.pk).update(created_at=now - datetime.timedelta(days=7))
    first = asked.asks.order_by("pk").first()
    feedback_request_answer(
        ask=first, respondent=first.respondent, kind="praise",
        body="The review went well: you had the trade-offs written down before anyone asked. Next time share the doc a day earlier.",
    )
    if quiet is not None:
        others = [p for p in _teammates(quiet, everyone) if p.pk != quiet.pk][:3]
        if others:
            feedback_request_create(
                requester=marcus, subject=quiet, respondent_ids=[p.pk for p in others], visibility="private",
                due_on=today + datetime.timedelta(days=5), question="How is the billing migration going from where you sit?",
                project="Billing migration",
            )
    if teammate is not None:
        feedback_request_create(
            requester=teammate, subject=teammate, respondent_ids=[ada.pk], visibility="shared",
            due_on=today + datetime.timedelta(days=1), question=QUESTIONS[2],
        )

    series = _oneonones(rnd, ada=ada, marcus=marcus, director=director, sofia=sofia, by_manager=by_manager, design=design)

    # What seeding said happened long ago is old news; what needs an answer now stays unread.
    Notification.objects.filter(rule__in=["reviews.feedback_received", "reviews.request_answered"]).exclude(
        recipient=ada
    ).update(read_at=now, email_sent_at=now)
    stdout.write(
        f"Reviews: {Feedback.objects.count()} pieces of feedback, {FeedbackRequest.objects.count()} requests "
        f"({FeedbackAsk.objects.filter(status=FeedbackAsk.Status.OPEN).count()} asks open), {series} 1:1 series "
        f"with {Meeting.objects.count()} meetings."
    )


TOPICS = [
    "How the on-call week went",
    "Priorities for the next sprint",
    "Blockers on the billing migration",
    "Career: what Senior 2 looks like day to day",
    "Hiring loop: how the interviews felt",
    "Team health: meeting load",
]
NOTES = [
    "Seemed tired after on-call; check in on the rota next week.",
    "Ask about the conference talk idea again in a month.",
    "Follow up with Daniel on headcount before promising anything.",
]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _history(rnd, series: Series, people: tuple[User, User], *, past: int, step: datetime.timedelta) -> list[Meeting]:
    """`past` meetings before the series' next one, each with a few talking points, most discussed."""
    meetings = Meeting.objects.bulk_create(
        Meeting(series=series, starts_at=series.next_at - step * n, created_at=series.next_at - step * (n + 1))
        for n in range(past, 0, -1)
    )
    TalkingPoint.objects.bulk_create(
        TalkingPoint(
            meeting=meeting, author=rnd.choice(people), text=text, discussed=rnd.random() < 0.85,
            created_at=meeting.starts_at - datetime.timedelta(days=1, hours=rnd.randint(0, 40)),
        )
        for meeting in meetings
        for text in rnd.sample(TOPICS, rnd.randint(2, 3))
    )
    return meetings


def _oneonones(rnd, *, ada, marcus, director, sofia, by_manager, design) -> int:
    today = timezone.localdate()
    now = timezone.now()
    weekly, biweekly = datetime.timedelta(weeks=1), datetime.timedelta(weeks=2)
    made = 0

    # Marcus and Ada, every week, tomorrow morning next: five meetings behind them, the last
    # one six days ago and still open to changes; actions open, one overdue.
    pair = series_create(actor=marcus, other=ada, cadence="weekly", first_at=_at(today + datetime.timedelta(days=1), 10))
    made += 1
    past = _history(rnd, pair, (marcus, ada), past=5, step=weekly)
    last, before = past[-1], past[-2]
    growth = Feedback.objects.filter(giver=marcus, subject=ada, visibility="shared").order_by("-created_at").first()
    TalkingPoint.objects.create(
        meeting=last, author=marcus, text="Your design review: what went well, and the rollback plan",
        competency=design, feedback=growth, discussed=True, created_at=last.starts_at - datetime.timedelta(hours=3),
    )
    ActionItem.objects.bulk_create([
        ActionItem(series=pair, meeting=past[0], owner=ada, text="Pair with Sam on the search indexer's on-call runbook",
                   due_on=past[0].starts_at.date() + datetime.timedelta(days=10), created_at=past[0].starts_at,
                   done_at=past[0].starts_at + datetime.timedelta(days=8)),
        ActionItem(series=pair, meeting=before, owner=ada, text="Write the rollback section of the pipeline design doc",
                   due_on=today - datetime.timedelta(days=2), created_at=before.starts_at),
        ActionItem(series=pair, meeting=last, owner=marcus, text="Ask Daniel about the Senior 2 promotion timeline",
                   due_on=today + datetime.timedelta(days=6), created_at=last.starts_at),
    ])
    # After the last meeting Ada sharpened what she had said she would do: kept as history.
    AgendaChange.objects.create(
        meeting=last, actor=ada, what=AgendaChange.What.POINT_CHANGED, before="Blockers on billing",
        after="Blockers on the billing migration", at=last.starts_at + datetime.timedelta(hours=2),
    )
    PrivateNote.objects.bulk_create([
        PrivateNote(meeting=last, author=marcus, body=rnd.choice(NOTES), updated_at=last.starts_at + datetime.timedelta(hours=1)),
        PrivateNote(meeting=last, author=ada, body="Ask for a stretch project with an external dependency.",
                    updated_at=last.starts_at + datetime.timedelta(hours=1)),
    ])
    upcoming = pair.meetings.get(starts_at=pair.next_at)
    point_add(meeting=upcoming, actor=ada, text="Feedback on the events pipeline review", competency_id=design.pk if design else None)
    point_add(meeting=upcoming, actor=marcus, text="What is still missing for Senior 2")

    # Daniel and Marcus every two weeks; Sofia with each of her reports monthly; Marcus with
    # the rest of his team weekly.
    skip = series_create(actor=director, other=marcus, cadence="biweekly", first_at=_at(today + datetime.timedelta(days=5), 14))
    _history(rnd, skip, (director, marcus), past=3, step=biweekly)
    made += 1
    for report in by_manager.get(sofia.pk, [])[:4]:
        series = series_create(
            actor=sofia, other=report, cadence="monthly", first_at=_at(today + datetime.timedelta(days=rnd.randint(2, 20)), 11)
        )
        _history(rnd, series, (sofia, report), past=2, step=datetime.timedelta(days=30))
        made += 1
    for report in by_manager.get(marcus.pk, []):
        if report.pk == ada.pk:
            continue
        series = series_create(
            actor=marcus, other=report, cadence="weekly", first_at=_at(today + datetime.timedelta(days=rnd.randint(2, 7)), 15)
        )
        _history(rnd, series, (marcus, report), past=rnd.randint(1, 4), step=weekly)
        made += 1
    # Their set-up notices are old news.
    Notification.objects.filter(rule="reviews.series_started").update(read_at=now, email_sent_at=now)
    return made
