"""Forms of the interview kit pages. They read what was typed; the rules (a published role,
a focus of the level's competencies, a scale that rises) are the services', which say every
problem at its field."""

from __future__ import annotations

from django import forms

from ..models.interviews import NAME_MAX_LENGTH, TEXT_MAX_LENGTH
from ..services.kits import ANCHOR_MAX_LENGTH, LABEL_MAX_LENGTH, OFFSET_LIMIT, SCALE_MAX_POINTS
from .feedback import Form, OfferedChoice


class KitForm(Form):
    """A new kit: its name, its role (a track and a level of a published version, as
    "<track pk>-<level pk>") and what it is for."""

    name = forms.CharField(
        label="Name", required=False, max_length=NAME_MAX_LENGTH, strip=True,
        help_text="The role and the interview, e.g. Senior Engineer, system design.",
    )
    role = OfferedChoice(label="Role", required=False, help_text="A level of a published ladder, on one of its tracks.")
    description = forms.CharField(
        label="Description", required=False, strip=True, max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Optional: what the interview covers and how it runs.",
    )

    def __init__(self, *args, roles: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Choose a role")] + roles

    def clean_role(self) -> tuple[int, int] | None:
        value = self.cleaned_data.get("role") or ""
        if not value:
            return None
        try:
            track, level = (int(part) for part in value.split("-"))
        except ValueError:
            raise forms.ValidationError("Choose a role from the list.") from None
        if value not in {choice for choice, _ in self.fields["role"].choices}:
            raise forms.ValidationError("Choose a role from the list: a level of a published ladder.")
        return track, level


class CopyForm(Form):
    """A copy of a kit: a new name and, if it differs, the level it is for."""

    name = forms.CharField(label="Name of the copy", required=False, max_length=NAME_MAX_LENGTH, strip=True)
    level = forms.TypedChoiceField(
        label="Level", coerce=int, required=True,
        help_text="Competencies the level has no expectation for are left out of the copy.",
        error_messages={"required": "Choose the level the copy is for.", "invalid_choice": "Choose a level from the list."},
    )

    def __init__(self, *args, levels: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = levels


class QuestionForm(Form):
    """A question's words and guidance, and the focus competencies it probes (by
    KitCompetency id, as checkboxes of the kit's focus)."""

    text = forms.CharField(label="Question", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 3}))
    good_looks_like = forms.CharField(
        label="What good looks like", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 3})
    )
    follow_ups = forms.CharField(label="Follow-ups", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2}))
    red_flags = forms.CharField(label="Red flags", required=False, strip=True, widget=forms.Textarea(attrs={"rows": 2}))
    competencies = forms.TypedMultipleChoiceField(
        label="Competencies it probes", required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose competencies the kit focuses on."},
    )

    def __init__(self, *args, focus: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competencies"].choices = focus


def _offset_words(offset: int) -> str:
    """An offset as the scale page offers it: "−1: one proficiency short of the level"."""
    if not offset:
        return "0: meets the level"
    count = abs(offset)
    amount = f"{count} proficienc{'y' if count == 1 else 'ies'}"
    return f"{offset:+d}: {amount} {'short of' if offset < 0 else 'above'} the level".replace("-", "\u2212", 1)


class ScaleForm(Form):
    """A kit's scale, point by point: `label-<n>`, `anchor-<n>` and `offset-<n>` for n from 1;
    a point with neither label nor anchor is left out (the scale ends before it)."""

    def __init__(self, *args, rows: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for n in range(1, rows + 1):
            self.fields[f"label-{n}"] = forms.CharField(
                label=f"Label of point {n}", required=False, strip=True, max_length=LABEL_MAX_LENGTH
            )
            self.fields[f"anchor-{n}"] = forms.CharField(
                label=f"Anchor of point {n}", required=False, strip=True, max_length=ANCHOR_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"offset-{n}"] = forms.TypedChoiceField(
                label=f"Where point {n} stands against the level", required=False, coerce=int, empty_value=0,
                choices=[(v, _offset_words(v)) for v in range(-OFFSET_LIMIT, OFFSET_LIMIT + 1)],
                error_messages={"invalid_choice": f"Choose an offset from -{OFFSET_LIMIT} to +{OFFSET_LIMIT}."},
            )

    def point_rows(self) -> list[dict]:
        return [
            {"value": n, "label": self[f"label-{n}"], "anchor": self[f"anchor-{n}"], "offset": self[f"offset-{n}"]}
            for n in range(1, self.rows + 1)
        ]

    def last_filled(self) -> int:
        """The last point given a label or an anchor (0 when none was)."""
        data = getattr(self, "cleaned_data", None) or {}
        raw = self.data
        last = 0
        for n in range(1, self.rows + 1):
            if data.get(f"label-{n}") or data.get(f"anchor-{n}") or (raw.get(f"label-{n}") or "").strip() \
                    or (raw.get(f"anchor-{n}") or "").strip():
                last = n
        return last

    def clean(self):
        """What can be said at a point's own field is said there; the rest (how many points,
        offsets that must rise) is the service's, at the top of the form."""
        cleaned = super().clean()
        last = self.last_filled()
        previous = None
        for n in range(1, last + 1):
            label, anchor = cleaned.get(f"label-{n}"), cleaned.get(f"anchor-{n}")
            if f"label-{n}" in self.errors or f"anchor-{n}" in self.errors:
                continue
            if not label and not anchor:
                self.add_error(f"label-{n}", f"Fill point {n} in, or clear the points after it: a scale has no gaps.")
                continue
            if not label:
                self.add_error(f"label-{n}", "Give the point a label.")
            if not anchor:
                self.add_error(f"anchor-{n}", "Say what the evidence looks like at this point.")
            offset = cleaned.get(f"offset-{n}")
            if offset is not None and previous is not None and offset < previous:
                self.add_error(f"offset-{n}", "A higher point cannot stand lower against the level than the one before.")
            if offset is not None:
                previous = offset
        return cleaned

    def points(self) -> list[tuple[int, str, str, int]]:
        """The points given, numbered in order (blank rows at the end are dropped)."""
        data = self.cleaned_data
        points = []
        for n in range(1, self.rows + 1):
            label, anchor = data.get(f"label-{n}", ""), data.get(f"anchor-{n}", "")
            if label or anchor:
                points.append((n, label, anchor, data.get(f"offset-{n}") or 0))
        return points


SCALE_ROWS = SCALE_MAX_POINTS
