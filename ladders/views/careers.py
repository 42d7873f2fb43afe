"""Pages about people: my path, assessments, side by side, the team's gaps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.stamp import stamp_of

from .. import path_notes
from ..forms import AssessmentForm, AssessmentStartForm
from ..models import Assessment, Rating
from ..selectors import careers as selectors
from ..selectors.frameworks import rubric_load
from ..services import assessments as services


@require_GET
@login_required
def home(request):
    if request.user.sees_everyone:
        return redirect("ladders:hr_home")
    if selectors.placement_current(request.user) is not None:
        return redirect("ladders:my_path")
    return redirect("ladders:index")


def _path_context(request, person) -> dict:
    career = selectors.career_of(person, stamp=stamp_of(request.user))
    standing = career.standing
    can_assess = services.assessment_kind_for(author=request.user, subject=person) is not None
    context = {
        "person": person,
        "is_me": person.pk == request.user.pk,
        "placement": career.placement,
        "standing": standing,
        "history": career.history,
        "can_assess": can_assess,
    }
    if standing is None:
        return context
    rubric = standing.rubric
    agreed, own = selectors.latest_submitted_both(person, rubric.framework.pk, stamp=stamp_of(request.user))
    basis = agreed or own
    targets = standing.next_levels or [standing.level]
    target = next((lv for lv in standing.target_levels if lv.code == request.GET.get("target")), targets[0])
    # What other apps say beside each competency (feedback…), read afresh every
    # time: it changes without the stamp changing.
    notes = path_notes.columns_for(request.user, person, rubric)
    # A submitted assessment never changes, nor does a published rubric: the
    # gap is worked out (and drawn, see the template) only when not kept yet,
    # the notes' values being part of what it is kept under.
    rows = SimpleLazyObject(
        lambda: path_notes.beside(
            selectors.gap_rows(rubric, standing.level, target, selectors.ratings_by_slug(basis)), notes
        )
    )
    # The viewer's own drafts about the person, offered only while they may write them.
    drafts = selectors.drafts_of(author=request.user, subject=person) if can_assess else []
    context.update(
        {
            "rubric": rubric,
            "agreed": agreed,
            "own": own,
            "basis": basis,
            "self_basis": agreed is None,
            "target": target,
            "rows": rows,
            "note_columns": notes,
            "notes_key": path_notes.key_of(notes),
            "notes_listed": path_notes.listed(notes),
            "chart": SimpleLazyObject(lambda: selectors.gap_chart(rows, rubric.max_value)),
            "open_gaps": SimpleLazyObject(lambda: sum(1 for r in rows if r["gap"] is not None and r["gap"] > 0)),
            "drafts": list(drafts),
            # A manager starts from the level the person last assessed themselves against.
            "start_form": AssessmentStartForm(
                levels=standing.target_levels,
                initial={"level": own.level.code} if own is not None and person.pk != request.user.pk else None,
            ),
        }
    )
    return context


@require_GET
@login_required
def my_path(request):
    return render(request, "ladders/path.html", _path_context(request, request.user))


@require_GET
@login_required
def person_path(request, pk: int):
    person = selectors.person_get_for_viewer(request.user, pk)
    if person.pk == request.user.pk:
        return redirect("ladders:my_path")
    return render(request, "ladders/path.html", _path_context(request, person))


@require_POST
@login_required
def assessment_new(request, pk: int):
    person = selectors.person_get_for_viewer(request.user, pk)
    kind = services.assessment_kind_for(author=request.user, subject=person)
    if kind is None:
        # Skip-levels and HR admins read a person's path; only their manager assesses them.
        raise Http404("No such person.")
    placement = selectors.placement_current(person)
    standing = selectors.standing_for(placement, stamp=stamp_of(request.user)) if placement else None
    if standing is None:
        messages.error(request, f"{person} has no level on a published framework yet, so there is nothing to assess against.")
        return redirect(_path_url(request, person))
    form = AssessmentStartForm(request.POST, levels=standing.target_levels)
    if not form.is_valid():
        messages.error(request, "Choose the level to assess against from the list.")
        return redirect(_path_url(request, person))
    level = form.cleaned_data["level"]
    assessment = services.assessment_start(subject=person, author=request.user, kind=kind, level=level)
    if assessment.version_id != level.version_id:
        messages.info(
            request,
            f"You already have a draft against version {assessment.version.number} of {assessment.version.framework}. "
            "Submit or discard it to start one against the current version.",
        )
    return redirect("ladders:assessment", pk=assessment.pk)


TEAMS_SHOWN = 12


def _path_url(request, person) -> str:
    if person.pk == request.user.pk:
        return reverse("ladders:my_path")
    return reverse("ladders:person_path", args=[person.pk])


def _assessment_context(assessment: Assessment) -> dict:
    rubric = rubric_load(assessment.version)
    level = rubric.level_by_code[assessment.level.code]
    ratings = list(
        Rating.objects.filter(assessment=assessment).select_related("competency", "proficiency")
    )
    for rating in ratings:
        rating.expectation = rubric.expectation(rating.competency, level)
    return {
        "assessment": assessment,
        "rubric": rubric,
        "level": level,
        "ratings": ratings,
        "limit": f"{services.EVIDENCE_MAX_LENGTH:,}",
    }


@require_http_methods(["GET", "POST"])
@login_required
def assessment(request, pk: int):
    assessment = selectors.assessment_get_for_user(request.user, pk)
    context = _assessment_context(assessment)
    editable = assessment.is_draft and assessment.author_id == request.user.pk
    if request.method == "POST" and not editable:
        messages.error(request, "This assessment has been submitted; it can no longer change.")
        return redirect("ladders:assessment", pk=assessment.pk)
    if editable:
        framework_id = assessment.version.framework_id
        context["previous"] = selectors.latest_submitted(
            assessment.subject, assessment.kind, framework_id, author=request.user
        )
        if assessment.kind == Assessment.Kind.MANAGER:
            # The person's own view beside each competency, as managers expect.
            own = selectors.latest_submitted(assessment.subject, Assessment.Kind.SELF, framework_id)
            own_ratings = selectors.ratings_by_slug(own)
            context["own"] = own
            for rating in context["ratings"]:
                rating.own = own_ratings.get(rating.competency.slug)
        form = AssessmentForm(
            request.POST or None, assessment=assessment, ratings=context["ratings"], scale=context["rubric"].scale
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.assessment_save(assessment=assessment, author=request.user, **form.answers())
                if "submit" in request.POST:
                    services.assessment_submit(assessment=assessment, author=request.user)
                    messages.success(request, "Submitted. It is now part of the record.")
                else:
                    messages.success(request, "Draft saved.")
                return redirect("ladders:assessment", pk=assessment.pk)
            except ValidationError as error:
                form.add_service_errors(error)
            except PermissionDenied as denied:
                # E.g. the person no longer reports to the author.
                messages.error(request, str(denied))
                return redirect("ladders:assessment", pk=assessment.pk)
        context["form"] = form
        status = 400 if request.method == "POST" else 200
        return render(request, "ladders/assessment_form.html", context, status=status)

    context["history"] = selectors.assessment_history(assessment, context["rubric"])
    return render(request, "ladders/assessment.html", context)


@require_POST
@login_required
def assessment_autosave(request, pk: int):
    """Save a draft as it is typed (htmx): all of it, or, with a problem, none of it and why.

    A problem answers 422, which the page swaps in like any answer (see base.html)."""
    assessment = selectors.assessment_get_for_user(request.user, pk)
    if assessment.author_id != request.user.pk:
        raise Http404("No such draft.")
    context = {"assessment": assessment}
    if not assessment.is_draft:
        context["problem"] = "This assessment has been submitted; it can no longer change."
        return render(request, "ladders/assessment_form.html#save-state", context, status=422)
    context.update(_assessment_context(assessment))
    form = AssessmentForm(request.POST, assessment=assessment, ratings=context["ratings"], scale=context["rubric"].scale)
    if form.is_valid():
        try:
            services.assessment_save(assessment=assessment, author=request.user, **form.answers())
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as denied:
            context["problem"] = str(denied)
            return render(request, "ladders/assessment_form.html#save-state", context, status=422)
    if form.errors:
        context["problem"] = _first_problem(form)
        return render(request, "ladders/assessment_form.html#save-state", context, status=422)
    context["saved_at"] = timezone.now()
    return render(request, "ladders/assessment_form.html#save-state", context)


def _first_problem(form: AssessmentForm) -> str:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return f"{label}: {errors[0]}" if label else errors[0]


@require_http_methods(["GET", "POST"])
@login_required
def assessment_discard(request, pk: int):
    """Ask before a draft goes (a page, so it works without JavaScript), then discard it."""
    assessment = selectors.assessment_get_for_user(request.user, pk)
    if assessment.author_id != request.user.pk or not assessment.is_draft:
        raise Http404("No such draft.")
    subject = assessment.subject
    if request.method == "GET":
        filled = selectors.answers_count(assessment)
        return render(request, "ladders/assessment_discard.html", {"assessment": assessment, "filled": filled})
    services.assessment_discard(assessment=assessment, author=request.user)
    messages.success(request, "Draft discarded.")
    return redirect(_path_url(request, subject))


@require_GET
@login_required
def assessments(request):
    """Mine, the ones I wrote, and my direct reports' — or, for an HR admin, everyone's.

    A manager reads one team at a time: their own reports first, and each
    report who leads people opens that team (`?under=`), so the page never
    lists a whole company.
    """
    user = request.user
    head = selectors.team_head_for_viewer(user, request.GET.get("under"))
    everyone = user.sees_everyone and head.pk == user.pk
    listed_of = None if everyone else head
    # Each list's page comes with its total, in one query.
    count, number, rows = selectors.assessments_listed(
        user, listed_of, selectors.page_number(request.GET.get("page")), stamp=stamp_of(user)
    )
    team_page = Paginator(range(count), selectors.ASSESSMENTS_PAGE).get_page(number)
    team_page.object_list = rows
    about_me = selectors.assessments_about(user)
    count, number, rows = selectors.assessments_written_by(user, selectors.page_number(request.GET.get("written_page")))
    written = Paginator(range(count), selectors.ASSESSMENTS_PAGE).get_page(number)
    written.object_list = rows
    # A dozen teams below, and the rest when asked for: a CTO leads hundreds.
    all_teams = request.GET.get("teams") == "all"
    sub_teams = [] if everyone else selectors.team_leads(
        head, limit=None if all_teams else TEAMS_SHOWN + 1, stamp=stamp_of(user)
    )
    more_teams = len(sub_teams) > TEAMS_SHOWN and not all_teams
    return render(
        request,
        "ladders/assessments.html",
        {
            "about_me": about_me,
            "written": written,
            "team_page": team_page,
            "head": head,
            "is_mine": head.pk == user.pk,
            "chain": selectors.team_chain(user, head),
            "sub_teams": sub_teams[:TEAMS_SHOWN] if more_teams else sub_teams,
            "more_teams": more_teams,
            # Only someone with a level has a ladder to assess themselves against.
            "has_level": selectors.level_current(user, stamp=stamp_of(user)) is not None,
        },
    )


def _compare_rows(rubric, level, own: Assessment | None, agreed: Assessment | None) -> list[dict]:
    own_ratings = selectors.ratings_by_slug(own)
    agreed_ratings = selectors.ratings_by_slug(agreed)
    rows = []
    for competency in rubric.competencies:
        mine, theirs = own_ratings.get(competency.slug), agreed_ratings.get(competency.slug)
        a = mine.proficiency.value if mine and mine.proficiency else None
        b = theirs.proficiency.value if theirs and theirs.proficiency else None
        rows.append(
            {
                "competency": competency,
                "expected": rubric.expectation(competency, level) if level else None,
                "own": mine,
                "agreed": theirs,
                "differs": a is not None and b is not None and a != b,
            }
        )
    return rows


@require_GET
@login_required
def compare(request, pk: int):
    person = selectors.person_get_for_viewer(request.user, pk)
    placement = selectors.placement_current(person)
    standing = selectors.standing_for(placement, stamp=stamp_of(request.user)) if placement else None
    # The pickers offer the latest few of each kind: one query for both.
    recent = selectors.assessments_recent_about(request.user, person)
    framework_id = standing.rubric.framework.pk if standing else None

    def pick(kind: str, param: str) -> Assessment | None:
        of_kind = [a for a in recent if a.kind == kind]
        wanted = request.GET.get(param, "")
        if wanted.isascii() and wanted.isdigit() and len(wanted) < 18:
            found = next((a for a in of_kind if a.pk == int(wanted)), None) or (
                selectors.assessments_visible_to(request.user)
                .filter(subject=person, status=Assessment.Status.SUBMITTED, kind=kind, pk=wanted)
                .select_related("author", "level", "version__framework")
                .first()
            )
            if found is not None:
                return found
            # Not one of this person's (or not visible): show the latest instead.
        in_framework = [a for a in of_kind if framework_id is None or a.version.framework_id == framework_id]
        return in_framework[0] if in_framework else None

    own = pick(Assessment.Kind.SELF, "self")
    agreed = pick(Assessment.Kind.MANAGER, "manager")
    rubric = standing.rubric if standing else (rubric_load((agreed or own).version) if (agreed or own) else None)
    level = standing.level if standing else None
    rows = SimpleLazyObject(lambda: _compare_rows(rubric, level, own, agreed)) if rubric is not None else []
    return render(
        request,
        "ladders/compare.html",
        {
            "person": person,
            "standing": standing,
            "rubric": rubric,
            "own": own,
            "agreed": agreed,
            "rows": rows,
            "choices_self": [a for a in recent if a.kind == Assessment.Kind.SELF][:20],
            "choices_manager": [a for a in recent if a.kind == Assessment.Kind.MANAGER][:20],
        },
    )

