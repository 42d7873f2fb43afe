"""Pages engineers use to read frameworks: overview, level, competency, diff, search."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .. import formats
from ..selectors import frameworks as selectors
from ..selectors.careers import placement_current

SEARCH_LIMIT = 60


def _version_context(request, version) -> dict:
    current = request.GET.get("v", "")
    versions = selectors.versions_of(version, request.user)
    return {
        "version": version,
        "framework": version.framework,
        "versions": versions,
        "latest_version": next((v for v in versions if not v.is_draft), None),
        # Links inside a page keep showing the version the reader chose.
        "vq": f"?v={current}" if current else "",
        "va": f"&v={current}" if current else "",
    }


@require_GET
@login_required
def index(request):
    versions = list(selectors.latest_published_versions())
    return render(request, "ladders/index.html", {"versions": versions})


@require_GET
@login_required
def overview(request, slug: str):
    version = selectors.version_get_for_user(user=request.user, slug=slug, number=request.GET.get("v"))
    rubric = selectors.rubric_load(version)
    placement = placement_current(request.user)
    mine = None
    if placement is not None and placement.level.version.framework_id == version.framework_id:
        mine = placement.level.code
    return render(
        request,
        "ladders/overview.html",
        {**_version_context(request, version), "rubric": rubric, "matrix": rubric.matrix(), "my_level_code": mine},
    )


@require_GET
@login_required
def level(request, slug: str, code: str):
    version = selectors.version_get_for_user(user=request.user, slug=slug, number=request.GET.get("v"))
    rubric = selectors.rubric_load(version)
    level = rubric.level(code)
    return render(
        request,
        "ladders/level.html",
        {
            **_version_context(request, version),
            "rubric": rubric,
            "level": level,
            "tracks": rubric.level_tracks(level),
            "previous": rubric.previous_level(level),
            "next_levels": rubric.next_levels(level),
            "groups": rubric.grouped(level),
        },
    )


@require_GET
@login_required
def competency(request, slug: str, competency_slug: str):
    version = selectors.version_get_for_user(user=request.user, slug=slug, number=request.GET.get("v"))
    rubric = selectors.rubric_load(version)
    competency = rubric.competency(competency_slug)
    rows = []
    for level in rubric.levels:
        expectation = rubric.expectation(competency, level)
        if expectation is None:
            continue
        below = rubric.previous_level(level)
        before = rubric.expectation(competency, below) if below else None
        rows.append(
            {
                "level": level,
                "tracks": rubric.level_tracks(level),
                "expectation": expectation,
                "raised": before is not None and expectation.proficiency.value > before.proficiency.value,
            }
        )
    return render(
        request,
        "ladders/competency.html",
        {**_version_context(request, version), "rubric": rubric, "competency": competency, "rows": rows},
    )


def _default_pair(user, rubric) -> tuple[str, str]:
    """Start the diff from where the reader stands, or from the first level."""
    placement = placement_current(user)
    if placement is not None and placement.level.version.framework_id == rubric.framework.pk:
        here = rubric.level_by_code.get(placement.level.code)
        track = rubric.track_by_slug.get(placement.track.slug)
        if here is not None and rubric.next_levels(here, track):
            return here.code, rubric.next_levels(here, track)[0].code
    first = rubric.levels[0]
    following = rubric.next_levels(first)
    return first.code, (following[0] if following else first).code


@require_GET
@login_required
def diff(request, slug: str):
    version = selectors.version_get_for_user(user=request.user, slug=slug, number=request.GET.get("v"))
    rubric = selectors.rubric_load(version)
    levels = rubric.levels
    error = ""
    from_code, to_code = request.GET.get("from", ""), request.GET.get("to", "")
    if not from_code and not to_code:
        from_code, to_code = _default_pair(request.user, rubric)
    from_level = rubric.level_by_code.get(from_code)
    to_level = rubric.level_by_code.get(to_code)
    result = None
    status = 200
    if from_level is None or to_level is None:
        missing = from_code if from_level is None else to_code
        if missing:
            error = f"There is no level “{missing}” in {version.framework}. Choose levels from the lists."
        else:
            error = "Choose both levels to compare."
        status = 400
    elif from_level == to_level:
        error = "Choose two different levels to compare."
    else:
        result = selectors.level_diff(rubric, from_level, to_level)
    context = {
        **_version_context(request, version),
        "rubric": rubric,
        "levels": levels,
        "from_code": from_code,
        "to_code": to_code,
        "result": result,
        "error": error,
    }
    template = "ladders/diff.html#diff-result" if request.htmx else "ladders/diff.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    # One more than is shown, to know whether there are more.
    found = selectors.expectations_search(query, limit=SEARCH_LIMIT + 1) if query else []
    context = {
        "query": query,
        "results": found[:SEARCH_LIMIT],
        "more": len(found) > SEARCH_LIMIT,
        "limit": SEARCH_LIMIT,
        "words": query.split(),
    }
    template = "ladders/search.html#search-results" if request.htmx else "ladders/search.html"
    return render(request, template, context)


@require_GET
@login_required
def export(request, slug: str):
    version = selectors.version_get_for_user(user=request.user, slug=slug, number=request.GET.get("v"))
    text = formats.dump(selectors.version_export(version))
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    suffix = "draft" if version.is_draft else f"v{version.number}"
    response["Content-Disposition"] = f'attachment; filename="{version.framework.slug}-{suffix}.yml"'
    return response
