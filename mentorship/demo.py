"""Mentorship's part of `seed_demo`: a program whose round was matched by the real engine and
published, mentorships with touchpoints behind them and one due tomorrow, open action items, a
mentorship gone quiet and a request waiting for an answer, so that the first dispatcher run
(within two minutes of `make run`) puts reminders in people's notifications."""

from __future__ import annotations

import datetime
import random as _random

from dateutil.relativedelta import relativedelta
from django.utils import timezone

from people.models import Notification, User

from . import selectors, services
from .defaults import defaults_ensure
from .models import (
    ActionItem,
    AgendaTemplate,
    MentorProfile,
    Offer,
    Program,
    Relationship,
    Request,
    Style,
    Touchpoint,
    Want,
)

DOMAINS = ["payments", "search", "data platform", "mobile", "observability", "security", "developer tooling", "ml"]
GOALS = [
    "Lead the design of a service from the first document to production.",
    "Get comfortable running incident reviews and writing the follow-ups.",
    "Grow from doing tickets to shaping the team's quarterly plan.",
    "Write tests that catch real bugs and make changes safe.",
    "Speak up in architecture reviews with a clear point of view.",
]
NOTES = [
    "Walked through the event pipeline design doc. Main feedback: write the rollback plan before the rollout plan.",
    "Reviewed two pull requests together; agreed on a checklist for risky migrations.",
    "Talked about the Senior 2 expectations for System design and where the gap shows day to day.",
]


def _profile(person: User, rnd: _random.Random, styles: list[Style], capacity: int) -> MentorProfile | None:
    growth = selectors.growth_of(person)
    if growth is None or not growth.agreed:
        return None
    profile = MentorProfile.objects.create(
        person=person, capacity=capacity, domains=", ".join(rnd.sample(DOMAINS, 2)), style=rnd.choice(styles),
        availability=rnd.choice(["Tuesday afternoons", "Mornings, my time", "Most Thursdays", ""]),
    )
    # The competencies they are strongest in, as their manager rated them.
    strongest = sorted(growth.agreed.items(), key=lambda item: -item[1])[: rnd.randint(3, 5)]
    names = {gap.slug: gap.name for gap in growth.gaps}
    Offer.objects.bulk_create(
        Offer(profile=profile, framework_id=growth.framework_id, competency=slug, name=names.get(slug, slug), proficiency=value, validated=True)
        for slug, value in strongest
    )
    return profile


def _request(person: User, program: Program, rnd: _random.Random, styles: list[Style]) -> Request | None:
    growth = selectors.growth_of(person)
    if growth is None or not growth.largest:
        return None
    request = Request.objects.create(
        program=program, mentee=person, goals=rnd.choice(GOALS), framework_id=growth.framework_id,
        domains=", ".join(rnd.sample(DOMAINS, 2)), style=rnd.choice(styles), duration=program.duration_max,
        created_at=timezone.now() - datetime.timedelta(days=rnd.randint(3, 20)),
    )
    Want.objects.bulk_create(
        Want(request=request, competency=gap.slug, name=gap.name, assessed=gap.assessed, target=gap.target)
        for gap in growth.largest[:3]
    )
    return request


def _touchpoints(relationship: Relationship, program: Program, rnd: _random.Random, templates: list[AgendaTemplate], *, held_until: datetime.date) -> list[Touchpoint]:
    made = []
    period = program.period_of(relationship.starts_on)
    while period <= held_until:
        day = max(period + datetime.timedelta(days=rnd.randint(3, 20)), relationship.starts_on)
        if day > held_until:
            break
        template = rnd.choice(templates)
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(rnd.choice([10, 14, 16]))))
        made.append(
            Touchpoint(
                relationship=relationship, period=period, starts_at=when, template=template, agenda=template.agenda,
                notes=rnd.choice(NOTES), held=True, created_by_id=relationship.mentee_id, created_at=when, updated_at=when,
            )
        )
        period = program.next_period(period)
    return Touchpoint.objects.bulk_create(made)


