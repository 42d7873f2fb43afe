"""Feedback pages: giving it, one piece of it with its reaction and replies, my timeline
(received and given) and a person's timeline for their manager chain and HR."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms import errors_to
from ..forms.feedback import PERIODS, EditForm, GiveForm, ReactForm, ReplyForm, TimelineFilter
from ..models import Feedback, Reaction
from ..selectors import feedback as selectors
from ..selectors import oneonones as oneonone_selectors
from ..selectors import requests as request_selectors
from ..services.feedback import EDIT_WINDOW, feedback_delete, feedback_edit, feedback_give, feedback_react, feedback_reply
from .requests import waiting_for

PAGE_SIZE = 20
# A form field's name, as a page asking for the search result names it.
FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,39}")




def _until(feedback: Feedback) -> str:
    return date_format(timezone.localtime(feedback.editable_until), "H:i")


# --- Finding a colleague ---------------------------------------------------------------


@require_GET
@login_required
def person_search(request):
    """Colleagues matching `q`, as choices named `name` (radio or checkbox) for the form
    that asked: feedback, requests and 1:1s use the same results."""
    name = request.GET.get("name", "person")
    pick = request.GET.get("pick", "radio")
    exclude = request.GET.get("exclude", "")
    if not FIELD_NAME.fullmatch(name) or pick not in ("radio", "checkbox") or (exclude and not exclude.isdecimal()):
        context = {"problem": "This search was asked for in a way it does not understand."}
        return render(request, "reviews/feedback/_people.html", context, status=400)
    text = request.GET.get("q", "").strip()
    context = {"name": name, "pick": pick, "text": text[:100], "too_short": len(text) < selectors.SEARCH_MIN_CHARACTERS}
    if not context["too_short"]:
        context["people"] = selectors.colleagues_matching(request.user, text, exclude=int(exclude) if exclude else None)
    return render(request, "reviews/feedback/_people.html", context)


# --- Giving ----------------------------------------------------------------------------


def _give_context(request, form: GiveForm, subject, **extra) -> dict:
    ticked = form.cleaned_data.get("competencies", []) if form.is_bound and hasattr(form, "cleaned_data") else []
    return {
        "form": form,
        "subject": subject,
        "groups": selectors.competency_groups(subject) if subject else [],
        "ticked": ticked,
        "readers": selectors.readers_of(subject),
        "window": int(EDIT_WINDOW.total_seconds() // 60),
        **extra,
    }


def _offer_matches(request, form: GiveForm, subject) -> dict:
    """A name typed instead of an address, with nobody chosen: the colleagues it matches,
    offered as choices on the page (the way the search offers them with JavaScript)."""
    typed = (request.POST.get("person") or "").strip()[: selectors.SEARCH_MAX_CHARACTERS]
    if subject is not None or not typed or "@" in typed or "person" not in form.errors:
        return {}
    too_short = len(typed) < selectors.SEARCH_MIN_CHARACTERS
    found = [] if too_short else selectors.colleagues_matching(request.user, typed)
    if found:
        problem = "Choose them among the colleagues found below, or type their whole e-mail address."
    else:
        problem = "Nobody found by that name: try another spelling, or their whole e-mail address."
    form.errors["person"] = form.error_class([problem])
    return {"found": found, "found_text": typed, "found_too_short": too_short}


@require_http_methods(["GET", "POST"])
@login_required
def give(request):
    if request.method == "GET":
        subject = None
        try:
            subject = selectors.colleague_find(pk=int(request.GET["to"]))
        except (KeyError, ValueError):
            pass
        if subject is not None and subject.pk == request.user.pk:
            subject = None
        form = GiveForm(initial={"to": subject.pk if subject else None, "kind": "praise", "visibility": "shared"})
        return render(request, "reviews/feedback/give.html", _give_context(request, form, subject))

    form = GiveForm(request.POST)
    valid = form.is_valid()
    subject = form.cleaned_data.get("subject")
    if "choose" in request.POST:
        # Without JavaScript: the colleague is chosen, their competencies are shown; the
        # rest waits for "Send".
        if subject is not None and subject.pk == request.user.pk:
            form.add_error("person", "Feedback is for a colleague: you cannot give it to yourself.")
            subject = None
        status = 200 if subject is not None else 400
        context = _give_context(request, form, subject, **_offer_matches(request, form, subject))
        return render(request, "reviews/feedback/give.html", context, status=status)
    # Only whom it is for is missing or wrong: the rest is still checked now, so that the
    # form is put right in one go.
    if valid or set(form.errors) <= {"person", "to"}:
        data = form.cleaned_data
        if not valid:
            subject = None
        try:
            feedback = feedback_give(
                giver=request.user,
                subject=subject,
                kind=data.get("kind", ""),
                visibility=data.get("visibility", ""),
                body=data.get("body", ""),
                competency_ids=data.get("competencies", ()),
                project=data.get("project", ""),
                once=True,
            )
        except ValidationError as error:
            problems = error.message_dict
            if not valid:
                # What is wrong with whom it is for is said already, in the form's words.
                problems.pop("subject", None)
            errors_to(form, ValidationError(problems), aliases={"subject": "person"})
            if "person" in form.errors:
                subject = None
        else:
            messages.success(request, f"Your feedback to {subject.name} is sent.")
            return redirect("reviews:feedback", pk=feedback.pk)
    context = _give_context(request, form, subject, **_offer_matches(request, form, subject))
    return render(request, "reviews/feedback/give.html", context, status=400)


@require_GET
@login_required
def competency_picker(request):
    """The chosen colleague's competencies to tick, swapped into the give form (with who
    would read the feedback, out of band)."""
    subject, to_self = None, False
    to = request.GET.get("to", "")
    if to:
        if not to.isdecimal():
            raise Http404("No such colleague.")
        subject = selectors.colleague_find(pk=int(to))
        if subject is None:
            raise Http404("No such colleague.")
        if subject.pk == request.user.pk:
            subject, to_self = None, True
    context = {
        "subject": subject,
        "to_self": to_self,
        "groups": selectors.competency_groups(subject) if subject else [],
        "ticked": [],
        "readers": selectors.readers_of(subject),
        "oob": True,
    }
    return render(request, "reviews/feedback/give.html#competencies", context)


# --- One piece of feedback -------------------------------------------------------------


def _readers_said_to(viewer, feedback: Feedback) -> tuple[str, bool]:
    """Who reads `feedback`, in words for `viewer` (its subject is "you"), and whether its
    giver is to be named besides (not when they are the viewer or already in the chain)."""
    readers = selectors.readers_of(feedback.subject)
    if feedback.subject_id == viewer.pk:
        names = [manager.name for manager in readers.chain[:3]]
        if len(readers.chain) > 3:
            names.append(f"{len(readers.chain) - 3} more above")
        chain = f"your manager chain ({', '.join(names)})" if names else "your manager chain"
        said = f"You, {chain} and HR."
    else:
        said = readers.of(feedback.visibility)
    in_chain = any(manager.pk == feedback.giver_id for manager in readers.chain)
    return said, feedback.giver_id != viewer.pk and not in_chain


def _answering(viewer, feedback: Feedback) -> tuple[object | None, str]:
    """The request `feedback` answers, if the viewer may read it, with where they read it:
    their own ask when they gave it, else the request page."""
    if feedback.giver_id == viewer.pk:
        ask = request_selectors.asks_of(viewer).filter(answer=feedback).first()
        return (ask.request, reverse("reviews:ask", args=[ask.pk])) if ask else (None, "")
    found = request_selectors.requests_visible_to(viewer).filter(asks__answer=feedback).select_related("requester").first()
    return (found, reverse("reviews:request", args=[found.pk])) if found else (None, "")


def _feedback_context(request, feedback: Feedback, **extra) -> dict:
    user = request.user
    answering, answering_url = _answering(user, feedback)
    is_subject, is_giver = feedback.subject_id == user.pk, feedback.giver_id == user.pk
    shared = feedback.visibility == Feedback.Visibility.SHARED
    readers, name_giver = _readers_said_to(user, feedback)
    return {
        "feedback": feedback,
        "is_subject": is_subject,
        "is_giver": is_giver,
        "readers": readers,
        "name_giver": name_giver,
        "answering": answering,
        "answering_url": answering_url,
        "may_answer": shared and (is_subject or is_giver),
        "may_change": is_giver and feedback.editable(),
        "until": _until(feedback),
        "reactions": Reaction.choices,
        "reply_form": ReplyForm(),
        **extra,
    }


@require_GET
@login_required
def feedback_page(request, pk: int):
    feedback = selectors.feedback_page_get_for_user(request.user, pk)
    return render(request, "reviews/feedback/feedback.html", _feedback_context(request, feedback))


@require_http_methods(["GET", "POST"])
@login_required
def feedback_change(request, pk: int):
    feedback = selectors.feedback_given_get(request.user, pk)
    if not feedback.editable() and request.method == "GET":
        messages.error(request, "This feedback can no longer be changed: it is part of the record.")
        return redirect("reviews:feedback", pk=feedback.pk)
    if request.method == "POST":
        form = EditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                feedback_edit(
                    feedback=feedback,
                    editor=request.user,
                    kind=data["kind"],
                    body=data["body"],
                    competency_ids=data["competencies"],
                    project=data["project"],
                )
            except ValidationError as error:
                errors_to(form, error)
            else:
                messages.success(request, "Your feedback is changed; what it said before is kept with it.")
                return redirect("reviews:feedback", pk=feedback.pk)
        ticked = form.cleaned_data.get("competencies", [])
        status = 400
    else:
        ticked = [c.pk for c in feedback.competencies.all()]
        form = EditForm(initial={"kind": feedback.kind, "project": feedback.project, "body": feedback.body})
        status = 200
    context = {
        "feedback": feedback,
        "form": form,
        "subject": feedback.subject,
        "groups": selectors.competency_groups(feedback.subject),
        "ticked": ticked,
        "until": _until(feedback),
    }
    return render(request, "reviews/feedback/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def feedback_remove(request, pk: int):
    feedback = selectors.feedback_given_get(request.user, pk)
    problem = ""
    if request.method == "POST":
        try:
            feedback_delete(feedback=feedback, actor=request.user)
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(request, f"Your feedback to {feedback.subject.name} is deleted.")
            return redirect(f"{reverse('reviews:timeline')}?tab=given")
    elif not feedback.editable():
        problem = "This feedback can no longer be deleted: it is part of the record."
    context = {"feedback": feedback, "problem": problem, "until": _until(feedback)}
    return render(request, "reviews/feedback/delete.html", context, status=400 if problem and request.method == "POST" else 200)


@require_POST
@login_required
def feedback_react_view(request, pk: int):
    feedback = selectors.feedback_get_to_answer(request.user, pk, subject_only=True)
    form = ReactForm(request.POST)
    problem = ""
    if form.is_valid():
        try:
            feedback = feedback_react(feedback=feedback, person=request.user, reaction=form.cleaned_data["reaction"])
        except ValidationError as error:
            problem = " ".join(error.messages)
    else:
        problem = "Choose one of the reactions offered."
    if request.htmx:
        context = _feedback_context(request, feedback, react_problem=problem)
        return render(request, "reviews/feedback/feedback.html#reaction", context, status=422 if problem else 200)
    if problem:
        page = selectors.feedback_page_get_for_user(request.user, pk)
        return render(request, "reviews/feedback/feedback.html", _feedback_context(request, page, react_problem=problem), status=400)
    messages.success(request, "Your reaction is saved." if feedback.reaction else "Your reaction is taken back.")
    return redirect("reviews:feedback", pk=feedback.pk)


@require_POST
@login_required
def feedback_reply_view(request, pk: int):
    feedback = selectors.feedback_get_to_answer(request.user, pk)
    form = ReplyForm(request.POST)
    reply = None
    if form.is_valid():
        try:
            reply = feedback_reply(feedback=feedback, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            errors_to(form, error)
    if reply is not None and not request.htmx:
        messages.success(request, "Your reply is posted.")
        return redirect(f"{reverse('reviews:feedback', args=[pk])}#reply-{reply.pk}")
    page = selectors.feedback_page_get_for_user(request.user, pk)
    context = _feedback_context(request, page, reply_form=form if reply is None else ReplyForm(), just_posted=reply)
    if request.htmx:
        return render(request, "reviews/feedback/feedback.html#replies", context, status=422 if reply is None else 200)
    return render(request, "reviews/feedback/feedback.html", context, status=400)


# --- Timelines -------------------------------------------------------------------------


def _listing(request, feedback: QuerySet[Feedback]) -> dict:
    """A page of `feedback` as the address filters it, with the filters as understood."""
    tagged = selectors.competencies_tagged(feedback)
    filters = TimelineFilter(request.GET, competencies=tagged)
    chosen = filters.chosen()
    rows = selectors.feedback_listed(
        selectors.feedback_filtered(
            feedback, competency=chosen["competency"], since=chosen["since"], until=chosen["until"]
        )
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return {"filters": filters, "filtered": chosen["filtered"], "page": page, "periods": PERIODS}


@require_GET
@login_required
def timeline(request):
    user = request.user
    tab = "given" if request.GET.get("tab") == "given" else "received"
    feedback = selectors.feedback_given_by(user) if tab == "given" else selectors.feedback_received_by(user)
    context = {"tab": tab, "counts": selectors.timeline_counts(user), **_listing(request, feedback)}
    if not request.htmx:
        context["waiting"] = waiting_for(user)
    template = "reviews/feedback/timeline.html#listing" if request.htmx else "reviews/feedback/timeline.html"
    return render(request, template, context)


@require_GET
@login_required
def person_feedback(request, pk: int):
    user = request.user
    person = selectors.feedback_person_get_for_user(user, pk)
    if person.pk == user.pk:
        return redirect("reviews:timeline")
    in_line = person.is_active and user.manages(person)
    # Where to take it next: their 1:1s with the reader, and (for their manager) asking colleagues.
    oneonone = (
        oneonone_selectors.series_visible_to(user)
        .filter(Q(organiser=person) | Q(attendee=person), ended_at=None)
        .order_by("-pk")
        .first()
    )
    context = {
        "person": person,
        "in_line": in_line,
        "oneonone": oneonone,
        "may_ask": person.is_active and person.manager_id == user.pk,
        **_listing(request, selectors.feedback_about(user, person)),
    }
    template = "reviews/feedback/person.html#listing" if request.htmx else "reviews/feedback/person.html"
    return render(request, template, context)
