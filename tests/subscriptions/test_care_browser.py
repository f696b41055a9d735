"""Supporter care in a real browser: sign in with a code from the authenticator app,
find a supporter by a charge id, refund part of a payment with a reason, and see the
refund, its email and the audit entry on the timeline. An auditor is refused the same
page."""

import shutil

import pytest

from subscriptions.models import Payment
from subscriptions.roles import AUDITOR, SUPPORTER_CARE
from tests.staff import authenticator_for, code_now, staff_member

from .test_browser_gift import CHROMIUM_FLAGS

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed"),
]

PASSWORD = "pw-Browser-Care-2026"


def _sign_in(page, url: str, username: str, device) -> None:
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", code_now(device))
    with page.expect_navigation():
        page.click("#login-form input[type=submit]")


def test_care_refunds_part_of_a_payment_and_an_auditor_cannot(site, live_server, settings):
    playwright_api = pytest.importorskip("playwright.sync_api")
    settings.STAFF_REQUIRE_2FA = True
    # Everything from the database before the browser starts: Playwright's loop forbids it.
    site.give(amount="10", email="browser.giver@example.org")
    payment = Payment.objects.get()
    charge_id = payment.stripe_charge_id
    carer_device = authenticator_for(
        staff_member(username="carer", password=PASSWORD, role=SUPPORTER_CARE)
    )
    auditor_device = authenticator_for(
        staff_member(username="auditor", password=PASSWORD, role=AUDITOR)
    )

    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=CHROMIUM_FLAGS
        )
        page = browser.new_page()
        _sign_in(page, live_server.url, "carer", carer_device)
        assert "Site administration" in page.inner_text("body")

        page.goto(f"{live_server.url}/admin/subscriptions/supporter/")
        page.fill("#searchbar", charge_id)
        with page.expect_navigation():
            page.press("#searchbar", "Enter")
        with page.expect_navigation():
            page.click("#result_list a:has-text('browser.giver@example.org')")
        with page.expect_navigation():
            page.click("#care-payments a:has-text('Refund')")
        refund_url = page.url

        page.fill("#id_amount", "3.50")
        page.select_option("#id_reason", "Given by mistake")
        page.fill("#id_detail", "Her father used her card")
        with page.expect_navigation():
            page.click("#care-action-form input[type=submit]")

        assert "Refunded €3.50" in page.inner_text(".messagelist")
        site.settle()  # Stripe's charge.refunded webhook too
        page.reload()
        timeline = page.inner_text("#care-timeline")
        assert "charge.refunded" in timeline
        assert "Refund issued" in timeline
        assert "Payment refunded by carer: Given by mistake: Her father used her card" in timeline
        assert "€3.50" in page.inner_text("#care-payments")

        auditor = browser.new_context().new_page()
        _sign_in(auditor, live_server.url, "auditor", auditor_device)
        refused = auditor.goto(refund_url)
        assert refused.status == 403
        browser.close()

    payment.refresh_from_db()
    assert payment.amount_refunded == 350
