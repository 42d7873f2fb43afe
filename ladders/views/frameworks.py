"""Pages engineers use to read frameworks: overview, level, competency, diff, search."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_GET

from people.templatetags.people import HEADER_LATER, TOKEN, site_header_html

from .. import formats
from ..selectors import frameworks as selectors
from ..selectors.careers import versions_and_standing

SEARCH_LIMIT = 60


def _version_context(request, slug: str, *, standing: bool = False) -> dict:
    """The version the reader asked for (`?v=`), the versions they may pick from, in one query;
    with `standing`, the reader's own level today too, in the same query."""
    current = request.GET.get("v", "")
    if standing:
        versions, placed = versions_and_standing(user=request.user, slug=slug)
    else:
        versions, placed = selectors.versions_for_user(user=request.user, slug=slug), None
    version = selectors.version_pick(versions, current)
    return {
        "standing": placed,
        "version": version,
        "framework": version.framework,
        "rubric": selectors.rubric_load(version),
        "versions": versions,
        "latest_version": next((v for v in versions if not v.is_draft), None),
        # Links inside a page keep showing the version the reader chose.
        "vq": f"?v={current}" if current else "",
        "va": f"&v={current}" if current else "",
    }


def _my_level_code(placement, framework_id: int) -> str | None:
    if placement is not None and placement.level.version.framework_id == framework_id:
        return placement.level.code
    return None


@require_GET
@login_required
def index(request):
    versions = list(selectors.latest_published_versions())
    return render(request, "ladders/index.html", {"versions": versions})


# What the pages below show of a published version is rendered once per
# process and kept (see `published_fragment` in the templates); the values
# they need are passed lazily, so that a kept page computes nothing.
# Whole pages are kept too: below the site header a published version's page
# is the same for every reader who asks for it with the same address, sees
# the same versions, reads times in the same zone and shares the few facts
# in `vary`. Nothing about the reader may appear in these templates' content.
_QUERY_KEPT = 100  # longer searches render each time


def _render_published(
    request,
    template: str,
    context: dict,
    *,
    reads: tuple[str, ...] = ("v",),
    vary: tuple = (),
    version=None,
    store=None,
    query: str = "",
) -> HttpResponse:
    """The page from the kept copy for a published version, with this reader's header and CSRF token.

    Only a page that answers 200 to an address made of the parameters the
    view `reads` is kept, with `?v=` as the version picker writes it: so
    the copies of a version are as many as its real addresses, whatever
    anyone types. Drafts and pages with a message waiting render each time.
    """
    version = version or context["version"]
    asked = request.GET.get("v", "")
    if (
        version.is_draft
        or not set(request.GET).issubset(reads)
        or asked not in ("", str(version.number))
        or len(query) > _QUERY_KEPT
        or len(messages.get_messages(request))
    ):
        return render(request, template, context)
    key = (
        template,
        request.path,
        tuple(sorted(request.GET.items())),
        timezone.get_current_timezone_name(),
        tuple((v.pk, v.status) for v in context.get("versions", ())),
        *vary,
    )
    page = (store or selectors.published_pages).get_or_build(
        version,
        key,
        lambda: render_to_string(template, {**context, "csrf_token": TOKEN, "site_header_later": True}, request),
    )
    html = page.replace(HEADER_LATER, site_header_html(request, query=query), 1).replace(TOKEN, get_token(request))
    return HttpResponse(html)


@require_GET
@login_required
def overview(request, slug: str):
    context = _version_context(request, slug, standing=True)
    rubric = context["rubric"]
    my_level_code = _my_level_code(context["standing"], rubric.framework.pk)
    context.update(matrix=SimpleLazyObject(rubric.matrix), my_level_code=my_level_code)
    return _render_published(request, "ladders/overview.html", context, vary=(my_level_code,))


