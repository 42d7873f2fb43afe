"""Linking a talking point to feedback: each choice shows a few of its words, so that
pieces from the same person a week apart can be told apart; private feedback is never one."""

from __future__ import annotations

import datetime

from django.utils import timezone

from reviews.models import Meeting
from reviews.services.feedback import feedback_give
from reviews.services.oneonones import series_create
from tests.conftest import login


def test_each_feedback_choice_shows_the_start_of_its_words(manager, engineer, peer):
    series = series_create(
        actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2), minutes=30, title=""
    )
    shared = feedback_give(
        giver=peer, subject=engineer, kind="praise", visibility="shared",
        body="The incident write-up was clear,\nblameless and out within a day; the team now uses it as a template.",
    )
    private = feedback_give(giver=peer, subject=engineer, kind="growth", visibility="private", body="PRIVATE-WORDS")
    page = login(engineer).get(Meeting.objects.get(series=series).get_absolute_url())
    choices = dict(page.context["point_form"].fields["feedback"].choices)
    assert choices[shared.pk].startswith(f"Praise from {peer.name} to Ada, ")
    assert choices[shared.pk].endswith(": “The incident write-up was clear, blameless and out within a…”")
    assert private.pk not in choices
    assert b"PRIVATE-WORDS" not in page.content
