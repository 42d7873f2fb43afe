"""Who reaches which feedback and 1:1 page: every address of reviews, for every role.

The roles, around Ada (the subject): Sam gave her feedback (the giver, her
teammate), Tess is another teammate (a peer), Marcus manages both, Daniel
manages Marcus (skip-level), Helen is an HR admin, Nora works elsewhere.
"""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from people.services.reminders import reminders_dispatch
from reviews.services.feedback import feedback_give
from reviews.urls import feedback as feedback_urls
from reviews.urls import oneonones as oneonones_urls
from reviews.urls import requests as requests_urls
from reviews.urls import team as team_urls
from reviews.services.oneonones import action_add, note_save, point_add, series_create
from reviews.services.requests import feedback_request_answer, feedback_request_create
from tests.ladders.factories import document, place, publish
from tests.people.factories import UserFactory

SECRET_FEEDBACK = "Tell Marcus: the outage was partly her call"
SECRET_QUESTION = "Is she ready to lead the payments team"
SECRET_ANSWER = "Not yet, she avoids hard conversations"
MANAGERS_NOTE = "Worried about burnout after the launch"
ADAS_NOTE = "Ask about the staff engineer track"

ROLES = ("anonymous", "subject", "giver", "peer", "manager", "skip_level", "hr", "outsider")

# page: statuses for the roles above, in order. Forms posted empty: those who may use
# them get their answer (a redirect, or 400 with the message at the field); anyone else
# 404, as if nothing were there.
MATRIX = {
    "timeline": (302, 200, 200, 200, 200, 200, 200, 200),
    "give": (302, 200, 200, 200, 200, 200, 200, 200),
    "person_search": (302, 200, 200, 200, 200, 200, 200, 200),
    "competency_picker": (302, 200, 200, 200, 200, 200, 200, 200),
    "feedback": (302, 200, 200, 404, 200, 200, 200, 404),
    "feedback/private": (302, 404, 200, 404, 200, 200, 404, 404),
    "feedback_edit": (302, 404, 200, 404, 404, 404, 404, 404),
    "feedback_edit/private": (302, 404, 200, 404, 404, 404, 404, 404),
    "feedback_delete": (302, 404, 200, 404, 404, 404, 404, 404),
    "feedback_delete/private": (302, 404, 200, 404, 404, 404, 404, 404),
    "feedback_react": (302, 302, 404, 404, 404, 404, 404, 404),
    "feedback_react/private": (302, 404, 404, 404, 404, 404, 404, 404),
    "feedback_reply": (302, 400, 400, 404, 404, 404, 404, 404),
    "feedback_reply/private": (302, 404, 400, 404, 404, 404, 404, 404),
    "person_feedback": (302, 302, 404, 404, 200, 200, 200, 404),
    "requests": (302, 200, 200, 200, 200, 200, 200, 200),
    "request_new": (302, 200, 200, 200, 200, 200, 200, 200),
    "request_new/about": (302, 200, 404, 404, 200, 404, 404, 404),
    "request": (302, 200, 302, 404, 200, 200, 200, 404),
    "request/private": (302, 404, 302, 302, 200, 200, 404, 404),  # both teammates are asked
    "ask": (302, 404, 200, 404, 404, 404, 404, 404),
    "ask/private": (302, 404, 200, 404, 404, 404, 404, 404),
    "ask_decline": (302, 404, 200, 404, 404, 404, 404, 404),
    "team": (302, 404, 404, 404, 200, 200, 404, 404),
    "series_list": (302, 200, 200, 200, 200, 200, 200, 200),
    "series_new": (302, 200, 200, 200, 200, 200, 200, 200),
    "series": (302, 200, 404, 404, 200, 404, 404, 404),
    "series_edit": (302, 400, 404, 404, 400, 404, 404, 404),
    "series_end": (302, 302, 404, 404, 302, 404, 404, 404),
    "meeting": (302, 200, 404, 404, 200, 404, 404, 404),
    "point_add": (302, 400, 404, 404, 400, 404, 404, 404),
    "point": (302, 400, 404, 404, 400, 404, 404, 404),
    "action_add": (302, 400, 404, 404, 400, 404, 404, 404),
    "action": (302, 400, 404, 404, 400, 404, 404, 404),
    "note": (302, 302, 404, 404, 302, 404, 404, 404),
}
POSTED = {"feedback_react", "feedback_reply", "series_edit", "series_end", "point_add", "point", "action_add", "action", "note"}


@pytest.fixture
def world(engineer, peer, manager, skip_level, hr, outsider):
    backend = publish(document(slug="backend", levels=3, competencies=2))
    place(engineer, backend, "l2")
    teammate = UserFactory(email="tess@example.com", name="Tess Lund", manager=manager)
    due = timezone.localdate() + datetime.timedelta(days=3)
    shared = feedback_give(giver=peer, subject=engineer, kind="praise", visibility="shared", body="Calm incident lead.")
    private = feedback_give(giver=peer, subject=engineer, kind="growth", visibility="private", body=SECRET_FEEDBACK)
    asked = feedback_request_create(
        requester=engineer, subject=engineer, respondent_ids=[peer.pk], visibility="shared", due_on=due, question="How was my review?"
    )
    asked_privately = feedback_request_create(
        requester=manager, subject=engineer, respondent_ids=[peer.pk, teammate.pk], visibility="private", due_on=due,
        question=SECRET_QUESTION,
    )
    series = series_create(actor=manager, other=engineer, cadence="weekly", first_at=timezone.now() + datetime.timedelta(days=2))
    meeting = series.meetings.get()
    point = point_add(meeting=meeting, actor=manager, text="Your design review")
    action = action_add(meeting=meeting, actor=manager, text="Draft the rollout plan", owner=engineer)
    note_save(meeting=meeting, author=manager, body=MANAGERS_NOTE)
    note_save(meeting=meeting, author=engineer, body=ADAS_NOTE)
    people = {
        "anonymous": None, "subject": engineer, "giver": peer, "peer": teammate, "manager": manager,
        "skip_level": skip_level, "hr": hr, "outsider": outsider,
    }
    objects = {
        "shared": shared, "private": private, "asked": asked, "asked_privately": asked_privately,
        "series": series, "meeting": meeting, "point": point, "action": action,
    }
    return people, objects


