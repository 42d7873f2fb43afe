"""Review cycle pages for everyone: my reviews (to write, and my results once released), and
the review form, which saves as it is typed. A manager's form shows, beside it, the
person's self review, their peer reviews and the feedback of the period."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import User

from ..cycle_rubric import levels_above, lines_for
from ..forms import errors_to
from ..forms.cycles import NominateForm, ReviewForm
from ..models import Participant, Review
from ..selectors import feedback as feedback_selectors
from ..selectors.cycles import my_tasks, reviews_visible_to, upward_summary
from ..services.cycle_reviews import manages, may_write, nominate, nomination_decide, review_save, review_start, review_submit
from ..services.cycles import phase_state

FEEDBACK_SHOWN = 200
PERIOD_FEEDBACK_LISTED = 12


@require_GET
@login_required
def my_reviews(request):
    context = my_tasks(request.user)
    context["is_hr"] = request.user.sees_everyone
    return render(request, "reviews/cycles/my_reviews.html", context)


# --- Writing a review ---------------------------------------------------------------------------


def _participant_for(request, pk: int, kind: str) -> Participant:
    """The participant whose `kind` review the viewer writes; 404 for anyone else."""
    participant = Participant.objects.select_related("cycle", "person", "level").filter(pk=pk).first()
    if participant is None or kind not in Review.Kind.values or not may_write(request.user, participant, kind):
        raise Http404("No such review.")
    if not participant.cycle.phases.filter(kind=kind).exists():
        raise Http404("This cycle has no such review.")
    return participant


def _period_feedback(viewer, participant: Participant) -> list:
    """The feedback of the cycle's period about the participant, newest first, as the writer
    may read it (at most FEEDBACK_SHOWN pieces)."""
    cycle = participant.cycle
    since = timezone.make_aware(datetime.datetime.combine(cycle.period_start, datetime.time.min))
    until = timezone.make_aware(datetime.datetime.combine(cycle.period_end + datetime.timedelta(days=1), datetime.time.min))
    return list(
        feedback_selectors.feedback_filtered(
            feedback_selectors.feedback_about(viewer, participant.person), since=since, until=until
        ).select_related("giver").prefetch_related("competencies").order_by("-created_at", "-pk")[:FEEDBACK_SHOWN]
    )


def _evidence(recent: list, lines) -> dict[int, object]:
    """The latest of `recent` feedback on each competency."""
    by_slug = {}
    for feedback in recent:
        for competency in feedback.competencies.all():
            by_slug.setdefault(competency.slug, feedback)
    return {line.competency.pk: by_slug.get(line.competency.slug) for line in lines}


def _side_by_side(viewer, participant: Participant) -> dict:
    """For the manager: the self review and peer reviews, as the manager may read them."""
    others = list(
        reviews_visible_to(viewer).filter(participant=participant, kind__in=[Review.Kind.SELF, Review.Kind.PEER],
                                          submitted_at__isnull=False)
        .select_related("author").prefetch_related("ratings__competency", "answers__section").order_by("kind", "submitted_at")
    )
    return {"self_review": next((r for r in others if r.kind == Review.Kind.SELF), None),
            "peer_reviews": [r for r in others if r.kind == Review.Kind.PEER]}


def _page(request, participant: Participant, kind: str, *, form=None, status=200):
    review = (
        Review.objects.filter(participant=participant, author=request.user, kind=kind)
        .prefetch_related("ratings", "answers").first()
    )
    level, options = _form_options(participant, kind)
    lines = options["lines"]
    phase = participant.cycle.phases.filter(kind=kind).first()
    state = phase_state(phase) if phase else "closed"
    manager = kind == Review.Kind.MANAGER
    if form is None:
        form = ReviewForm.for_review(review, **options)
    recent = _period_feedback(request.user, participant)
    evidence = _evidence(recent, lines)
    rows = [
        {
            "line": line, "choice": choice, "comment": comment, "latest": evidence.get(line.competency.pk),
            # Each choice with the proficiency it stands for on the framework's scale.
            "options": [(radio, line.proficiency_name(radio.data["value"])) for radio in choice],
        }
        for line, choice, comment in form.rows()
    ]
    # A manager who took over after the manager review went in reads it; they write none.
    taken = None
    if review is None and kind in (Review.Kind.SELF, Review.Kind.MANAGER):
        taken = (
            Review.objects.filter(participant=participant, kind=kind, submitted_at__isnull=False)
            .select_related("author").prefetch_related("ratings__competency", "answers__section").first()
        )
    context = {
        "participant": participant, "cycle": participant.cycle, "kind": kind, "kind_label": Review.Kind(kind).label,
        "review": review, "form": form, "rows": rows, "level": level, "phase": phase, "state": state, "taken": taken,
        "writable": state == "open" and not (review and review.submitted_at) and taken is None,
        "about_self": participant.person_id == request.user.pk,
    }
    if manager:
        context.update(_side_by_side(request.user, participant), period_feedback=recent[:PERIOD_FEEDBACK_LISTED],
                       period_feedback_total=len(recent))
    return render(request, "reviews/cycles/review.html", context, status=status)


def _form_options(participant: Participant, kind: str) -> tuple:
    """The participant's level and what a ReviewForm of `kind` for them is built from."""
    level, lines = lines_for(participant.level_id, participant.track_id)
    manager = kind == Review.Kind.MANAGER
    levels = [(lv.pk, lv.title) for lv in levels_above(level, participant.track_id)] if manager else []
    return level, {"lines": lines, "sections": list(participant.cycle.sections.all()), "manager": manager, "levels": levels}


