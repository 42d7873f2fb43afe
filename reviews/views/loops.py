"""Hiring pages for those who run loops (the hiring manager and HR): the loops, a new candidate
and their loop, a loop with its interviews and panel, the debrief with the decision, and
erasing a candidate. Interviewers see a loop they interview in, and its hiring team a loop
they are on; neither reads others' scorecards before the selectors release them (the hiring
team never), nor the debrief."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from ladders.models import Level
from people.models import User

from ..debrief import debrief_load
from ..forms.loops import CandidateForm, DecideForm, InterviewForm, LoopForm
from ..models import Candidate, Kit, KitCompetency, Loop, Question, Scorecard
from ..selectors import feedback as feedback_selectors
from ..selectors.interviews import (
    candidate_for_new_loop,
    candidate_get_for_hr,
    debrief_state,
    loop_get_for_user,
    loops_with_progress,
    scorecards_visible_to,
    waits_for_own,
)
from ..services.interviews import (
    candidate_create,
    candidate_erase,
    interview_schedule,
    loop_create,
    loop_debrief_open,
    loop_decide,
    loop_runs,
    panel_hints,
)
from ..forms import errors_to

PAGE_SIZE = 20


def _hr(user) -> bool:
    return bool(user.is_active and user.sees_everyone)


def _adds_candidates(user) -> bool:
    """HR, and managers (people with reports), add candidates (see candidate_create)."""
    return _hr(user) or (user.is_active and user.reports.exists())


def _run_loop(request, pk: int) -> Loop:
    """A loop the viewer runs (hiring manager, HR); 404 for anyone else, interviewers too."""
    loop = loop_get_for_user(request.user, pk)
    if not loop_runs(loop, request.user):
        raise Http404("No such loop.")
    return loop


def _track_levels(kit: Kit) -> list[tuple[int, str]]:
    levels = Level.objects.filter(version_id=kit.version_id, tracks=kit.track_id).order_by("rung", "pk")
    return [(level.pk, level.title) for level in levels]


# --- The loops ----------------------------------------------------------------------------------


@require_http_methods(["GET"])
@login_required
def loop_list(request):
    loops = loops_with_progress(request.user).order_by("-created_at", "-pk")
    page = Paginator(loops, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "loops": page.object_list, "adds_candidates": _adds_candidates(request.user)}
    return render(request, "reviews/loops/loops.html", context)


# --- A new candidate and their loop -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def candidate_new(request):
    if not _adds_candidates(request.user):
        raise Http404("No such page.")
    if request.method == "GET":
        return render(request, "reviews/loops/candidate_new.html", {"form": CandidateForm()})
    form = CandidateForm(request.POST)
    if form.is_valid():
        try:
            candidate = candidate_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Candidate added. Now open their loop.")
            return redirect(f"{reverse('reviews:loop_new')}?candidate={candidate.pk}")
    return render(request, "reviews/loops/candidate_new.html", {"form": form}, status=400)


def _loop_candidate(request) -> Candidate:
    """The candidate a new loop is for: any not erased for HR, one they added for a manager."""
    try:
        pk = int(request.POST.get("candidate") or request.GET.get("candidate") or "")
    except ValueError:
        raise Http404("No such candidate.") from None
    return candidate_for_new_loop(request.user, pk)


def _level_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """The levels of the tracks kits are for, grouped by framework version and track."""
    kits = Kit.objects.filter(is_archived=False).select_related("version__framework", "track")
    groups: dict[tuple[int, int], tuple[str, list]] = {}
    for kit in kits:
        groups.setdefault((kit.version_id, kit.track_id), (f"{kit.version} · {kit.track.name}", []))
    if not groups:
        return []
    wanted = Q()
    for version_id, track_id in groups:
        wanted |= Q(version_id=version_id, tracks=track_id)
    levels = Level.objects.filter(wanted).values_list("pk", "title", "version_id", "tracks")
    for pk, title, version_id, track_id in levels.order_by("rung", "pk"):
        if (version_id, track_id) in groups:
            groups[(version_id, track_id)][1].append((pk, title))
    return [group for group in groups.values() if group[1]]


@require_http_methods(["GET", "POST"])
@login_required
def loop_new(request):
    if not _adds_candidates(request.user):
        raise Http404("No such page.")
    if request.method == "GET" and "candidate" not in request.GET:
        messages.info(request, "A loop is for one candidate: add them first, then open their loop.")
        return redirect("reviews:candidate_new")
    candidate = _loop_candidate(request)
    levels = _level_choices()
    if request.method == "GET":
        form = LoopForm(levels=levels, initial={"hiring_manager": "" if _hr(request.user) else request.user.email})
        return render(request, "reviews/loops/loop_new.html", {"form": form, "candidate": candidate})
    form = LoopForm(request.POST, levels=levels)
    if form.is_valid():
        data = form.cleaned_data
        try:
            loop = loop_create(
                actor=request.user,
                candidate=candidate,
                kit=data["kit"] or 0,
                target_level=data["target_level"] or None,
                hiring_manager=data["hiring_manager"] or 0,
                hiring_team=data["hiring_team"],
            )
        except PermissionDenied:
            form.add_error("hiring_manager", "You open loops you lead yourself: give your own address.")
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Loop opened. Schedule its interviews.")
            return redirect("reviews:loop", loop.pk)
    return render(request, "reviews/loops/loop_new.html", {"form": form, "candidate": candidate}, status=400)


# --- A loop -------------------------------------------------------------------------------------


def _loop_context(request, loop: Loop, form: InterviewForm | None = None, found: dict | None = None) -> dict:
    found = found or {}
    viewer = request.user
    runs = loop_runs(loop, viewer)
    # Who is in is for those who run the loop, once they owe no scorecard of it themselves.
    counts_shown = runs and not waits_for_own(viewer, loop)
    interviews = list(
        loop.interviews.order_by("starts_at", "pk").prefetch_related(
            Prefetch("scorecards", queryset=Scorecard.objects.select_related("interviewer").order_by("interviewer__name", "pk")),
            Prefetch("focus", queryset=KitCompetency.objects.select_related("competency")),
            "questions",
        )
    )
    for interview in interviews:
        # Whether a scorecard is in is for those who run the loop, and for its own interviewer.
        interview.panel = [
            {"scorecard": s, "state_shown": counts_shown or s.interviewer_id == viewer.pk, "mine": s.interviewer_id == viewer.pk}
            for s in interview.scorecards.all()
        ]
    context = {"loop": loop, "candidate": loop.candidate, "interviews": interviews, "runs": runs, "counts_shown": counts_shown}
    if runs:
        cards = [p["scorecard"] for i in interviews for p in i.panel]
        kit_focus = list(KitCompetency.objects.filter(kit_id=loop.kit_id).select_related("competency"))
        context.update(
            # Hints help to plan a panel: once the loop is decided there is nothing to plan.
            hints=[] if loop.decision else panel_hints(loop, interviews=interviews, kit_focus=kit_focus),
            total=len(cards),
            submitted=sum(1 for s in cards if s.submitted_at),
            is_hr=_hr(viewer),
        )
        # An erased candidate's loop takes no new interviews (see interview_schedule).
        if not loop.decision and (form is not None or loop.candidate.erased_at is None):
            context.update(
                form=form or InterviewForm(initial={"minutes": 60}),
                kit_focus=kit_focus,
                kit_questions=list(Question.objects.filter(kit_id=loop.kit_id)),
            )
            ticked = form.cleaned_data if form is not None and hasattr(form, "cleaned_data") else {}
            picked = ticked.get("interviewer_ids") or []
            context.update(
                focus_ticked=ticked.get("focus") or [],
                questions_ticked=ticked.get("questions") or [],
                picked=list(User.objects.filter(pk__in=picked, is_active=True).order_by("name")) if picked else [],
                **found,
            )
    return context


@require_http_methods(["GET"])
@login_required
def loop_page(request, pk: int):
    loop = loop_get_for_user(request.user, pk)
    return render(request, "reviews/loops/loop.html", _loop_context(request, loop))


@require_POST
@login_required
def interview_new(request, pk: int):
    loop = _run_loop(request, pk)
    form = InterviewForm(request.POST)
    valid = form.is_valid()
    if "find" in request.POST:
        # Without JavaScript: the people search answers on the page; nothing is scheduled yet.
        text = (request.POST.get("q") or "").strip()[: feedback_selectors.SEARCH_MAX_CHARACTERS]
        too_short = len(text) < feedback_selectors.SEARCH_MIN_CHARACTERS
        found = {"q": text, "searched": True, "too_short": too_short,
                 "found": [] if too_short else feedback_selectors.colleagues_matching(request.user, text)}
        return render(request, "reviews/loops/loop.html", _loop_context(request, loop, form, found))
    if valid:
        data = form.cleaned_data
        try:
            interview_schedule(
                actor=request.user,
                loop=loop,
                stage=data["stage"] or "",
                starts_at=data["starts_at"],
                minutes=data["minutes"] if data["minutes"] is not None else 60,
                title=data["title"],
                focus=data["focus"],
                questions=data["questions"],
                interviewers=[*data["interviewer_ids"], *(p.pk for p in data["interviewers"])],
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Interview scheduled: each interviewer has a scorecard to write.")
            return redirect("reviews:loop", loop.pk)
    return render(request, "reviews/loops/loop.html", _loop_context(request, loop, form), status=400)


# --- The debrief and the decision ---------------------------------------------------------------


def _debrief_context(request, loop: Loop, form: DecideForm | None = None, **extra) -> dict:
    state = debrief_state(request.user, loop)
    context = {
        "loop": loop,
        "candidate": loop.candidate,
        "total": state.total,
        "submitted": state.submitted,
        "outstanding": state.outstanding,
        "ready": state.ready,
        "own_first": state.own_first,
        "debrief": debrief_load(loop, request.user) if state.ready else None,
        # Each interviewer's overall view, read the way the scorecard pages read them.
        "verdicts": list(scorecards_visible_to(request.user, loop).filter(submitted_at__isnull=False)) if state.ready else [],
        **extra,
    }
    if loop.decision:
        context["decided_by"] = loop.decided_by
    else:
        context["form"] = form or DecideForm(levels=_track_levels(loop.kit))
    return context


@require_http_methods(["GET"])
@login_required
def debrief(request, pk: int):
    loop = _run_loop(request, pk)
    return render(request, "reviews/loops/debrief.html", _debrief_context(request, loop))


@require_POST
@login_required
def debrief_open(request, pk: int):
    loop = _run_loop(request, pk)
    loop_debrief_open(actor=request.user, loop=loop)
    messages.success(request, "Debrief opened: every submitted scorecard is shown from now on.")
    return redirect("reviews:debrief", loop.pk)


@require_POST
@login_required
def decide(request, pk: int):
    loop = _run_loop(request, pk)
    if loop.decision:
        context = _debrief_context(request, loop, problem="This loop has already been decided: the decision stands.")
        return render(request, "reviews/loops/debrief.html", context, status=400)
    form = DecideForm(request.POST, levels=_track_levels(loop.kit))
    if form.is_valid():
        data = form.cleaned_data
        try:
            loop_decide(
                actor=request.user,
                loop=loop,
                decision=data["decision"] or "",
                reason=data["reason"],
                decided_level=data["decided_level"] or None,
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Decision recorded.")
            return redirect("reviews:debrief", loop.pk)
    return render(request, "reviews/loops/debrief.html", _debrief_context(request, loop, form), status=400)


# --- Erasing a candidate ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def candidate_erase_view(request, pk: int):
    candidate = candidate_get_for_hr(request.user, pk)
    if request.method == "POST":
        candidate = candidate_erase(actor=request.user, candidate=candidate)
        messages.success(request, f"{candidate}: personal data erased. The ratings stay, anonymous.")
        return redirect("reviews:loops")
    loops = candidate.loops.select_related("kit").order_by("-created_at", "-pk")
    return render(request, "reviews/loops/candidate_erase.html", {"candidate": candidate, "loops": loops})
