"""Interview kit pages: the kits one may read, a kit as the interviewer's guide, and for HR
a new kit, its questions, its scale and a copy for another level. Every write goes through
reviews.services.kits; everyone but HR finds the HR pages missing (404)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ladders.models import FrameworkVersion, Level, Track

from ..forms.kits import SCALE_ROWS, CopyForm, KitForm, QuestionForm, ScaleForm
from ..models import Kit, KitCompetency, Question, ScalePoint
from ..selectors.kits import kit_detail, kit_get_for_user, kits_visible_to
from ..services.kits import (
    kit_copy,
    kit_copy_name,
    kit_create,
    question_add,
    question_edit,
    question_remove,
    scale_update,
)
from ..forms import errors_to

ROLE_ERRORS = {"version": "role", "track": "role", "level": "role"}


def _hr(user) -> bool:
    return bool(user.is_active and user.sees_everyone)


def _kit_for_hr(request, pk: int) -> Kit:
    """A kit HR may change; 404 for anyone else (even those who may read it)."""
    if not _hr(request.user):
        raise Http404("No such page.")
    return kit_get_for_user(request.user, pk)


def _role_choices() -> list[tuple[str, str]]:
    """Every track and level pair of a published version, as "<track pk>-<level pk>", in
    the ladder's order: one query, however many frameworks."""
    pairs = (
        Level.tracks.through.objects.filter(track__version__status=FrameworkVersion.Status.PUBLISHED)
        .select_related("track__version__framework", "level")
        .order_by(
            "track__version__framework__name", "-track__version__number", "track__position", "track__pk",
            "level__rung", "level__position", "level__pk",
        )
    )
    pairs = list(pairs)
    published = {}
    for pair in pairs:
        published.setdefault(pair.track.version.framework_id, set()).add(pair.track.version_id)
    choices = []
    for pair in pairs:
        version = pair.track.version
        framework = version.framework.name
        if len(published[version.framework_id]) > 1:
            framework = f"{framework} v{version.number}"
        choices.append((f"{pair.track_id}-{pair.level_id}", f"{framework} · {pair.track.name} · {pair.level.title}"))
    return choices


def _copy_levels(kit: Kit) -> list[tuple[int, str]]:
    """The levels a copy may be for: those on the kit's track (by its slug) in any published
    version of the kit's framework, newest version first."""
    levels = list(
        Level.objects.filter(
            version__framework_id=kit.version.framework_id,
            version__status=FrameworkVersion.Status.PUBLISHED,
            tracks__slug=kit.track.slug,
        )
        .select_related("version")
        .order_by("-version__number", "rung", "position", "pk")
        .distinct()
    )
    several = len({level.version_id for level in levels}) > 1
    return [(level.pk, f"{level.title} · v{level.version.number}" if several else level.title) for level in levels]


# --- Reading ---------------------------------------------------------------------------


@require_GET
@login_required
def kit_list(request):
    kits = kits_visible_to(request.user).annotate(
        question_count=Count("questions", distinct=True), focus_count=Count("focus", distinct=True)
    )
    return render(request, "reviews/kits/list.html", {"kits": kits, "is_hr": _hr(request.user)})


@require_GET
@login_required
def kit_page(request, pk: int):
    kit = kit_get_for_user(request.user, pk)
    detail = kit_detail(kit)
    # Focus lines name the questions that probe them by their number in the guide.
    for number, line in enumerate(detail.questions, 1):
        line.question.number = number
    for point in detail.scale:
        point.distance = abs(point.offset)
    context = {"kit": kit, "detail": detail, "is_hr": _hr(request.user)}
    return render(request, "reviews/kits/kit.html", context)


# --- HR: making and changing kits --------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def kit_new(request):
    if not _hr(request.user):
        raise Http404("No such page.")
    roles = _role_choices()
    if request.method == "GET":
        form = KitForm(roles=roles)
        return render(request, "reviews/kits/new.html", {"form": form})
    form = KitForm(request.POST, roles=roles)
    if form.is_valid():
        data = form.cleaned_data
        track = level = version = None
        if data["role"]:
            track = Track.objects.select_related("version").filter(pk=data["role"][0]).first()
            level = Level.objects.filter(pk=data["role"][1]).first()
            version = track.version if track else None
        try:
            kit = kit_create(
                actor=request.user, name=data["name"], version=version, track=track, level=level,
                description=data["description"],
            )
        except ValidationError as error:
            errors_to(form, error, aliases=ROLE_ERRORS)
            if len(form.errors.get("role", ())) > 1:
                # The version, track and level are one choice on the form: one message.
                form.errors["role"] = form.error_class(["Choose a role: a level of a published ladder."])
        else:
            messages.success(request, f"{kit.name} is made: add its questions.")
            return redirect("reviews:kit", pk=kit.pk)
    return render(request, "reviews/kits/new.html", {"form": form}, status=400)


def _focus_choices(kit: Kit) -> list[tuple[int, str]]:
    focus = KitCompetency.objects.filter(kit=kit).select_related("competency").order_by("position", "pk")
    return [(f.pk, f.competency.name) for f in focus]


def _question_initial(question: Question) -> dict:
    return {
        "text": question.text, "good_looks_like": question.good_looks_like, "follow_ups": question.follow_ups,
        "red_flags": question.red_flags, "competencies": [f.pk for f in question.competencies.all()],
    }


