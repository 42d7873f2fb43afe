"""A director's team view: grouped by manager, folded, sorted by gap, filtered, exported, and on a phone."""

import csv
import io

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.ladders.factories import document, place, publish, submitted
from tests.people.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def director(skip_level, manager, engineer, peer):
    version = publish(document(slug="backend", levels=4, competencies=3))
    lead = UserFactory(email="lead@example.com", name="Lena Park", title="Engineering Manager", manager=skip_level)
    junior = UserFactory(email="junior@example.com", name="Jo Baker", title="Engineer", manager=lead)
    for person, code in ((manager, "l3"), (lead, "l3"), (engineer, "l2"), (peer, "l2"), (junior, "l1")):
        place(person, version, code)
    # Ada is far from her next level, Sam close to it; Jo has never been assessed.
    submitted(engineer, manager, version, "l2", value=1)
    submitted(peer, manager, version, "l2", value=3)
    return skip_level


def sign_in(page, user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_a_director_reads_folds_sorts_filters_and_exports_the_tree(page, director):
    sign_in(page, director)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team").click()

    groups = page.locator("details.team-group")
    expect(groups).to_have_count(3)  # reporting to the director, Marcus's team, Lena's team
    marcus = groups.filter(has_text="Marcus Chen's team")
    expect(marcus.locator("table").get_by_role("link", name="Ada Okafor")).to_be_visible()
    assert "l2" not in page.locator("main").inner_text().split()  # level titles, never codes

    # A group folds away and opens again.
    marcus.locator("summary").click()
    expect(marcus.locator("table").get_by_role("link", name="Ada Okafor")).to_be_hidden()
    marcus.locator("summary").click()

    # Biggest gap first: Ada (far from Level 3) before Sam.
    page.get_by_label("Sort").select_option("gap")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**sort=gap**")
    names = marcus.locator("table tbody .team-table__person a").all_inner_texts()
    assert names.index("Ada Okafor") < names.index("Sam Rivera")

    # No manager assessment in 6 months: only those, Jo among them.
    page.get_by_label("No manager assessment in 6 months").check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**stale=1**")
    main = page.locator("main")
    expect(main.get_by_role("link", name="Jo Baker").first).to_be_visible()
    expect(main.locator("table").get_by_role("link", name="Sam Rivera")).to_have_count(0)

    # The export carries the same filters.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download as CSV").click()
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8-sig").read())))
    assert {row["Name"] for row in rows} >= {"Jo Baker"}
    assert "Sam Rivera" not in {row["Name"] for row in rows}


def test_on_a_phone_each_person_is_a_card_with_their_biggest_gaps(browser, live_server, director):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, director)
    page.goto("/team/?sort=gap")

    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("table.team-table").first).to_be_hidden()
    ada = page.locator("li.team-card").filter(has_text="Ada Okafor")
    expect(ada).to_be_visible()
    expect(ada.locator(".team-card__gaps li")).to_have_count(3)
    context.close()
