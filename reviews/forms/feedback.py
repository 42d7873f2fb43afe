"""Forms of the feedback pages. They read what was typed; the rules (who may receive it,
which competencies, how long) are the services', which say every problem at its field."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from people.models import User

from ..models import Feedback, Reaction
from ..selectors.feedback import colleague_find


class Form(forms.Form):
    """Labels without a trailing colon, as on the rest of the site's pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class IdsField(forms.Field):
    """Ids ticked in a list of checkboxes the template draws itself (the competency picker)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        try:
            return list(dict.fromkeys(int(v) for v in value))
        except (TypeError, ValueError):
            raise ValidationError("Choose competencies from the list.") from None


class OfferedChoice(forms.ChoiceField):
    """Choices the template offers; whether a value is allowed is the service's to say."""

    def validate(self, value) -> None:
        pass


class _WordsForm(Form):
    """What feedback says: its kind, tags, project and words."""

    kind = OfferedChoice(label="Kind", choices=Feedback.Kind.choices, required=False, widget=forms.RadioSelect)
    competencies = IdsField(label="Competencies", required=False)
    project = forms.CharField(
        label="Project", required=False, strip=True, help_text="Optional: what it was about, e.g. Checkout."
    )
    body = forms.CharField(
        label="What happened, and why it mattered",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 7}),
        help_text="Say what they did, the effect it had, and what to keep or change.",
    )


class GiveForm(_WordsForm):
    """Who it is for comes as a colleague picked in the search (`to`, their id) or, without
    JavaScript, as an e-mail address typed into `person`."""

    person = forms.CharField(label="Who is it for?", required=False, max_length=254)
    to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    visibility = OfferedChoice(
        label="Who may read it", choices=Feedback.Visibility.choices, required=False, widget=forms.RadioSelect
    )
    field_order = ["person", "to", "kind", "competencies", "project", "body", "visibility"]

    def clean(self):
        cleaned = super().clean()
        if "to" in self.errors or "person" in self.errors:
            return cleaned
        cleaned["subject"] = self.subject_or_error()
        return cleaned

    def subject_or_error(self) -> User | None:
        """The colleague chosen, or None with the problem said at `person`."""
        chosen = self.cleaned_data.get("to")
        typed = (self.cleaned_data.get("person") or "").strip()
        if chosen is not None and "@" in typed:
            # Typed after choosing (without JavaScript the choice stays on the page):
            # a whole address of a colleague is the latest word.
            found = colleague_find(email=typed)
            if found is not None:
                return found
        if chosen is not None:
            found = colleague_find(pk=chosen)
            if found is None:
                self.add_error("person", "Choose someone who works here.")
            return found
        if not typed:
            self.add_error("person", "Choose who the feedback is for: type their name, or their e-mail address.")
            return None
        if "@" not in typed:
            self.add_error("person", "Type their whole e-mail address (name@example.com), or choose them from the matches.")
            return None
        found = colleague_find(email=typed)
        if found is None:
            self.add_error("person", f"Nobody working here has the address {typed[:80]}.")
        return found


class EditForm(_WordsForm):
    pass


class ReplyForm(Form):
    body = forms.CharField(label="Your reply", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 3}))


class ReactForm(Form):
    reaction = forms.ChoiceField(label="Your reaction", choices=[("", "No reaction"), *Reaction.choices], required=False)


PERIODS = {
    "all": "All time",
    "30d": "Last 30 days",
    "quarter": "This quarter",
    "year": "This year",
}


class DateInput(forms.DateInput):
    input_type = "date"


def _plausible(day: datetime.date) -> None:
    if not 1900 <= day.year <= 2999:
        raise ValidationError("Choose a date between the years 1900 and 2999.")


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput,
        validators=[_plausible],
        error_messages={"invalid": "Write a date as year-month-day, e.g. 2025-03-31."},
    )


class TimelineFilter(Form):
    """A timeline's filters, from the address. A value not understood is said at its field
    and left out: the page shows what it can rather than failing."""

    competency = forms.ChoiceField(label="Competency", required=False)
    period = forms.ChoiceField(label="Period", choices=list(PERIODS.items()), required=False)
    since = _date_field("From")
    until = _date_field("To")

    def __init__(self, *args, competencies: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [("", "Every competency"), *competencies.items()]
        self.fields["competency"].error_messages["invalid_choice"] = "No feedback here is tagged with “%(value)s”."
        self.fields["period"].error_messages["invalid_choice"] = "Choose one of the periods offered."

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", "The end comes before the start: choose a later date.")
        return cleaned

    def chosen(self) -> dict:
        """What the valid filters ask for: a competency slug and [since, until) as times."""
        self.is_valid()
        data = self.cleaned_data
        today = timezone.localdate()
        start = data.get("since") if "since" not in self.errors else None
        end = data.get("until") if "until" not in self.errors else None
        if start is None and end is None:
            period = data.get("period") or "all"
            if period == "30d":
                start = today - datetime.timedelta(days=30)
            elif period == "quarter":
                start = today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1)
            elif period == "year":
                start = today.replace(month=1, day=1)

        def moment(day: datetime.date | None) -> datetime.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        return {
            "competency": data.get("competency") or "",
            "since": moment(start),
            "until": moment(end + datetime.timedelta(days=1)) if end else None,
            "filtered": bool(data.get("competency") or start or end),
        }
