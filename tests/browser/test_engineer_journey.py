"""An engineer's first visit: the ladder, the grid, a level, the diff, their path, a self-assessment saved as typed."""

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

    # The competency grid of her track: her level and the next one marked, a cell opening to its text.
    page.get_by_role("link", name="Competency grid").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engineering: Individual Contributor")
    expect(page.locator("thead th.cgrid--mine")).to_contain_text("Senior Engineer 1")
    expect(page.locator("thead th.cgrid--next")).to_contain_text("Senior Engineer 2 (Individual Contributor)")
    cell = page.locator("td.cgrid--next details").first
    cell.locator("summary").click()
    expect(cell.locator(".criteria")).to_be_visible()
    page.get_by_role("link", name="People Manager").click()
    expect(page.locator("thead th").nth(4)).to_contain_text("People Manager")
    page.goto("/ladders/engineering/")

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
    # Typed text saves itself: after a reload it is still there, without pressing anything.
    page.locator("textarea").first.press_sequentially("Ran the incident review for the checkout outage.")
    expect(page.locator("#save-state")).to_contain_text("All changes saved")
    page.goto(page.url)  # opened again (a reload would post the refused form once more)
    expect(page.locator("textarea").first).to_have_value("Ran the incident review for the checkout outage.")
    expect(page.locator(".counter").first).to_have_text("48 of 5,000 characters")
    # Past the limit nothing is cut and nothing is saved; the page says so and keeps the text.
    area = page.locator("textarea").first
    area.fill("x" * 5_001)
    expect(page.locator(".counter").first).to_contain_text("1 over the limit")
    expect(page.locator("#save-state")).to_contain_text("Not saved: Evidence for")
    expect(area).to_have_value("x" * 5_001)
    area.fill("Ran the incident review for the checkout outage.")
    expect(page.locator("#save-state")).to_contain_text("All changes saved")
    page.get_by_role("button", name="Submit").click()
    expect(page.get_by_text("Submitted. It is now part of the record.")).to_be_visible()

    submitted = Assessment.objects.get(subject=ada, kind="self")
    assert submitted.status == "submitted"
    assert submitted.ratings.filter(proficiency__value=3).count() == 9
    assert Notification.objects.filter(recipient=ada.manager, title__contains="self-assessment").count() == 1


def test_the_grid_on_a_phone_shows_one_competency_at_a_time_turned_to_a_chosen_level(browser, live_server, ada):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail").fill(ada.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto("/ladders/engineering/grid/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator(".grid-wrap")).to_be_hidden()
    card = page.locator(".grid-card").first
    strip = card.locator(".grid-card__levels")

    def shown() -> str:
        # The level whose panel sits at the strip's left edge.
        return strip.evaluate(
            "s => [...s.children].find(p => Math.abs(p.offsetLeft - s.scrollLeft) < 5).dataset.level"
        )

    expect(page.get_by_label("Show level")).to_have_value("senior-1")  # opens on her level
    assert shown() == "senior-1"
    page.get_by_label("Show level").select_option("principal-ic")
    page.wait_for_function("s => Math.abs(s.querySelector('[data-level=principal-ic]').offsetLeft - s.scrollLeft) < 5", arg=strip.element_handle())
    assert shown() == "principal-ic"
    context.close()
