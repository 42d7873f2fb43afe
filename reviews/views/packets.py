"""Promotion packet pages: packets (mine, those I sponsor, my committee's queue, and all of
them for HR), opening one, the packet itself (evidence per expectation beside the target
level's rubric, frozen once submitted; the case; endorsements; votes and the decision), and a
colleague's endorsement. Each reader sees what selectors.packets allows; anyone else a 404."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ladders.selectors.careers import placement_current
from people.models import User
from people.stamp import stamp_of

from ..cycle_rubric import levels_above, lines_for
from ..forms import errors_to
from ..forms.packets import (
    CaseForm,
    DecisionForm,
    EndorsementForm,
    EndorserForm,
    EvidenceForm,
    OpenForm,
    RouteForm,
    VoteForm,
    WithdrawForm,
    links_text,
)
from ..models import Committee, Endorsement, Packet, Review, Vote
from ..models.packets import TEXT_MAX_LENGTH
from ..selectors import fairness as fairness_selectors
from ..selectors.cycles import reviews_visible_to
from ..selectors.packet_sources import sources_for
from ..selectors.packets import endorsements_visible, packet_get_for, packets_visible_to, role_of, votes_visible
from ..services import packets as services
from .exports import csv_safe

LISTED = 100
# Fairness groups on a page (by manager, a large company has hundreds); the CSV has them all.
GROUPS_PER_PAGE = 50


# --- Lists --------------------------------------------------------------------------------------


@require_GET
@login_required
def packet_list(request):
    viewer = request.user
    visible = packets_visible_to(viewer).select_related("person", "target_level", "committee").order_by("-updated_at", "-pk")
    mine = [p for p in visible.filter(person=viewer)[:LISTED]]
    sponsored = list(
        visible.filter(person__reporting_path__below=viewer.reporting_path).exclude(person=viewer)[:LISTED]
    ) if viewer.reporting_path else []
    committees = Committee.objects.filter(Q(chair=viewer) | Q(members=viewer)).values("pk")
    waiting = visible.filter(committee__in=committees, status=Packet.Status.IN_COMMITTEE).exclude(person=viewer)
    if viewer.reporting_path:  # not those of people below them: they take no part in those
        waiting = waiting.exclude(person__reporting_path__below=viewer.reporting_path)
    queue = list(
        waiting.annotate(voted=Exists(Vote.objects.filter(packet=OuterRef("pk"), member=viewer)), votes_in=Count("votes", distinct=True))
        [:LISTED]
    )
    endorsements = list(
        Endorsement.objects.filter(endorser=viewer, submitted_at=None, declined_at=None, packet__status__in=Packet.OPEN)
        .select_related("packet__person", "packet__target_level")
    )
    return render(request, "reviews/packets/list.html", {
        "mine": mine, "sponsored": sponsored, "queue": queue, "endorsements": endorsements,
        "is_hr": viewer.sees_everyone, "can_open": bool(viewer.is_active),
    })


@require_GET
@login_required
def packet_all(request):
    """Every packet, for HR: where each stands, how long it has been there, and the outcomes."""
    if not request.user.sees_everyone:
        raise Http404("No such page.")
    status = request.GET.get("status") or ""
    rows = Packet.objects.select_related("person", "target_level", "committee").order_by("-updated_at", "-pk")
    if status in Packet.Status.values:
        rows = rows.filter(status=status)
    counts = dict(Packet.objects.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    return render(request, "reviews/packets/all.html", {
        "packets": list(rows[:LISTED * 2]), "status": status, "counts": [(s, label, counts.get(s, 0)) for s, label in Packet.Status.choices],
    })


# --- Opening ------------------------------------------------------------------------------------


def _openable(viewer: User) -> list[User]:
    """Whom `viewer` may open a packet for: themselves and their direct reports."""
    people = [viewer] + list(User.objects.filter(manager=viewer, is_active=True).order_by("name"))
    return people


def _next_levels(person: User) -> list[tuple[int, str]]:
    placed = placement_current(person)
    if placed is None:
        return []
    current, _ = lines_for(placed.level_id, placed.track_id)
    return [(level.pk, level.title) for level in levels_above(current, placed.track_id)]


def _proposal(viewer: User, person: User, pk: int | None) -> Review | None:
    """A submitted manager review about `person` that proposed a level, which `viewer` reads."""
    if pk is None:
        return None
    return (
        reviews_visible_to(viewer)
        .filter(pk=pk, kind=Review.Kind.MANAGER, submitted_at__isnull=False, participant__person=person, proposed_level__isnull=False)
        .select_related("author", "participant__cycle", "proposed_level")
        .first()
    )


@require_http_methods(["GET", "POST"])
@login_required
def packet_new(request):
    people = _openable(request.user)
    by_pk = {p.pk: p for p in people}
    chosen = by_pk.get(_int(request.POST.get("person") or request.GET.get("person"))) or people[0]
    choices = [(p.pk, "Yourself" if p.pk == request.user.pk else p.name) for p in people]
    levels = _next_levels(chosen)
    proposal = _proposal(request.user, chosen, _int(request.POST.get("review") or request.GET.get("review")))
    context = {"chosen": chosen, "has_levels": bool(levels), "proposal": proposal}
    if request.method == "GET":
        initial = {"person": chosen.pk}
        if proposal is not None and proposal.proposed_level_id in dict(levels):
            initial["target_level"] = proposal.proposed_level_id
        form = OpenForm(initial=initial, people=choices, levels=levels)
        return render(request, "reviews/packets/new.html", {**context, "form": form})
    form = OpenForm(request.POST, people=choices, levels=levels)
    if form.is_valid():
        target = form.cleaned_data["target_level"] or 0
        source = proposal if proposal is not None and proposal.proposed_level_id == target else None
        try:
            packet = services.packet_open(actor=request.user, person=chosen, target_level=target, source_review=source)
        except PermissionDenied:
            raise Http404("No such person.") from None
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "The packet is open: write the evidence for each expectation of the target level.")
            return redirect("reviews:packet", packet.pk)
    return render(request, "reviews/packets/new.html", {**context, "form": form}, status=400)


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


# --- The packet ---------------------------------------------------------------------------------


def _rows(packet: Packet, writer: str, forms: dict, problems: dict | None = None) -> list[dict]:
    """One row per expectation: the rubric's (frozen once submitted), the evidence and its form,
    and for its writers what the last year offers to pull into it."""
    evidence = {row.competency_id: row for row in packet.evidence.all()}
    offered = sources_for(packet) if writer else {}
    gaps = services.missing(packet, evidence.values())
    if packet.snapshot:
        expectations = packet.snapshot
    else:
        _, lines = lines_for(packet.target_level_id, packet.track_id)
        expectations = [
            {"competency": line.competency.pk, "name": line.competency.name, "area": line.competency.area.name,
             "proficiency_name": line.expected_name, "criteria": line.expectation.criteria_list,
             "examples": line.expectation.examples_list}
            for line in lines
        ]
    rows = []
    for expectation in expectations:
        row = evidence.get(expectation["competency"])
        form = None
        if writer and row is not None:
            form = forms.get(row.competency_id) or EvidenceForm(
                prefix=f"e{row.competency_id}",
                initial={"text": row.text, "links": links_text(row.links), "seen": services.words_digest(row.text, row.links),
                         "rating": row.self_rating if writer == "person" else row.manager_rating},
            )
        pulled = set(row.sources) if row is not None else set()
        rows.append({
            "expectation": expectation, "evidence": row, "form": form, "gaps": gaps.get(expectation["competency"], []),
            "sources": [(source, source.key in pulled) for source in offered.get(expectation["competency"], [])],
            "problem": (problems or {}).get(expectation["competency"], ""),
        })
    return rows


def _page(request, packet: Packet, *, status: int = 200, **forms):
    viewer = request.user
    role = role_of(viewer, packet)
    writer = services._writers(viewer, packet) if packet.status == Packet.Status.DRAFT else ""
    votes, own_vote = votes_visible(viewer, packet, role)
    endorsements, endorsement_words = endorsements_visible(viewer, packet, role)
    committee = packet.committee
    member = role in ("chair", "member") or (role == "hr" and committee is not None and services.sits_on(viewer, committee))
    in_committee = packet.status == Packet.Status.IN_COMMITTEE
    # On the committee, but the person is in their reporting tree: they read it as a manager.
    on_committee_above = role == "manager" and committee is not None and services.sits_on(viewer, committee)
    context = {
        "packet": packet, "role": role, "writer": writer,
        "rows": _rows(packet, writer, forms.get("evidence_forms") or {}, forms.get("pull_problems")),
        "case_form": (forms.get("case_form") or CaseForm(initial={"case": packet.case})) if writer == "sponsor" else None,
        "endorsements": endorsements, "endorsement_words": endorsement_words,
        "endorser_form": (forms.get("endorser_form") or EndorserForm()) if packet.is_open and services._writers(viewer, packet) else None,
        "can_sponsor": writer == "sponsor" and not packet.sponsored_by(viewer),
        "sponsor_changed": packet.status == Packet.Status.DRAFT and packet.sponsor_id != packet.person.manager_id,
        "votes": votes, "own_vote": own_vote,
        "vote_form": (forms.get("vote_form") or VoteForm()) if member and in_committee and own_vote is None and not services._in_tree(viewer, packet.person) else None,
        "in_tree": (member and services._in_tree(viewer, packet.person)) or on_committee_above,
        "shows_votes": role in ("chair", "member", "hr") or on_committee_above,
        "decision_form": (forms.get("decision_form") or DecisionForm()) if role == "chair" and in_committee and not services._in_tree(viewer, packet.person) else None,
        "route_form": None,
        "can_reopen": packet.status in (Packet.Status.DECLINED, Packet.Status.DEFERRED) and bool(services._writers(viewer, packet))
        and not Packet.objects.filter(reopened_from=packet).exists(),
        "reopened_as": Packet.objects.filter(reopened_from=packet).values_list("pk", flat=True).first(),
        "problem": forms.get("problem", ""),
        "withdraw_form": (forms.get("withdraw_form") or WithdrawForm()) if services.may_withdraw(viewer, packet) else None,
    }
    if role == "hr" and packet.status in (Packet.Status.SUBMITTED, Packet.Status.IN_COMMITTEE):
        choices = [(c.pk, c.name) for c in services.committees_for(packet) if c.pk != packet.committee_id]
        context["route_form"] = forms.get("route_form") or RouteForm(committees=choices)
    context["gap_count"] = sum(1 for row in context["rows"] if row["gaps"])
    if writer:
        context["rating_choices"], context["text_max"] = EvidenceForm.base_fields["rating"].choices, TEXT_MAX_LENGTH
    # A refused form the page no longer draws (the packet moved on meanwhile): its errors on top.
    lost = [
        error for key, form in forms.items()
        if key.endswith("_form") and form is not None and context.get(key) is not form for error in _messages_of(form)
    ]
    drawn = {id(row["form"]) for row in context["rows"]}
    lost += [
        error for form in (forms.get("evidence_forms") or {}).values() if id(form) not in drawn for error in _messages_of(form)
    ]
    if lost and not context["problem"]:
        context["problem"] = " ".join(lost)
    if packet.source_review_id:
        context["source_review"], context["source_link"] = _source_review(viewer, packet, role)
    return render(request, "reviews/packets/packet.html", context, status=status)


def _messages_of(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors] if form.is_bound else []


def _source_review(viewer: User, packet: Packet, role: str) -> tuple[Review | None, str]:
    """The manager review the packet started from and where `viewer` reads it, if anywhere."""
    review = Review.objects.filter(pk=packet.source_review_id).select_related("author", "participant__cycle").first()
    if review is None:
        return None, ""
    participant = review.participant
    if role == "person":
        # Nothing of their manager's review before its results are released to them.
        if participant.cycle.released_at is None:
            return None, ""
        return review, reverse("reviews:cycle_results", args=[participant.pk])
    if role in ("manager", "hr"):
        return review, reverse("reviews:cycle_person", args=[participant.cycle_id, participant.pk])
    return review, ""


@require_GET
@login_required
def packet_page(request, pk: int):
    return _page(request, packet_get_for(request.user, pk))


def _act(request, pk: int, action, success: str, *, form_key: str | None = None, form=None):
    """Run a one-click (or one-form) change to a packet: to the packet on success, the page
    with the problem at its place on a refusal or a form not filled in right, a 404 when the
    viewer may not. `action` reads the form's cleaned data only once it is valid."""
    if form is not None and not form.is_valid():
        return _page(request, packet_get_for(request.user, pk), status=400, **{form_key: form})
    packet = packet_get_for(request.user, pk)
    try:
        action(packet)
    except PermissionDenied:
        raise Http404("No such packet.") from None
    except ValidationError as error:
        if form is not None and form_key:
            errors_to(form, error)
            return _page(request, packet_get_for(request.user, pk), status=400, **{form_key: form})
        return _page(request, packet_get_for(request.user, pk), status=400, problem=" ".join(error.messages))
    messages.success(request, success)
    return redirect("reviews:packet", packet.pk)


