"""The interviewer calibration report, for HR: how each interviewer rates against their panels."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ..selectors.calibration import DEFAULT_PERIOD, PERIODS, calibration_report, may_see_calibration

# "How each interviewer rated in interviews …"
PHRASES = {"90d": "of the last 90 days", "year": "of the last 12 months", "all": "of all time"}
# The distribution chart: a bar per scale value in a box this size (SVG user units).
CHART_WIDTH, CHART_HEIGHT = 120, 40


def _shown(value: str) -> str:
    # A value from the address, quoted back in a message: short, and escaped by the template.
    return value if len(value) <= 40 else value[:40] + "…"


def _percent(rate: float | None) -> int | None:
    return None if rate is None else round(rate * 100)


def _distribution_chart(person, scale: list[tuple[int, str]]) -> dict:
    """A bar per scale value, its height the share of the person's ratings on it."""
    total = person.ratings
    slot = CHART_WIDTH / max(len(scale), 1)
    width = round(slot * 0.7, 2)
    usable = CHART_HEIGHT - 2
    bars = []
    for n, (value, label) in enumerate(scale):
        count = person.distribution.get(value, 0)
        height = round(usable * count / total, 2) if total else 0
        bars.append(
            {
                "x": round(n * slot + (slot - width) / 2, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "width": width,
                "height": height,
                "value": value,
                "label": label,
                "count": count,
            }
        )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars}


@require_GET
@login_required
def calibration(request):
    """Per interviewer: scorecards submitted, how their ratings spread over the scale, how often
    they say "No decision", and how often they diverge from their panel and from the decision;
    most divergent first. HR admins only (404 for anyone else)."""
    if not may_see_calibration(request.user):
        raise Http404("No such page.")
    errors = {}
    period = request.GET.get("period", "") or DEFAULT_PERIOD
    if period not in PERIODS:
        label = PERIODS[DEFAULT_PERIOD][0].lower()
        errors["period"] = f"“{_shown(period)}” is not a period: choose one of the list. Showing the {label}."
        period = DEFAULT_PERIOD
    report = calibration_report(request.user, period)
    rows = []
    for person in report.interviewers:
        rows.append(
            {
                "person": person,
                "cells": [person.distribution.get(value, 0) for value, _ in report.scale],
                "chart": _distribution_chart(person, report.scale),
                "no_decision": _percent(person.no_decision_rate),
                "panel": _percent(person.panel_divergence),
                "decision": _percent(person.decision_divergence),
            }
        )
    context = {
        "report": report,
        "rows": rows,
        "period": period,
        "periods": {key: label for key, (label, _) in PERIODS.items()},
        "period_label": PERIODS[period][0],
        "period_phrase": PHRASES[period],
        "errors": errors,
    }
    template = "reviews/calibration/report.html#report" if request.htmx else "reviews/calibration/report.html"
    status = (422 if request.htmx else 400) if errors else 200
    return render(request, template, context, status=status)
