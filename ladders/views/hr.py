"""HR's home: level distribution, assessment coverage and recent publishes."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from people.stamp import stamp_of

from ..selectors import hr as selectors


class DepartmentFilter(forms.Form):
    """The department the page is about; its choices are read once and handed in,
    so that checking the address costs no query of its own."""

    department = forms.ChoiceField(
        label="Department",
        required=False,
        error_messages={"invalid_choice": "There is no such department. Choose one from the list."},
    )

    def __init__(self, data, *, choices: list[tuple[str, str]]):
        super().__init__(data, label_suffix="")
        self.fields["department"].choices = [("", "Every department"), *choices]

    def chosen(self) -> str | None:
        """The department asked for, or None (everyone) when none or a wrong one was."""
        if self.is_valid():
            return self.cleaned_data["department"] or None
        return None


@require_GET
@login_required
def home(request):
    selectors.hr_only(request.user)
    choices = selectors.department_choices()
    names = dict(choices)
    form = DepartmentFilter(request.GET or None, choices=choices)
    department = form.chosen() if form.is_bound else None
    today = timezone.localdate()
    rubrics = selectors.current_rubrics()
    stamp = stamp_of(request.user)
    overview = selectors.overview(department=department, names=names, rubrics=rubrics, on=today, stamp=stamp)
    order = selectors.RECENT_FIRST if request.GET.get("sort") == selectors.RECENT_FIRST else selectors.OLDEST_FIRST
    # The aggregate has already counted them: the list needs no count of its own.
    page = Paginator(range(overview.totals.lapsed), selectors.COVERAGE_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.lapsed_page(
        department=department, page=page.number, rubrics=rubrics, on=today, order=order, stamp=stamp
    )
    context = {
        "form": form,
        "department": department,
        "department_name": names.get(department) if department else None,
        "overview": overview,
        "totals": overview.totals,
        "since": overview.since,
        "lapsed": page,
        "order": order,
        "publishes": selectors.publishes_recent(),
        "drafts": selectors.drafts_waiting(),
    }
    return render(request, "ladders/hr_home.html", context, status=400 if form.errors else 200)