@require_POST
@login_required
def packet_evidence(request, pk: int, competency: int):
    if _int(competency) is None:
        raise Http404("No such expectation.")
    packet = packet_get_for(request.user, pk)
    form = EvidenceForm(request.POST, prefix=f"e{competency}")
    if not form.is_valid():
        return _page(request, packet, status=400, evidence_forms={competency: form})
    return _evidence(request, packet, competency, form)


def _evidence(request, packet: Packet, competency: int, form: EvidenceForm):
    data = form.cleaned_data
    sent = {name for name in ("text", "links", "rating") if form.add_prefix(name) in request.POST}
    try:
        services.evidence_save(
            actor=request.user, packet=packet, competency=competency,
            text=data["text"] if "text" in sent else None, links=form.link_list() if "links" in sent else None,
            rating=data["rating"] if "rating" in sent else None, seen=data.get("seen") or None,
        )
    except PermissionDenied:
        raise Http404("No such packet.") from None
    except ValidationError as error:
        if not hasattr(error, "error_dict"):  # not about a field: said at the top of the page
            return _page(request, packet_get_for(request.user, packet.pk), status=400, problem=" ".join(error.messages))
        errors_to(form, error)
        return _page(request, packet, status=400, evidence_forms={competency: form})
    messages.success(request, "Evidence saved.")
    return redirect(f"{reverse('reviews:packet', args=[packet.pk])}#expectation-{competency}")


