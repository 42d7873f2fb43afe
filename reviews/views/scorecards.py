"""An interviewer's pages: my interviews (to prepare, scorecards to write), and a scorecard
with the kit's guide at hand: written, submitted, then amended while the loop is open, what
it said before each amendment kept below it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ladders.selectors.frameworks import published_rubric

from ..forms import errors_to
from ..forms.scorecards import ScorecardForm
from ..models import KitCompetency, ScorecardRating
from ..selectors import interviews as selectors
from ..services.interviews import scorecard_amend, scorecard_save, scorecard_submit

MY_DECISIONS_SHOWN = 20




# --- My interviews ------------------------------------------------------------------------------


@require_GET
@login_required
def my_interviews(request):
    now = timezone.now()
    mine = selectors.my_interviews(request.user, now=now)
    # The viewer's own scorecard of each interview to prepare: one query, whatever their number.
    scorecard_of = selectors.own_scorecard_ids(request.user, mine.to_prepare)
    for interview in mine.to_prepare:
        interview.my_scorecard_id = scorecard_of.get(interview.pk)
    for scorecard in mine.to_write:
        interview = scorecard.interview
        scorecard.overdue = interview.starts_at + datetime.timedelta(minutes=interview.minutes) < now
    user = request.user
    context = {
        "to_prepare": mine.to_prepare,
        "to_write": mine.to_write,
        "now": now,
        # Where hiring is run from: HR, and managers (who add candidates and lead loops).
        "runs_loops": selectors.runs_hiring(user),
        "is_hr": user.sees_everyone,
        # Interviewers and hiring teams find their loops (and scorecards submitted) from here.
        "on_loops": selectors.loops_visible_to(user).exists(),
    }
    if context["runs_loops"]:
        # The loops the viewer leads whose debrief is ready and which wait for their decision.
        context["to_decide"] = list(
            selectors.loops_with_progress(user)
            .filter(hiring_manager=user, decision="")
            .filter(Q(scorecards_total__gt=0, scorecards_in=F("scorecards_total")) | Q(debrief_opened_at__isnull=False))
            .order_by("created_at", "pk")[:MY_DECISIONS_SHOWN]
        )
    return render(request, "reviews/interviews/my_interviews.html", context)


# --- A scorecard --------------------------------------------------------------------------------


@dataclass
class Focus:
    focus: KitCompetency
    expectation: object  # the level's expectation (ladders.Expectation) or None
    rating: ScorecardRating | None


def _guide(scorecard) -> dict:
    """What the page shows beside the form: the interview's focus competencies with the kit
    level's expectation, its scale with anchors, its questions with their guidance. Four
    queries however many focus competencies, points and questions (the rubric is cached)."""
    interview = scorecard.interview
    kit = interview.loop.kit
    focus = list(interview.focus.select_related("competency").order_by("position", "pk"))
    points = list(kit.scale.all())
    questions = list(
        interview.questions.prefetch_related(
            Prefetch("competencies", queryset=KitCompetency.objects.select_related("competency"))
        )
    )
    ratings = {r.focus_id: r for r in scorecard.ratings.select_related("point")}
    scorecard._prefetched_objects_cache = {"ratings": list(ratings.values())}
    expectations = {}
    try:
        rubric = published_rubric(kit.version_id)
    except LookupError:
        rubric = None
    if rubric is not None:
        competencies = {c.pk: c for c in rubric.competencies}
        level = next((lv for lv in rubric.levels if lv.pk == kit.level_id), None)
        track = next((t for t in rubric.tracks if t.pk == kit.track_id), None)
        for f in focus:
            if level is not None and f.competency_id in competencies:
                expectations[f.pk] = rubric.effective(competencies[f.competency_id], level, track)
    return {
        "kit": kit,
        "level": kit.level,
        "focus": focus,
        "points": points,
        "questions": questions,
        "rows": [Focus(f, expectations.get(f.pk), ratings.get(f.pk)) for f in focus],
    }


def _revisions(request, scorecard, guide: dict) -> list[dict]:
    """What the scorecard said before each amendment, newest first, in words."""
    focus = {f.pk: f.competency.name for f in guide["focus"]}
    points = {p.pk: p for p in guide["points"]}
    shown = []
    for revision in selectors.scorecard_revisions_for(request.user, scorecard):
        ratings = [
            {
                "competency": focus.get(r.get("focus"), "A competency no longer in this interview"),
                "point": points.get(r.get("point")),
                "evidence": r.get("evidence", ""),
            }
            for r in revision.ratings
        ]
        shown.append({"revision": revision, "ratings": ratings})
    return shown


def _others(request, scorecard) -> list:
    """The other submitted scorecards of the loop, once the independence rule lets the viewer
    read them (never before their own are all in): the selector decides."""
    if scorecard.submitted_at is None:
        return []
    return list(
        selectors.scorecards_visible_to(request.user, scorecard.interview.loop)
        .exclude(pk=scorecard.pk)
        .filter(submitted_at__isnull=False)
    )


def _page(request, scorecard, *, form=None, status=200, amending=False):
    guide = _guide(scorecard)
    loop = scorecard.interview.loop
    if form is None and (scorecard.submitted_at is None or amending) and not loop.decision:
        form = ScorecardForm.for_scorecard(scorecard, focus=guide["focus"], points=guide["points"])
    context = {
        **guide,
        "scorecard": scorecard,
        "interview": scorecard.interview,
        "loop": loop,
        "form": form,
        "amending": amending,
        "may_amend": scorecard.submitted_at is not None and not loop.decision,
        "to_come": scorecard.interview.starts_at > timezone.now(),
        "revisions": _revisions(request, scorecard, guide) if scorecard.submitted_at else [],
        "others": _others(request, scorecard),
    }
    if form is not None:
        context["fields"] = []
        for row in context["rows"]:
            choice = form[f"point-{row.focus.pk}"]
            row.choices = list(zip(choice, guide["points"]))  # each radio beside its point's anchor
            context["fields"].append((row, choice, form[f"evidence-{row.focus.pk}"]))
    template = "reviews/interviews/scorecard.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def scorecard(request, pk: int):
    scorecard = selectors.own_scorecard_get(request.user, pk)
    loop = scorecard.interview.loop
    if request.method == "GET":
        return _page(request, scorecard)
    if scorecard.submitted_at is not None:
        # A second click on Submit, or a page left open: nothing changes.
        messages.info(request, "This scorecard is already submitted: nothing changed.")
        return redirect("reviews:scorecard", pk=scorecard.pk)
    if loop.decision:
        messages.error(request, "This loop has been decided: its scorecards are the record.")
        return redirect("reviews:scorecard", pk=scorecard.pk)
    guide_focus = list(scorecard.interview.focus.select_related("competency").order_by("position", "pk"))
    form = ScorecardForm(request.POST, focus=guide_focus, points=list(loop.kit.scale.all()))
    submitting = "submit" in request.POST
    if form.is_valid():
        try:
            # Saving and submitting stand or fall together: a refused submission writes nothing.
            with transaction.atomic():
                scorecard_save(
                    actor=request.user,
                    scorecard=scorecard,
                    ratings=form.ratings(),
                    takeaways=form.cleaned_data["takeaways"],
                    recommendation=form.cleaned_data["recommendation"],
                )
                if submitting:
                    scorecard_submit(actor=request.user, scorecard=scorecard)
        except PermissionDenied:
            raise Http404("No such scorecard.") from None
        except ValidationError as error:
            errors_to(form, error)
        else:
            if submitting:
                messages.success(request, "Scorecard submitted. It is locked now; you can still amend it until the loop is decided.")
            else:
                messages.success(request, "Draft saved. Only you can read it.")
            return redirect("reviews:scorecard", pk=scorecard.pk)
    return _page(request, scorecard, form=form, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def scorecard_amend_page(request, pk: int):
    scorecard = selectors.own_scorecard_get(request.user, pk)
    loop = scorecard.interview.loop
    if scorecard.submitted_at is None:
        return redirect("reviews:scorecard", pk=scorecard.pk)
    if loop.decision:
        messages.error(request, "This loop has been decided: its scorecards can no longer be amended.")
        return redirect("reviews:scorecard", pk=scorecard.pk)
    if request.method == "GET":
        return _page(request, scorecard, amending=True)
    focus = list(scorecard.interview.focus.select_related("competency").order_by("position", "pk"))
    form = ScorecardForm(request.POST, focus=focus, points=list(loop.kit.scale.all()))
    if form.is_valid():
        try:
            scorecard_amend(
                actor=request.user,
                scorecard=scorecard,
                ratings=form.ratings(),
                takeaways=form.cleaned_data["takeaways"],
                recommendation=form.cleaned_data["recommendation"],
            )
        except PermissionDenied:
            raise Http404("No such scorecard.") from None
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Scorecard amended. What it said before is kept below it.")
            return redirect("reviews:scorecard", pk=scorecard.pk)
    return _page(request, scorecard, form=form, status=400, amending=True)
