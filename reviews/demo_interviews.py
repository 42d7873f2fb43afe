"""Interviews' part of `seed_demo`: two kits made by HR from the engineering ladder (one copied
to another level), and candidates with loops in every state, so that every interview page has
something on it and the first dispatcher run has interview reminders to send.

Marcus (the "manager" persona) is the hiring manager; his team and Ada ("engineer") interview;
HR ("hr") make the kits, add the candidates and erase one. Everything is written through the
services (reviews.services.kits and .interviews); only the times are moved into the past
afterwards, as the interviews happened over the last weeks.

    Priya Raman     Senior Engineer 1   drafts: interviews two and three days ago, nothing submitted
    Tomás Herrera   Senior Engineer 1   partly submitted: two of three scorecards in
    Leila Haddad    Engineer            all in, debrief not opened yet
    Jonah Weiss     Senior Engineer 1   decided: hire, at Senior Engineer 1
    Mara Lindqvist  Engineer            decided: do not hire
    (erased)        Senior Engineer 1   decided: do not hire, then erased by HR
    Kwame Asante    Engineer            interviews tomorrow, for the panel to prepare
"""

from __future__ import annotations

import datetime
import random as _random

from django.db.models import Q
from django.utils import timezone

from ladders.models import FrameworkVersion, Level
from people.models import User

from .models import Candidate, Interview, Kit, KitCompetency, Loop, ScalePoint, Scorecard
from .services.interviews import (
    SCHEDULE_BEHIND,
    candidate_create,
    candidate_erase,
    interview_schedule,
    loop_create,
    loop_debrief_open,
    loop_decide,
    scorecard_save,
    scorecard_submit,
)
from .services.kits import kit_copy, kit_create, question_add

FRAMEWORK = "engineering"
SENIOR, ENGINEER = "senior-1", "engineer"

# Questions with guidance, each probing the competencies whose names contain one of its words.
QUESTIONS = [
    {
        "text": "Walk me through a system you designed that is still running. What would you change now?",
        "good_looks_like": "Names the trade-offs they made and why; knows how it fails and how anyone would notice.",
        "follow_ups": "What broke first under load? Who else had to understand the design, and how did you explain it?",
        "red_flags": "Only the happy path; cannot say what they would do differently.",
        "words": ("technical", "problem"),
    },
    {
        "text": "Tell me about a time a plan slipped. When did you notice, and what did you do?",
        "good_looks_like": "Said so early, re-planned with the people affected, cut scope deliberately.",
        "follow_ups": "Who did you tell first? What did you learn for the next plan?",
        "red_flags": "Blames others; the slip was discovered by someone else.",
        "words": ("planning", "independent", "business"),
    },
    {
        "text": "Describe a disagreement with a colleague about an approach. How was it settled?",
        "good_looks_like": "Listened, argued from evidence, disagreed and committed; the relationship survived.",
        "follow_ups": "What did the other person think of the outcome?",
        "red_flags": "Winning the argument was the goal; no curiosity about the other view.",
        "words": ("communication", "team", "leadership"),
    },
    {
        "text": "What is something you learned recently that changed how you work?",
        "good_looks_like": "Specific, recent, applied; shares it with others.",
        "follow_ups": "How did you learn it? Who else uses it now?",
        "red_flags": "Nothing since their last job; learning only when told to.",
        "words": ("curiosity", "learning"),
    },
]
EVIDENCE = {
    "strong": [
        "Explained the trade-offs before being asked and named how the design would fail.",
        "Clear, concrete examples; their part in the outcome was obvious.",
        "Went beyond the question: described how they brought the rest of the team along.",
    ],
    "good": [
        "Solid examples with the right level of detail for the role.",
        "Answered the follow-ups well; a little vague on measuring the outcome.",
        "Reasonable approach, clearly their own work.",
    ],
    "weak": [
        "Examples were mostly the team's; hard to tell what they did themselves.",
        "Struggled with the follow-ups on failure modes.",
        "Described the plan but not what happened when it slipped.",
    ],
}
TAKEAWAYS = {
    "strong": "Strong across the board; I would be happy to work with them.",
    "good": "Meets the level on most of what I saw; no concerns that would show in the job.",
    "weak": "Some good moments, but gaps I would expect this level to have closed.",
}


