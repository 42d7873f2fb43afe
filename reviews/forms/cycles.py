"""Forms of the review cycle pages. They read what was typed; the rules (phases in order, a
population of people who work here, a reason for each change) are the services', which
say every problem at its field."""

from __future__ import annotations

import datetime

from django import forms

from ..models import Phase
from ..models.cycles import NAME_MAX_LENGTH, REASON_MAX_LENGTH, TEXT_MAX_LENGTH, Rating
from ..services.cycles import DEFAULT_SECTIONS
from .feedback import Form

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
SECTION_SLOTS = 5


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, required=False, widget=DATE, input_formats=["%Y-%m-%d"], **kwargs)


class Marker(forms.CharField):
    """A place on the form for the errors of a group of fields (the population, the sections)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)


def default_dates(today: datetime.date) -> dict[str, object]:
    """A cycle starting next Monday: two weeks of self reviews, a week of nominations, two of
    peer reviews, two of manager reviews, a week of calibration, the release the Monday after."""
    start = today + datetime.timedelta(days=(7 - today.weekday()) % 7 or 7)
    plan = [("self", 0, 13), ("nominations", 0, 6), ("peer", 7, 20), ("upward", 7, 20), ("manager", 21, 34), ("calibration", 35, 41)]
    initial: dict[str, object] = {}
    for kind, opens, closes in plan:
        initial[f"{kind}_opens_on"] = start + datetime.timedelta(days=opens)
        initial[f"{kind}_closes_on"] = start + datetime.timedelta(days=closes)
    initial["release_opens_on"] = start + datetime.timedelta(days=42)
    initial["period_start"] = today - datetime.timedelta(days=182)
    initial["period_end"] = today
    for n, (title, prompt) in enumerate(DEFAULT_SECTIONS, start=1):
        initial[f"section_title_{n}"] = title
        initial[f"section_prompt_{n}"] = prompt
    return initial


class CycleForm(Form):
    name = forms.CharField(label="Name", required=False, max_length=NAME_MAX_LENGTH, strip=True,
                           help_text="What everyone will see, e.g. 2026 H2 reviews.")
    period_start = _date("Period from")
    period_end = _date("Period to")
    population = Marker()
    everyone = forms.BooleanField(label="Everyone who works here", required=False)
    departments = forms.TypedMultipleChoiceField(label="Departments", required=False, coerce=int,
                                                 widget=forms.CheckboxSelectMultiple)
    teams = forms.TypedMultipleChoiceField(label="Teams", required=False, coerce=int, widget=forms.CheckboxSelectMultiple)
    emails = forms.CharField(label="E-mail addresses", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="One a line, for people outside the departments and teams chosen.")
    upward = forms.BooleanField(label="Upward reviews: reports review their manager", required=False)
    peer_reviews_shared = forms.BooleanField(
        label="Participants read the peer reviews about them once results are released", required=False
    )
    sections = Marker()

    def __init__(self, *args, departments: list[tuple[int, str]], teams: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].choices = departments
        self.fields["teams"].choices = teams
        for kind, label in Phase.Kind.choices:
            if kind == Phase.Kind.RELEASE:
                self.fields["release_opens_on"] = _date("Results released on")
                continue
            self.fields[f"{kind}_opens_on"] = _date(f"{label} opens")
            self.fields[f"{kind}_closes_on"] = _date(f"{label} deadline")
        for n in range(1, SECTION_SLOTS + 1):
            self.fields[f"section_title_{n}"] = forms.CharField(label=f"Section {n}", required=False, strip=True,
                                                               max_length=NAME_MAX_LENGTH)
            self.fields[f"section_prompt_{n}"] = forms.CharField(label=f"Section {n}: prompt", required=False, strip=True,
                                                                max_length=REASON_MAX_LENGTH)

    def phase_rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField | None]]:
        rows = []
        for kind, label in Phase.Kind.choices:
            if kind == Phase.Kind.RELEASE:
                rows.append((kind, label, self["release_opens_on"], None))
            else:
                rows.append((kind, label, self[f"{kind}_opens_on"], self[f"{kind}_closes_on"]))
        return rows

    def section_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"section_title_{n}"], self[f"section_prompt_{n}"]) for n in range(1, SECTION_SLOTS + 1)]

    def phases(self) -> dict[str, tuple]:
        data = self.cleaned_data
        dates = {}
        for kind in Phase.Kind.values:
            if kind == Phase.Kind.RELEASE:
                dates[kind] = (data.get("release_opens_on"), None)
            else:
                dates[kind] = (data.get(f"{kind}_opens_on"), data.get(f"{kind}_closes_on"))
        return dates

    def section_list(self) -> list[tuple[str, str]]:
        data = self.cleaned_data
        return [(data.get(f"section_title_{n}") or "", data.get(f"section_prompt_{n}") or "") for n in range(1, SECTION_SLOTS + 1)]


class PersonForm(Form):
    email = forms.CharField(label="Add someone", required=False, strip=True,
                            help_text="Their e-mail address: they are reviewed at their level today.")


class RemoveForm(Form):
    reason = forms.CharField(label="Why are they taken out?", required=False, strip=True, max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}), help_text="It stays on record.")


class NominateForm(Form):
    email = forms.CharField(label="Nominate a colleague", required=False, strip=True,
                            help_text="Their e-mail address: someone who saw the work this period.")


class MoveForm(Form):
    """A calibration move, as typed at its row: the rules (a rating that moves, a reason) are
    the service's."""

    rating = forms.CharField(required=False, max_length=20)
    reason = forms.CharField(required=False, strip=True)


