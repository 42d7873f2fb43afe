"""Who reaches which review cycle page, and what stays hidden across all of them.

Around one cycle in its peer review phase: Ada is reviewed, Sam is her approved peer, Kai a
colleague nobody nominated, Marcus her manager, Daniel his manager, Helen an HR admin and
Nora works elsewhere.
"""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import Notification
from reviews.models import Nomination, Participant, Phase, Review
from reviews.services.cycles import Population, cycle_open
from reviews.urls import cycles as cycles_urls
from tests.people.factories import UserFactory

ROLES = ("anonymous", "subject", "nominated", "colleague", "manager", "skip_level", "hr", "outsider")
MANAGERS_WORDS = "Ready for the next level in everything but system design"
UPWARD_WORDS = "Shields the team from churn"

MATRIX = {
    "my_reviews": (302, 200, 200, 200, 200, 200, 200, 200),
    "review_write": (302, 404, 200, 404, 404, 404, 404, 404),
    "review_autosave": (302, 404, 200, 404, 404, 404, 404, 404),
    "cycle_results": (302, 404, 404, 404, 404, 404, 404, 404),
    "nominations": (302, 200, 404, 404, 200, 404, 404, 404),
    "nomination_decide": (302, 404, 404, 404, 302, 404, 404, 404),
    "cycles": (302, 404, 404, 404, 404, 404, 200, 404),
    "cycle_new": (302, 404, 404, 404, 404, 404, 200, 404),
    "cycle": (302, 404, 404, 404, 404, 404, 200, 404),
    "cycle_person_add": (302, 404, 404, 404, 404, 404, 400, 404),
    "cycle_person_remove": (302, 404, 404, 404, 404, 404, 200, 404),
    "cycle_phase_extend": (302, 404, 404, 404, 404, 404, 400, 404),
    "cycle_phase_close": (302, 404, 404, 404, 404, 404, 302, 404),
    "cycle_lock": (302, 404, 404, 404, 404, 404, 302, 404),
    "cycle_release": (302, 404, 404, 404, 404, 404, 302, 404),
    "cycle_export": (302, 404, 404, 404, 404, 404, 200, 404),
    "cycle_team": (302, 404, 404, 404, 200, 200, 200, 404),
    "cycle_calibration": (302, 404, 404, 404, 200, 200, 200, 404),
    "cycle_calibration_move": (302, 404, 404, 404, 400, 400, 400, 404),
    "cycle_person": (302, 404, 404, 404, 200, 200, 200, 404),
}
POSTED = {"review_autosave", "nomination_decide", "cycle_person_add", "cycle_phase_extend", "cycle_phase_close",
          "cycle_lock", "cycle_release", "cycle_calibration_move"}


def day(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def world(db, hr, manager, engineer, peer, skip_level, outsider):
    colleague = UserFactory(email="kai@example.com", name="Kai Kaur", manager=manager)
    kinds = ["self", "nominations", "peer", "upward", "manager", "calibration"]
    dates = {kind: (day(-60 + 7 * n), day(-54 + 7 * n)) for n, kind in enumerate(kinds)}
    dates["release"] = (day(30), None)
    cycle = cycle_open(actor=hr, name="H2", period_start=day(-240), period_end=day(-61),
                       population=Population(everyone=True), phases=dates, upward=True)
    Phase.objects.filter(cycle=cycle, kind="peer").update(opens_on=day(-2), closes_on=day(5))
    ada = Participant.objects.get(cycle=cycle, person=engineer)
    nomination = Nomination.objects.create(participant=ada, peer=peer, status="approved")
    review = Review.objects.create(participant=ada, author=manager, kind="manager", overall="above", submitted_at=timezone.now())
    review.answers.create(section=cycle.sections.first(), text=MANAGERS_WORDS)
    Participant.objects.filter(pk=ada.pk).update(rating="above")
    marcus = Participant.objects.get(cycle=cycle, person=manager)
    for author in (engineer, peer):  # two upward answers: too few to show even as a count
        upward = Review.objects.create(participant=marcus, author=author, kind="upward", submitted_at=timezone.now())
        upward.answers.create(section=cycle.sections.first(), text=f"{UPWARD_WORDS} ({author.name})")
    people = {"anonymous": None, "subject": engineer, "nominated": peer, "colleague": colleague, "manager": manager,
              "skip_level": skip_level, "hr": hr, "outsider": outsider}
    return people, {"cycle": cycle, "ada": ada, "nomination": nomination, "phase": cycle.phases.get(kind="self")}


def address(name: str, objects) -> str:
    cycle, ada = objects["cycle"], objects["ada"]
    args = {
        "my_reviews": [], "cycles": [], "cycle_new": [],
        "review_write": [ada.pk, "peer"], "review_autosave": [ada.pk, "peer"], "cycle_results": [ada.pk],
        "nominations": [ada.pk], "nomination_decide": [ada.pk, objects["nomination"].pk],
        "cycle_person_remove": [cycle.pk, ada.pk], "cycle_phase_extend": [cycle.pk, objects["phase"].pk],
        "cycle_phase_close": [cycle.pk, objects["phase"].pk], "cycle_calibration_move": [cycle.pk, ada.pk],
        "cycle_person": [cycle.pk, ada.pk],
    }.get(name, [cycle.pk])
    return reverse(f"reviews:{name}", args=args)


@pytest.mark.parametrize("page", sorted(MATRIX))
def test_every_role_gets_its_status(world, as_user, page):
    people, objects = world
    url = address(page, objects)
    got = []
    for role in ROLES:
        client = as_user(people[role]) if people[role] else Client()
        got.append((client.post if page in POSTED else client.get)(url, {}).status_code)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, MATRIX[page], strict=True))


def test_the_matrix_covers_every_cycle_page(db):
    assert {p.name for p in cycles_urls.urlpatterns} == set(MATRIX)


def readable(objects) -> list[str]:
    pages = [page for page in MATRIX if page not in POSTED and page != "cycle_export"]  # the export: below
    return [address(page, objects) for page in pages] + [address("cycle", objects) + "?q=a"]


def test_results_stay_hidden_from_their_subject_until_the_release(world, as_user):
    people, objects = world
    client = as_user(people["subject"])
    for url in readable(objects):
        body = client.get(url, follow=True).content.decode()
        assert MANAGERS_WORDS not in body and "Above expectations</strong>" not in body, url
    for notification in Notification.objects.filter(recipient=people["subject"]):
        assert MANAGERS_WORDS not in f"{notification.title} {notification.body}"


def test_upward_reviews_never_show_an_author_or_a_count_below_three(world, as_user):
    people, objects = world
    for role in ("manager", "skip_level", "hr", "nominated", "colleague", "outsider"):
        client = as_user(people[role])
        for url in readable(objects):
            body = client.get(url, follow=True).content.decode()
            assert UPWARD_WORDS not in body, (role, url)
    response = as_user(people["hr"]).get(address("cycle_export", objects))
    assert UPWARD_WORDS not in b"".join(response.streaming_content).decode()