@require_GET
@login_required
def grid(request, slug: str):
    """The competency × level grid of one track, the viewer's level and the next one marked."""
    context = _version_context(request, slug, standing=True)
    rubric = context["rubric"]
    my_code = _my_level_code(context["standing"], rubric.framework.pk)
    asked = request.GET.get("track", "")
    track = rubric.track_by_slug.get(asked)
    if track is None and my_code is not None:
        track = rubric.track_by_slug.get(context["standing"].track.slug)
    track = track or rubric.tracks[0]
    here = rubric.level_by_code.get(my_code) if my_code else None
    following = rubric.next_levels(here, track) if here is not None else []
    next_code = following[0].code if following and track.pk in following[0].track_ids else None
    levels = rubric.track_levels(track)
    context.update(
        track=track,
        levels=levels,
        groups=SimpleLazyObject(lambda: rubric.grid(track)),
        my_level_code=my_code,
        next_level_code=next_code,
        start_code=my_code if any(level.code == my_code for level in levels) else (levels[0].code if levels else ""),
        track_missing=asked if asked and asked not in rubric.track_by_slug else "",
    )
    if context["track_missing"]:
        return render(request, "ladders/grid.html", context, status=404)
    return _render_published(
        request, "ladders/grid.html", context, reads=("v", "track"), vary=(track.slug, my_code, next_code)
    )


@require_GET
@login_required
def level(request, slug: str, code: str):
    context = _version_context(request, slug)
    rubric = context["rubric"]
    level = rubric.level(code)
    context.update(
        level=level,
        tracks=rubric.level_tracks(level),
        previous=rubric.previous_level(level),
        next_levels=rubric.next_levels(level),
        groups=SimpleLazyObject(lambda: rubric.grouped(level)),
    )
    return _render_published(request, "ladders/level.html", context)


def _competency_rows(rubric, competency) -> list[dict]:
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
    return rows


@require_GET
@login_required
def competency(request, slug: str, competency_slug: str):
    context = _version_context(request, slug)
    rubric = context["rubric"]
    competency = rubric.competency(competency_slug)
    context.update(competency=competency, rows=SimpleLazyObject(lambda: _competency_rows(rubric, competency)))
    return _render_published(request, "ladders/competency.html", context)


def _default_pair(placement, rubric) -> tuple[str, str]:
    """Start the diff from where the reader stands, or from the first level."""
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
    context = _version_context(request, slug, standing=True)
    rubric, version = context["rubric"], context["version"]
    error = ""
    from_code, to_code = request.GET.get("from", ""), request.GET.get("to", "")
    if not from_code and not to_code:
        from_code, to_code = _default_pair(context["standing"], rubric)
    from_level = rubric.level_by_code.get(from_code)
    to_level = rubric.level_by_code.get(to_code)
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
    context.update(
        levels=rubric.levels,
        from_code=from_code,
        to_code=to_code,
        error=error,
        result=None if error else SimpleLazyObject(lambda: selectors.level_diff(rubric, from_level, to_level)),
    )
    if request.htmx:
        return render(request, "ladders/diff.html#diff-result", context, status=status)
    if status != 200:
        return render(request, "ladders/diff.html", context, status=status)
    return _render_published(request, "ladders/diff.html", context, reads=("v", "from", "to"), vary=(from_code, to_code))


@require_GET
@login_required
def search(request):
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    versions = list(selectors.latest_published_versions()) if query else []
    # One more than is shown, to know whether there are more; searched only
    # when the page is not kept (see _render_published).
    found = SimpleLazyObject(
        lambda: selectors.expectations_search(query, limit=SEARCH_LIMIT + 1, versions=versions) if query else []
    )
    context = {
        "query": query,
        "results": SimpleLazyObject(lambda: found[:SEARCH_LIMIT]),
        "more": SimpleLazyObject(lambda: len(found) > SEARCH_LIMIT),
        "limit": SEARCH_LIMIT,
        "words": query.split(),
    }
    template = "ladders/search.html#search-results" if request.htmx else "ladders/search.html"
    if not versions:
        return render(request, template, context)
    # Kept with the newest of the versions searched; the key names them all.
    newest = max(versions, key=lambda v: v.published_at)
    return _render_published(
        request,
        template,
        context,
        reads=("q",),
        vary=tuple(v.pk for v in versions),
        version=newest,
        store=selectors.published_searches,
        query=query,
    )


@require_GET
@login_required
def export(request, slug: str):
    version = selectors.version_get_for_user(user=request.user, slug=slug, number=request.GET.get("v"))
    text = formats.dump(selectors.version_export(version))
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    suffix = "draft" if version.is_draft else f"v{version.number}"
    response["Content-Disposition"] = f'attachment; filename="{version.framework.slug}-{suffix}.yml"'
    return response
