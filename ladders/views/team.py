"""The team page: everyone below a manager, grouped by manager, with their gaps; and its CSV export."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict, StreamingHttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from people.stamp import Stamped, stamp_of
from people.templatetags.people import HEADER_LATER, TOKEN, site_header_html

from ..selectors.careers import team_chain, team_head_for_viewer
from ..selectors.frameworks import Rubric
from ..selectors.team import (
    APART_SHOWN,
    SORTS,
    TEAM_PAGE,
    TeamFilter,
    Tree,
    apart,
    export_rows,
    rubric_of,
    team_listing,
    team_rows,
    team_tree,
    tops_of_organisation,
)

SORT_NAMES = {"name": "Name", "gap": "Biggest gap first", "assessed": "Least recently assessed by their manager first"}
# The filters and choices a page's links carry on (to other pages, to the export).
KEPT_PARAMS = ("under", "framework", "track", "level", "stale", "sort", "against")


def _shown(value: str) -> str:
    # A value from the address, quoted back in a message: short, and escaped by the template.
    return value if len(value) <= 40 else value[:40] + "…"


def _chosen(
    params: QueryDict, tree: Tree, *, stamp: int | None
) -> tuple[TeamFilter, Rubric | None, dict[str, tuple[str, str]]]:
    """What the address asks the page to show. Each value not understood falls back to
    the default, with a message for its field: what was wrong, and what is shown instead."""
    errors: dict[str, tuple[str, str]] = {}
    asked = params.get("framework", "")
    framework = next((f for f in tree.frameworks if f.slug == asked), None)
    default = tree.frameworks[0] if tree.frameworks else None
    if asked and framework is None:
        errors["framework"] = (
            f"No one here is on a framework “{_shown(asked)}”.",
            f"Showing {default.name}." if default else "",
        )
    framework = framework or default
    rubric = rubric_of(framework, stamp=stamp)
    track = params.get("track", "")
    if track and (rubric is None or track not in rubric.track_by_slug):
        errors["track"] = (f"{framework.name if framework else 'This framework'} has no track “{_shown(track)}”.", "Showing every track.")
        track = ""
    level = params.get("level", "")
    if level and (rubric is None or level not in rubric.level_by_code):
        errors["level"] = (f"{framework.name if framework else 'This framework'} has no level “{_shown(level)}”.", "Showing every level.")
        level = ""
    stale = params.get("stale", "")
    if stale not in ("", "0", "1", "on"):
        errors["stale"] = ("“No manager assessment in 6 months” is either on (1) or off.", "Showing everyone.")
    sort = params.get("sort", "") or "name"
    if sort not in SORTS:
        errors["sort"] = (f"There is no sorting by “{_shown(sort)}”.", "Sorted by name.")
        sort = "name"
    against = params.get("against", "") or "next"
    if against not in ("next", "current"):
        errors["against"] = ("The gap is measured to each person's next level or to their current one.", "Showing the next.")
        against = "next"
    chosen = TeamFilter(framework, track, level, stale in ("1", "on"), sort, against)
    return chosen, rubric, errors


def _query(head, params: QueryDict, chosen: TeamFilter, **changes) -> str:
    """The filters as understood (not the page, nor a value that was not), with `changes`."""
    values = {
        "under": str(head.pk),
        # The framework only when asked for: otherwise the team's most used one, whichever it is then.
        "framework": chosen.framework.slug if chosen.framework and params.get("framework") else "",
        "track": chosen.track,
        "level": chosen.level,
        "stale": "1" if chosen.stale else "",
        "sort": "" if chosen.sort == "name" else chosen.sort,
        "against": "" if chosen.against == "next" else chosen.against,
        **changes,
    }
    kept = QueryDict(mutable=True)
    for key in KEPT_PARAMS:
        if values[key]:
            kept[key] = values[key]
    return kept.urlencode()


def _groups(tree: Tree, listing, rows: list[dict], head, *, is_mine: bool, first_index: int) -> list[dict]:
    # The page's rows as runs under their manager; a manager's run may have
    # begun on the page before.
    groups: list[dict] = []
    for row in rows:
        manager_id = row["member"].manager_id
        if not groups or groups[-1]["manager_id"] != manager_id:
            shown, stale = listing.counts.get(manager_id, (0, 0))
            groups.append(
                {
                    "manager_id": manager_id,
                    "name": tree.groups[manager_id].name,
                    "is_head": head is not None and manager_id == head.pk,
                    "shown": shown,
                    "stale": stale,
                    "rows": [],
                    "continued": not groups
                    and first_index > 0
                    and listing.shown[first_index - 1].manager_id == manager_id,
                }
            )
        groups[-1]["rows"].append(row)
    for group in groups:
        group["cells"] = [row["cells"] for row in group["rows"]]
    return groups


def _elsewhere(tree: Tree, members) -> list[dict]:
    # People on other frameworks, a section per framework, most people first.
    by_framework: dict[int, list] = {}
    for member in members:
        by_framework.setdefault(member.framework_id, []).append(member)
    order = {f.pk: n for n, f in enumerate(tree.frameworks)}
    sections = []
    for framework_id in sorted(by_framework, key=lambda pk: order.get(pk, len(order))):
        people = by_framework[framework_id]
        listed = apart(tree, people[:APART_SHOWN])
        sections.append({"framework": listed[0].framework, "count": len(people), "people": listed})
    return sections


_stamped_apart = Stamped(size=128)


def _kept_apart(stamp, head, chosen: TeamFilter, part: str, build):
    # The sections kept apart follow from the tree and the filters alone.
    return _stamped_apart.get_or_build(stamp, (part, head.pk, timezone.localdate(), chosen.key()), build)


_kept_pages = Stamped(size=256)


@require_GET
@login_required
def team(request):
    """Everyone below the viewer (or, with `?under=`, below someone below them), grouped
    by manager, with each person's gap per competency on one framework; the people on
    other frameworks, and those without a level, listed apart.

    Below the site header the page follows from the stamp, whose team it is, the
    address, the day and the reader's time zone alone: it is drawn once for as long
    as those stay the same, and the reader's header and CSRF token go in afterwards.
    """
    user = request.user
    head = team_head_for_viewer(user, request.GET.get("under"))
    stamp = stamp_of(user)
    if stamp is None or len(messages.get_messages(request)):
        return _team_page(request, head)
    key = (
        "team",
        head.pk,
        head.pk == user.pk,
        bool(request.htmx),
        timezone.localdate(),
        timezone.get_current_timezone_name(),
        tuple(sorted((name, tuple(values)) for name, values in request.GET.lists())),
    )
    page = _kept_pages.get_or_build(stamp, key, lambda: _team_page(request, head, keeping=True).content.decode())
    return HttpResponse(page.replace(HEADER_LATER, site_header_html(request), 1).replace(TOKEN, get_token(request)))


def _team_page(request, head, *, keeping: bool = False) -> HttpResponse:
    user = request.user
    is_mine = head.pk == user.pk
    stamp = stamp_of(user)
    tree = team_tree(head, stamp=stamp)
    chosen, rubric, errors = _chosen(request.GET, tree, stamp=stamp)
    listing = team_listing(tree, rubric, chosen, head=head, stamp=stamp)
    page = Paginator(listing.shown, TEAM_PAGE).get_page(request.GET.get("page"))
    members = list(page.object_list)
    rows = team_rows(tree, rubric, members, chosen.against) if rubric is not None else []
    first_index = page.start_index() - 1 if members else 0
    groups = _groups(tree, listing, rows, head, is_mine=is_mine, first_index=first_index)
    unassessed = range(len(rubric.competencies)) if rubric else range(0)
    filtered = bool(chosen.track or chosen.level or chosen.stale)
    context = {
        "head": head,
        "is_mine": is_mine,
        "chain": team_chain(user, head),
        "direct": tree.direct,
        "team_size": len(tree),
        "page": page,
        "rows": rows,
        "groups": groups,
        "rubric": rubric,
        "chosen": chosen,
        "framework": chosen.framework,
        "frameworks": tree.frameworks,
        "against": chosen.against,
        "sorts": SORT_NAMES,
        "errors": {name: " ".join(part for part in message if part) for name, message in errors.items()},
        "filtered": filtered,
        "has_team": len(tree) > 0,
        "shown_count": len(listing.shown),
        # Kept apart, on the first page only: the table is what the pages turn.
        "elsewhere": _kept_apart(stamp, head, chosen, "elsewhere", lambda: _elsewhere(tree, listing.elsewhere))
        if page.number == 1
        else [],
        "elsewhere_count": len(listing.elsewhere),
        "unplaced": _kept_apart(stamp, head, chosen, "unplaced", lambda: apart(tree, listing.unplaced[:APART_SHOWN]))
        if page.number == 1
        else [],
        "unplaced_count": len(listing.unplaced),
        "apart_shown": APART_SHOWN,
        "unassessed": unassessed,
        # The export names its team: for an HR admin, none would mean everyone.
        "export_query": _query(head, request.GET, chosen),
        "clear_query": _query(head, request.GET, chosen, under="" if is_mine else str(head.pk), track="", level="", stale="", sort=""),
        "tops": tops_of_organisation() if user.sees_everyone and not len(tree) and is_mine else [],
    }
    template = "ladders/team.html#team" if request.htmx else "ladders/team.html"
    if keeping:
        # Nothing about the reader: their header and token are put in when served.
        context.update(csrf_token=TOKEN, site_header_later=True)
    return render(request, template, context)


class _Line:
    """What csv.writer writes to: hands each line back instead of keeping it."""

    def write(self, value: str) -> str:
        return value


# A spreadsheet runs a cell that begins with one of these as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@require_GET
@login_required
def team_export(request):
    """The team page's people as CSV, filters applied: one row per person with their
    level, when they were last assessed and their gap per competency. Managers get
    their tree (or a team below them, `?under=`); HR admins everyone, or a chosen
    team. Streamed, a chunk of people per query, so a whole company never sits in
    one response in memory."""
    user = request.user
    under = request.GET.get("under")
    head = None if (user.sees_everyone and not under) else team_head_for_viewer(user, under)
    stamp = stamp_of(user)
    tree = team_tree(head, stamp=stamp)
    if not len(tree):
        raise Http404("No one reports to you.")
    chosen, rubric, errors = _chosen(request.GET, tree, stamp=stamp)
    if errors:
        return HttpResponse(
            "Nothing exported:\n" + "\n".join(problem for problem, _ in errors.values()) + "\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    listing = team_listing(tree, rubric, chosen, head=head, stamp=stamp)

    def lines() -> Iterator[str]:
        writer = csv.writer(_Line())
        competencies = rubric.competencies if rubric else []
        yield writer.writerow(
            ["Name", "E-mail", "Manager", "Framework", "Level", "Track", "Last manager assessment"]
            + [_safe(f"Gap: {c.name}") for c in competencies]
        )
        for row in export_rows(tree, rubric, listing, chosen.against):
            yield writer.writerow([_safe(value) for value in row])

    who = "everyone" if head is None else slugify(head.name) or f"team-{head.pk}"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{who}-{timezone.localdate().isoformat()}.csv"'
    return response
