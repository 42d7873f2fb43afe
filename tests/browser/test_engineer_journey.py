"""An engineer's first visit: the ladder, a level, the diff, their path, a self-assessment."""

import pytest
from playwright.sync_api import expect

from ladders.models import Assessment
from ladders.services.assessments import assessment_save, assessment_start, assessment_submit
from people.models import Notification
from tests.conftest import PASSWORD
from tests.ladders.factories import ft_document, place, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ada(engineer, manager):
    version = publish(ft_document())
    place(engineer, version, "senior-1", track="ic")
    place(manager, version, "senior-2-pm", track="pm")
    # Her manager's assessment is in: it sets the gap My path shows.
    level = version.levels.get(code="senior-1")
    agreed = assessment_start(subject=engineer, author=manager, kind="manager", level=level)
    scale = {p.value: p for p in version.proficiency_levels.all()}
    ratings = {r.competency_id: (scale[2].pk, "Solid work this half.") for r in agreed.ratings.all()}
    assessment_save(assessment=agreed, author=manager, summary="", ratings=ratings)
    assessment_submit(assessment=agreed, author=manager)
    return engineer


def test_an_engineer_walks_from_the_ladder_to_a_submitted_self_assessment(page, ada):
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail").fill(ada.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Ada Okafor")).to_be_visible()

    # The ladder as a matrix of tracks and levels.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ladders").click()
    page.get_by_role("link", name="Engineering").first.click()
    expect(page.get_by_role("columnheader", name="Individual Contributor")).to_be_visible()
    expect(page.get_by_text("You are here")).to_be_visible()

    # A level, every expectation grouped by area.
    page.get_by_role("link", name="Senior Engineer 2 (Individual Contributor)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Senior Engineer 2 (Individual Contributor)")
    expect(page.get_by_text("Provides architectural guidance on projects")).to_be_visible()

    # The diff from where she stands; changing a level swaps the result in place.
    page.goto("/ladders/engineering/diff/")
    expect(page.get_by_role("heading", name="Senior Engineer 1 → Senior Engineer 2 (Individual Contributor)")).to_be_visible()
    expect(page.locator(".badge--raised").first).to_be_visible()
    page.get_by_label("To").select_option("principal-ic")
    expect(page.get_by_role("heading", name="Senior Engineer 1 → Principal Engineer (Individual Contributor)")).to_be_visible()
    assert "to=principal-ic" in page.url

    # My path: level, next levels, the agreed assessment and the gap chart.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My path").click()
    expect(page.get_by_role("heading", name="Gap to Senior Engineer 2 (Individual Contributor)")).to_be_visible()
    expect(page.locator(".gapchart")).to_be_visible()
    expect(page.get_by_text("the agreed view")).to_be_visible()

    # A self-assessment against the next level, rated and submitted.
    page.get_by_label("Assess against").select_option("senior-2-ic")
    page.get_by_role("button", name="Start self-assessment").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Assess yourself against Senior Engineer 2")
    # Submitting asks for confirmation: it cannot be undone.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Rate Technical before submitting.")).to_be_visible()
    page.get_by_role("link", name="Technical").click()  # the summary links to the competency
    for group in page.locator(".scale-choices").all():
        group.get_by_text("3 · Working knowledge").click()
    page.locator("textarea").first.fill("Ran the incident review for the checkout outage.")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Submitted. It is now part of the record.")).to_be_visible()

    submitted = Assessment.objects.get(subject=ada, kind="self")
    assert submitted.status == "submitted"
    assert submitted.ratings.filter(proficiency__value=3).count() == 9
    assert Notification.objects.filter(recipient=ada.manager, title__contains="self-assessment").count() == 1
