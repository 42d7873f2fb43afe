"""Mentorship in a real browser: an engineer asks and is accepted; the mentor plans a touchpoint,
writes notes and ticks an action; HR runs a round, previews it, overrides a pair and publishes."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from mentorship.models import ActionItem, AgendaTemplate, Relationship, Round, Touchpoint
from mentorship.services import round_compute
from tests.conftest import PASSWORD, login
from tests.mentorship import factories
from tests.mentorship.conftest import world  # noqa: F401  (the fixture)
from tests.people.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def signed_in_as_hr(page, user, base_url: str) -> None:
    """An HR admin's session past the second factor (the sign-in itself is tested in tests/test_sign_in.py)."""
    client = login(user)
    page.context.clear_cookies()
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value, "url": base_url}])


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"mentorship-{name}.png"), full_page=True)


@pytest.fixture
def agendas(db):
    """The agenda templates the migration adds (a transactional test before this one may have emptied the table)."""
    AgendaTemplate.objects.get_or_create(
        name="Career progression", defaults={"kind": "career", "agenda": "Where your path says you are\nOne gap to work on"}
    )


def test_an_engineer_gets_a_mentor_who_plans_a_touchpoint_and_ticks_an_action(page, world, agendas, engineer, outsider):
    sign_in(page, engineer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Mentorship").click()
    page.get_by_role("link", name=world.program.name).click()
    expect(page.get_by_role("heading", name="Ask for a mentor")).to_be_visible()
    # Her largest gaps to the next level are chosen already.
    expect(page.get_by_label("Competency 0.0 — 1 now, 3 at Level 3")).to_be_checked()
    page.get_by_label("What do you want to get out of it?").fill("Lead the design of a service end to end.")
    page.get_by_role("button", name="Ask for a mentor").click()
    expect(page.get_by_role("heading", name="Find a mentor")).to_be_visible()
    expect(page.get_by_text("Covers 3 of 3 gaps")).to_be_visible()
    shot(page, "find")
    page.get_by_role("button", name=f"Ask {outsider.get_short_name()} to mentor me").click()
    expect(page.get_by_role("heading", name=f"Waiting for {outsider.name}")).to_be_visible()

    sign_in(page, outsider)
    page.goto("/mentorship/")
    page.get_by_role("link", name=engineer.name).click()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted: plan your first touchpoint.")).to_be_visible()
    when = timezone.localtime() + datetime.timedelta(days=3)
    page.get_by_label("When").fill(when.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Agenda template").select_option(label="Career progression")
    page.get_by_role("button", name="Plan touchpoint").click()
    expect(page.get_by_role("heading", name="Touchpoint,")).to_be_visible()

    # Notes save as they are typed.
    page.get_by_label("Shared notes").fill("Agreed to write the rollback plan first.")
    expect(page.get_by_text("Saved")).to_be_visible()
    page.get_by_role("textbox", name="Action").fill("Draft the rollback plan")
    page.get_by_role("button", name="Add action").click()
    expect(page.get_by_text("Draft the rollback plan")).to_be_visible()
    page.get_by_role("button", name="Mark “Draft the rollback plan” done").click()
    expect(page.get_by_role("button", name="Mark “Draft the rollback plan” not done")).to_be_visible()
    shot(page, "touchpoint")

    relationship = Relationship.objects.get()
    assert relationship.status == Relationship.Status.ACTIVE
    touchpoint = Touchpoint.objects.get()
    assert touchpoint.notes == "Agreed to write the rollback plan first."
    assert ActionItem.objects.get().done_at is not None


def test_hr_runs_previews_overrides_and_publishes_a_round(page, live_server, world, hr, engineer, outsider, peer):
    other = UserFactory(name="Kai Larsen", email="kai@example.com")
    factories.placed(other, world.version, "l4", rated_by=UserFactory(), value=4)
    factories.mentor(other)
    factories.placed(peer, world.version, "l2", rated_by=peer.manager, value=2)
    factories.ask(engineer, world.program)
    factories.ask(peer, world.program)

    signed_in_as_hr(page, hr, live_server.url)
    page.goto(f"/mentorship/programs/{world.program.slug}/")
    page.get_by_role("button", name="Run a matching round").click()
    expect(page.get_by_role("heading", name="Matching round")).to_be_visible()
    # No worker runs in this test: the round waits, and the page polls its progress.
    round = Round.objects.get()
    expect(page.get_by_role("heading", name="Queued")).to_be_visible()
    round_compute(round_id=round.pk)
    expect(page.get_by_role("heading", name="Ready to review")).to_be_visible()
    expect(page.get_by_text("Covers").first).to_be_visible()
    shot(page, "round")

    proposal = round.proposals.get(request__mentee=engineer)
    chosen = other if proposal.mentor == outsider else outsider
    page.get_by_role("link", name=f"Choose another mentor for {engineer.name}").click()
    page.get_by_label("Mentor instead").select_option(label=chosen.name)
    page.get_by_role("button", name="Pair them").click()
    expect(page.locator("#id_reason_error")).to_have_text("This field is required.")
    page.get_by_label("Mentor instead").select_option(label=chosen.name)
    page.get_by_label("Why").fill("They already pair every week")
    page.get_by_role("button", name="Pair them").click()
    expect(page.get_by_text("Overridden: They already pair every week")).to_be_visible()
    page.get_by_role("button", name="Approve all 2").click()
    page.get_by_role("button", name="Publish 2 approved pairs").click()
    expect(page.get_by_text("Published: 2 mentorships started")).to_be_visible()
    shot(page, "program")
    assert Relationship.objects.get(mentee=engineer).mentor == chosen
