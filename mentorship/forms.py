from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from people.models import User

from .models import AgendaTemplate, MentorProfile, Program, Style
from .selectors import Growth


class Form(forms.Form):
    """Labels without a trailing colon, as on the rest of the site's pages."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

DOMAINS_HELP = "Comma-separated, e.g. payments, data platform, mobile."


class _StyleChoice(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(queryset=Style.objects.all(), required=False, empty_label="No preference", **kwargs)


class MentorProfileForm(Form):
    """What a mentor offers; one offer checkbox per competency of their framework."""

    is_active = forms.BooleanField(label="I offer to mentor", required=False, initial=True)
    capacity = forms.IntegerField(label="Mentees at once", min_value=1, max_value=10, initial=2)
    domains = forms.CharField(label="Technical domains", required=False, max_length=300, help_text=DOMAINS_HELP)
    style = _StyleChoice(label="How I like to work")
    availability = forms.CharField(
        label="Availability", required=False, max_length=300,
        help_text="e.g. Tuesday and Thursday afternoons; not in August.",
    )
    paused_until = forms.DateField(
        label="Paused until", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to take new mentees now.",
    )

    def __init__(self, *args, growth: Growth | None, profile: MentorProfile | None = None, **kwargs):
        offered = {}
        if profile is not None:
            kwargs.setdefault("initial", {}).update(
                is_active=profile.is_active, capacity=profile.capacity, domains=profile.domains,
                style=profile.style_id, availability=profile.availability, paused_until=profile.paused_until,
            )
            offered = {o.competency: o.proficiency for o in profile.offers.all()}
        super().__init__(*args, **kwargs)
        self.growth = growth
        self.competencies = []
        if growth is None:
            return
        choices = [("", "How far along?")] + [(value, f"{value} · {name}") for value, name in growth.scale]
        for gap in growth.gaps:
            self.fields[f"offer-{gap.slug}"] = forms.BooleanField(
                label=gap.name, required=False, initial=gap.slug in offered
            )
            if gap.slug not in growth.agreed:
                self.fields[f"level-{gap.slug}"] = forms.TypedChoiceField(
                    label=f"Your proficiency in {gap.name} (self-claimed)", choices=choices, coerce=int,
                    empty_value=None, required=False, initial=offered.get(gap.slug),
                )
            self.competencies.append(gap)

    def rows(self):
        names = dict(self.growth.scale) if self.growth else {}
        for gap in self.competencies:
            agreed = self.growth.agreed.get(gap.slug)
            yield {
                "gap": gap,
                "offer": self[f"offer-{gap.slug}"],
                "level": self[f"level-{gap.slug}"] if agreed is None else None,
                "agreed": agreed,
                "agreed_name": names.get(agreed, ""),
            }

    def clean_paused_until(self):
        day = self.cleaned_data["paused_until"]
        if day and day <= timezone.localdate():
            return None  # a return date in the past is no pause
        if day and day > timezone.localdate() + datetime.timedelta(days=366):
            raise ValidationError("Pause for a year at most; you can always pause again.")
        return day

    def offers(self) -> dict[str, int | None]:
        return {
            gap.slug: self.cleaned_data.get(f"level-{gap.slug}")
            for gap in self.competencies
            if self.cleaned_data.get(f"offer-{gap.slug}")
        }

    def clean(self):
        cleaned = super().clean()
        for gap in self.competencies:
            if cleaned.get(f"offer-{gap.slug}") and gap.slug not in self.growth.agreed and not cleaned.get(f"level-{gap.slug}"):
                self.add_error(f"level-{gap.slug}", f"Say how far along you are in {gap.name}.")
        return cleaned


class RequestForm(Form):
    goals = forms.CharField(
        label="What do you want to get out of it?", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A sentence or two your mentor reads first: what you want to be able to do.",
    )
    competencies = forms.MultipleChoiceField(
        label="Competencies to grow", widget=forms.CheckboxSelectMultiple,
        help_text="Your largest gaps to your next level are chosen for you; change them freely.",
    )
    domains = forms.CharField(label="Technical domains", required=False, max_length=300, help_text=DOMAINS_HELP)
    style = _StyleChoice(label="Preferred way of working")
    duration = forms.IntegerField(label="Duration (months)")

    def __init__(self, *args, growth: Growth, program: Program, **kwargs):
        super().__init__(*args, **kwargs)
        def label(gap):
            if gap.size > 0:
                return f"{gap.name} — {gap.assessed} now, {gap.target} at {growth.next_title}"
            return f"{gap.name} — already {gap.assessed}"

        ordered = growth.largest + [g for g in growth.gaps if g.size <= 0]
        self.fields["competencies"].choices = [(gap.slug, label(gap)) for gap in ordered]
        self.fields["competencies"].initial = [gap.slug for gap in growth.largest[:3]]
        duration = self.fields["duration"]
        duration.min_value, duration.max_value = program.duration_min, program.duration_max
        duration.validators = []
        duration.widget.attrs.update(min=program.duration_min, max=program.duration_max)
        duration.initial = program.duration_default
        duration.help_text = f"Between {program.duration_min} and {program.duration_max} months."
        self.program = program

    def clean_duration(self):
        months = self.cleaned_data["duration"]
        if not self.program.duration_min <= months <= self.program.duration_max:
            raise ValidationError(f"Choose between {self.program.duration_min} and {self.program.duration_max} months.")
        return months

    def clean_competencies(self):
        chosen = self.cleaned_data["competencies"]
        if len(chosen) > 8:
            raise ValidationError("Choose at most eight: a mentorship that grows everything grows nothing.")
        return chosen


class ProgramForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    class Meta:
        model = Program
        fields = [
            "name", "slug", "description", "starts_on", "ends_on", "is_open", "departments", "cadence",
            "duration_min", "duration_default", "duration_max", "grace_days",
            "weight_gap", "weight_domain", "weight_style", "weight_timezone", "self_claimed",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "departments": forms.CheckboxSelectMultiple,
        }


class OverrideForm(Form):
    mentor = forms.ModelChoiceField(queryset=User.objects.none(), label="Mentor instead")
    reason = forms.CharField(label="Why", max_length=500, help_text="Kept with the round's history, for HR.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = User.objects.filter(mentor_profile__is_active=True, is_active=True).order_by("name")


class ReasonForm(Form):
    reason = forms.CharField(
        label="Reason", max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The other side reads it: say why, kindly.",
    )


class ReflectionForm(Form):
    text = forms.CharField(label="Closing reflection", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))


class TouchpointForm(Form):
    starts_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    minutes = forms.IntegerField(label="Minutes", min_value=15, max_value=240, initial=45)
    template = forms.ModelChoiceField(
        queryset=AgendaTemplate.objects.all(), required=False, label="Agenda template", empty_label="None"
    )
    agenda = forms.CharField(
        label="Agenda", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Leave empty to start from the template.",
    )


class MoveForm(Form):
    starts_at = TouchpointForm.base_fields["starts_at"]
    minutes = TouchpointForm.base_fields["minutes"]


class NotesForm(Form):
    version = forms.CharField(widget=forms.HiddenInput, required=False)
    agenda = forms.CharField(label="Agenda", required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    notes = forms.CharField(
        label="Shared notes", required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
        help_text="Only the two of you read these.",
    )
    held = forms.BooleanField(label="We met", required=False, help_text="Tick once the meeting has happened.")


class ActionForm(Form):
    text = forms.CharField(label="Action", max_length=300)
    owner = forms.TypedChoiceField(label="Owner", coerce=int)
    due_on = forms.DateField(label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, people: list[User], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {person.pk: person for person in people}
        self.fields["owner"].choices = [(person.pk, person.name) for person in people]

    def clean_owner(self) -> User:
        return self.people[self.cleaned_data["owner"]]