def seed(sender, *, personas: dict[str, User], random: _random.Random, stdout, **kwargs) -> None:
    rnd = random
    today = timezone.localdate()
    now = timezone.now()
    hr, ada, marcus, sofia = personas["hr"], personas["engineer"], personas["manager"], personas["datalead"]
    defaults_ensure()
    styles = list(Style.objects.all())
    templates = list(AgendaTemplate.objects.filter(kind__in=["code_review", "architecture", "career"]).order_by("position")) or list(AgendaTemplate.objects.all())
    # Four months in, with six-month mentorships: two months still to go.
    started = (today - relativedelta(months=4)).replace(day=1)
    program = Program.objects.create(
        slug="engineering-mentorship", name="Engineering mentorship",
        description="Monthly mentoring across teams, matched to the gaps on your path.",
        starts_on=started, ends_on=started + relativedelta(months=12), created_by=hr,
    )

    everyone = list(User.objects.filter(is_active=True).exclude(pk=hr.pk).order_by("pk"))
    director = personas["director"]
    others = [p for p in everyone if p.pk not in {ada.pk, marcus.pk, sofia.pk, director.pk}]
    rnd.shuffle(others)
    # Mentors: the personas who lead, and about one in eight of everyone else,
    # the most senior first (as those who volunteer tend to be).
    rungs = selectors.rungs_of([p.pk for p in others])
    seniors = sorted(others, key=lambda p: -rungs.get(p.pk, 0))[: max(8, min(250, len(others) // 8))]
    mentors = []
    for person in [marcus, sofia, director, *seniors]:
        if _profile(person, rnd, styles, capacity=rnd.choice([1, 2, 2, 3])):
            mentors.append(person)
    mentor_ids = {m.pk for m in mentors}
    mentees = [ada] + [p for p in others if p.pk not in mentor_ids][: max(6, min(400, len(others) // 6))]

    # The round: every request matched by the engine, as HR ran it four months ago.
    requests = [r for r in (_request(p, program, rnd, styles) for p in mentees) if r]
    round = services.round_start(program=program, actor=hr)
    services.round_compute(round_id=round.pk)
    round.refresh_from_db()
    matched = list(round.proposals.exclude(mentor=None).select_related("request__mentee", "mentor"))
    # HR chose someone else for one pair, and said why.
    if len(matched) > 2:
        proposal = matched[-1]
        spare = next(
            (m for m in mentors if m.pk != proposal.mentor_id and services.pair_problem(proposal.request.mentee, m) is None
             and not round.proposals.filter(mentor=m).exists()),
            None,
        )
        if spare is not None:
            services.proposal_override(
                proposal=proposal, actor=hr, mentor=spare,
                reason="Same on-call rotation: they already work together every week, so a fresh perspective helps more.",
            )
    if not services.proposals_decide(round=round, actor=hr, proposal_ids=None, approve=True):
        stdout.write(f"Mentorship: no pair could be matched ({len(mentors)} mentors, {len(requests)} requests).")
        return
    made = services.round_publish(round=round, actor=hr).started
    when = timezone.make_aware(datetime.datetime.combine(started + datetime.timedelta(days=3), datetime.time(10)))
    Relationship.objects.filter(pk__in=[r.pk for r in made]).update(decided_at=when, created_at=when)
    for relationship in made:
        relationship.starts_on = started + datetime.timedelta(days=3)
        relationship.ends_on = relationship.starts_on + relativedelta(months=relationship.request.duration)
        relationship.save(update_fields=["starts_on", "ends_on"])
    type(round).objects.filter(pk=round.pk).update(created_at=when, finished_at=when, published_at=when)
    # Their pairing notices were read long ago; only what happens from now on is news.
    Notification.objects.filter(rule="mentorship.paired").update(created_at=when, read_at=when, email_sent_at=when)

    quiet_every = 5
    for index, relationship in enumerate(made):
        if relationship.mentee_id == ada.pk:
            continue
        # Most pairs meet every month; every fifth has not met for two months.
        until = today - datetime.timedelta(days=62 if index % quiet_every == 0 else 3)
        _touchpoints(relationship, program, rnd, templates, held_until=until)

    ada_pair = next((r for r in made if r.mentee_id == ada.pk), None)
    if ada_pair is not None:
        held = _touchpoints(ada_pair, program, rnd, templates, held_until=today - datetime.timedelta(days=20))
        if held:
            first, last = held[0], held[-1]
            ActionItem.objects.bulk_create([
                ActionItem(relationship=ada_pair, touchpoint=first, owner=ada, text="Write the rollback section of the pipeline design doc", due_on=first.starts_at.date() + datetime.timedelta(days=14), done_at=first.starts_at + datetime.timedelta(days=10)),
                ActionItem(relationship=ada_pair, touchpoint=last, owner=ada, text="Draft the incident review for the search outage", due_on=today - datetime.timedelta(days=2)),
                ActionItem(relationship=ada_pair, touchpoint=last, owner=ada_pair.mentor, text="Share two design docs worth copying", due_on=today + datetime.timedelta(days=5)),
            ])
        # Tomorrow afternoon: the reminder goes out at the dispatcher's first run.
        soon = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(15)))
        Touchpoint.objects.get_or_create(
            relationship=ada_pair, period=program.period_of(soon.date()),
            defaults={"starts_at": soon, "template": templates[-1], "agenda": templates[-1].agenda, "created_by": ada},
        )

    # Marcus mentors someone from another team, asked for directly; they have gone quiet.
    quiet_mentee = next(
        (p for p in others if p.pk not in mentor_ids and services.pair_problem(p, marcus) is None
         and not Request.objects.filter(mentee=p, program=program).exists()),
        None,
    )
    if quiet_mentee is not None:
        request = _request(quiet_mentee, program, rnd, styles)
        if request is not None:
            start = today - datetime.timedelta(days=80)
            relationship = Relationship.objects.create(
                program=program, request=request, mentee=quiet_mentee, mentor=marcus, source=Relationship.Source.REQUESTED,
                goals=request.goals, status=Relationship.Status.ACTIVE, starts_on=start, ends_on=start + relativedelta(months=4),
                decided_at=now - datetime.timedelta(days=78), created_at=now - datetime.timedelta(days=80),
                ratings_before={w.competency: w.assessed or None for w in request.wants.all()},
            )
            Request.objects.filter(pk=request.pk).update(status=Request.Status.MATCHED)
            _touchpoints(relationship, program, rnd, templates, held_until=start + datetime.timedelta(days=30))

    # Someone asked Sofia six days ago and is still waiting.
    asker = next(
        (p for p in others if p.pk not in mentor_ids and services.pair_problem(p, sofia) is None
         and not Request.objects.filter(mentee=p, program=program).exists()),
        None,
    )
    if asker is not None:
        request = _request(asker, program, rnd, styles)
        if request is not None:
            Relationship.objects.create(
                program=program, request=request, mentee=asker, mentor=sofia, source=Relationship.Source.REQUESTED,
                goals=request.goals, status=Relationship.Status.PROPOSED, starts_on=today,
                ends_on=today + relativedelta(months=request.duration), created_at=now - datetime.timedelta(days=6),
            )
    stdout.write(
        f"Mentorship: {len(mentors)} mentors, {len(requests)} requests matched in one round "
        f"({len(made)} pairs), {Touchpoint.objects.count()} touchpoints."
    )
