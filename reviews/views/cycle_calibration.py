"""Review cycle pages for managers and HR together: a manager's team status (their part of
the cycle) and calibration, where ratings are read side by side, filtered, charted and
moved with a reason. A manager sees the people below them in the reporting line today;
HR everyone; anyone else gets a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from ladders.models import Level
from people.models import Department
from people.stamp import stamp_of

from ..forms.cycles import MoveForm
from ..models import CalibrationMove, Cycle, Packet, Phase, Review
from ..models.cycles import Rating
from ..selectors.cycle_progress import cycle_progress_kept
from ..selectors.cycles import participants_page, reviews_visible_to, upward_summary
from ..selectors.packets import packets_visible_to
from ..services.cycle_calibration import calibrates, rating_move
from ..services.cycles import phase_state

PAGE_SIZE = 50


def _cycle_for(request, pk: int) -> tuple[Cycle, Q]:
    """The cycle and which of its participants the viewer calibrates and follows: all for
    HR, those below them for a manager; 404 for anyone with nobody in it."""
    viewer = request.user
    cycle = Cycle.objects.filter(pk=pk).first()
    if cycle is None or not viewer.is_active:
        raise Http404("No such cycle.")
    if viewer.sees_everyone:
        # Everyone but themselves: nobody reads their own rating before the release.
        return cycle, ~Q(person=viewer)
    if not viewer.reporting_path:
        raise Http404("No such cycle.")
    below = Q(person__reporting_path__below=viewer.reporting_path)
    if not cycle.participants.filter(below, removed_at=None).exists():
        raise Http404("No such cycle.")
    return cycle, below


@require_GET
@login_required
def cycle_team(request, pk: int):
    cycle, below = _cycle_for(request, pk)
    under = None if request.user.sees_everyone else request.user
    progress = cycle_progress_kept(cycle, stamp=stamp_of(request.user), under=under)
    page, people = participants_page(
        cycle.participants.filter(below, removed_at=None), request.GET.get("page"), per_page=PAGE_SIZE, related=("person", "level")
    )
    done = {}
    for participant, kind in Review.objects.filter(
        participant__in=[p.pk for p in people], submitted_at__isnull=False, kind__in=["self", "manager"]
    ).values_list("participant_id", "kind"):
        done.setdefault(participant, set()).add(kind)
    peers = dict(
        cycle.participants.filter(pk__in=[p.pk for p in people])
        .annotate(n=Count("nominations", filter=Q(nominations__status="approved"))).values_list("pk", "n")
    )
    rows = [(p, "self" in done.get(p.pk, ()), "manager" in done.get(p.pk, ()), peers.get(p.pk, 0)) for p in people]
    return render(request, "reviews/cycles/team.html", {"cycle": cycle, "progress": progress, "rows": rows, "page": page})


# --- Calibration --------------------------------------------------------------------------------


def _calibration_rows(cycle: Cycle, below: Q, filters: dict):
    rows = cycle.participants.filter(below, removed_at=None)
    if filters.get("department"):
        rows = rows.filter(person__department_id=filters["department"])
    if filters.get("level"):
        rows = rows.filter(level__title=filters["level"])
    if filters.get("manager"):
        rows = rows.filter(person__manager__name__icontains=filters["manager"])
    return rows


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


@require_GET
@login_required
def calibration(request, pk: int):
    cycle, below = _cycle_for(request, pk)
    return _calibration_page(request, cycle, below)


def _typed(query, name: str, limit: int) -> str:
    return (query.get(name) or "").replace("\x00", "").strip()[:limit]


def _filters(query) -> dict:
    return {
        "department": _int(query.get("department")),
        "level": _typed(query, "level", 120),
        # By name: a list of every manager of 10,000 people would weigh more than the page.
        "manager": _typed(query, "manager", 100),
    }


def _calibration_page(request, cycle, below, *, move_form_for: int | None = None, move_errors: dict | None = None, status: int = 200):
    filters = _filters(request.GET)
    rows = _calibration_rows(cycle, below, filters)
    counts = dict(rows.order_by().values("rating").annotate(n=Count("pk")).values_list("rating", "n"))
    total = sum(counts.values()) or 1
    distribution = [
        (value, label, counts.get(value, 0), round(100 * counts.get(value, 0) / total)) for value, label in Rating.choices
    ] + [("", "Not rated yet", counts.get("", 0), round(100 * counts.get("", 0) / total))]
    page, shown = participants_page(
        rows, request.GET.get("page"), per_page=PAGE_SIZE, related=("person__department", "person__manager", "level")
    )
    proposed = dict(
        Review.objects.filter(participant__in=[p.pk for p in shown], kind=Review.Kind.MANAGER, submitted_at__isnull=False)
        .values_list("participant_id", "overall")
    )
    history: dict[int, list] = {}
    for move in CalibrationMove.objects.filter(participant__in=[p.pk for p in shown]).select_related("moved_by").order_by("moved_at", "pk"):
        history.setdefault(move.participant_id, []).append(move)
    phase = Phase.objects.filter(cycle=cycle, kind=Phase.Kind.CALIBRATION).first()
    open_now = phase is not None and phase_state(phase) == "open" and cycle.calibration_locked_at is None
    labels = dict(Rating.choices)
    people = [
        {
            "row": p, "proposed": labels.get(proposed.get(p.pk, ""), ""), "moves": history.get(p.pk, []),
            "movable": open_now and calibrates(request.user, p),
            "errors": (move_errors or {}) if move_form_for == p.pk else {},
        }
        for p in shown
    ]
    # A refusal the row cannot show (the row is no longer movable, or not on this page) shows above.
    shown_at_row = any(p["errors"] and p["movable"] for p in people)
    problem = "" if shown_at_row or not move_errors else " ".join(m for ms in move_errors.values() for m in ms)
    scope = cycle.participants.filter(below, removed_at=None)
    context = {
        "cycle": cycle, "phase": phase, "open_now": open_now, "distribution": distribution, "people": people, "page": page,
        "filters": filters, "ratings": Rating.choices,
        "departments": Department.objects.filter(pk__in=scope.values("person__department")).order_by("name"),
        "levels": sorted(set(Level.objects.filter(pk__in=scope.values("level")).order_by().values_list("title", flat=True))),
        "is_hr": request.user.sees_everyone,
        "problem": problem,
    }
    return render(request, "reviews/cycles/calibration.html", context, status=status)


@require_POST
@login_required
def calibration_move(request, pk: int, participant: int):
    cycle, below = _cycle_for(request, pk)
    row = cycle.participants.filter(below, pk=participant).select_related("person").first()
    if row is None:
        raise Http404("No such participant.")
    form = MoveForm(request.POST)
    try:
        if not form.is_valid():  # a character no text holds, a rating far too long
            raise ValidationError({field: errors for field, errors in form.errors.items()})
        rating_move(actor=request.user, participant=row, rating=form.cleaned_data["rating"], reason=form.cleaned_data["reason"])
    except PermissionDenied:
        raise Http404("No such participant.") from None
    except ValidationError as error:
        errors = error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
        return _calibration_page(request, cycle, below, move_form_for=row.pk, move_errors=errors, status=400)
    messages.success(request, f"{row.person.name}'s rating moved; the reason is kept.")
    kept = {key: value for key, value in _filters(request.GET).items() if value}
    page = _int(request.GET.get("page"))
    if page:
        kept["page"] = page
    return redirect(f"{reverse('reviews:cycle_calibration', args=[cycle.pk])}?{urlencode(kept)}" if kept else reverse("reviews:cycle_calibration", args=[cycle.pk]))


@require_GET
@login_required
def cycle_person(request, pk: int, participant: int):
    """One person's reviews in a cycle, for those who calibrate them (HR, the managers above
    them): their submitted self, peer and manager reviews, and what their reports said
    together if enough answered (HR only, as the selectors allow)."""
    cycle, below = _cycle_for(request, pk)
    row = cycle.participants.filter(below, pk=participant).select_related("person", "level", "cycle").first()
    if row is None:
        raise Http404("No such participant.")
    reviews = list(
        reviews_visible_to(request.user).filter(participant=row, submitted_at__isnull=False)
        .select_related("author", "proposed_level").prefetch_related("ratings__competency", "answers__section")
        .order_by("kind", "submitted_at", "pk")
    )
    moves = list(row.moves.select_related("moved_by").order_by("moved_at", "pk"))
    upward = upward_summary(request.user, row)
    context = {
        "cycle": cycle, "row": row, "moves": moves, "upward": upward,
        "self_review": next((r for r in reviews if r.kind == Review.Kind.SELF), None),
        "manager_reviews": [r for r in reviews if r.kind == Review.Kind.MANAGER],
        "peer_reviews": [r for r in reviews if r.kind == Review.Kind.PEER],
    }
    proposal = next((r for r in context["manager_reviews"] if r.proposed_level_id), None)
    if proposal is not None:
        # The packet under way, to open it; else, for their manager, where to start one.
        context["packet_open"] = (
            packets_visible_to(request.user).filter(person=row.person, status__in=Packet.OPEN).values_list("pk", flat=True).first()
        )
        if context["packet_open"] is None and row.person.manager_id == request.user.pk and row.person.is_active:
            context["packet_start"] = f"{reverse('reviews:packet_new')}?{urlencode({'person': row.person.pk, 'review': proposal.pk})}"
    if upward is not None:
        titles = {s.pk: s.title for s in cycle.sections.all()}
        context["upward_sections"] = [(titles.get(section, ""), texts) for section, texts in upward.answers.items()]
    return render(request, "reviews/cycles/person.html", context)
