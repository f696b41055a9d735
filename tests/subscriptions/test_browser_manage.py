"""A supporter switches frequency in a real browser, without script: the forms start from
what they give now and say what they will pay, and from when, before they save."""

import re
import shutil

import pytest

from subscriptions.models import Contribution
from subscriptions.signing import REQUESTED, manage_token_make

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]


def test_the_switch_to_yearly_starts_from_a_converted_amount_and_saving_is_never_blocked(
    site, live_server
):
    playwright_api = pytest.importorskip("playwright.sync_api")
    site.give(amount="5")
    # Read before the browser starts: Playwright's event loop forbids ORM calls.
    contribution = Contribution.objects.get()
    period_end = f"{contribution.current_period_end:%-d %B %Y}"
    supporter = contribution.supporter
    token = manage_token_make(
        supporter_id=supporter.pk, version=supporter.token_version, purpose=REQUESTED
    )
    manage_url = f"{live_server.url}/support/manage/{token}/"

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(java_script_enabled=False, viewport={"width": 390, "height": 844})
        page.goto(manage_url)

        page.click("summary:has-text('Switch to yearly')")
        switch_form = page.locator("form:has(button:has-text('Switch to yearly'))")
        assert switch_form.locator("input[name=amount]").input_value() == "50"
        summary = " ".join(switch_form.inner_text().split())
        assert "€5 every month is €60 every year; we suggest €50." in summary
        assert f"You will pay the amount you save every year from {period_end}" in summary

        # The amount form starts from the current amount, so saving it is not refused by
        # the browser's "required" check with no word said.
        page.click("summary:has-text('Change the amount')")
        amount_form = page.locator("form:has(button:has-text('Save the new amount'))")
        assert amount_form.locator("input[name=amount]").input_value() == "5"
        with page.expect_navigation():
            amount_form.locator("button").click()
        assert re.search(r"Done: .*next payment", page.inner_text("main"))
        browser.close()
