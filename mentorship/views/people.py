"""Pages for mentors and mentees: home, offering, asking, finding, the relationship and its touchpoints."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import User

from .. import selectors, services
from ..calendar import feed_for_token
from ..forms import ActionForm, MentorProfileForm, MoveForm, NotesForm, ReasonForm, ReflectionForm, RequestForm, TouchpointForm
from ..models import CalendarFeed, Relationship, Style


def _errors_to(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: at the field it names, or above the form."""
    if hasattr(error, "error_dict"):
        for field, problems in error.error_dict.items():
            target = field if field in form.fields else None
            if target is None and f"level-{field}" in form.fields:
                target = f"level-{field}"
            for problem in problems:
                form.add_error(target, problem)
    else:
        for problem in error.messages:
            form.add_error(None, problem)


@require_GET
@login_required
def home(request):
    user = request.user
    context = {
        "home": selectors.home_for(user),
        "programs": list(selectors.programs_open_to(user)),
        "reports": list(selectors.reports_in_mentorship(user)),
        "section": "mentorship",
    }
    return render(request, "mentorship/home.html", context)


@require_http_methods(["GET", "POST"])
@login_required
def mentor_profile(request):
    profile = selectors.mentor_profile_of(request.user)
    growth = selectors.growth_of(request.user)
    form = MentorProfileForm(request.POST or None, growth=growth, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.mentor_profile_save(
                person=request.user, is_active=data["is_active"], capacity=data["capacity"],
                domains=data["domains"], style=data["style"], availability=data["availability"],
                paused_until=data["paused_until"], offers=form.offers(),
            )
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, "Your mentor profile is saved." if data["is_active"] else "You no longer offer to mentor.")
            return redirect("mentorship:home")
    status = 400 if request.method == "POST" else 200
    return render(request, "mentorship/mentor_profile.html", {"form": form, "growth": growth, "profile": profile}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def ask(request, slug: str):
    program = selectors.program_open_get(request.user, slug)
    if selectors.open_request_of(request.user, program) is not None:
        return redirect("mentorship:find", slug=program.slug)
    current = selectors.mentor_of(request.user, program)
    growth = selectors.growth_of(request.user)
    if growth is None or current is not None:
        return render(request, "mentorship/ask.html", {"program": program, "growth": growth, "current": current})
    form = RequestForm(request.POST or None, growth=growth, program=program)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.request_submit(
                mentee=request.user, program=program, goals=data["goals"], competencies=data["competencies"],
                domains=data["domains"], style=data["style"], duration=data["duration"],
            )
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, "Your request is in. Choose a mentor below, or wait for the next matching round.")
            return redirect("mentorship:find", slug=program.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "mentorship/ask.html", {"program": program, "growth": growth, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def find(request, slug: str):
    program = selectors.program_open_get(request.user, slug)
    mine = selectors.open_request_of(request.user, program)
    if mine is None:
        return redirect("mentorship:ask", slug=program.slug)
    if request.method == "POST":
        if "withdraw" in request.POST:
            services.request_withdraw(request=mine, actor=request.user)
            messages.success(request, "Your request is withdrawn.")
            return redirect("mentorship:home")
        try:
            mentor = User.objects.get(pk=int(request.POST.get("mentor", "")), is_active=True)
            relationship = services.relationship_ask(request=mine, mentor=mentor, actor=request.user)
        except (ValueError, User.DoesNotExist):
            messages.error(request, "Choose one of the mentors suggested.")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"{relationship.mentor} has been asked; you will hear when they answer.")
            return redirect(relationship)
        return redirect("mentorship:find", slug=program.slug)
    domain = request.GET.get("domain", "").strip()[:60]
    try:
        style_id = int(request.GET.get("style") or 0) or None
    except ValueError:
        style_id = None
    asked, declined = selectors.asks_of(mine)
    context = {
        "program": program,
        "request_": mine,
        "wants": list(mine.wants.all()),
        "asked": asked,
        "suggestions": [] if asked else selectors.suggestions_for(mine, domain=domain, style_id=style_id),
        "declined": declined,
        "styles": list(Style.objects.all()),
        "domain": domain,
        "style_id": style_id,
    }
    template = "mentorship/find.html#suggestions" if request.htmx else "mentorship/find.html"
    return render(request, template, context)


def _next_free(relationship: Relationship) -> datetime.datetime:
    """A week from now at 10:00, or the first period after that without a touchpoint."""
    program = relationship.program
    day = max(timezone.localdate() + datetime.timedelta(days=7), relationship.starts_on)
    taken = set(relationship.touchpoints.values_list("period", flat=True))
    while program.period_of(day) in taken:
        day = program.next_period(program.period_of(day)) + datetime.timedelta(days=7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _relationship_context(request, relationship: Relationship) -> dict:
    side = "mentor" if relationship.mentor_id == request.user.pk else "mentee"
    return {
        "relationship": relationship,
        "is_mentor": relationship.mentor_id == request.user.pk,
        "other": relationship.mentee if relationship.mentor_id == request.user.pk else relationship.mentor,
        "timeline": selectors.timeline_of(relationship),
        "movement": selectors.movement_of(relationship),
        "touchpoint_form": TouchpointForm(initial={"starts_at": _next_free(relationship)}),
        "reason_form": ReasonForm(),
        "reflection_form": ReflectionForm(initial={"text": getattr(relationship, f"{side}_reflection")}),
        "may_reflect": services.reflection_open(relationship),
        "today": timezone.localdate(),
    }


@require_GET
@login_required
def relationship(request, pk: int):
    found = selectors.relationship_get_for_user(request.user, pk)
    return render(request, "mentorship/relationship.html", _relationship_context(request, found))


@require_POST
@login_required
def relationship_act(request, pk: int, action: str):
    found = selectors.relationship_get_for_user(request.user, pk)
    user, post = request.user, request.POST
    done = {
        "accept": "Accepted: plan your first touchpoint.",
        "decline": "Declined; they have been told why.",
        "pause": "Paused.",
        "resume": "Resumed.",
        "end": "Ended early.",
        "reflect": "Your reflection is saved.",
    }
    try:
        if action == "accept":
            services.relationship_accept(relationship=found, actor=user)
        elif action == "decline":
            services.relationship_decline(relationship=found, actor=user, reason=post.get("reason", ""))
        elif action in ("pause", "resume"):
            services.relationship_pause(relationship=found, actor=user, pause=action == "pause")
        elif action == "end":
            services.relationship_end(relationship=found, actor=user, reason=post.get("reason", ""))
        elif action == "reflect":
            services.relationship_reflect(relationship=found, actor=user, text=post.get("text", ""))
    except ValidationError as error:
        context = _relationship_context(request, found)
        form = context["reflection_form" if action == "reflect" else "reason_form"] = (
            ReflectionForm(post) if action == "reflect" else ReasonForm(post)
        )
        form.is_valid()
        _errors_to(form, error)
        context["failed"] = action
        if not hasattr(error, "error_dict"):
            # Not about a field: said at the top, whichever forms this status shows.
            context["problem"] = " ".join(error.messages)
        return render(request, "mentorship/relationship.html", context, status=400)
    messages.success(request, done[action])
    if action == "decline":
        return redirect("mentorship:home")
    return redirect(found)


@require_POST
@login_required
def touchpoint_new(request, pk: int):
    found = selectors.relationship_get_for_user(request.user, pk)
    form = TouchpointForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            touchpoint = services.touchpoint_log(
                relationship=found, actor=request.user, starts_at=data["starts_at"], minutes=data["minutes"],
                template=data["template"], agenda=data["agenda"],
            )
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, "Touchpoint planned; both of you will be reminded.")
            return redirect(touchpoint)
    context = _relationship_context(request, found)
    context["touchpoint_form"] = form
    return render(request, "mentorship/relationship.html", context, status=400)


def _touchpoint_context(request, touchpoint, **extra) -> dict:
    relationship = touchpoint.relationship
    people = [relationship.mentee, relationship.mentor]
    context = {
        "touchpoint": touchpoint,
        "relationship": relationship,
        "notes_form": NotesForm(initial={"agenda": touchpoint.agenda, "notes": touchpoint.notes, "held": touchpoint.held, "version": services.touchpoint_version(touchpoint)}),
        "version": services.touchpoint_version(touchpoint),
        "action_form": ActionForm(people=people, initial={"owner": relationship.mentee_id}),
        "actions": list(touchpoint.actions.select_related("owner")),
        "carried": selectors.open_actions_before(touchpoint),
        "move_form": MoveForm(initial={"starts_at": timezone.localtime(touchpoint.starts_at), "minutes": touchpoint.minutes}, auto_id="move_%s"),
        "today": timezone.localdate(),
        "editable": services.touchpoints_editable(relationship),
    }
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
@login_required
def touchpoint(request, pk: int):
    found = selectors.touchpoint_get_for_user(request.user, pk)
    if request.method == "GET":
        return render(request, "mentorship/touchpoint.html", _touchpoint_context(request, found))
    form = NotesForm(request.POST)
    status, saved = 400, False
    if form.is_valid():
        try:
            found = services.touchpoint_update(touchpoint=found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            status, saved = 200, True
    if request.htmx:
        # Saved: only the "saved" line changes, so nothing being typed is replaced.
        # Refused: the whole form comes back with the message at the field.
        partial = "notes-state" if saved else "notes"
        response = render(request, f"mentorship/touchpoint.html#{partial}", _touchpoint_context(request, found, notes_form=form, saved=saved), status=status)
        if not saved:
            response["HX-Retarget"], response["HX-Reswap"] = "#notes", "outerHTML"
        return response
    if saved:
        messages.success(request, "Saved.")
        return redirect(found)
    return render(request, "mentorship/touchpoint.html", _touchpoint_context(request, found, notes_form=form), status=status)


@require_POST
@login_required
def touchpoint_move(request, pk: int):
    found = selectors.touchpoint_get_for_user(request.user, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            found = services.touchpoint_move(touchpoint=found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            messages.success(request, f"Moved to {timezone.localtime(found.starts_at):%A %-d %B, %H:%M}.")
            return redirect(found)
    return render(request, "mentorship/touchpoint.html", _touchpoint_context(request, found, move_form=form), status=400)


@require_POST
@login_required
def touchpoint_cancel(request, pk: int):
    found = selectors.touchpoint_get_for_user(request.user, pk)
    try:
        relationship = services.touchpoint_cancel(touchpoint=found, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(found)
    messages.success(request, "The touchpoint is called off.")
    return redirect(relationship)


@require_POST
@login_required
def action_new(request, pk: int):
    found = selectors.touchpoint_get_for_user(request.user, pk)
    relationship = found.relationship
    form = ActionForm(request.POST, people=[relationship.mentee, relationship.mentor])
    status = 400
    if form.is_valid():
        try:
            services.action_add(touchpoint=found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _errors_to(form, error)
        else:
            status = 200
            form = ActionForm(people=[relationship.mentee, relationship.mentor], initial={"owner": relationship.mentee_id})
    if request.htmx:
        return render(request, "mentorship/touchpoint.html#actions", _touchpoint_context(request, found, action_form=form), status=status)
    if status == 200:
        return redirect(found)
    return render(request, "mentorship/touchpoint.html", _touchpoint_context(request, found, action_form=form), status=status)


@require_POST
@login_required
def action_mark(request, pk: int):
    action = selectors.action_get_for_user(request.user, pk)
    action = services.action_mark(action=action, actor=request.user, done=request.POST.get("done") == "1")
    if request.htmx:
        return render(request, "mentorship/_action.html", {"action": action})
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(action.touchpoint)


@require_http_methods(["GET", "POST"])
@login_required
def calendar(request):
    token = None
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(person=request.user)
            messages.success(request, "Your calendar address no longer works.")
            return redirect("mentorship:calendar")
        token = services.calendar_feed_rotate(person=request.user)
    has_feed = token is not None or CalendarFeed.objects.filter(person=request.user).exists()
    feed_url = request.build_absolute_uri(reverse("mentorship:calendar_feed", args=[token])) if token else None
    return render(request, "mentorship/calendar.html", {"feed_url": feed_url, "has_feed": has_feed})


@require_GET
def calendar_feed(request, token: str):
    """The ICS feed: no session, only the secret token in the address."""
    body = feed_for_token(token)
    if body is None:
        return HttpResponse("No calendar at this address.", status=404, content_type="text/plain")
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = 'inline; filename="trellis-mentorship.ics"'
    return response