@require_POST
@login_required
def packet_pull(request, pk: int, competency: int):
    """Add a piece of the last year's feedback or review results to an expectation's evidence."""
    if _int(competency) is None:
        raise Http404("No such expectation.")
    packet = packet_get_for(request.user, pk)
    try:
        services.evidence_pull(actor=request.user, packet=packet, competency=competency, key=request.POST.get("source", "")[:40])
    except PermissionDenied:
        raise Http404("No such packet.") from None
    except ValidationError as error:
        fresh = packet_get_for(request.user, pk)
        if fresh.status != Packet.Status.DRAFT or not hasattr(error, "error_dict"):
            return _page(request, fresh, status=400, problem=" ".join(error.messages))
        return _page(request, fresh, status=400, pull_problems={competency: " ".join(error.messages)})
    messages.success(request, "Added to the evidence, with where it came from: edit it as you like.")
    return redirect(f"{reverse('reviews:packet', args=[packet.pk])}#expectation-{competency}")


@require_POST
@login_required
def packet_case(request, pk: int):
    form = CaseForm(request.POST)
    return _act(request, pk, lambda p: services.case_save(actor=request.user, packet=p, case=form.cleaned_data["case"]),
                "Case saved.", form_key="case_form", form=form)


@require_POST
@login_required
def packet_sponsor(request, pk: int):
    return _act(request, pk, lambda p: services.packet_sponsor(actor=request.user, packet=p), "You sponsor this packet.")


