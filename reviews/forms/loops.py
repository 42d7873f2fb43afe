"""Forms of the hiring pages: a candidate, a loop, an interview, the decision. They read what
was typed (people by their e-mail addresses); the rules are the services', which say every
problem at its field."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q

from people.models import User

from ..models import Interview, Kit, Loop
from ..models.interviews import NAME_MAX_LENGTH, TEXT_MAX_LENGTH
from .feedback import Form, IdsField, OfferedChoice

ADDRESSES_MAX = 20
SEPARATORS = re.compile(r"[\s,;]+")


def people_by_address(text: str, *, most: int = ADDRESSES_MAX) -> list[User]:
    """The colleagues whose e-mail addresses are typed in `text` (one a line, or separated by
    commas or spaces), in the order typed; an address nobody here has is reported."""
    addresses = list(dict.fromkeys(a.strip().lower() for a in SEPARATORS.split(text or "") if a.strip()))
    if len(addresses) > most:
        raise ValidationError(f"Name at most {most} people.")
    if not addresses:
        return []
    wanted = Q()
    for address in addresses:
        wanted |= Q(email__iexact=address)
    found = {u.email.lower(): u for u in User.objects.filter(wanted, is_active=True)}
    unknown = [a for a in addresses if a not in found]
    if unknown:
        raise ValidationError(f"Nobody who works here has the address {', '.join(unknown)}.")
    return [found[a] for a in addresses]


class CandidateForm(Form):
    name = forms.CharField(label="Name", max_length=NAME_MAX_LENGTH, required=False, strip=True)
    email = forms.CharField(
        label="E-mail address", required=False, strip=True, help_text="Optional: only if the hiring team must reach them."
    )
    phone = forms.CharField(label="Phone", required=False, strip=True)
    source = forms.CharField(label="Source", required=False, strip=True, help_text="Optional: e.g. Referral, Job board.")
    notes = forms.CharField(
        label="Notes",
        required=False,
        strip=True,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only what the hiring team needs. Erasing the candidate removes it.",
    )


class PersonField(forms.CharField):
    """One colleague, by e-mail address."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        people = people_by_address(value, most=1)
        return people[0] if people else None


class PeopleField(forms.CharField):
    """Colleagues by e-mail address, one a line."""

    widget = forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"})

    def clean(self, value):
        return people_by_address(super().clean(value))


class PeopleIdsField(IdsField):
    """Colleagues ticked among those the people search found."""

    def to_python(self, value) -> list[int]:
        try:
            ids = super().to_python(value)
        except ValidationError:
            ids = None
        if ids is None or any(not 0 < pk < 2**63 for pk in ids):
            # Not a key (SQLite cannot even look a larger number up).
            raise ValidationError("Choose interviewers among the colleagues found.")
        return ids


class LoopForm(Form):
    kit = forms.ModelChoiceField(
        label="Role (interview kit)",
        queryset=Kit.objects.filter(is_archived=False).select_related("track", "level"),
        required=False,
        empty_label="Choose a kit",
    )
    target_level = OfferedChoice(
        label="Target level",
        required=False,
        help_text="On the kit's track. Leave it to aim at the kit's own level.",
    )
    hiring_manager = PersonField(
        label="Hiring manager", required=False, help_text="Their e-mail address.", widget=forms.EmailInput
    )
    hiring_team = PeopleField(
        label="Hiring team",
        required=False,
        help_text="Optional: e-mail addresses, one a line, of the people besides the hiring manager.",
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target_level"].choices = [("", "The kit's level"), *levels]

    def clean(self):
        data = super().clean()
        if self.errors:
            # Another field is wrong already: name every missing choice now, not one try later.
            _missing(self, data, {"kit": "Choose a kit in use.", "hiring_manager": "Choose a hiring manager who works here."})
        return data


def _missing(form: forms.Form, data: dict, messages: dict[str, str]) -> None:
    """Say at each field of `messages` left empty (and not wrong already) what it needs: the
    services' own words, which they would say once the rest is right."""
    for field, message in messages.items():
        if field not in form.errors and not data.get(field):
            form.add_error(field, message)


class InterviewForm(Form):
    stage = OfferedChoice(label="Stage", choices=[("", "Choose a stage"), *Interview.Stage.choices], required=False)
    title = forms.CharField(label="Title", required=False, strip=True, help_text="Optional, e.g. Pairing on a bug.")
    starts_at = forms.DateTimeField(
        label="Starts at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        error_messages={"invalid": "Enter the day and time as 2026-05-04 14:30."},
    )
    minutes = forms.IntegerField(label="Minutes", required=False, initial=60)
    focus = IdsField(label="Focus competencies", required=False)
    questions = IdsField(label="Questions", required=False)
    interviewers = PeopleField(label="Interviewers", required=False, help_text="E-mail addresses, one a line.")
    # Colleagues ticked among those the people search found.
    interviewer_ids = PeopleIdsField(label="Interviewers found", required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            # Another field is wrong already: name every missing choice now, not one try later.
            _missing(self, data, {
                "stage": "Choose a stage.",
                "starts_at": "Choose the day and time of the interview.",
                "focus": "Choose at least one of the kit's focus competencies.",
            })
        return data


class DecideForm(Form):
    decision = OfferedChoice(label="Decision", choices=Loop.Decision.choices, required=False, widget=forms.RadioSelect)
    decided_level = OfferedChoice(label="Level offered", required=False, help_text="Optional.")
    reason = forms.CharField(
        label="Reason",
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required: it is part of the record.",
    )

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_level"].choices = [("", "Not said"), *levels]