def _form(request, participant: Participant, kind: str) -> ReviewForm:
    return ReviewForm(request.POST, **_form_options(participant, kind)[1])


def _save(request, participant: Participant, kind: str, form: ReviewForm) -> Review:
    review = review_start(actor=request.user, participant=participant, kind=kind)
    data = form.cleaned_data
    return review_save(
        actor=request.user, review=review, ratings=form.ratings(), answers=form.answers(),
        overall=data.get("overall") if kind == Review.Kind.MANAGER else None,
        proposed_level=data.get("proposed_level") if kind == Review.Kind.MANAGER else None,
    )


@require_http_methods(["GET", "POST"])
@login_required
def review_write(request, pk: int, kind: str):
    participant = _participant_for(request, pk, kind)
    if request.method == "GET":
        return _page(request, participant, kind)
    submitting = "submit" in request.POST

    def submitted_already():
        # A second click or a second tab, before or while the first went through: nothing changes.
        if submitting and Review.objects.filter(
            participant=participant, author=request.user, kind=kind, submitted_at__isnull=False
        ).exists():
            messages.info(request, f"{Review.Kind(kind).label} was submitted already. It is locked.")
            return redirect("reviews:review_write", participant.pk, kind)
        return None

    if (done := submitted_already()) is not None:
        return done
    form = _form(request, participant, kind)
    if form.is_valid():
        try:
            # Saving and submitting stand or fall together: a refused submission writes nothing.
            with transaction.atomic():
                review = _save(request, participant, kind, form)
                if submitting:
                    review_submit(actor=request.user, review=review)
        except PermissionDenied:
            raise Http404("No such review.") from None
        except ValidationError as error:
            if (done := submitted_already()) is not None:
                return done
            errors_to(form, error)
        else:
            if submitting:
                messages.success(request, f"{Review.Kind(kind).label} submitted. It is locked now.")
            else:
                messages.success(request, "Draft saved. Only you can read it.")
            return redirect("reviews:review_write", participant.pk, kind)
    return _page(request, participant, kind, form=form, status=400)


@require_POST
@login_required
def review_autosave(request, pk: int, kind: str):
    """The form as it is typed (htmx): saved as a draft, answered with the save state."""
    participant = _participant_for(request, pk, kind)
    form = _form(request, participant, kind)
    problem = ""
    if form.is_valid():
        try:
            _save(request, participant, kind, form)
        except PermissionDenied:
            raise Http404("No such review.") from None
        except ValidationError as error:
            problem = " ".join(error.messages)
    else:
        field, errors = next(iter(form.errors.items()))
        label = form.fields[field].label if field in form.fields else ""
        problem = f"{label}: {errors[0]}" if label else errors[0]
    # Saved, the page's "Not started" becomes "Draft" (swapped out of band).
    context = {"problem": problem, "saved_at": None if problem else timezone.localtime(), "draft_badge": True}
    return render(request, "reviews/cycles/review.html#save-state", context, status=422 if problem else 200)