@require_POST
@login_required
def packet_submit(request, pk: int):
    return _act(request, pk, lambda p: services.packet_submit(actor=request.user, packet=p),
                "Submitted: the target level's expectations are frozen into it. HR route it to a committee.")


@require_POST
@login_required
def packet_endorser(request, pk: int):
    form = EndorserForm(request.POST)
    if not form.is_valid():
        return _page(request, packet_get_for(request.user, pk), status=400, endorser_form=form)
    email = form.cleaned_data["endorser"]
    endorser = User.objects.filter(email__iexact=email, is_active=True).first() if email else None

    def ask(packet):
        services.endorsement_request(actor=request.user, packet=packet, endorser=endorser)

    return _act(request, pk, ask, f"{endorser.name if endorser else 'They'} will be asked to endorse it.",
                form_key="endorser_form", form=form)


@require_POST
@login_required
def packet_route(request, pk: int):
    packet = packet_get_for(request.user, pk)
    if not request.user.sees_everyone:
        raise Http404("No such packet.")
    form = RouteForm(request.POST, committees=[(c.pk, c.name) for c in services.committees_for(packet)])
    return _act(request, pk, lambda p: services.packet_route(actor=request.user, packet=p, committee=form.cleaned_data["committee"] or 0),
                "Routed to the committee.", form_key="route_form", form=form)


