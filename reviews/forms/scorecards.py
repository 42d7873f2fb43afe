"""The scorecard form: it reads what is posted for each focus competency of an interview
(a point of the kit's scale and the evidence), the take-aways and a recommendation; the
rules (what submitting asks, who may write) are the services'."""

from __future__ import annotations

from django import forms

from ..models import KitCompetency, ScalePoint, Scorecard
from ..models.interviews import EVIDENCE_MAX_LENGTH, TEXT_MAX_LENGTH


def _too_long(what: str) -> str:
    return f"Keep {what} under %(limit_value)d characters (it has %(show_value)d)."


class ScorecardForm(forms.Form):
    """Fields `point-<focus>` and `evidence-<focus>` for each focus competency (the names the
    services give their errors), then `takeaways` and `recommendation`."""

    takeaways = forms.CharField(
        label="Key take-aways",
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"max_length": _too_long("the take-aways")},
        help_text="What the panel should know: the strongest evidence either way.",
    )
    recommendation = forms.ChoiceField(
        label="Overall recommendation",
        required=False,
        choices=Scorecard.Recommendation.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose one of the recommendations shown."},
    )

    def __init__(self, *args, focus: list[KitCompetency], points: list[ScalePoint], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.focus = focus
        self.points = points
        choices = [(str(p.pk), f"{p.value} {p.label}") for p in points]
        for f in focus:
            self.fields[f"point-{f.pk}"] = forms.ChoiceField(
                label=f"Rating for {f.competency.name}",
                required=False,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose a point of this kit's scale for {f.competency.name}."},
            )
            self.fields[f"evidence-{f.pk}"] = forms.CharField(
                label=f"Evidence for {f.competency.name}",
                required=False,
                max_length=EVIDENCE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={"max_length": _too_long("the evidence")},
            )

    @classmethod
    def for_scorecard(cls, scorecard: Scorecard, *, focus, points, data=None) -> ScorecardForm:
        """The form for `scorecard`, filled with what it says now (ratings prefetched)."""
        initial = {"takeaways": scorecard.takeaways, "recommendation": scorecard.recommendation}
        for rating in scorecard.ratings.all():
            initial[f"point-{rating.focus_id}"] = str(rating.point_id) if rating.point_id else ""
            initial[f"evidence-{rating.focus_id}"] = rating.evidence
        return cls(data, initial=initial, focus=focus, points=points)

    def ratings(self) -> dict[int, tuple[int | None, str]]:
        """What the services take: focus id -> (scale point id or None, evidence)."""
        data = self.cleaned_data
        return {
            f.pk: (int(data[f"point-{f.pk}"]) if data.get(f"point-{f.pk}") else None, data.get(f"evidence-{f.pk}", ""))
            for f in self.focus
        }