class ExtendForm(Form):
    closes_on = _date("New deadline")



class ReviewForm(Form):
    """A review: for each line of the rubric a rating against the level and a comment; an
    answer per written section; for the manager, the proposed overall rating and level."""

    def __init__(self, *args, lines, sections, levels=None, manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines, self.sections, self.manager = lines, sections, manager
        choices = list(Rating.choices)
        for line in lines:
            pk = line.competency.pk
            self.fields[f"rating-{pk}"] = forms.ChoiceField(
                label=line.competency.name, required=False, choices=choices, widget=forms.RadioSelect
            )
            self.fields[f"comment-{pk}"] = forms.CharField(
                label=f"Why, for {line.competency.name}", required=False, strip=True, max_length=TEXT_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "data-limit": TEXT_MAX_LENGTH}),
            )
        for section in sections:
            self.fields[f"answer-{section.pk}"] = forms.CharField(
                label=section.title, required=False, strip=True, max_length=TEXT_MAX_LENGTH, help_text=section.prompt,
                widget=forms.Textarea(attrs={"rows": 4, "data-limit": TEXT_MAX_LENGTH}),
            )
        if manager:
            self.fields["overall"] = forms.ChoiceField(
                label="Overall rating you propose", required=False, choices=[("", "Not yet")] + choices
            )
            self.fields["proposed_level"] = forms.TypedChoiceField(
                label="Propose a promotion to", required=False, coerce=int, empty_value=None,
                choices=[("", "No level change")] + list(levels or []),
                help_text="Optional: a promotion packet can start from it once results are released.",
            )

    @classmethod
    def for_review(cls, review, **kwargs):
        initial = {}
        if review is not None:
            for rating in review.ratings.all():
                initial[f"rating-{rating.competency_id}"] = rating.rating
                initial[f"comment-{rating.competency_id}"] = rating.comment
            for answer in review.answers.all():
                initial[f"answer-{answer.section_id}"] = answer.text
            initial["overall"] = review.overall
            initial["proposed_level"] = review.proposed_level_id
        return cls(initial=initial, **kwargs)

    def rows(self):
        return [(line, self[f"rating-{line.competency.pk}"], self[f"comment-{line.competency.pk}"]) for line in self.lines]

    def answer_fields(self):
        return [self[f"answer-{section.pk}"] for section in self.sections]

    def ratings(self) -> dict:
        data = self.cleaned_data
        return {
            line.competency.pk: (data.get(f"rating-{line.competency.pk}") or "", data.get(f"comment-{line.competency.pk}") or "")
            for line in self.lines
        }

    def answers(self) -> dict:
        return {section.pk: self.cleaned_data.get(f"answer-{section.pk}") or "" for section in self.sections}