# --- Results ------------------------------------------------------------------------------------


@require_GET
@login_required
def cycle_results(request, pk: int):
    """The viewer's own results of a cycle, once released: their overall rating, the manager
    review, their self review, the peer reviews if the cycle shares them, and what their
    reports said together (upward), if enough answered."""
    participant = (
        Participant.objects.select_related("cycle", "level")
        .filter(pk=pk, person=request.user, removed_at=None, cycle__released_at__isnull=False)
        .first()
    )
    if participant is None:
        raise Http404("No such results.")
    reviews = list(
        reviews_visible_to(request.user).filter(participant=participant, submitted_at__isnull=False)
        .exclude(kind=Review.Kind.UPWARD).select_related("author")
        .prefetch_related("ratings__competency", "answers__section").order_by("kind", "submitted_at")
    )
    context = {
        "participant": participant,
        "cycle": participant.cycle,
        "manager_review": next((r for r in reviews if r.kind == Review.Kind.MANAGER), None),
        "self_review": next((r for r in reviews if r.kind == Review.Kind.SELF and r.author_id == request.user.pk), None),
        "peer_reviews": [r for r in reviews if r.kind == Review.Kind.PEER],
        "upward": upward_summary(request.user, participant),
        "sections": {s.pk: s.title for s in participant.cycle.sections.all()},
    }
    if context["upward"] is not None:
        _, lines = lines_for(participant.level_id, participant.track_id)
        context["upward_rows"] = [(line.competency.name, context["upward"].ratings.get(line.competency.pk, {})) for line in lines]
        context["upward_sections"] = [
            (context["sections"].get(section, ""), texts) for section, texts in context["upward"].answers.items()
        ]
    return render(request, "reviews/cycles/results.html", context)


# --- Peer nominations ---------------------------------------------------------------------------


def _nominations_participant(request, pk: int) -> Participant:
    """A participant whose nominations the viewer handles: their own, or a report's."""
    participant = Participant.objects.select_related("cycle", "person").filter(pk=pk, removed_at=None).first()
    if participant is None or not (participant.person_id == request.user.pk or manages(request.user, participant)):
        raise Http404("No such nominations.")
    return participant


def _nominations_page(request, participant: Participant, *, form=None, status=200):
    phase = participant.cycle.phases.filter(kind="nominations").first()
    context = {
        "participant": participant,
        "cycle": participant.cycle,
        "nominations": list(participant.nominations.select_related("peer").order_by("created_at", "pk")),
        "form": form or NominateForm(),
        "phase": phase,
        "state": phase_state(phase) if phase else "closed",
        "is_manager": manages(request.user, participant),
        "about_self": participant.person_id == request.user.pk,
    }
    return render(request, "reviews/cycles/nominations.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def nominations(request, pk: int):
    participant = _nominations_participant(request, pk)
    if request.method == "GET":
        return _nominations_page(request, participant)
    form = NominateForm(request.POST)
    form.is_valid()
    email = (form.cleaned_data.get("email") or "").lower()
    peer = User.objects.filter(email__iexact=email, is_active=True).first() if email else None
    if peer is None:
        form.add_error("email", "Give the e-mail address of a colleague who works here.")
    else:
        try:
            nominate(actor=request.user, participant=participant, peer=peer)
        except ValidationError as error:
            errors_to(form, error, aliases={"peer": "email"})
        else:
            messages.success(request, f"{peer.name} is nominated.")
            return redirect("reviews:nominations", participant.pk)
    return _nominations_page(request, participant, form=form, status=400)


@require_POST
@login_required
def nomination_decide_view(request, pk: int, nomination: int):
    participant = _nominations_participant(request, pk)
    row = participant.nominations.filter(pk=nomination).first()
    if row is None or not manages(request.user, participant):
        raise Http404("No such nomination.")
    decision = request.POST.get("decision")
    if decision not in ("approve", "decline"):
        messages.error(request, "Choose to approve or decline.")
        return redirect("reviews:nominations", participant.pk)
    approve = decision == "approve"
    try:
        nomination_decide(actor=request.user, nomination=row, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{row.peer.name} is {'approved' if approve else 'declined'}.")
    return redirect("reviews:nominations", participant.pk)
