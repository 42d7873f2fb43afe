"""Forms of 1:1s: they read and type what is posted; the rules are the services'."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from people.models import User, normalize_email

from ..models import Series
from ..models.oneonones import ACTION_MAX_LENGTH, NOTE_MAX_LENGTH, POINT_MAX_LENGTH, TITLE_MAX_LENGTH
from ..services.oneonones import MINUTES_MAX, MINUTES_MIN


class Form(forms.Form):
    """Labels without a trailing colon, as on the rest of the site's pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs)


def _time(label: str, **kwargs) -> forms.TimeField:
    return forms.TimeField(
        label=label, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"), input_formats=["%H:%M", "%H:%M:%S"], **kwargs
    )


def _moment(day: datetime.date | None, time: datetime.time | None) -> datetime.datetime | None:
    """A day and a time on the reader's clock (the site's middleware sets it)."""
    if day is None or time is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, time))


class _Settings(Form):
    title = forms.CharField(
        label="Title", required=False, max_length=TITLE_MAX_LENGTH,
        help_text="Optional, e.g. “Weekly 1:1” or “Mentoring on system design”.",
    )
    cadence = forms.ChoiceField(label="How often", choices=Series.Cadence.choices, initial=Series.Cadence.WEEKLY)
    minutes = forms.TypedChoiceField(
        label="How long", coerce=int, initial=30,
        choices=[(m, f"{m} minutes") for m in (15, 20, 25, 30, 45, 60, 90, 120) if MINUTES_MIN <= m <= MINUTES_MAX],
    )


class SeriesForm(_Settings):
    """A new series: with whom (picked from the search, or by e-mail address without
    JavaScript), how often, how long, and the first meeting."""

    field_order = ["with_email", "first_on", "first_time", "cadence", "minutes", "title"]

    with_email = forms.EmailField(
        label="Their work e-mail address", required=False, max_length=254,
        help_text="The address they sign in with, e.g. sam.rivera@example.com.",
    )
    first_on = _date("First meeting on")
    first_time = _time("At", initial=datetime.time(10))

    def __init__(self, *args, chosen: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.chosen = chosen  # the person picked in the search (`with`), if any

    def clean(self):
        cleaned = super().clean()
        if self.chosen is None and not cleaned.get("with_email") and "with_email" not in self.errors:
            self.add_error("with_email", "Choose who the 1:1s are with: find them by name, or give their e-mail address.")
        return cleaned

    def other(self) -> User | None:
        """The person chosen: the one picked in the search, else the one with that address."""
        if self.chosen is not None:
            return self.chosen
        email = self.cleaned_data.get("with_email")
        person = User.objects.filter(email__iexact=normalize_email(email)).first() if email else None
        if person is None:
            raise ValidationError({"with_email": "Nobody working here has that address."})
        return person

    @property
    def first_at(self) -> datetime.datetime | None:
        return _moment(self.cleaned_data.get("first_on"), self.cleaned_data.get("first_time"))


class SettingsForm(_Settings):
    """A running series' settings, and when its next meeting is."""

    field_order = ["next_on", "next_time", "cadence", "minutes", "title"]

    next_on = _date("Next meeting on")
    next_time = _time("At")

    @property
    def next_at(self) -> datetime.datetime | None:
        return _moment(self.cleaned_data.get("next_on"), self.cleaned_data.get("next_time"))

    @classmethod
    def for_series(cls, series: Series, **kwargs) -> SettingsForm:
        initial = {"title": series.title, "cadence": series.cadence, "minutes": series.minutes}
        if series.next_at:
            local = timezone.localtime(series.next_at)
            initial.update(next_on=local.date(), next_time=local.time().replace(second=0, microsecond=0))
        return cls(initial=initial, **kwargs)


class PointForm(Form):
    text = forms.CharField(
        label="Talking point", max_length=POINT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "What do you want to talk about?"}),
    )
    competency = forms.TypedChoiceField(label="About a competency", required=False, coerce=int, empty_value=None)
    feedback = forms.TypedChoiceField(label="About feedback", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, competencies=(), feedback=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [("", "None")] + [
            (owner, [(c.pk, c.name) for c in group]) for owner, group in competencies
        ]
        self.fields["feedback"].choices = [("", "None")] + [
            (f.pk, f"{f.get_kind_display()} from {f.giver.name} to {f.subject.get_short_name()}, {timezone.localtime(f.created_at):%-d %b %Y}")
            for f in feedback
        ]
        self.fields["feedback"].help_text = "Only feedback both of you can read is listed."
        if not competencies:
            del self.fields["competency"]
        if not feedback:
            del self.fields["feedback"]


class ActionForm(Form):
    text = forms.CharField(label="Action", max_length=ACTION_MAX_LENGTH)
    owner = forms.TypedChoiceField(label="Who", coerce=int)
    due_on = _date("Due", required=False)

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["owner"].choices = [(person.pk, person.name) for person in people]

    def clean_owner(self) -> User:
        return self.people[self.cleaned_data["owner"]]


class NoteForm(Form):
    body = forms.CharField(
        label="What you want to remember", required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only you can read this: not the other person, not anyone's manager, not HR.",
    )
