"""Pages of 1:1s: my series, a new one, a series, a meeting with its shared agenda, actions
and my private note. Everything works as plain forms; with htmx the meeting's parts are
swapped in place (422 when refused)."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import User

from ..forms import errors_to
from ..forms.oneonones import ActionForm, NoteForm, PointForm, SeriesForm, SettingsForm, feedback_options
from ..models import ActionItem, Meeting, Series, TalkingPoint
from ..selectors import oneonones as selectors
from ..selectors.feedback import SEARCH_MIN_CHARACTERS, colleagues_matching
from ..services import oneonones as services

HISTORY_PER_PAGE = 10
MEETING = "reviews/oneonones/meeting.html"
SERIES = "reviews/oneonones/series.html"




def _problem(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(request, default):
    """Where a plain form goes after it is done: the page it came from, if it is one of ours."""
    back = request.POST.get("next", "")
    if back.startswith("/") and not back.startswith("//"):
        return redirect(back)
    return redirect(default)


def _part(request, template: str, part: str, context: dict, *, status: int = 200) -> HttpResponse:
    response = render(request, f"{template}#{part}", context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _wants_part(request) -> bool:
    return bool(request.htmx) and not request.htmx.history_restore_request


# --- My 1:1s ------------------------------------------------------------------------------------


@require_GET
@login_required
def series_list(request):
    context = {"mine": selectors.oneonones_of(request.user), "today": timezone.localdate(), "section": "oneonones"}
    return render(request, "reviews/oneonones/series_list.html", context)


def _person(value) -> User | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@require_http_methods(["GET", "POST"])
@login_required
def series_new(request):
    source = request.POST if request.method == "POST" else request.GET
    picked = source.get("with", "")
    chosen = _person(picked) if picked else None
    if chosen is not None and chosen.pk == request.user.pk and request.method == "GET":
        chosen = None
    finding = request.method == "POST" and "find" in request.POST
    if finding:
        # Without JavaScript, "Find" looks them up by name: the page comes back with what was
        # typed so far and the people found, judged only when it is sent.
        typed = {name: request.POST[name] for name in ("with_email", "first_at", "cadence", "minutes", "title") if name in request.POST}
        form = SeriesForm(initial=typed, chosen=chosen)
    else:
        form = SeriesForm(request.POST or None, chosen=chosen)
    q = request.POST.get("q", "").strip()[:100] if finding else ""
    found = []
    if finding and len(q) >= SEARCH_MIN_CHARACTERS:
        found = [person for person in colleagues_matching(request.user, q) if chosen is None or person.pk != chosen.pk]
    search = {"q": q, "searched": finding, "found": found, "too_short": len(q) < SEARCH_MIN_CHARACTERS}
    if request.method == "POST" and not finding:
        valid = form.is_valid()
        if picked and chosen is None:
            form.add_error(None, "Choose someone from the list, or give their e-mail address.")
            valid = False
        if valid:
            data = form.cleaned_data
            aliases = {"other": "with_email"}
            try:
                series = services.series_create(
                    actor=request.user, other=form.other(), cadence=data["cadence"], first_at=data["first_at"],
                    minutes=data["minutes"], title=data["title"],
                )
            except ValidationError as error:
                if chosen is not None and hasattr(error, "error_dict") and "other" in error.error_dict:
                    # About the person picked in the search: said above the form, where they are.
                    form.add_error(None, error.error_dict.pop("other"))
                errors_to(form, error, aliases)
            else:
                messages.success(request, f"1:1s with {series.other(request.user).name} are set up; they have been told.")
                return redirect(series)
    status = 400 if request.method == "POST" and not finding else 200
    return render(request, "reviews/oneonones/series_new.html", {"form": form, "chosen": chosen, **search}, status=status)


# --- A series -----------------------------------------------------------------------------------


def _series_context(request, series: Series, **extra) -> dict:
    now = timezone.now()
    upcoming = selectors.next_meeting(series, now)
    history = Paginator(selectors.meeting_history(series, now), HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    closed = services.series_closed_reason(series)
    context = {
        "series": series,
        "other": series.other(request.user),
        "other_feedback": request.user.manages(series.other(request.user)),
        "closed_reason": closed,
        "upcoming": upcoming,
        "upcoming_points": selectors.points_of(upcoming) if upcoming else [],
        "open_actions": selectors.open_actions(series),
        "history": history,
        "settings_form": SettingsForm.for_series(series) if not closed else None,
        "now": now,
        "today": timezone.localdate(),
    }
    context.update(extra)
    return context


@require_GET
@login_required
def series(request, pk: int):
    found = selectors.series_get_for_user(request.user, pk)
    return render(request, SERIES, _series_context(request, found))


@require_POST
@login_required
def series_edit(request, pk: int):
    found = selectors.series_get_for_user(request.user, pk)
    form = SettingsForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.series_update(
                series=found, actor=request.user, cadence=data["cadence"], minutes=data["minutes"],
                title=data["title"], next_at=data["next_at"],
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            messages.success(request, "Saved.")
            return redirect(found)
    found = selectors.series_get_for_user(request.user, pk)
    return render(request, SERIES, _series_context(request, found, settings_form=form), status=400)


@require_POST
@login_required
def series_end(request, pk: int):
    found = selectors.series_get_for_user(request.user, pk)
    services.series_end(series=found, actor=request.user)
    messages.success(request, f"Your 1:1s with {found.other(request.user).name} have ended; what you said stays here.")
    return redirect("reviews:series_list")


# --- A meeting ----------------------------------------------------------------------------------


def _point_initial(point: TalkingPoint) -> dict:
    return {"text": point.text, "competency": point.competency_id, "feedback": point.feedback_id}


def _action_initial(action: ActionItem) -> dict:
    return {"text": action.text, "owner": action.owner_id, "due_on": action.due_on}


def _meeting_context(request, meeting: Meeting, **extra) -> dict:
    """Everything the meeting page shows `request.user`; `extra` puts back a refused form."""
    now = timezone.now()
    viewer, series = request.user, meeting.series
    people = [series.organiser, series.attendee]
    closed_series = services.series_closed_reason(series)
    closed = services.meeting_closed_reason(meeting, now)
    points = selectors.points_of(meeting)
    readable = selectors.readable_feedback(viewer, points)
    choices = {}
    if not closed:
        choices = {
            "competencies": selectors.competency_choices(series),
            "feedback": feedback_options(selectors.feedback_choices(series)),
        }
    # A line's own form is drawn only when asked for (?edit=point-<id>, or put back
    # refused): a page of every line's form, each with every choice, would be most of it.
    wanted = request.GET.get("edit", "")
    editing_point = extra.pop("editing_point", None)
    for point in points:
        point.feedback_readable = point.feedback_id in readable
        point.form = None
        if not closed:
            if editing_point is not None and editing_point[0] == point.pk:
                point.form, point.editing = editing_point[1], True
            elif wanted == f"point-{point.pk}":
                point.form, point.editing = PointForm(initial=_point_initial(point), auto_id=f"point-{point.pk}-%s", **choices), True
    carried, here = selectors.actions_at(meeting)
    editing_action = extra.pop("editing_action", None)
    for action in (*carried, *here):
        action.markable = not closed_series
        action.editable = not closed_series and not action.meeting.locked(now)
        action.form = None
        if action.editable:
            if editing_action is not None and editing_action[0] == action.pk:
                action.form, action.editing = editing_action[1], True
            elif wanted == f"action-{action.pk}":
                action.form = ActionForm(people=people, initial=_action_initial(action), auto_id=f"action-{action.pk}-%s")
                action.editing = True
    note = selectors.note_of(meeting, viewer)
    before, after = selectors.neighbours_of(meeting)
    context = {
        "meeting": meeting,
        "ends_at": meeting.starts_at + datetime.timedelta(minutes=series.minutes),
        "series": series,
        "other": series.other(viewer),
        "other_feedback": viewer.manages(series.other(viewer)),
        "closed": closed,
        "locked": meeting.locked(now),
        "happened": meeting.happened(now),
        "points": points,
        "point_form": PointForm(auto_id="point-%s", **choices) if not closed else None,
        "carried": carried,
        "actions": here,
        "action_form": ActionForm(people=people, initial={"owner": viewer.pk}, auto_id="action-%s") if not closed else None,
        "note": note,
        "note_form": NoteForm(initial={"body": note.body if note else ""}, auto_id="note-%s"),
        "changes": selectors.changes_of(meeting),
        "before": before,
        "after": after,
        "now": now,
        "today": timezone.localdate(),
    }
    context.update(extra)
    return context


@require_GET
@login_required
def meeting(request, pk: int):
    found = selectors.meeting_get_for_user(request.user, pk)
    context = _meeting_context(request, found)
    wanted = request.GET.get("edit", "")
    if _wants_part(request) and wanted.startswith(("point-", "action-")):
        # A line's form asked for in place: only its part of the page.
        return _part(request, MEETING, "agenda" if wanted.startswith("point-") else "actions", context)
    return render(request, MEETING, context)


def _meeting_answer(request, meeting: Meeting, part: str, *, ok: bool, message: str = "", **extra) -> HttpResponse:
    """htmx: the part again (422 when refused), with the history of changes alongside. Plain:
    back to the meeting with a word, or the whole page with the problem at its field (400)."""
    meeting = selectors.meeting_get_for_user(request.user, meeting.pk)
    if _wants_part(request):
        # Said to screen readers in the part swapped in, as the page would flash it.
        context = _meeting_context(request, meeting, oob=True, said=message if ok else "", **extra)
        return _part(request, MEETING, part, context, status=200 if ok else 422)
    if ok:
        if message:
            messages.success(request, message)
        return _back(request, meeting)
    return render(request, MEETING, _meeting_context(request, meeting, **extra), status=400)


def _point_form(request, meeting: Meeting, **kwargs) -> PointForm:
    series = meeting.series
    return PointForm(
        request.POST, competencies=selectors.competency_choices(series), feedback=selectors.feedback_choices(series), **kwargs
    )


@require_POST
@login_required
def point_add(request, pk: int):
    found = selectors.meeting_get_for_user(request.user, pk)
    form = _point_form(request, found, auto_id="point-%s")
    ok = False
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.point_add(
                meeting=found, actor=request.user, text=data["text"],
                competency_id=data.get("competency"), feedback_id=data.get("feedback"),
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            ok = True
    if ok:
        return _meeting_answer(request, found, "agenda", ok=True, message="Added to the agenda.")
    return _meeting_answer(request, found, "agenda", ok=False, point_form=form)


POINT_DOINGS = {"edit", "remove", "discussed"}


@require_POST
@login_required
def point(request, pk: int):
    found = selectors.point_get_for_user(request.user, pk)
    meeting = found.meeting
    doing = request.POST.get("do", "")
    if doing not in POINT_DOINGS:
        return HttpResponseBadRequest("Say what to do with the talking point: edit, remove or discussed.")
    try:
        if doing == "remove":
            services.point_remove(point=found, actor=request.user)
            return _meeting_answer(request, meeting, "agenda", ok=True, message="Taken off the agenda.")
        if doing == "discussed":
            discussed = request.POST.get("discussed") == "1"
            services.point_discussed(point=found, actor=request.user, discussed=discussed)
            return _meeting_answer(request, meeting, "agenda", ok=True, message="Marked discussed." if discussed else "Marked not discussed.")
    except ValidationError as error:
        return _meeting_answer(request, meeting, "agenda", ok=False, agenda_problem=_problem(error))
    form = _point_form(request, meeting, auto_id=f"point-{found.pk}-%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.point_edit(
                point=found, actor=request.user, text=data["text"],
                competency_id=data.get("competency"), feedback_id=data.get("feedback"),
            )
        except ValidationError as error:
            errors_to(form, error)
        else:
            return _meeting_answer(request, meeting, "agenda", ok=True, message="Talking point saved.")
    return _meeting_answer(request, meeting, "agenda", ok=False, editing_point=(found.pk, form))


def _people(meeting: Meeting) -> list[User]:
    return [meeting.series.organiser, meeting.series.attendee]


@require_POST
@login_required
def action_add(request, pk: int):
    found = selectors.meeting_get_for_user(request.user, pk)
    form = ActionForm(request.POST, people=_people(found), auto_id="action-%s")
    if form.is_valid():
        try:
            services.action_add(meeting=found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to(form, error)
        else:
            return _meeting_answer(request, found, "actions", ok=True, message="Action added.")
    return _meeting_answer(request, found, "actions", ok=False, action_form=form)


ACTION_DOINGS = {"edit", "done", "undo", "remove"}


@require_POST
@login_required
def action(request, pk: int):
    found = selectors.action_get_for_user(request.user, pk)
    doing = request.POST.get("do", "")
    if doing not in ACTION_DOINGS:
        return HttpResponseBadRequest("Say what to do with the action: edit, done, undo or remove.")
    # The meeting page it is shown on (a carried action shows on later ones), else its own.
    shown_on = found.meeting
    wanted = request.POST.get("meeting", "")
    if wanted.isdecimal() and int(wanted) != shown_on.pk:
        shown_on = (
            selectors.meetings_visible_to(request.user).filter(pk=int(wanted), series_id=found.series_id).first() or shown_on
        )
    try:
        if doing in ("done", "undo"):
            services.action_done(action=found, actor=request.user, done=doing == "done")
            return _meeting_answer(request, shown_on, "actions", ok=True, message="Done." if doing == "done" else "Open again.")
        if doing == "remove":
            services.action_remove(action=found, actor=request.user)
            return _meeting_answer(request, shown_on, "actions", ok=True, message="Action removed.")
    except ValidationError as error:
        return _meeting_answer(request, shown_on, "actions", ok=False, actions_problem=_problem(error))
    form = ActionForm(request.POST, people=[found.series.organiser, found.series.attendee], auto_id=f"action-{found.pk}-%s")
    if form.is_valid():
        try:
            services.action_edit(action=found, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            errors_to(form, error)
        else:
            return _meeting_answer(request, shown_on, "actions", ok=True, message="Action saved.")
    return _meeting_answer(request, shown_on, "actions", ok=False, editing_action=(found.pk, form))


@require_POST
@login_required
def note(request, pk: int):
    found = selectors.meeting_get_for_user(request.user, pk)
    form = NoteForm(request.POST, auto_id="note-%s")
    if form.is_valid():
        try:
            services.note_save(meeting=found, author=request.user, body=form.cleaned_data["body"])
        except ValidationError as error:
            errors_to(form, error)
        else:
            return _meeting_answer(request, found, "note", ok=True, message="Your private note is saved.", note_saved=True)
    return _meeting_answer(request, found, "note", ok=False, note_form=form)
