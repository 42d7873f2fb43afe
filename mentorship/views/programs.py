"""HR's pages: programs, their dashboard, and matching rounds (run, preview, approve, override, publish)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import selectors, services
from ..forms import OverrideForm, ProgramForm
from ..models import Round
from .people import _errors_to


def _hr_only(user) -> None:
    if not selectors.is_hr(user):
        raise PermissionDenied("Programs are run by HR.")


@require_http_methods(["GET", "POST"])
@login_required
def programs(request):
    _hr_only(request.user)
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        program = services.program_create(actor=request.user, departments=fields.pop("departments"), **fields)
        messages.success(request, f"{program} is created. People can ask for a mentor in it now.")
        return redirect(program)
    context = {"programs": list(selectors.programs_for_hr(request.user)), "form": form}
    return render(request, "mentorship/programs.html", context, status=400 if form.errors else 200)


@require_GET
@login_required
def program(request, slug: str):
    found = selectors.program_get_for_hr(request.user, slug)
    return render(request, "mentorship/program.html", {"dashboard": selectors.dashboard_for(found), "program": found})


@require_POST
@login_required
def round_new(request, slug: str):
    found = selectors.program_get_for_hr(request.user, slug)
    round = services.round_start(program=found, actor=request.user)
    return redirect(round)


def _page(request, name: str, total: int) -> Page:
    """The page of `total` rows the address asks for, clamped to those there are."""
    paginator = Paginator(range(total), selectors.ROUND_PAGE)
    return paginator.get_page(request.GET.get(name))


def _round_context(request, round: Round) -> dict:
    context = {"round": round, "program": round.program}
    if round.is_done:
        counts = selectors.round_counts(round)
        matched, unmatched = _page(request, "page", counts["matched"]), _page(request, "unmatched_page", counts["unmatched"])
        context.update(
            counts=counts,
            matched_page=matched,
            unmatched_page=unmatched,
            proposals=selectors.round_page(round, matched=True, number=matched.number),
            unmatched=selectors.round_page(round, matched=False, number=unmatched.number),
        )
    return context


@require_GET
@login_required
def round_page(request, pk: int):
    round = selectors.round_get_for_hr(request.user, pk)
    if request.htmx and request.GET.get("progress"):
        if round.is_done:
            # Finished: the whole page reloads to show the proposals.
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return render(request, "mentorship/round.html#progress", _round_context(request, round))
    return render(request, "mentorship/round.html", _round_context(request, round))


@require_POST
@login_required
def round_decide(request, pk: int):
    round = selectors.round_get_for_hr(request.user, pk)
    approve = request.POST.get("decision") != "reject"
    chosen = None if request.POST.get("all") else [int(x) for x in request.POST.getlist("proposal") if x.isascii() and x.isdigit()]
    if chosen == []:
        messages.error(request, "Tick the proposals to approve or leave out first.")
        return redirect(round)
    try:
        changed = services.proposals_decide(round=round, actor=request.user, proposal_ids=chosen, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{changed} proposal{'s' if changed != 1 else ''} {'approved' if approve else 'left out'}.")
    return redirect(round)


@require_http_methods(["GET", "POST"])
@login_required
def proposal_override(request, pk: int, proposal_pk: int):
    round = selectors.round_get_for_hr(request.user, pk)
    proposal = selectors.proposal_get_for_hr(request.user, round, proposal_pk)
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_override(
                proposal=proposal, actor=request.user, mentor=form.cleaned_data["mentor"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, f"{proposal.request.mentee} will be mentored by {form.cleaned_data['mentor']}.")
            return redirect(round)
    context = {"round": round, "program": round.program, "proposal": proposal, "form": form}
    return render(request, "mentorship/override.html", context, status=400 if form.errors else 200)


@require_POST
@login_required
def round_publish(request, pk: int):
    round = selectors.round_get_for_hr(request.user, pk)
    try:
        published = services.round_publish(round=round, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(round)
    made = published.started
    messages.success(request, f"Published: {len(made)} mentorship{'s' if len(made) != 1 else ''} started, and both sides told.")
    for mentee, mentor, why in published.skipped:
        messages.warning(request, f"Not started: {mentee} with {mentor}. {why} {mentee} stays open for the next round.")
    return redirect(round.program)