@require_http_methods(["GET", "POST"])
@login_required
def kit_questions(request, pk: int):
    """The kit's questions, one of them open to change (`?edit=<id>`), and a form for a new one."""
    kit = _kit_for_hr(request, pk)
    focus = _focus_choices(kit)
    questions = list(kit.questions.order_by("position", "pk").prefetch_related("competencies__competency"))
    by_pk = {q.pk: q for q in questions}
    add_form = QuestionForm(focus=focus, prefix="new")
    editing, edit_form, status = None, None, 200

    if request.method == "GET":
        wanted = request.GET.get("edit", "")
        if wanted:
            editing = by_pk.get(int(wanted)) if wanted.isdecimal() else None
            if editing is None:
                raise Http404("No such question.")
            edit_form = QuestionForm(initial=_question_initial(editing), focus=focus, prefix="edit")
    else:
        action = request.POST.get("action", "")
        target = request.POST.get("question", "")
        if action in ("edit", "remove"):
            editing = by_pk.get(int(target)) if target.isdecimal() else None
            if editing is None:
                raise Http404("No such question.")
        if action == "remove":
            question_remove(actor=request.user, question=editing)
            messages.success(request, "The question is removed.")
            return redirect("reviews:kit_questions", pk=kit.pk)
        if action not in ("add", "edit"):
            messages.error(request, "That was not something this page does: nothing was changed.")
            return redirect("reviews:kit_questions", pk=kit.pk)
        form = QuestionForm(request.POST, focus=focus, prefix="new" if action == "add" else "edit")
        if action == "add":
            add_form = form
        else:
            edit_form = form
        if form.is_valid():
            data = form.cleaned_data
            fields = {
                "text": data["text"], "good_looks_like": data["good_looks_like"], "follow_ups": data["follow_ups"],
                "red_flags": data["red_flags"], "focus_ids": data["competencies"],
            }
            try:
                if action == "add":
                    question_add(actor=request.user, kit=kit, **fields)
                else:
                    question_edit(actor=request.user, question=editing, **fields)
            except ValidationError as error:
                errors_to(form, error)
            else:
                messages.success(request, "The question is added." if action == "add" else "The question is saved.")
                anchor = "#new-question" if action == "add" else f"#question-{editing.pk}"
                return redirect(reverse("reviews:kit_questions", args=[kit.pk]) + anchor)
        status = 400
    context = {
        "kit": kit, "questions": questions, "editing": editing, "edit_form": edit_form, "add_form": add_form,
        "has_focus": bool(focus),
    }
    return render(request, "reviews/kits/questions.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def kit_scale(request, pk: int):
    kit = _kit_for_hr(request, pk)
    if request.method == "GET":
        points = list(ScalePoint.objects.filter(kit=kit).order_by("value"))
        initial = {}
        for point in points:
            initial.update({f"label-{point.value}": point.label, f"anchor-{point.value}": point.anchor,
                            f"offset-{point.value}": point.offset})
        if points and len(points) < SCALE_ROWS:
            # A point to add starts where the last one stands, so offsets keep rising.
            initial[f"offset-{len(points) + 1}"] = points[-1].offset
        form = ScaleForm(initial=initial, rows=SCALE_ROWS)
        shown = min(SCALE_ROWS, len(points) + 1)
        return render(request, "reviews/kits/scale.html", {"kit": kit, "form": form, "shown": shown})
    form = ScaleForm(request.POST, rows=SCALE_ROWS)
    if form.is_valid():
        try:
            scale_update(actor=request.user, kit=kit, points=form.points())
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "The scale is saved.")
            return redirect(reverse("reviews:kit", args=[kit.pk]) + "#scale")
    shown = min(SCALE_ROWS, max(form.last_filled() + 1, 2))
    return render(request, "reviews/kits/scale.html", {"kit": kit, "form": form, "shown": shown}, status=400)


@require_http_methods(["GET", "POST"])
@login_required
def kit_copy_view(request, pk: int):
    kit = _kit_for_hr(request, pk)
    levels = _copy_levels(kit)
    if request.method == "GET":
        form = CopyForm(initial={"name": kit_copy_name(kit), "level": kit.level_id}, levels=levels)
        return render(request, "reviews/kits/copy.html", {"kit": kit, "form": form})
    form = CopyForm(request.POST, levels=levels)
    if form.is_valid():
        level = Level.objects.get(pk=form.cleaned_data["level"])
        try:
            copy, dropped = kit_copy(actor=request.user, kit=kit, name=form.cleaned_data["name"], level=level)
        except ValidationError as error:
            errors_to(form, error)
        else:
            if dropped:
                names = ", ".join(c.name for c in dropped)
                messages.warning(
                    request,
                    f"{copy.name} is made for {level.title}. Left out, as {level.title} has no expectation for "
                    f"{'it' if len(dropped) == 1 else 'them'}: {names}.",
                )
            else:
                messages.success(request, f"{copy.name} is made for {level.title}, with every competency of {kit.name}.")
            return redirect("reviews:kit", pk=copy.pk)
    return render(request, "reviews/kits/copy.html", {"kit": kit, "form": form}, status=400)
