"""A reader in Britain (the CDN's country header says GB) switches the site to Russian in
a real browser, finds pounds already chosen, gives £10 a month from the support page, and
gets a Russian receipt."""

import shutil

import pytest

from subscriptions.models import Contribution, EmailKind, OutboxEmail
from tests.factories import ArticleFactory
from tests.subscriptions.test_browser_gift import CHROMIUM_FLAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


def test_a_reader_gives_in_russian_and_gets_a_russian_receipt(site, live_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    ArticleFactory(headline="The ferry timetable changes")

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        # An Irish browser (euros by its language) in Britain: the country header wins.
        page = browser.new_page(locale="en-IE", extra_http_headers={"CF-IPCountry": "GB"})
        page.goto(live_server.url + "/support/")
        assert "Continue to payment" in page.inner_text("main")
        with page.expect_navigation():
            page.click(".language-switch a[hreflang=ru]")  # a plain link: no script needed

        assert page.url == f"{live_server.url}/support/"
        assert page.get_attribute("html", "lang") == "ru-RU"
        assert page.input_value("#appeal-currency") == "gbp"  # from the GB header
        page.check("#appeal-frequency-month", force=True)
        page.fill("#appeal-other-amount", "10")
        assert "Как часто вы хотите нас поддерживать?" in page.inner_text("main")
        with page.expect_navigation():
            page.click("#appeal button[type=submit]")

        page.fill("#email", "ru.reader@example.org")
        page.fill("#name", "Ольга Петрова")
        page.fill("#card_number", "4242 4242 4242 4242")
        page.fill("#exp_month", "12")
        page.fill("#exp_year", "2034")
        page.fill("#cvc", "123")
        with page.expect_navigation():
            page.click("button:has-text('Pay')")

        page.wait_for_selector("text=Спасибо, что поддерживаете")
        assert "10\u00a0£" in page.inner_text("main")
        browser.close()

    site.settle()
    contribution = Contribution.objects.get()
    assert (contribution.amount, contribution.currency, contribution.language) == (
        1000,
        "gbp",
        "ru",
    )
    assert contribution.supporter.language == "ru"
    receipt = OutboxEmail.objects.get(kind=EmailKind.RECEIPT)
    assert receipt.subject.startswith("Ваша квитанция")
    assert "10,00\u00a0£" in receipt.text
    assert "Ежемесячная поддержка The Harbour Ledger" in receipt.text
