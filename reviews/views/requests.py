"""Pages of feedback requests: my requests and what I was asked, asking, reading, answering, declining."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from ..forms import errors_to
from ..forms.requests import AnswerForm, DeclineForm, RequestForm, answer_readers, readers
from ..models import FeedbackAsk
from ..selectors import requests as selectors
from ..selectors.feedback import SEARCH_MIN_CHARACTERS, colleagues_matching
from ..services.requests import (
    ASKED_AT_MOST,
    feedback_request_answer,
    feedback_request_create,
    feedback_request_decline,
)

PER_PAGE = 20




def waiting_for(user) -> int:
    """How many requests wait for `user`'s answer: the count on the Requests tab."""
    return selectors.asks_of(user).filter(status=FeedbackAsk.Status.OPEN, request__subject__is_active=True).count()


def _chosen(form) -> set[int]:
    """The competencies ticked on the form as it stands (posted, or as it starts)."""
    if "competencies" not in form.fields:
        return set()
    chosen = set()
    for value in form["competencies"].value() or ():
        try:
            chosen.add(int(value))
        except (TypeError, ValueError):
            continue
    return chosen


@require_GET
@login_required
def requests(request):
    user = request.user
    asked = Paginator(selectors.asks_listed_for(user), PER_PAGE).get_page(request.GET.get("asked"))
    mine = Paginator(selectors.requests_listed_for(user), PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "asked": asked,
        "mine": mine,
        "reports": selectors.reports_of(user),
        "today": timezone.localdate(),
        "section": "feedback",
        "waiting": waiting_for(user),
    }
    return render(request, "reviews/requests/list.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def request_new(request):
    user = request.user
    subject = selectors.request_subject_for(user, request.GET.get("about"))
    groups = selectors.competency_groups(subject)
    # My path links here with ?competency=<slug> to ask about a competency with no feedback yet.
    wanted = set(request.GET.getlist("competency"))
    initial = {"competencies": [c.pk for _, members in groups for c in members if c.slug in wanted]}
    finding = request.method == "POST" and "find" in request.POST
    if finding:
        # Without JavaScript, "Find" looks colleagues up by name: the page comes back with
        # what was typed so far and the people found, judged only when it is sent.
        form = RequestForm(requester=user, subject=subject, groups=groups, initial=_as_typed(request.POST))
    else:
        form = RequestForm(request.POST or None, requester=user, subject=subject, groups=groups, initial=initial)
    if request.method == "POST" and not finding and form.is_valid():
        data = form.cleaned_data
        try:
            created = feedback_request_create(
                requester=user,
                subject=subject,
                respondent_ids=form.respondent_ids(),
                visibility=data["visibility"],
                due_on=data["due_on"],
                question=data["question"],
                project=data["project"],
                competency_ids=data.get("competencies") or [],
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            count = created.asks.count()
            asked = "1 colleague" if count == 1 else f"{count} colleagues"
            messages.success(request, f"Asked {asked}; they have been told, and will be reminded before it is due.")
            return redirect("reviews:request", pk=created.pk)
    picked = request.POST.getlist("respondents") if request.method == "POST" else request.GET.getlist("ask")
    picked = selectors.colleagues_picked(picked, subject=subject, limit=ASKED_AT_MOST)
    q = request.POST.get("q", "").strip()[:100] if finding else ""
    too_short = len(q) < SEARCH_MIN_CHARACTERS
    found = [] if not finding or too_short else colleagues_matching(user, q, exclude=subject.pk)
    context = {
        "form": form,
        "q": q,
        "searched": finding,
        "too_short": too_short,
        "found": [person for person in found if person not in picked],
        "subject": subject,
        "about_self": subject.pk == user.pk,
        "picked": picked,
        "groups": groups,
        "chosen": _chosen(form),
        "has_level": bool(groups),
        "asked_at_most": ASKED_AT_MOST,
        "section": "feedback",
    }
    status = 400 if request.method == "POST" and not finding else 200
    return render(request, "reviews/requests/new.html", context, status=status)


@require_GET
@login_required
def request_detail(request, pk: int):
    user = request.user
    try:
        found = selectors.request_get_for_user(user, pk)
    except Http404:
        # A colleague asked reads the request through their own ask.
        ask = selectors.ask_in_request(user, pk)
        if ask is None:
            raise
        return redirect("reviews:ask", pk=ask.pk)
    asks = list(found.asks.select_related("respondent").order_by("pk"))
    context = {
        "request_": found,
        "asks": asks,
        "my_ask": next((a for a in asks if a.respondent_id == user.pk), None),
        "answers": list(selectors.answers_readable(user, found)),
        "readers": readers(found.visibility, found.subject, viewer=user),
        "today": timezone.localdate(),
        "section": "feedback",
    }
    return render(request, "reviews/requests/detail.html", context)


def _as_typed(data) -> dict:
    """A request form's fields as posted, to show again as they were typed."""
    typed = {name: data.get(name) for name in ("respondent_emails", "question", "project", "visibility", "due_on") if name in data}
    typed["competencies"] = data.getlist("competencies")
    return typed


def _initial_competencies(ask: FeedbackAsk, groups) -> list[int]:
    """The request's competencies, found in the subject's framework as it is now (by slug)."""
    asked = {c.slug for c in ask.request.competencies.all()}
    return [c.pk for _, members in groups for c in members if c.slug in asked]


def _ask_context(request, ask: FeedbackAsk, **extra) -> dict:
    return {
        "ask": ask,
        "request_": ask.request,
        "answer": selectors.answer_of(request.user, ask),
        "readers": answer_readers(ask.request),
        "subject_left": not ask.request.subject.is_active,
        "today": timezone.localdate(),
        "section": "feedback",
        **extra,
    }


@require_http_methods(["GET", "POST"])
@login_required
def ask(request, pk: int):
    found = selectors.ask_get_for_user(request.user, pk)
    groups = selectors.competency_groups(found.request.subject)
    form = AnswerForm(request.POST or None, groups=groups, initial={"competencies": _initial_competencies(found, groups)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback_request_answer(
                ask=found,
                respondent=request.user,
                kind=data["kind"],
                body=data["body"],
                competency_ids=data.get("competencies") or [],
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Thank you: your answer is in.")
            return redirect("reviews:ask", pk=found.pk)
    status = 400 if request.method == "POST" else 200
    # An answered or declined ask shows what became of it; after a refused POST, the form
    # stays with its error, so the words typed are not lost.
    show_form = request.method == "POST" or (found.status == FeedbackAsk.Status.OPEN and found.request.subject.is_active)
    context = _ask_context(request, found, form=form, show_form=show_form, groups=groups, chosen=_chosen(form))
    return render(request, "reviews/requests/ask.html", context, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def ask_decline(request, pk: int):
    found = selectors.ask_get_for_user(request.user, pk)
    still_open = found.status == FeedbackAsk.Status.OPEN and found.request.subject.is_active
    if request.method == "GET" and not still_open:
        return redirect("reviews:ask", pk=found.pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            feedback_request_decline(ask=found, respondent=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Declined. Thank you for saying so.")
            return redirect(reverse("reviews:requests"))
    status = 400 if request.method == "POST" else 200
    return render(request, "reviews/requests/decline.html", _ask_context(request, found, form=form), status=status)
