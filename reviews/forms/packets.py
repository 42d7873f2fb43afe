"""Forms of the promotion packet pages. They read what was typed; the rules (a level above,
evidence per expectation, a reason for each decision) are the services', which say every
problem at its field."""

from __future__ import annotations

from django import forms

from ..models import Vote
from ..models.cycles import Rating
from ..models.packets import REASON_MAX_LENGTH, TEXT_MAX_LENGTH
from .feedback import Form

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OpenForm(Form):
    person = forms.TypedChoiceField(label="Who", coerce=int, empty_value=None)
    target_level = forms.TypedChoiceField(label="Target level", coerce=int, empty_value=None, required=False)

    def __init__(self, *args, people: list[tuple[int, str]], levels: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = people
        self.fields["target_level"].choices = [("", "Choose the level")] + levels


class EvidenceForm(Form):
    text = forms.CharField(label="Evidence", required=False, strip=True, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))
    links = forms.CharField(
        label="Links", required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One a line: a title, a space, then the address (design docs, pull requests, incidents).",
    )
    rating = forms.ChoiceField(label="Your rating", required=False, choices=[("", "Not yet")] + list(Rating.choices))
    # The words this copy showed (services.packets.words_digest), so that the other writer's
    # later words are not overwritten.
    seen = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def link_list(self) -> list[dict]:
        rows = []
        for line in (self.cleaned_data.get("links") or "").splitlines():
            line = line.strip()
            if not line:
                continue
            title, _, url = line.rpartition(" ")
            rows.append({"title": title.strip(), "url": url.strip()})
        return rows


def links_text(links: list[dict]) -> str:
    return "\n".join(f"{link['title']} {link['url']}" if link.get("title") != link.get("url") else link["url"] for link in links)


class CaseForm(Form):
    case = forms.CharField(label="Your case", required=False, strip=True, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="Why they work at the target level now: scope, impact, and how it was sustained.")


class EndorserForm(Form):
    endorser = forms.CharField(label="Ask a colleague to endorse it", required=False, strip=True,
                               help_text="Their e-mail address: someone who saw the work at the target level.")


class EndorsementForm(Form):
    text = forms.CharField(label="Your endorsement", required=False, strip=True, max_length=TEXT_MAX_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text="What you saw of their work at the target level, with examples.")


class RouteForm(Form):
    committee = forms.TypedChoiceField(label="Committee", coerce=int, empty_value=None, required=False)

    def __init__(self, *args, committees: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].choices = [("", "Choose a committee")] + committees


class VoteForm(Form):
    choice = forms.ChoiceField(label="Your vote", required=False, choices=Vote.Choice.choices, widget=forms.RadioSelect)
    comment = forms.CharField(label="Why", required=False, strip=True, max_length=REASON_MAX_LENGTH,
                              widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(Form):
    outcome = forms.ChoiceField(
        label="Decision", required=False,
        choices=[("approved", "Approve"), ("declined", "Decline"), ("deferred", "Defer")], widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reason", required=False, strip=True, max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 3}), help_text="The person and their manager read it.")
    effective_date = forms.DateField(label="New level from", required=False, widget=DATE, input_formats=["%Y-%m-%d"],
                                     help_text="For an approval.")


class WithdrawForm(Form):
    reason = forms.CharField(label="Why it is withdrawn", required=False, strip=True, max_length=REASON_MAX_LENGTH,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="The person, their managers and HR read it.")
