"""Forms of 1:1s: they read and type what is posted; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import Truncator

from people.models import User, normalize_email

from ..models import Series
from ..models.oneonones import ACTION_MAX_LENGTH, NOTE_MAX_LENGTH, POINT_MAX_LENGTH, TITLE_MAX_LENGTH
from ..services.oneonones import MINUTES_MAX, MINUTES_MIN


class Form(forms.Form):
    """Labels without a trailing colon, as on the rest of the site's pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def _too_long(what: str) -> str:
    return f"Keep {what} under %(limit_value)d characters (it has %(show_value)d)."


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Write a date as year-month-day, e.g. 2026-03-14."},
        **kwargs,
    )


def _moment(label: str, required: str, **kwargs) -> forms.DateTimeField:
    """A day and a time, read on the reader's clock (the site's middleware sets it);
    `required` says what to do when it is left empty."""
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={"required": required, "invalid": "Write a day and a time, e.g. 2026-03-14 10:00."},
        **kwargs,
    )


class _Settings(Form):
    title = forms.CharField(
        label="Title", required=False, max_length=TITLE_MAX_LENGTH,
        help_text="Optional, e.g. “Weekly 1:1” or “Mentoring on system design”.",
        error_messages={"max_length": _too_long("the title")},
    )
    cadence = forms.ChoiceField(
        label="How often", choices=Series.Cadence.choices, initial=Series.Cadence.WEEKLY,
        error_messages={
            "required": "Choose how often you meet.",
            "invalid_choice": "Choose how often: every week, every two weeks or every month.",
        },
    )
    minutes = forms.TypedChoiceField(
        label="How long", coerce=int, initial=30,
        error_messages={"required": "Choose how long a meeting lasts.", "invalid_choice": "Choose how long from the list."},
        choices=[(m, f"{m} minutes") for m in (15, 20, 25, 30, 45, 60, 90, 120) if MINUTES_MIN <= m <= MINUTES_MAX],
    )


class SeriesForm(_Settings):
    """A new series: with whom (picked from the search, or by e-mail address without
    JavaScript), how often, how long, and the first meeting."""

    field_order = ["with_email", "first_at", "cadence", "minutes", "title"]

    with_email = forms.EmailField(
        label="Their work e-mail address", required=False, max_length=254,
        help_text="The address they sign in with, e.g. sam.rivera@example.com.",
    )
    first_at = _moment("First meeting", "Choose the day and time of the first meeting.", help_text="On your clock. The meetings after it follow at the same time.")

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


class SettingsForm(_Settings):
    """A running series' settings, and when its next meeting is."""

    field_order = ["next_at", "cadence", "minutes", "title"]

    next_at = _moment("Next meeting", "Choose the day and time of the next meeting.")

    @classmethod
    def for_series(cls, series: Series, **kwargs) -> SettingsForm:
        initial = {"title": series.title, "cadence": series.cadence, "minutes": series.minutes}
        if series.next_at:
            initial["next_at"] = timezone.localtime(series.next_at).replace(second=0, microsecond=0)
        return cls(initial=initial, **kwargs)


class FeedbackOptions(list):
    """The (id, label) pairs of the feedback a talking point may link to."""


def feedback_options(feedback) -> FeedbackOptions:
    # A few of its words with it: "Praise from Marcus to Ada, 3 Nov" alone tells a week's apart.
    return FeedbackOptions(
        (
            f.pk,
            f"{f.get_kind_display()} from {f.giver.name} to {f.subject.get_short_name()}, "
            f"{timezone.localtime(f.created_at):%-d %b %Y}: “{Truncator(' '.join(f.body.split())).chars(60)}”",
        )
        for f in feedback
    )


class PointForm(Form):
    text = forms.CharField(
        label="Talking point", max_length=POINT_MAX_LENGTH,
        widget=forms.TextInput(attrs={"placeholder": "What do you want to talk about?"}),
        error_messages={"required": "Write what you want to talk about.", "max_length": _too_long("a talking point")},
    )
    competency = forms.TypedChoiceField(
        label="About a competency", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Choose a competency from the list, or none."},
    )
    feedback = forms.TypedChoiceField(
        label="About feedback", required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "Choose feedback from the list, or none."},
    )

    def __init__(self, *args, competencies=(), feedback=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [("", "None")] + [
            (owner, [(c.pk, c.name) for c in group]) for owner, group in competencies
        ]
        # Feedback as (id, label) pairs (see feedback_options), worked out once for every
        # form on a page; Feedback rows are labelled here.
        self.fields["feedback"].choices = [("", "None")] + (
            feedback if isinstance(feedback, FeedbackOptions) else feedback_options(feedback)
        )
        self.fields["feedback"].help_text = "Only feedback both of you can read is listed."
        if not competencies:
            del self.fields["competency"]
        if not feedback:
            del self.fields["feedback"]


class ActionForm(Form):
    text = forms.CharField(
        label="Action", max_length=ACTION_MAX_LENGTH,
        error_messages={"required": "Say what will be done.", "max_length": _too_long("an action")},
    )
    owner = forms.TypedChoiceField(
        label="Who", coerce=int,
        error_messages={"required": "Choose who does it.", "invalid_choice": "Choose one of the two of you."},
    )
    due_on = _date("Due", required=False)

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        # The date picker offers today and the days to come, as the service takes.
        self.fields["due_on"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.people = {person.pk: person for person in people}
        self.fields["owner"].choices = [(person.pk, person.name) for person in people]

    def clean_owner(self) -> User:
        return self.people[self.cleaned_data["owner"]]


class NoteForm(Form):
    body = forms.CharField(
        label="What you want to remember", required=False, max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Only you can read this: not the other person, not anyone's manager, not HR.",
        error_messages={"max_length": _too_long("your note")},
    )