def _at(days_ago: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _level(version: FrameworkVersion, code: str) -> Level | None:
    return Level.objects.filter(version=version, code=code).first()


def _track(level: Level):
    return level.tracks.filter(slug="ic").first() or level.tracks.order_by("position", "pk").first()


def _panel(marcus: User, ada: User, hr: User) -> list[User]:
    """Interviewers: Ada and the rest of Marcus's team, then (in a small company) others who work here."""
    team = list(User.objects.filter(manager=marcus, is_active=True).exclude(pk=ada.pk).order_by("pk"))
    others = list(
        User.objects.filter(is_active=True)
        .exclude(Q(pk__in=[marcus.pk, ada.pk, hr.pk]) | Q(manager=marcus))
        .order_by("pk")[: max(0, 5 - len(team))]
    )
    return [ada, *team, *others]


def _kits(hr: User, version: FrameworkVersion) -> tuple[Kit, Kit] | None:
    senior, engineer = _level(version, SENIOR), _level(version, ENGINEER)
    if senior is None or engineer is None:
        return None
    kit = kit_create(
        actor=hr, name="Senior Engineer 1: technical and values", version=version, track=_track(senior), level=senior,
        description="Two interviews: a technical one on a system they built, and one on how they work with others.",
    )
    focus = list(kit.focus.select_related("competency"))
    for question in QUESTIONS:
        probes = [f.pk for f in focus if any(word in f.competency.name.lower() for word in question["words"])]
        question_add(
            actor=hr, kit=kit, text=question["text"], good_looks_like=question["good_looks_like"],
            follow_ups=question["follow_ups"], red_flags=question["red_flags"], focus_ids=probes,
        )
    copy, _ = kit_copy(actor=hr, kit=kit, name="Engineer: technical and values", level=engineer)
    return kit, copy


def _grade(rnd: _random.Random, strength: str) -> str:
    """How one rating of a candidate of this strength lands: mostly as expected, sometimes not."""
    shifts = {"strong": ["strong"] * 6 + ["good"] * 3 + ["weak"], "good": ["good"] * 6 + ["strong", "weak", "weak", "strong"],
              "weak": ["weak"] * 6 + ["good"] * 4}
    return rnd.choice(shifts[strength])


def _write(rnd, scorecard: Scorecard, strength: str, *, complete: bool = True) -> None:
    """Fill `scorecard` as its interviewer would: every focus rated (or half of them, in a
    draft), evidence, take-aways and a recommendation that follows the ratings."""
    interview = scorecard.interview
    focus = list(interview.focus.order_by("position", "pk"))
    points = {p.offset: p for p in ScalePoint.objects.filter(kit_id=interview.loop.kit_id)}
    by_grade = {"strong": points.get(1), "good": points.get(0), "weak": points.get(-1)}
    ratings, grades = {}, []
    for n, item in enumerate(focus):
        if not complete and n % 2:
            continue
        grade = _grade(rnd, strength)
        grades.append(grade)
        point = by_grade[grade] or points.get(0)
        ratings[item.pk] = (point.pk if point else None, rnd.choice(EVIDENCE[grade]))
    score = sum({"strong": 1, "good": 0, "weak": -1}[g] for g in grades) / max(len(grades), 1)
    if rnd.random() < 0.08:
        recommendation = "no_decision"
    elif score >= 0.5:
        recommendation = "strong_yes"
    elif score >= -0.1:
        recommendation = "yes"
    elif score > -0.6:
        recommendation = "no"
    else:
        recommendation = "strong_no"
    scorecard_save(
        actor=scorecard.interviewer, scorecard=scorecard, ratings=ratings,
        takeaways=TAKEAWAYS[strength] if complete else "", recommendation=recommendation if complete else "",
    )


def _loop(hr, marcus, kit, name, email, source, team, *, created_days_ago: int) -> Loop:
    candidate = candidate_create(actor=hr, name=name, email=email, source=source)
    loop = loop_create(actor=hr, candidate=candidate, kit=kit, hiring_manager=marcus, hiring_team=team)
    when = timezone.now() - datetime.timedelta(days=created_days_ago)
    Candidate.objects.filter(pk=candidate.pk).update(created_at=when)
    Loop.objects.filter(pk=loop.pk).update(created_at=when)
    return loop


def _interviews(marcus, loop: Loop, panels: list[tuple[str, int, list[User]]]) -> list[Interview]:
    """Schedule each (stage, days ago, interviewers): the technical half of the kit's focus for
    the first interview, the rest for the second, everything for a third."""
    focus = list(KitCompetency.objects.filter(kit=loop.kit).order_by("position", "pk"))
    questions = list(loop.kit.questions.order_by("position", "pk"))
    half = max(1, len(focus) // 2)
    parts = [focus[:half], focus[half:] or focus, focus]
    made = []
    for n, (stage, days_ago, people) in enumerate(panels):
        when = _at(days_ago, 10 + 2 * n)
        # One long past was scheduled back then, before it took place (the service takes
        # times from a month ago on): schedule it now and move it to its day.
        recorded = when >= timezone.now() - SCHEDULE_BEHIND + datetime.timedelta(hours=1)
        interview = interview_schedule(
            actor=marcus, loop=loop, stage=stage, starts_at=when if recorded else timezone.now(), focus=parts[n % 3],
            interviewers=people, questions=questions[n::2], minutes=60,
        )
        if not recorded:
            Interview.objects.filter(pk=interview.pk).update(starts_at=when)
            interview.starts_at = when
        made.append(interview)
    return made


def _run(rnd, interviews: list[Interview], strength: str, *, submit: int | None = None, drafts: bool = True) -> None:
    """Write every scorecard of these interviews; submit the first `submit` of them (all when
    None), leave the rest as drafts half written (or untouched when `drafts` is False)."""
    scorecards = list(
        Scorecard.objects.filter(interview__in=interviews).select_related("interview", "interviewer").order_by("interview__starts_at", "pk")
    )
    for n, scorecard in enumerate(scorecards):
        if submit is None or n < submit:
            _write(rnd, scorecard, strength)
            scorecard_submit(actor=scorecard.interviewer, scorecard=scorecard)
            went_in = scorecard.interview.starts_at + datetime.timedelta(hours=rnd.randint(2, 30))
            Scorecard.objects.filter(pk=scorecard.pk).update(
                submitted_at=min(went_in, timezone.now()), updated_at=min(went_in, timezone.now())
            )
        elif drafts and n % 2 == 0:
            _write(rnd, scorecard, strength, complete=False)


def seed(sender, *, personas: dict[str, User], random: _random.Random, stdout, **kwargs) -> None:
    rnd = random
    hr, ada, marcus = personas["hr"], personas["engineer"], personas["manager"]
    version = FrameworkVersion.objects.filter(framework__slug=FRAMEWORK).current()
    kits = _kits(hr, version) if version is not None else None
    if kits is None:
        stdout.write("Interviews: no engineering ladder to build kits from; none seeded.")
        return
    senior, engineer = kits
    panel = _panel(marcus, ada, hr)
    first, second, third = panel[0], panel[1 % len(panel)], panel[2 % len(panel)]
    fourth, fifth = panel[3 % len(panel)], panel[4 % len(panel)]
    team = [p for p in panel if p.manager_id == marcus.pk][:3]

    def two_stages(loop: Loop, days_ago: int, a: list[User], b: list[User]) -> list[Interview]:
        return _interviews(marcus, loop, [("technical", days_ago, a), ("values", days_ago - 1, b)])

    # Drafts: Ada and a teammate interviewed three days ago, another two days ago; nothing is in.
    loop = _loop(hr, marcus, senior, "Priya Raman", "priya.raman@example.com", "Referral", team, created_days_ago=10)
    _run(rnd, two_stages(loop, 3, [ada, second], [third]), "good", submit=0)

    # Partly submitted: two of three in.
    loop = _loop(hr, marcus, senior, "Tomás Herrera", "tomas.h@example.com", "Careers page", team, created_days_ago=12)
    _run(rnd, two_stages(loop, 4, [second, fourth], [ada]), "strong", submit=2)

    # All in, the debrief not opened: Marcus is told to open it.
    loop = _loop(hr, marcus, engineer, "Leila Haddad", "leila.haddad@example.com", "Agency", team, created_days_ago=9)
    _run(rnd, two_stages(loop, 3, [ada, third], [fifth]), "good")

    # Decided: a hire at the target level, and a no hire; each debriefed first.
    loop = _loop(hr, marcus, senior, "Jonah Weiss", "jonah.weiss@example.com", "Referral", team, created_days_ago=30)
    _run(rnd, two_stages(loop, 20, [ada, fourth], [second, fifth]), "strong")
    loop_debrief_open(actor=marcus, loop=loop)
    loop_decide(
        actor=marcus, loop=loop, decision="hire", decided_level=loop.target_level,
        reason="The panel agreed the evidence supports Senior Engineer 1; strongest on technical depth and on bringing others along.",
    )
    decided = [loop.pk]

    loop = _loop(hr, marcus, engineer, "Mara Lindqvist", "mara.l@example.com", "Careers page", team, created_days_ago=40)
    _run(rnd, two_stages(loop, 30, [third, second], [first]), "weak")
    loop_decide(
        actor=marcus, loop=loop, decision="no_hire",
        reason="Gaps in problem solving the panel agreed would show in the job; encouraged to apply again in a year.",
    )
    decided.append(loop.pk)

    # Decided, then erased at the candidate's request: the scores stay, anonymous.
    loop = _loop(hr, marcus, senior, "Rowan Pike", "rowan.pike@example.com", "Agency", team, created_days_ago=70)
    _run(rnd, two_stages(loop, 60, [ada, fifth], [fourth]), "weak")
    loop_decide(actor=marcus, loop=loop, decision="no_hire", reason="Not enough evidence of independent working at this level.")
    decided.append(loop.pk)
    candidate_erase(actor=hr, candidate=loop.candidate)

    # Tomorrow: Kwame's interviews, for Ada and a teammate to prepare.
    loop = _loop(hr, marcus, engineer, "Kwame Asante", "kwame.asante@example.com", "Referral", team, created_days_ago=5)
    two_stages(loop, -1, [ada, second], [fourth])

    # The decisions were taken the day after their last interview.
    for pk in decided:
        last = Interview.objects.filter(loop_id=pk).order_by("-starts_at").values_list("starts_at", flat=True).first()
        when = min(last + datetime.timedelta(days=1), timezone.now())
        Loop.objects.filter(pk=pk).update(decided_at=when, debrief_opened_at=when)
    stdout.write(
        f"Interviews: {Kit.objects.count()} kits, {Loop.objects.count()} loops, "
        f"{Scorecard.objects.filter(submitted_at__isnull=False).count()} of {Scorecard.objects.count()} scorecards submitted."
    )
