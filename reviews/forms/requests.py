"""Forms of feedback requests: asking, answering, declining. The rules are the services'."""

from __future__ import annotations

import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from people.models import User, normalize_email

from ..models import Feedback, FeedbackRequest
from ..models.feedback import BODY_MAX_LENGTH, PROJECT_MAX_LENGTH, QUESTION_MAX_LENGTH
from ..services.requests import ASKED_AT_MOST, DECLINE_REASON_MAX_LENGTH, DUE_WITHIN

DUE_IN = datetime.timedelta(days=7)


def _too_long(what: str) -> dict[str, str]:
    return {"max_length": f"Keep {what} under %(limit_value)d characters: it has %(show_value)d."}
_SEPARATORS = re.compile(r"[\s,;]+")


class Form(forms.Form):
    """Labels without a trailing colon, as on the rest of the site's pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def readers(visibility: str, subject: User, *, viewer: User) -> str:
    """Who will read the answers to a request about `subject`, said plainly to `viewer`."""
    if subject.pk == viewer.pk:
        return "You will read the answers, and so will your manager chain and HR."
    name = subject.get_short_name()
    if visibility == Feedback.Visibility.SHARED:
        return f"{name} will read the answers, and so will {name}'s manager chain and HR."
    return (
        f"Only {name}'s manager chain will read the answers. "
        f"{name} will never see this request, who was asked or what they said."
    )


def answer_readers(request: FeedbackRequest) -> str:
    """Who will read an answer, said plainly to the colleague asked."""
    name = request.subject.get_short_name()
    if request.visibility == Feedback.Visibility.SHARED:
        return f"Your answer will be shared with {name}, {name}'s manager chain and HR."
    return f"Your answer will be private to {name}'s manager chain: {name} will never see it, nor that you were asked."


class _Ids(forms.Field):
    """Repeated ids (`respondents=3&respondents=7`), as the people search's checkboxes post them."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, (list, tuple)) else [value]
        try:
            return [int(v) for v in values]
        except (TypeError, ValueError):
            raise ValidationError("Choose colleagues from the search.") from None


class RequestForm(Form):
    respondents = _Ids(required=False)
    respondent_emails = forms.CharField(
        label="Their e-mail addresses",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off", "spellcheck": "false"}),
        help_text="Separate addresses with commas or new lines.",
        error_messages=_too_long("the addresses"),
    )
    question = forms.CharField(
        label="Your question",
        required=False,
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What would you like to hear about? e.g. How did I run the design review?",
        error_messages=_too_long("the question"),
    )
    project = forms.CharField(
        label="Project", required=False, max_length=PROJECT_MAX_LENGTH, help_text="Optional.",
        error_messages=_too_long("the project's name"),
    )
    competencies = forms.TypedMultipleChoiceField(
        label="Competencies", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    visibility = forms.ChoiceField(label="Who reads the answers", widget=forms.RadioSelect)
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, requester: User, subject: User, groups, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("due_on", timezone.localdate() + DUE_IN)
        super().__init__(*args, **kwargs)
        self.requester, self.subject = requester, subject
        self.asking_about_self = requester.pk == subject.pk
        name = subject.get_short_name()
        if groups:
            self.fields["competencies"].choices = [
                (area, [(c.pk, c.name) for c in members]) for area, members in groups
            ]
            self.fields["competencies"].help_text = f"Of {name}'s career framework; optional."
        else:
            del self.fields["competencies"]
        shared = Feedback.Visibility.SHARED
        if self.asking_about_self:
            self.fields["visibility"].choices = [(shared, "Shared with you")]
            self.fields["visibility"].initial = shared
            self.fields["visibility"].error_messages["invalid_choice"] = (
                "Answers to a request about yourself are shared with you; "
                "only your manager can ask for answers private to your manager chain."
            )
        else:
            self.fields["visibility"].choices = [
                (shared, f"Shared with {name}"),
                (Feedback.Visibility.PRIVATE, f"Private to {name}'s manager chain"),
            ]
        self.fields["visibility"].error_messages["required"] = "Choose who may read the answers."
        self.fields["due_on"].error_messages["invalid"] = "Enter a date, e.g. 2026-03-14."
        # The date picker offers only the days the service takes.
        today = timezone.localdate()
        self.fields["due_on"].widget.attrs.update(min=today.isoformat(), max=(today + DUE_WITHIN).isoformat())
        self.fields["due_on"].error_messages["required"] = "Choose a due date."

    def visibility_explained(self) -> list[tuple[str, str, str]]:
        """(value, label, who reads the answers) for each choice, for the radio buttons."""
        return [
            (value, label, readers(value, self.subject, viewer=self.requester))
            for value, label in self.fields["visibility"].choices
        ]

    def clean_respondent_emails(self) -> list[User]:
        text = self.cleaned_data.get("respondent_emails", "")
        addresses = list(dict.fromkeys(normalize_email(a) for a in _SEPARATORS.split(text) if a.strip()))
        if len(addresses) > ASKED_AT_MOST:
            raise ValidationError(f"Ask at most {ASKED_AT_MOST} colleagues at a time.")
        if not addresses:
            return []
        people = {u.email: u for u in User.objects.filter(email__in=addresses)}
        problems = []
        for address in addresses:
            person = people.get(address)
            if person is None:
                problems.append(f"Nobody here has the address {address}.")
            elif not person.is_active:
                problems.append(f"{address} ({person.name}) no longer works here.")
        if problems:
            raise ValidationError(problems)
        return [people[address] for address in addresses]

    def respondent_ids(self) -> list[int]:
        """Everyone named, picked in the search or typed as an address, once each, in order."""
        ids = list(self.cleaned_data.get("respondents") or [])
        ids += [person.pk for person in self.cleaned_data.get("respondent_emails") or []]
        return list(dict.fromkeys(ids))


class AnswerForm(Form):
    # Not required here: the service says a missing kind together with every other problem.
    kind = forms.ChoiceField(
        label="Kind", choices=Feedback.Kind.choices, widget=forms.RadioSelect, required=False,
        error_messages={"required": "Choose praise or growth.", "invalid_choice": "Choose praise or growth."},
    )
    body = forms.CharField(
        label="Your feedback",
        required=False,  # the service says what is missing, in its own words
        max_length=BODY_MAX_LENGTH * 2,
        error_messages=_too_long("it"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What they did, and why it mattered. Specific beats general.",
    )
    competencies = forms.TypedMultipleChoiceField(
        label="Competencies", required=False, coerce=int, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        if groups:
            self.fields["competencies"].choices = [
                (area, [(c.pk, c.name) for c in members]) for area, members in groups
            ]
        else:
            del self.fields["competencies"]


class DeclineForm(Form):
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=DECLINE_REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. I have not worked with them on this. The person who asked reads it.",
        error_messages=_too_long("the reason"),
    )
