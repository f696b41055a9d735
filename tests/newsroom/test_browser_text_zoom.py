"""Larger text on a phone: at 200% text-only zoom nothing may push the page sideways.

Phones' "larger text" settings (and desktop browsers' text-only zoom) raise the default
font size without widening the viewport. Chromium does the same through the DevTools
protocol's Page.setFontSizes, so a 390 px wide phone with 32 px text (200% of 16 px) is
exactly what such a reader sees.
"""

import shutil

import pytest

from subscriptions.signing import REQUESTED, manage_token_make
from tests.factories import ArticleFactory, ContributionFactory, PaymentFactory
from tests.gifts import READER_LOCALE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PHONE_WIDTH = 390

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def large_text_phone(live_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(
            viewport={"width": PHONE_WIDTH, "height": 844}, locale=READER_LOCALE
        )
        devtools = page.context.new_cdp_session(page)
        devtools.send("Page.enable")
        devtools.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        yield page
        browser.close()


def _open_everything(page) -> None:
    # Folded parts (change the amount, cancel) overflow only when open.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")


def _overflowing(page) -> list[str]:
    """Elements that reach past the right edge of the screen, to say what to fix."""
    return page.evaluate(
        """width => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .map(e => `${e.tagName}.${e.className} ${e.textContent.trim().slice(0, 30)}`)
            .slice(0, 10)""",
        PHONE_WIDTH,
    )


def _assert_no_sideways_scroll(page) -> None:
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "34px"  # 1.0625rem
    scroll_width = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= PHONE_WIDTH, _overflowing(page)


@pytest.fixture
def article():
    # Rows are made before the browser starts: Playwright's event loop forbids ORM calls.
    return ArticleFactory(headline="Night market returns")


@pytest.fixture
def manage_path():
    """A supporter with a monthly, a yearly and an ending gift, and a part-refunded payment."""
    monthly = ContributionFactory(amount=1250)
    supporter = monthly.supporter
    ContributionFactory(supporter=supporter, currency="gbp", frequency="year", amount=12000)
    ContributionFactory(supporter=supporter, cancel_at_period_end=True)
    PaymentFactory(contribution=monthly, amount=1250, amount_refunded=500)
    token = manage_token_make(
        supporter_id=supporter.pk, version=supporter.token_version, purpose=REQUESTED
    )
    return f"/support/manage/{token}/"  # the browser follows it to /support/manage/


def test_an_article_and_its_appeal_wrap_at_200_percent_text(article, live_server, large_text_phone):
    page = large_text_phone

    page.goto(live_server.url + article.get_absolute_url())
    _assert_no_sideways_scroll(page)
    # Every amount button is whole on screen, not cut off at the edge.
    for box in page.locator("[data-appeal-buttons] label").evaluate_all(
        "labels => labels.map(l => l.getBoundingClientRect().toJSON())"
    ):
        assert box["left"] >= 0
        assert box["right"] <= PHONE_WIDTH

    page.goto(live_server.url + "/support/")
    _assert_no_sideways_scroll(page)


def test_the_manage_page_and_its_forms_wrap_at_200_percent_text(
    manage_path, live_server, large_text_phone
):
    page = large_text_phone

    page.goto(live_server.url + manage_path)
    assert page.locator("form").count() >= 4
    _open_everything(page)
    _assert_no_sideways_scroll(page)
