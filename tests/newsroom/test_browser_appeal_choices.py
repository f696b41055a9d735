"""The appeal's amounts and fee, with and without JavaScript, in Debian's Chromium."""

import shutil
from concurrent.futures import ThreadPoolExecutor

import pytest

from newsroom.templatetags.newsroom import FEE_HINT_CHOSEN
from newsroom.templatetags.newsroom import money as money_format
from subscriptions.fees import amount_covering_fees
from subscriptions.models import Contribution
from tests.gifts import READER_LOCALE

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


@pytest.fixture
def chromium(live_server):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def _phone(browser, *, javascript: bool):
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        java_script_enabled=javascript,
        locale=READER_LOCALE,
    )
    return context.new_page()


def _amount_labels(page) -> list[str]:
    return page.locator("[data-appeal-buttons] label").all_inner_texts()


def _fee_hint(page) -> str:
    return page.inner_text("[data-appeal-fee]")


def test_without_javascript_the_buttons_stay_true_to_pounds_once(site, live_server, chromium):
    page = _phone(chromium, javascript=False)
    page.goto(live_server.url + "/support/")
    page.select_option("#appeal-currency", "gbp")
    page.check("#appeal-frequency-once", force=True)

    # Nothing on the buttons still says euros or monthly.
    assert _amount_labels(page) == ["2", "5", "10", "Other amount"]
    legend = page.inner_text("[data-appeal-buttons] >> xpath=../legend")
    assert "month" not in legend
    assert "€" not in legend

    page.check("#appeal-amount-2", force=True)
    with page.expect_navigation():
        page.click("button[type=submit]")
    # Before checkout, a smaller monthly gift is offered; the reader keeps their choice.
    with page.expect_navigation():
        page.click("text=No, give £10 once")
    checkout = page.inner_text("main")
    assert page.url.startswith(f"{site.sandbox.url}/checkout/cs_")
    assert "GBP 10.00 once" in checkout


def test_without_javascript_once_can_become_monthly_before_checkout(site, live_server, chromium):
    page = _phone(chromium, javascript=False)
    page.goto(live_server.url + "/support/")
    page.select_option("#appeal-currency", "gbp")
    page.check("#appeal-frequency-once", force=True)
    page.check("#appeal-amount-2", force=True)
    with page.expect_navigation():
        page.click("button[type=submit]")

    assert "Would you give £2 a month instead?" in page.inner_text("h1")
    with page.expect_navigation():
        page.click("text=Give £2 monthly instead")

    assert page.url.startswith(f"{site.sandbox.url}/checkout/cs_")
    assert "GBP 2.00 every month" in page.inner_text("main")
    # Playwright's event loop runs in this thread: read the row from another.
    with ThreadPoolExecutor(1) as pool:
        contribution = pool.submit(Contribution.objects.get).result()
    assert (contribution.amount, contribution.currency, contribution.frequency) == (
        200,
        "gbp",
        "month",
    )
    assert contribution.upsell == "accepted"


def test_with_javascript_labels_and_fee_follow_every_choice(live_server, chromium):
    page = _phone(chromium, javascript=True)
    page.goto(live_server.url + "/support/")
    assert _amount_labels(page)[:3] == ["€2", "€5", "€10"]
    assert page.inner_text("[data-appeal-per]") == "(a month)"
    assert _fee_hint(page) == "(adds €0.28 to a €2 gift, for example)"

    page.check("#appeal-amount-1", force=True)
    assert _fee_hint(page) == "(adds €0.33 to your €5 gift)"

    page.select_option("#appeal-currency", "gbp")
    page.check("#appeal-frequency-year", force=True)
    assert _amount_labels(page)[:3] == ["£50", "£100", "£200"]
    assert page.inner_text("[data-appeal-per]") == "(a year)"
    assert page.inner_text("[data-appeal-minimum]") == "(from £2)"
    assert _fee_hint(page) == "(adds £1.78 to your £100 gift)"

    page.fill("#appeal-other-amount", "7.5")
    assert page.is_checked("#appeal-amount-other")
    assert _fee_hint(page) == "(adds £0.37 to your £7.50 gift)"

    page.fill("#appeal-other-amount", "1")  # under the minimum: back to an example
    assert _fee_hint(page) == "(adds £1.02 to a £50 gift, for example)"


# Every amount from 2 to 15 (each cent) and some large ones: the script's fee must be the
# server's, cent for cent, including every total that rounds on a half.
TIED_AMOUNTS = [*range(200, 1501), 4999, 10_001, 99_999, 123_456, 999_999, 1_000_000]


def test_the_scripts_fee_is_the_servers_fee_for_every_amount(live_server, chromium, settings):
    settings.CONTRIBUTION_CURRENCIES = ["eur", "usd", "gbp", "jpy"]
    page = _phone(chromium, javascript=True)
    page.goto(live_server.url + "/support/")

    for currency in settings.CONTRIBUTION_CURRENCIES:
        page.select_option("#appeal-currency", currency)
        amounts = [a for a in TIED_AMOUNTS if currency != "jpy" or a <= 10_000]
        typed = [str(a) if currency == "jpy" else f"{a // 100}.{a % 100:02d}" for a in amounts]
        shown = page.evaluate(
            """texts => {
                const field = document.getElementById("appeal-other-amount");
                const hint = document.querySelector("[data-appeal-fee]");
                return texts.map(text => {
                    field.value = text;
                    field.dispatchEvent(new Event("input", {bubbles: true}));
                    return hint.textContent;
                });
            }""",
            typed,
        )
        expected = [
            FEE_HINT_CHOSEN.format(
                fee=money_format(
                    amount_covering_fees(amount, currency=currency) - amount, currency
                ),
                amount=money_format(amount, currency),
            )
            for amount in amounts
        ]
        mismatches = [(t, s, e) for t, s, e in zip(typed, shown, expected, strict=True) if s != e]
        assert not mismatches, mismatches[:5]
