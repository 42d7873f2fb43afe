"""One piece of feedback says who reads it in words for the reader: its subject reads "you",
and its giver is named besides only when they are not in the manager chain already."""

from __future__ import annotations

from django.urls import reverse

from reviews.services.feedback import feedback_give
from tests.conftest import login


def readers_line(client, feedback) -> str:
    page = client.get(reverse("reviews:feedback", args=[feedback.pk])).content.decode()
    start = page.index("<strong>Who can read it:</strong>")
    return page[start : page.index("</p>", start)]


def test_the_subject_reads_you_and_your_manager_chain(engineer, peer):
    feedback = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Thanks.")
    line = readers_line(login(engineer), feedback)
    assert "You, your manager chain (Marcus Chen, Daniel Osei) and HR." in line
    assert "And Sam, who gave it." in line


def test_a_giver_in_the_chain_is_not_named_twice(engineer, manager, skip_level):
    feedback = feedback_give(giver=manager, subject=engineer, kind="praise", visibility="shared", body="Thanks.")
    assert "who gave it" not in readers_line(login(engineer), feedback)
    assert "who gave it" not in readers_line(login(skip_level), feedback)
    assert "Ada, their manager chain (Marcus Chen, Daniel Osei) and HR." in readers_line(login(skip_level), feedback)
