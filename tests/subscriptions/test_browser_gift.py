"""A reader gives in a real browser: article, sandbox checkout, thanks, then no appeal."""

import shutil

import pytest

from subscriptions.models import Contribution
from tests.factories import ArticleFactory
from tests.gifts import READER_LOCALE

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_a_reader_gives_five_a_month_and_is_thanked_instead_of_asked(site, live_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    # Created before the browser starts: Playwright's event loop forbids ORM calls.
    first = ArticleFactory(headline="The ferry timetable changes")
    second = ArticleFactory(headline="A new bakery on Quay Street")

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale=READER_LOCALE)
        page.goto(live_server.url + first.get_absolute_url())
        page.check("#appeal-frequency-month", force=True)
        page.click("#appeal-amount-1")  # the €5 button
        with page.expect_navigation():
            page.click("#appeal button[type=submit]")

        assert "EUR 5.00 every month" in page.inner_text("main")
        page.fill("#email", "browser.reader@example.org")
        page.fill("#name", "Browser Reader")
        page.fill("#card_number", "4242 4242 4242 4242")
        page.fill("#exp_month", "12")
        page.fill("#exp_year", "2034")
        page.fill("#cvc", "123")
        with page.expect_navigation():
            page.click("button:has-text('Pay')")

        page.wait_for_selector("text=Thank you for supporting")
        assert page.url.startswith(f"{live_server.url}/support/thanks/")
        assert "€5" in page.inner_text("main")

        page.goto(live_server.url + second.get_absolute_url())
        assert page.locator("#supporter-thanks-heading").is_visible()
        assert page.locator("input[name=frequency]").count() == 0
        browser.close()

    contribution = Contribution.objects.get()
    assert (contribution.amount, contribution.status) == (500, "active")
    assert contribution.supporter.email == "browser.reader@example.org"
