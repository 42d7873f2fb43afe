"""Who reaches which interview page, and independence across all of them.

Around one loop: Ada has submitted her scorecard, Sam is still drafting his,
Marcus is the hiring manager, Tina is on the hiring team without interviewing (she reads
the loop and its schedule, never a scorecard),
Helen is an HR admin and Nora works elsewhere.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Notification
from reviews.models import Scorecard
from reviews.services.interviews import loop_debrief_open, scorecard_save, scorecard_submit
from reviews.urls import calibration as calibration_urls
from reviews.urls import kits as kits_urls
from reviews.urls import loops as loops_urls
from reviews.urls import scorecards as scorecards_urls
from tests.ladders.factories import document, publish
from tests.people.factories import UserFactory
from tests.reviews.interview_factories import interview_for, kit_for, loop_for

ADAS_WORDS = "Traced the race condition to the retry queue unprompted"
SAMS_DRAFT = "Not sure yet about the caching answer"
ROLES = ("anonymous", "submitted", "drafting", "hiring_manager", "hiring_team", "hr", "outsider")

MATRIX = {
    "kits": (302, 200, 200, 200, 200, 200, 200),
    "kit_new": (302, 404, 404, 404, 404, 200, 404),
    "kit": (302, 200, 200, 200, 200, 200, 404),
    "kit_questions": (302, 404, 404, 404, 404, 200, 404),
    "kit_scale": (302, 404, 404, 404, 404, 200, 404),
    "kit_copy": (302, 404, 404, 404, 404, 200, 404),
    "loops": (302, 200, 200, 200, 200, 200, 200),
    # A manager starts loops for candidates they added; this one HR added.
    "loop_new": (302, 404, 404, 404, 404, 200, 404),
    "loop": (302, 200, 200, 200, 200, 200, 404),
    "interview_new": (302, 404, 404, 400, 404, 400, 404),
    "debrief": (302, 404, 404, 200, 404, 200, 404),
    "debrief_open": (302, 404, 404, 302, 404, 302, 404),
    "loop_decide": (302, 404, 404, 400, 404, 400, 404),
    "candidate_new": (302, 404, 404, 200, 404, 200, 404),
    "candidate_erase": (302, 404, 404, 404, 404, 200, 404),
    "my_interviews": (302, 200, 200, 200, 200, 200, 200),
    "scorecard/submitted": (302, 200, 404, 404, 404, 404, 404),
    "scorecard/drafting": (302, 404, 200, 404, 404, 404, 404),
    "scorecard_amend": (302, 200, 404, 404, 404, 404, 404),
    "calibration": (302, 404, 404, 404, 404, 200, 404),
}
POSTED = {"interview_new", "debrief_open", "loop_decide"}


@pytest.fixture
def world(engineer, peer, manager, hr, outsider):
    version = publish(document(slug="backend", levels=3, competencies=2))
    kit = kit_for(version, "l2")
    loop = loop_for(kit, hiring_manager=manager)
    team = UserFactory(email="tina@example.com", name="Tina Team")
    loop.hiring_team.add(team)
    interview = interview_for(loop, engineer, peer)
    ada, sam = Scorecard.objects.get(interviewer=engineer), Scorecard.objects.get(interviewer=peer)
    meets = {focus: (kit.scale.get(value=3), "Clear, with examples.") for focus in interview.focus.all()}
    scorecard_save(actor=engineer, scorecard=ada, ratings=meets, takeaways=ADAS_WORDS, recommendation="strong_yes")
    scorecard_submit(actor=engineer, scorecard=ada)
    scorecard_save(actor=peer, scorecard=sam, ratings={}, takeaways=SAMS_DRAFT, recommendation="")
    people = {
        "anonymous": None, "submitted": engineer, "drafting": peer, "hiring_manager": manager,
        "hiring_team": team, "hr": hr, "outsider": outsider,
    }
    return people, {"kit": kit, "loop": loop, "ada": ada, "sam": sam, "meets": meets}


def address(page: str, objects) -> str:
    name, _, variant = page.partition("/")
    kit, loop = objects["kit"], objects["loop"]
    by_kit = {"kit", "kit_questions", "kit_scale", "kit_copy"}
    by_loop = {"loop", "interview_new", "debrief", "debrief_open", "loop_decide"}
    if name in by_kit:
        return reverse(f"reviews:{name}", args=[kit.pk])
    if name in by_loop:
        return reverse(f"reviews:{name}", args=[loop.pk])
    if name == "candidate_erase":
        return reverse("reviews:candidate_erase", args=[loop.candidate_id])
    if name == "loop_new":
        return reverse("reviews:loop_new") + f"?candidate={loop.candidate_id}"
    if name == "scorecard":
        return reverse("reviews:scorecard", args=[objects["sam" if variant == "drafting" else "ada"].pk])
    if name == "scorecard_amend":
        return reverse("reviews:scorecard_amend", args=[objects["ada"].pk])
    return reverse(f"reviews:{name}")


@pytest.mark.parametrize("page", MATRIX)
def test_every_role_gets_its_status(world, as_user, page):
    people, objects = world
    url = address(page, objects)
    got = []
    for role in ROLES:
        client = as_user(people[role]) if people[role] else Client()
        method = client.post if page in POSTED else client.get
        got.append(method(url, {}).status_code)
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, MATRIX[page], strict=True))


def test_the_matrix_covers_every_interview_page(db):
    named = {p.name for m in (kits_urls, loops_urls, scorecards_urls, calibration_urls) for p in m.urlpatterns}
    assert named == {page.split("/")[0] for page in MATRIX}


def readable_pages(objects) -> list[str]:
    return [address(page, objects) for page in MATRIX if page not in POSTED and page != "candidate_erase"]


def test_nobody_reads_a_scorecard_before_independence_allows(world, as_user):
    people, objects = world
    # Sam is still drafting, and the debrief is not open: Ada's words reach nobody but
    # her, by any page; Sam's draft reaches nobody but him.
    for role in ("drafting", "hiring_manager", "hiring_team", "hr", "outsider"):
        client = as_user(people[role])
        for url in readable_pages(objects):
            body = client.get(url, follow=True).content.decode()
            assert ADAS_WORDS not in body, (role, url)
    for role in ("submitted", "hiring_manager", "hiring_team", "hr", "outsider"):
        client = as_user(people[role])
        for url in readable_pages(objects):
            assert SAMS_DRAFT not in client.get(url, follow=True).content.decode(), (role, url)
    for notification in Notification.objects.exclude(recipient=people["submitted"]):
        assert ADAS_WORDS not in f"{notification.title} {notification.body}"


def test_the_debrief_opened_shows_the_hiring_manager_and_hr_but_not_the_drafting_interviewer(world, as_user):
    people, objects = world
    loop_debrief_open(actor=people["hiring_manager"], loop=objects["loop"])
    debrief = reverse("reviews:debrief", args=[objects["loop"].pk])
    for role in ("hiring_manager", "hr"):
        assert "Clear, with examples." in as_user(people[role]).get(debrief).content.decode(), role
    drafting = as_user(people["drafting"])
    for url in readable_pages(objects):
        assert ADAS_WORDS not in drafting.get(url, follow=True).content.decode(), url


def test_once_sam_submits_he_reads_the_panel(world, as_user):
    people, objects = world
    scorecard_save(
        actor=people["drafting"], scorecard=objects["sam"], ratings=objects["meets"], takeaways=SAMS_DRAFT, recommendation="yes"
    )
    scorecard_submit(actor=people["drafting"], scorecard=objects["sam"])
    page = as_user(people["drafting"]).get(reverse("reviews:scorecard", args=[objects["sam"].pk])).content.decode()
    assert people["submitted"].name in page and "Strong yes" in page
    debrief = as_user(people["hiring_manager"]).get(reverse("reviews:debrief", args=[objects["loop"].pk])).content.decode()
    assert "Clear, with examples." in debrief
    # The hiring team reads the loop and its schedule, never a scorecard, even once all are in.
    team = as_user(people["hiring_team"])
    for url in readable_pages(objects):
        body = team.get(url, follow=True).content.decode()
        assert ADAS_WORDS not in body and SAMS_DRAFT not in body, url
