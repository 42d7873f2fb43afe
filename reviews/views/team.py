"""The team's feedback, for a manager: how much each report receives, and who has gone without."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..path import address
from ..selectors.team import (
    PERIODS,
    QUIET_DAYS,
    SCOPES,
    TEAM_FEEDBACK_PAGE,
    TEAMMATES_ASKED,
    ReportFlow,
    buckets,
    quiet_since,
    team_flows,
    team_reports,
    team_reports_listed,
    team_totals,
    teammates_of,
)
from .requests import waiting_for

BY_NAMES = {"week": "Week", "month": "Month"}
SCOPE_NAMES = {"direct": "Direct reports", "all": "Everyone below me"}
# The chart's drawing: a slot per bucket in a box this size (SVG user units).
CHART_WIDTH, CHART_HEIGHT = 240, 56


def _shown(value: str) -> str:
    # A value from the address, quoted back in a message: short, and escaped by the template.
    return value if len(value) <= 40 else value[:40] + "…"


def _chosen(params: QueryDict) -> tuple[str, str, dict[str, str]]:
    """The period and the people asked for; a value not understood falls back to the
    default, with a message at its field saying what is shown instead."""
    errors = {}
    by = params.get("by", "") or "week"
    if by not in PERIODS:
        errors["by"] = f"Feedback is counted per week or per month, not “{_shown(by)}”. Showing weeks."
        by = "week"
    scope = params.get("scope", "") or "direct"
    if scope not in SCOPES:
        errors["scope"] = f"“{_shown(scope)}” is not a choice: your direct reports, or everyone below you. Showing your direct reports."
        scope = "direct"
    return by, scope, errors


def _chart(flow: ReportFlow, peak: int) -> dict:
    """The bars of one report's chart, praise below growth, all reports to the same scale."""
    slot = CHART_WIDTH / len(flow.counts)
    width = round(slot * 0.7, 2)
    usable = CHART_HEIGHT - 2
    bars = []
    for n, count in enumerate(flow.counts):
        x = round(n * slot + (slot - width) / 2, 2)
        praise_h = round(usable * count.praise / peak, 2)
        growth_h = round(usable * count.growth / peak, 2)
        bars.append(
            {
                "x": x,
                "width": width,
                "praise_y": round(CHART_HEIGHT - praise_h, 2),
                "praise_h": praise_h,
                "growth_y": round(CHART_HEIGHT - praise_h - growth_h, 2),
                "growth_h": growth_h,
                "count": count,
            }
        )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars}


def _nudges(flow: ReportFlow, teammates: list[int]) -> dict:
    person = flow.person
    nudges = {"give": address("reviews:give", "/feedback/give/", query={"to": person.pk})}
    if flow.direct:
        asked = [pk for pk in teammates if pk != person.pk][:TEAMMATES_ASKED]
        nudges["ask"] = address("reviews:request_new", "/feedback/requests/new/", query={"about": person.pk, "ask": asked})
    return nudges


@require_GET
@login_required
def team(request):
    """Each report's feedback per week (12 weeks) or month (6 months), the quiet ones first.

    `?by=week|month`, `?scope=direct|all` (the whole tree below the viewer).
    Counted: the feedback the viewer may read now, both visibilities.
    """
    user = request.user
    by, scope, errors = _chosen(request.GET)
    reports = team_reports(user, whole_tree=scope == "all")
    since = quiet_since(days=QUIET_DAYS)
    people_count, quiet_count = team_totals(user, reports, since)
    if not people_count:
        raise Http404("No one reports to you.")
    page = Paginator(range(people_count), TEAM_FEEDBACK_PAGE).get_page(request.GET.get("page"))
    people = list(team_reports_listed(user, reports, since)[page.start_index() - 1 : page.end_index()])
    shown = buckets(by)
    flows = team_flows(user, people, by, shown)
    peak = max((count.total for flow in flows for count in flow.counts), default=0)
    # Asked for whether or not someone is quiet today, so the page costs the same queries
    # whatever the feedback (a handful of ids).
    teammates = teammates_of(user)
    for flow in flows:
        flow.chart = _chart(flow, max(peak, 1))
        flow.nudges = _nudges(flow, teammates) if flow.quiet else {}
        flow.feedback_url = address("reviews:person_feedback", f"/feedback/people/{flow.person.pk}/", args=[flow.person.pk])
    context = {
        "by": by,
        "scope": scope,
        "by_names": BY_NAMES,
        "scope_names": SCOPE_NAMES,
        "errors": errors,
        "flows": flows,
        "page": page,
        "people_count": people_count,
        "quiet_count": quiet_count,
        "quiet_shown": [flow for flow in flows if flow.quiet],
        "quiet_days": QUIET_DAYS,
        "buckets": shown,
        "peak": peak,
        "periods": PERIODS[by],
        "waiting": waiting_for(user),
    }
    template = "reviews/team/team.html#flow" if request.htmx else "reviews/team/team.html"
    return render(request, template, context)
