"""Kept pages in a browser: searching as one types, and signing out from a page served from the kept copy."""

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.ladders.factories import ft_document, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ladder(db):
    return publish(ft_document())


def _sign_out(page):
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()


def _sign_in(page, user):
    page.goto("/accounts/login/")
    page.get_by_label("Work e-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_searching_as_one_types_and_reloading_show_the_same_results(page, engineer, ladder):
    _sign_in(page, engineer)
    page.goto("/ladders/search/")
    page.get_by_label("Words to find").fill("architectural")
    results = page.locator("#search-results")
    expect(results.locator("mark").first).to_have_text("architectural", ignore_case=True)
    expect(page).to_have_url("/ladders/search/?q=architectural")
    summary = results.locator("p").first.inner_text()
    found = results.locator(".result").count()
    assert found >= 1

    page.reload()
    expect(page.locator("#search-results p").first).to_have_text(summary)
    expect(page.locator("#search-results .result")).to_have_count(found)
    # The header's search box says what was searched for, on the kept page too.
    expect(page.locator("#site-search-q")).to_have_value("architectural")


def test_signing_out_works_from_a_page_served_from_the_kept_copy(page, engineer, peer, ladder):
    url = "/ladders/engineering/levels/senior-1/"
    # Someone else reads the level first, so the engineer is served the kept page.
    _sign_in(page, peer)
    page.goto(url)
    _sign_out(page)

    _sign_in(page, engineer)
    page.goto(url)
    expect(page.locator(".user-menu__name")).to_have_text(engineer.get_short_name())
    expect(page.get_by_text(peer.name)).to_have_count(0)
    # The sign-out form carries this response's own token: it is accepted.
    _sign_out(page)
