"""HR's review cycle pages: the cycles, opening one, and a cycle's dashboard with the changes
HR make while it runs (people added late or taken out, deadlines extended, phases closed
early), calibration's lock, the release and the CSV export of results. Everyone else gets
a 404 here."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import Department, Team, User
from people.stamp import stamp_of

from ..forms import errors_to
from ..forms.cycles import CycleForm, ExtendForm, PersonForm, RemoveForm, default_dates
from ..models import Participant, Phase, Review
from ..selectors.cycle_progress import cycle_progress_kept
from ..selectors.cycles import cycle_get_for_hr, cycles_for_hr, participants_page
from ..services.cycle_calibration import calibration_lock, cycle_release
from ..services.cycles import Population, cycle_open, participant_add, participant_remove, phase_close, phase_extend
from .exports import csv_safe

PAGE_SIZE = 25


def _hr_only(request) -> None:
    if not (request.user.is_active and request.user.sees_everyone):
        raise Http404("No such page.")


@require_GET
@login_required
def cycle_list(request):
    _hr_only(request)
    cycles = cycles_for_hr(request.user).annotate(
        people=Count("participants", filter=Q(participants__removed_at=None))
    ).order_by("-period_end", "-pk")
    page = Paginator(cycles, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/cycles/list.html", {"page": page, "cycles": page.object_list})


def _choices() -> dict:
    return {
        "departments": list(Department.objects.order_by("name").values_list("pk", "name")),
        "teams": [(pk, f"{department} · {name}") for pk, name, department in
                  Team.objects.order_by("department__name", "name").values_list("pk", "name", "department__name")],
    }


@require_http_methods(["GET", "POST"])
@login_required
def cycle_new(request):
    _hr_only(request)
    if request.method == "GET":
        form = CycleForm(initial=default_dates(timezone.localdate()), **_choices())
        return render(request, "reviews/cycles/new.html", {"form": form})
    form = CycleForm(request.POST, **_choices())
    # The form reads what was typed (a day that is no date is its to say); the service says
    # everything else, so that every problem shows at once.
    valid = form.is_valid()
    data = form.cleaned_data
    try:
        cycle = cycle_open(
            actor=request.user,
            name=data.get("name", ""),
            period_start=data.get("period_start"),
            period_end=data.get("period_end"),
            population=Population(
                everyone=data.get("everyone", False), departments=data.get("departments", ()),
                teams=data.get("teams", ()), emails=data.get("emails", ""),
            ),
            phases=form.phases(),
            upward=data.get("upward", False),
            peer_reviews_shared=data.get("peer_reviews_shared", False),
            sections=form.section_list(),
            check_only=not valid,
        )
    except ValidationError as error:
        errors_to(form, error, besides=True)
    else:
        if cycle is not None:
            messages.success(request, f"{cycle.name} is open: {cycle.participants.count()} people are in it.")
            return redirect("reviews:cycle", cycle.pk)
    return render(request, "reviews/cycles/new.html", {"form": form}, status=400)


def _cycle_context(request, cycle, **forms) -> dict:
    progress = cycle_progress_kept(cycle, stamp=stamp_of(request.user))
    search = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
    people = Participant.objects.filter(cycle=cycle)
    if search:
        people = people.filter(Q(person__name__icontains=search) | Q(person__email__icontains=search))
    page, shown = participants_page(
        people, request.GET.get("page"), per_page=PAGE_SIZE, related=("person", "level"), order=(F("removed_at").asc(nulls_first=True), "person__name", "pk")
    )
    return {
        "cycle": cycle,
        "progress": progress,
        "managers_shown": progress.managers[:25],
        "q": search,
        "page": page,
        "people": shown,
        "add_form": forms.get("add_form") or PersonForm(),
        "phase_rows": [
            (phase, state, tally, (forms.get("extend_forms") or {}).get(phase.pk) or ExtendForm())
            for phase, state, tally in progress.phases
        ],
        "today": timezone.localdate(),
    }


@require_GET
@login_required
def cycle_page(request, pk: int):
    cycle = cycle_get_for_hr(request.user, pk)
    return render(request, "reviews/cycles/cycle.html", _cycle_context(request, cycle))


@require_POST
@login_required
def cycle_person_add(request, pk: int):
    cycle = cycle_get_for_hr(request.user, pk)
    if cycle.released_at is not None:
        messages.error(request, "This cycle's results are released: it no longer changes.")
        return redirect("reviews:cycle", cycle.pk)
    form = PersonForm(request.POST)
    form.is_valid()
    email = (form.cleaned_data.get("email") or "").lower()
    person = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if person is None:
        form.add_error("email", "Give the e-mail address of someone who works here.")
    else:
        try:
            participant = participant_add(actor=request.user, cycle=cycle, person=person)
        except ValidationError as error:
            errors_to(form, error, aliases={"person": "email"})
        else:
            late = " (late)" if participant.added_late else ""
            messages.success(request, f"{person.name} is in the cycle{late}.")
            return redirect("reviews:cycle", cycle.pk)
    return render(request, "reviews/cycles/cycle.html", _cycle_context(request, cycle, add_form=form), status=400)


@require_http_methods(["GET", "POST"])
@login_required
def cycle_person_remove(request, pk: int, participant: int):
    cycle = cycle_get_for_hr(request.user, pk)
    row = Participant.objects.select_related("person").filter(cycle=cycle, pk=participant).first()
    if row is None:
        raise Http404("No such participant.")
    form = RemoveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            participant_remove(actor=request.user, participant=row, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, f"{row.person.name} is out of the cycle; the reason is on record.")
            return redirect("reviews:cycle", cycle.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/cycles/remove.html", {"cycle": cycle, "row": row, "form": form}, status=status)


def _phase(cycle, phase_pk: int) -> Phase:
    phase = Phase.objects.filter(cycle=cycle, pk=phase_pk).first()
    if phase is None:
        raise Http404("No such phase.")
    phase.cycle = cycle
    return phase


@require_POST
@login_required
def cycle_phase_extend(request, pk: int, phase: int):
    cycle = cycle_get_for_hr(request.user, pk)
    row = _phase(cycle, phase)
    if row.kind == Phase.Kind.RELEASE or cycle.released_at is not None:
        messages.error(request, "The release day moves with calibration's deadline only before the release: extend calibration, and the release follows." if row.kind == Phase.Kind.RELEASE else "This cycle's results are released: it no longer changes.")
        return redirect("reviews:cycle", cycle.pk)
    form = ExtendForm(request.POST)
    if form.is_valid():
        try:
            phase_extend(actor=request.user, phase=row, closes_on=form.cleaned_data["closes_on"])
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, f"{row.get_kind_display()} now closes on {form.cleaned_data['closes_on']:%d %B %Y}.")
            return redirect("reviews:cycle", cycle.pk)
    context = _cycle_context(request, cycle, extend_forms={row.pk: form})
    return render(request, "reviews/cycles/cycle.html", context, status=400)


def _act(request, cycle, change, done: str):
    """Make one of HR's one-click changes and go back to the dashboard, saying how it went."""
    try:
        change()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("reviews:cycle", cycle.pk)


