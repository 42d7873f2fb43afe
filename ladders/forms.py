from django import forms
from django.core.exceptions import ValidationError

from .models import Assessment, Level, Rating
from .services.assessments import EVIDENCE_MAX_LENGTH


class AssessmentStartForm(forms.Form):
    level = forms.ChoiceField(label="Assess against")

    def __init__(self, *args, levels: list[Level], **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = {level.code: level for level in levels}
        self.fields["level"].choices = [(level.code, level.title) for level in levels]

    def clean_level(self) -> Level:
        return self.levels[self.cleaned_data["level"]]


def _long_text(label: str, *, initial: str = "") -> forms.CharField:
    """A text area with a limit the page shows as a counter: the browser's own limit
    would cut pasted text silently, so the field refuses it with a message instead."""
    field = forms.CharField(
        label=label,
        required=False,
        max_length=EVIDENCE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "data-limit": EVIDENCE_MAX_LENGTH}),
        initial=initial,
        error_messages={
            "max_length": f"Keep this under {EVIDENCE_MAX_LENGTH:,} characters: it has %(show_value)s. "
            "Nothing was cut; shorten it or move detail to a linked document."
        },
    )
    field.widget.attrs.pop("maxlength", None)
    return field


class AssessmentForm(forms.Form):
    """One proficiency and one piece of evidence per competency, plus an overall comment."""

    summary = _long_text("Overall comment")

    def __init__(self, *args, assessment: Assessment, ratings: list[Rating], scale, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"]["summary"] = assessment.summary
        super().__init__(*args, **kwargs)
        self.ratings = ratings
        # "Not yet" lets a draft say a competency has not been thought about.
        choices = [(p.pk, f"{p.value} · {p.name}") for p in scale] + [("", "Not yet")]
        for rating in ratings:
            cid = rating.competency_id
            self.fields[f"competency-{cid}"] = forms.TypedChoiceField(
                label=rating.competency.name,
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=rating.proficiency_id,
            )
            self.fields[f"evidence-{cid}"] = _long_text(f"Evidence for {rating.competency.name}", initial=rating.evidence)

    def rows(self):
        for rating in self.ratings:
            cid = rating.competency_id
            yield rating, self[f"competency-{cid}"], self[f"evidence-{cid}"]

    def ratings_data(self) -> dict[int, tuple[int | None, str]]:
        return {
            r.competency_id: (
                self.cleaned_data.get(f"competency-{r.competency_id}"),
                self.cleaned_data.get(f"evidence-{r.competency_id}", ""),
            )
            for r in self.ratings
        }

    def answers(self) -> dict:
        """The cleaned answers, as services.assessments.assessment_save takes them."""
        return {"summary": self.cleaned_data["summary"], "ratings": self.ratings_data()}

    def unrated(self) -> list[tuple[int, str]]:
        """(competency id, name) of every competency with an error, for the summary."""
        return [
            (r.competency_id, r.competency.name)
            for r in self.ratings
            if self.has_error(f"competency-{r.competency_id}") or self.has_error(f"evidence-{r.competency_id}")
        ]

    def add_service_errors(self, error: ValidationError) -> None:
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)