def address(page: str, people, objects) -> str:
    name, _, variant = page.partition("/")
    ada = people["subject"]
    args = {
        "feedback": [objects["private" if variant else "shared"].pk],
        "person_feedback": [ada.pk],
        "request": [objects["asked_privately" if variant else "asked"].pk],
        "ask": [objects["asked_privately" if variant else "asked"].asks.get(respondent=people["giver"]).pk],
        "series": [objects["series"].pk],
        "meeting": [objects["meeting"].pk],
        "point": [objects["point"].pk],
        "action": [objects["action"].pk],
    }
    key = next((k for k in args if name == k or name.startswith(f"{k}_")), None)
    if name in {"series_list", "series_new", "request_new"}:
        key = None
    if name in {"point_add", "action_add", "note"}:
        key = "meeting"
    url = reverse(f"reviews:{name}", args=args[key] if key else [])
    if name == "person_search":
        url += "?q=ada"
    elif name == "competency_picker":
        url += f"?to={ada.pk}"
    elif page == "request_new/about":
        url += f"?about={ada.pk}"
    return url


@pytest.mark.parametrize("page", MATRIX)
def test_every_role_gets_its_status(world, as_user, page):
    people, objects = world
    url = address(page, people, objects)
    got = []
    for role in ROLES:
        user = people[role]
        client = as_user(user) if user else Client()
        method = client.post if page.split("/")[0] in POSTED else client.get
        got.append(method(url, {}).status_code)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, MATRIX[page], strict=True))


def test_the_matrix_covers_every_feedback_and_1on1_page(db):
    named = {
        pattern.name
        for module in (feedback_urls, requests_urls, team_urls, oneonones_urls)
        for pattern in module.urlpatterns
    }
    assert named == {page.split("/")[0] for page in MATRIX}


def test_private_feedback_never_reaches_its_subject(world, as_user, settings):
    """By page, partial, search, count, notification or e-mail: Ada reads nothing of what is
    private to her manager chain, while her manager reads all of it."""
    people, objects = world
    ada, manager = people["subject"], people["manager"]
    peer = people["giver"]
    ask = objects["asked_privately"].asks.get(respondent=peer)
    feedback_request_answer(ask=ask, respondent=peer, kind="growth", body=SECRET_ANSWER)
    reminders_dispatch(now=timezone.now() + datetime.timedelta(days=5))
    secrets = (SECRET_FEEDBACK, SECRET_QUESTION, SECRET_ANSWER)
    ada_client, manager_client = as_user(ada), as_user(manager)
    pages = [
        reverse("reviews:timeline"),
        reverse("reviews:timeline") + "?period=all",
        reverse("reviews:timeline") + "?show=given",
        reverse("reviews:requests"),
        reverse("reviews:series_list"),
        reverse("reviews:series", args=[objects["series"].pk]),
        reverse("reviews:meeting", args=[objects["meeting"].pk]),
        reverse("reviews:give") + f"?to={manager.pk}",
        reverse("reviews:person_search") + "?q=ada",
        reverse("people:notifications"),
        reverse("ladders:my_path"),
        reverse("home"),
    ]
    for url in pages:
        body = ada_client.get(url, follow=True).content.decode()
        for secret in secrets:
            assert secret not in body, (url, secret)
    # Nothing told her about any of it, in the app or by e-mail.
    for notification in Notification.objects.filter(recipient=ada):
        for secret in secrets:
            assert secret not in f"{notification.title} {notification.body}"
    assert not Notification.objects.filter(recipient=ada, subject__in=[
        f"reviews.feedback:{objects['private'].pk}", f"reviews.request:{objects['asked_privately'].pk}",
    ]).exists()
    for message in mail.outbox:
        if ada.email in message.to:
            for secret in secrets:
                assert secret not in message.body
    # Her count of feedback received is of what she may read: the shared piece alone.
    timeline = ada_client.get(reverse("reviews:timeline"))
    assert [f.pk for f in timeline.context["page"]] == [objects["shared"].pk]
    assert timeline.context["counts"]["received"] == 1
    # Her manager reads all of it.
    assert SECRET_FEEDBACK in manager_client.get(reverse("reviews:person_feedback", args=[ada.pk])).content.decode()
    assert SECRET_QUESTION in manager_client.get(reverse("reviews:request", args=[objects["asked_privately"].pk])).content.decode()


def test_private_notes_are_read_by_their_author_alone(world, as_user):
    people, objects = world
    meeting = reverse("reviews:meeting", args=[objects["meeting"].pk])
    series = reverse("reviews:series", args=[objects["series"].pk])
    for role, own, other in (("manager", MANAGERS_NOTE, ADAS_NOTE), ("subject", ADAS_NOTE, MANAGERS_NOTE)):
        client = as_user(people[role])
        page = client.get(meeting).content.decode()
        assert own in page and other not in page
        assert other not in client.get(series).content.decode()
    for role in ("skip_level", "hr", "peer"):
        client = as_user(people[role])
        assert client.get(meeting).status_code == 404
        assert client.get(reverse("reviews:series_list")).content.decode().count(MANAGERS_NOTE) == 0