@require_POST
@login_required
def packet_vote(request, pk: int):
    form = VoteForm(request.POST)

    def vote(packet):
        data = form.cleaned_data
        services.vote_record(actor=request.user, packet=packet, choice=data["choice"], comment=data["comment"])

    return _act(request, pk, vote, "Your vote is in. The others' show now.", form_key="vote_form", form=form)


@require_POST
@login_required
def packet_decide(request, pk: int):
    form = DecisionForm(request.POST)

    def decide(packet):
        data = form.cleaned_data
        services.packet_decide(actor=request.user, packet=packet, outcome=data["outcome"], reason=data["reason"],
                               effective_date=data["effective_date"])

    return _act(
        request, pk, decide,
        "Decided. The person and their manager read the decision and its reason.", form_key="decision_form", form=form,
    )


@require_POST
@login_required
def packet_reopen(request, pk: int):
    packet = packet_get_for(request.user, pk)
    try:
        new = services.packet_reopen(actor=request.user, packet=packet)
    except PermissionDenied:
        raise Http404("No such packet.") from None
    except ValidationError as error:
        return _page(request, packet, status=400, problem=" ".join(error.messages))
    messages.success(request, "A new draft, with the evidence carried over. The earlier packet and its decision stay.")
    return redirect("reviews:packet", new.pk)


@require_POST
@login_required
def packet_withdraw(request, pk: int):
    form = WithdrawForm(request.POST)
    return _act(request, pk, lambda p: services.packet_withdraw(actor=request.user, packet=p, reason=form.cleaned_data["reason"]),
                "Withdrawn: it stays, with your reason, and a new packet can be opened.", form_key="withdraw_form", form=form)


# --- Endorsing ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def endorsement(request, pk: int):
    row = (
        Endorsement.objects.select_related("packet__person", "packet__target_level", "requested_by")
        .filter(pk=pk, endorser=request.user).first()
    )
    if row is None or not request.user.is_active:
        raise Http404("No such request.")
    form = EndorsementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.endorsement_give(actor=request.user, endorsement=row, text=form.cleaned_data["text"],
                                      decline="decline" in request.POST)
        except PermissionDenied:
            raise Http404("No such request.") from None
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Thank you: your answer is with the packet.")
            return redirect("reviews:packets")
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/packets/endorsement.html", {"row": row, "form": form}, status=status)


# --- Fairness -----------------------------------------------------------------------------------


@require_GET
@login_required
def fairness_page(request):
    """Promotion rate, time in level and packet outcomes by group, for HR; groups under
    MIN_GROUP people show nothing. `?format=csv` downloads the same table."""
    if not request.user.sees_everyone:
        raise Http404("No such page.")
    by = request.GET.get("by") if request.GET.get("by") in fairness_selectors.DIMENSIONS else "department"
    groups, everyone = fairness_selectors.fairness_kept(by, stamp=stamp_of(request.user))
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="promotions-by-{by}.csv"'
        writer = csv.writer(response)
        writer.writerow([fairness_selectors.DIMENSIONS[by], "people", "promoted in the last year (%)",
                         "median months in level", "packets approved", "declined", "deferred"])
        for group in [*groups, everyone]:
            if group.suppressed:
                writer.writerow([csv_safe(group.label), "not shown" if group.hidden else f"fewer than {fairness_selectors.MIN_GROUP}",
                                 "", "", "", "", ""])
            else:
                writer.writerow([csv_safe(group.label), group.people, group.rate, group.median_months,
                                 group.outcomes["approved"], group.outcomes["declined"], group.outcomes["deferred"]])
        return response
    page = Paginator(groups, GROUPS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "reviews/packets/fairness.html", {
        "by": by, "dimensions": fairness_selectors.DIMENSIONS.items(), "page": page, "groups": page.object_list,
        "everyone": everyone, "min_group": fairness_selectors.MIN_GROUP, "window_days": fairness_selectors.WINDOW_DAYS,
        "top": max([g.rate or 0 for g in groups] + [1]), "suppressed": sum(1 for g in groups if g.suppressed),
        "shown": sum(1 for g in groups if not g.suppressed),
        "top_months": max([g.median_months or 0 for g in groups if not g.suppressed] + [1]),
        "months_label": "; ".join(f"{g.label}: {g.median_months} months" for g in page.object_list
                                  if not g.suppressed and g.median_months is not None) or "No group to show",
        "chart_label": "; ".join(f"{g.label}: {g.rate}%" for g in page.object_list if not g.suppressed) or "No group to show",
    })
