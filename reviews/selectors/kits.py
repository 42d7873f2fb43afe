"""Reading interview kits: who may, and a kit whole, with its level's expectations.

HR admins read every kit. Anyone else reads the kits of the loops they are part
of today: as the hiring manager, on the hiring team, or interviewing in one of
the loop's interviews. A kit says nothing about a candidate, but which roles
are being hired for is not everyone's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from ladders.models import Competency, Expectation, ProficiencyLevel
from ladders.selectors.frameworks import published_rubric
from people.models import User

from ..models import Kit, KitCompetency, Loop, Question, ScalePoint, Scorecard


def kits_visible_to(viewer: User) -> QuerySet[Kit]:
    kits = Kit.objects.select_related("version__framework", "track", "level")
    if not viewer.is_active:
        return kits.none()
    if viewer.sees_everyone:
        return kits
    interviewing = Scorecard.objects.filter(interviewer=viewer, interview__loop=OuterRef("pk"))
    loops = (
        Loop.objects.filter(kit=OuterRef("pk"))
        .annotate(interviewing=Exists(interviewing))
        .filter(Q(hiring_manager=viewer) | Q(hiring_team=viewer) | Q(interviewing=True))
    )
    return kits.filter(Exists(loops))


def kit_get_for_user(viewer: User, pk) -> Kit:
    try:
        kit = kits_visible_to(viewer).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        kit = None
    if kit is None:
        raise Http404("No such kit.")
    return kit


@dataclass
class FocusLine:
    """A focus competency with what the kit's level expects of it."""

    focus: KitCompetency
    competency: Competency
    expectation: Expectation | None
    proficiency: ProficiencyLevel | None
    criteria: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)


@dataclass
class QuestionLine:
    question: Question
    competencies: list[Competency]


@dataclass
class KitDetail:
    kit: Kit
    focus: list[FocusLine]
    questions: list[QuestionLine]
    scale: list[ScalePoint]


def kit_detail(kit: Kit) -> KitDetail:
    """A kit whole: its focus with the level's expectation of each (read through the
    version's cached rubric), its questions with their competencies, its scale. Four
    queries, however large the kit."""
    rubric = published_rubric(kit.version_id)
    level = next(level for level in rubric.levels if level.pk == kit.level_id)
    track = next((track for track in rubric.tracks if track.pk == kit.track_id), None)
    competencies = {c.pk: c for c in rubric.competencies}
    focus_rows = list(KitCompetency.objects.filter(kit=kit).order_by("position", "pk"))
    questions = list(
        Question.objects.filter(kit=kit)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("competencies", queryset=KitCompetency.objects.order_by("position", "pk")))
    )
    lines = {}
    for row in focus_rows:
        competency = competencies[row.competency_id]
        row.competency = competency
        expectation = rubric.effective(competency, level, track)
        lines[row.pk] = FocusLine(
            focus=row,
            competency=competency,
            expectation=expectation,
            proficiency=expectation.proficiency if expectation else None,
            criteria=expectation.criteria_list if expectation else [],
        )
    question_lines = []
    for question in questions:
        probed = [f for f in question.competencies.all() if f.pk in lines]
        for focus in probed:
            lines[focus.pk].questions.append(question)
        question_lines.append(QuestionLine(question, [lines[f.pk].competency for f in probed]))
    scale = list(ScalePoint.objects.filter(kit=kit).order_by("value"))
    return KitDetail(kit=kit, focus=list(lines.values()), questions=question_lines, scale=scale)
