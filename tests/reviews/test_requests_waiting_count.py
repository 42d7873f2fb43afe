"""The Requests tab says how many requests wait for the reader's answer, on every feedback tab."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from reviews.services.requests import feedback_request_answer, feedback_request_create
from tests.conftest import login

COUNT = '<span class="tabs__count tabs__count--waiting">{}<span class="visually-hidden"> waiting for your answer</span></span>'


def ask(requester, subject, *respondents):
    return feedback_request_create(
        requester=requester, subject=subject, respondent_ids=[r.pk for r in respondents], visibility="shared",
        due_on=timezone.localdate() + datetime.timedelta(days=7), question="How did it go?",
    )


def test_it_counts_the_requests_waiting_for_me_on_each_tab(engineer, peer, manager, outsider):
    ask(engineer, engineer, peer)
    answered = ask(outsider, outsider, peer)
    feedback_request_answer(ask=answered.asks.get(), respondent=peer, kind="praise", body="Good.")
    for url in (reverse("reviews:timeline"), reverse("reviews:requests"), reverse("reviews:timeline") + "?tab=given"):
        assert COUNT.format(1) in login(peer).get(url).content.decode()
    ask(manager, engineer, manager.manager)
    assert COUNT.format(1) in login(manager.manager).get(reverse("reviews:timeline")).content.decode()


def test_it_shows_no_count_when_nothing_waits(engineer, manager):
    for person, url in ((engineer, reverse("reviews:timeline")), (manager, reverse("reviews:team"))):
        page = login(person).get(url).content.decode()
        assert "tabs__count--waiting" not in page
