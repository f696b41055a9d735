"""The appeal in a real browser on a small phone: keyboard only, under the real CSP."""

import shutil

import pytest

from tests.factories import ArticleFactory
from tests.gifts import READER_LOCALE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def article():
    # Created before the browser starts: Playwright's event loop forbids ORM calls.
    return ArticleFactory(headline="Night market returns")


@pytest.fixture
def phone_page(live_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 360, "height": 740}, locale=READER_LOCALE)
        page.console_problems = []
        page.on(
            "console",
            lambda message: (
                page.console_problems.append(message.text) if message.type == "error" else None
            ),
        )
        yield page
        browser.close()


def test_a_reader_gives_monthly_with_the_keyboard_only(article, site, live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + article.get_absolute_url())
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.focus("#appeal-amount-0")
    page.keyboard.press("ArrowRight")  # €2 -> €5, as any radio group
    assert page.is_checked("#appeal-amount-1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "other_amount"
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.is_checked("#appeal-cover-fees")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # Stripe's (here the sandbox's) checkout page, for exactly the chosen gift.
    assert page.url.startswith(f"{site.sandbox.url}/checkout/cs_")
    assert "EUR 5.33 every month" in page.inner_text("main")
    # No inline script or style was blocked by the Content-Security-Policy.
    assert not [p for p in page.console_problems if "Content Security Policy" in p]


def test_amount_labels_follow_currency_and_frequency(site, live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/support/")
    labels = page.locator("[data-appeal-buttons] label")
    assert labels.all_inner_texts()[:3] == ["€2", "€5", "€10"]
    page.select_option("#appeal-currency", "gbp")
    page.check("#appeal-frequency-year", force=True)
    assert labels.all_inner_texts()[:3] == ["£50", "£100", "£200"]
    page.check("#appeal-amount-2", force=True)
    with page.expect_navigation():
        page.click("button[type=submit]")
    assert "GBP 200.00 every year" in page.inner_text("main")


def test_an_error_is_announced_and_the_input_kept(live_server, phone_page):
    page = phone_page
    page.goto(live_server.url + "/support/")
    page.fill("#appeal-other-amount", "1.5")
    with page.expect_navigation():
        page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert "Please enter an amount of at least €2." in alert.inner_text()
    assert page.input_value("#appeal-other-amount") == "1.5"
    assert page.get_attribute("#appeal-other-amount", "aria-invalid") == "true"