@require_POST
@login_required
def cycle_phase_close(request, pk: int, phase: int):
    cycle = cycle_get_for_hr(request.user, pk)
    row = _phase(cycle, phase)
    return _act(request, cycle, lambda: phase_close(actor=request.user, phase=row),
                f"{row.get_kind_display()} is closed: nothing more is submitted in it.")


@require_POST
@login_required
def cycle_lock(request, pk: int):
    cycle = cycle_get_for_hr(request.user, pk)
    return _act(request, cycle, lambda: calibration_lock(actor=request.user, cycle=cycle),
                "Calibration is locked: the ratings are final.")


@require_POST
@login_required
def cycle_release_now(request, pk: int):
    cycle = cycle_get_for_hr(request.user, pk)
    return _act(request, cycle, lambda: cycle_release(actor=request.user, cycle=cycle),
                "Results are released: each participant is told.")


class _Echo:
    def write(self, value):
        return value


@require_GET
@login_required
def cycle_export(request, pk: int):
    """Each participant's result, for HR: one row each, streamed (10,000 people fit)."""
    cycle = cycle_get_for_hr(request.user, pk)
    rows = (
        Participant.objects.filter(cycle=cycle)
        .order_by("person__name", "pk")
        .values_list(
            "pk", "person__name", "person__email", "person__department__name", "person__manager__name",
            "level__title", "rating", "removed_at", "removed_reason",
        )
    )
    proposed = dict(
        Review.objects.filter(participant__cycle=cycle, kind=Review.Kind.MANAGER, submitted_at__isnull=False)
        .values_list("participant_id", "overall")
    )
    moved = set(cycle.participants.filter(moves__isnull=False).values_list("pk", flat=True))
    labels = dict(Participant._meta.get_field("rating").choices)
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(["name", "email", "department", "manager", "level", "proposed rating", "final rating",
                               "moved in calibration", "taken out", "why taken out"])
        for pk, name, email, department, manager, level, rating, removed_at, reason in rows.iterator(chunk_size=2000):
            # Of their own row, HR read what any participant reads: the final rating once released.
            own = email == request.user.email
            yield writer.writerow([csv_safe(v) for v in (
                name, email, department, manager, level,
                "" if own else labels.get(proposed.get(pk, ""), ""),
                "" if own and not cycle.released_at else labels.get(rating, ""),
                "yes" if pk in moved and not own else "",
                timezone.localtime(removed_at).date().isoformat() if removed_at else "", reason,
            )])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slugify(cycle.name) or "cycle"}-results.csv"'
    return response
