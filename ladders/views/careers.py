"""Pages about people: my path, assessments, side by side, the team's gaps."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..forms import AssessmentForm, AssessmentStartForm
from ..models import Assessment, Rating
from ..selectors import careers as selectors
from ..selectors.frameworks import rubric_load
from ..services import assessments as services


@require_GET
@login_required
def home(request):
    if selectors.placement_current(request.user) is not None:
        return redirect("ladders:my_path")
    return redirect("ladders:index")


def _path_context(request, person) -> dict:
    placement = selectors.placement_current(person)
    standing = selectors.standing_for(placement) if placement else None
    context = {
        "person": person,
        "is_me": person.pk == request.user.pk,
        "placement": placement,
        "standing": standing,
        "history": selectors.placement_history(person),
        "can_assess": services.assessment_kind_for(author=request.user, subject=person) is not None,
    }
    if standing is None:
        return context
    rubric = standing.rubric
    framework_id = rubric.framework.pk
    agreed = selectors.latest_submitted(person, Assessment.Kind.MANAGER, framework_id)
    own = selectors.latest_submitted(person, Assessment.Kind.SELF, framework_id)
    basis = agreed or own
    targets = standing.next_levels or [standing.level]
    target = next((lv for lv in standing.target_levels if lv.code == request.GET.get("target")), targets[0])
    rows = selectors.gap_rows(rubric, standing.level, target, selectors.ratings_by_slug(basis))
    drafts = selectors.assessments_visible_to(request.user).filter(
        author=request.user, subject=person, status=Assessment.Status.DRAFT
    )
    context.update(
        {
            "rubric": rubric,
            "agreed": agreed,
            "own": own,
            "basis": basis,
            "self_basis": agreed is None,
            "target": target,
            "rows": rows,
            "chart": selectors.gap_chart(rows, rubric.max_value),
            "open_gaps": sum(1 for r in rows if r["gap"] is not None and r["gap"] > 0),
            "drafts": list(drafts.select_related("level")),
            "start_form": AssessmentStartForm(levels=standing.target_levels),
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
    standing = selectors.standing_for(placement) if placement else None
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
    return {"assessment": assessment, "rubric": rubric, "level": level, "ratings": ratings}


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
                services.assessment_save(
                    assessment=assessment,
                    author=request.user,
                    summary=form.cleaned_data["summary"],
                    ratings=form.ratings_data(),
                )
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
def assessment_discard(request, pk: int):
    assessment = selectors.assessment_get_for_user(request.user, pk)
    if assessment.author_id != request.user.pk or not assessment.is_draft:
        raise Http404("No such draft.")
    subject = assessment.subject
    services.assessment_discard(assessment=assessment, author=request.user)
    messages.success(request, "Draft discarded.")
    return redirect(_path_url(request, subject))


@require_GET
@login_required
def assessments(request):
    visible = selectors.assessments_visible_to(request.user).select_related(
        "subject", "author", "level", "version__framework"
    )
    about_me = visible.filter(subject=request.user).order_by("status", "-updated_at")
    written = visible.filter(author=request.user).exclude(subject=request.user).order_by("status", "-updated_at")
    team = visible.exclude(subject=request.user).exclude(author=request.user).filter(
        status=Assessment.Status.SUBMITTED
    )
    team_page = Paginator(team.order_by("-submitted_at"), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "ladders/assessments.html",
        {"about_me": about_me[:100], "written": written[:100], "team_page": team_page},
    )


@require_GET
@login_required
def compare(request, pk: int):
    person = selectors.person_get_for_viewer(request.user, pk)
    placement = selectors.placement_current(person)
    standing = selectors.standing_for(placement) if placement else None
    visible = selectors.assessments_visible_to(request.user).filter(subject=person, status=Assessment.Status.SUBMITTED)
    framework_id = standing.rubric.framework.pk if standing else None

    def pick(kind: str, param: str) -> Assessment | None:
        chosen = visible.filter(kind=kind).select_related("author", "level", "version__framework")
        wanted = request.GET.get(param, "")
        if wanted.isdigit() and len(wanted) < 18:
            found = chosen.filter(pk=wanted).first()
            if found is not None:
                return found
            # Not one of this person's (or not visible): show the latest instead.
        if framework_id:
            chosen = chosen.filter(version__framework_id=framework_id)
        return chosen.order_by("-submitted_at", "-pk").first()

    own = pick(Assessment.Kind.SELF, "self")
    agreed = pick(Assessment.Kind.MANAGER, "manager")
    rubric = standing.rubric if standing else (rubric_load((agreed or own).version) if (agreed or own) else None)
    rows = []
    if rubric is not None:
        own_ratings = selectors.ratings_by_slug(own)
        agreed_ratings = selectors.ratings_by_slug(agreed)
        level = standing.level if standing else None
        for competency in rubric.competencies:
            mine, theirs = own_ratings.get(competency.slug), agreed_ratings.get(competency.slug)
            expected = rubric.expectation(competency, level) if level else None
            a = mine.proficiency.value if mine and mine.proficiency else None
            b = theirs.proficiency.value if theirs and theirs.proficiency else None
            rows.append(
                {
                    "competency": competency,
                    "expected": expected,
                    "own": mine,
                    "agreed": theirs,
                    "differs": a is not None and b is not None and a != b,
                }
            )
    return render(
        request,
        "ladders/compare.html",
        {
            "person": person,
            "standing": standing,
            "own": own,
            "agreed": agreed,
            "rows": rows,
            "choices_self": visible.filter(kind=Assessment.Kind.SELF).select_related("level").order_by("-submitted_at")[:20],
            "choices_manager": visible.filter(kind=Assessment.Kind.MANAGER).select_related("author").order_by("-submitted_at")[:20],
        },
    )


@require_GET
@login_required
def team(request):
    members = selectors.team_members(request.user)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    people = list(page.object_list)
    # Chosen over the whole team, so the heat map does not change framework from page to page.
    frameworks = [f for f, _ in selectors.team_frameworks(members)]
    chosen = request.GET.get("framework")
    framework = next((f for f in frameworks if f.slug == chosen), frameworks[0] if frameworks else None)
    version = selectors.latest_published(framework.pk) if framework else None
    rubric = rubric_load(version) if version else None
    against = "current" if request.GET.get("against") == "current" else "next"
    rows = selectors.team_gap_rows(people, rubric, against=against) if rubric is not None else []
    return render(
        request,
        "ladders/team.html",
        {
            "page": page,
            "rows": rows,
            "rubric": rubric,
            "framework": framework,
            "frameworks": frameworks,
            "against": against,
            "has_team": page.paginator.count > 0,
        },
    )
