"""The supporter's manage page: a link by email, then changes that go through Stripe."""

import re
import time

from celery.signals import task_prerun
from django.core import mail, signing

from subscriptions.models import Contribution, OutboxEmail
from subscriptions.signing import MANAGE_SALT


def _manage_path_from_email() -> str:
    message = mail.outbox[-1]
    match = re.search(r"https?://[^/\s]+(/support/manage/[^\s\"<]+/)", message.body)
    assert match, message.body
    return match.group(1)


def _open_manage_page(site, email: str = "reader@example.org") -> str:
    """Ask for a link, open it: the browser now holds a manage session. Answers the
    manage page's own path (the token is no part of it)."""
    mail.outbox.clear()
    site.client.post("/support/manage/", {"email": email})
    opened = site.client.get(_manage_path_from_email())
    assert opened.status_code == 303, opened.content.decode()[:2000]
    assert opened["Location"] == "/support/manage/"
    return opened["Location"]


def test_asking_for_a_link_gives_the_same_answer_for_known_and_unknown_addresses(site):
    site.give(email="known@example.org")
    mail.outbox.clear()

    known = site.client.post("/support/manage/", {"email": "KNOWN@example.org"})
    unknown = site.client.post("/support/manage/", {"email": "stranger@example.org"})

    assert known.status_code == unknown.status_code == 200
    assert "link to manage your support is on its way" in known.content.decode()
    assert known.content == unknown.content
    assert [message.to for message in mail.outbox] == [["known@example.org"]]
    assert mail.outbox[0].alternatives, "the email has an HTML part"


def test_known_and_unknown_addresses_are_handed_to_the_same_task(site):
    """The request does the same work either way (its timing tells nothing): the lookup,
    rendering and queueing happen in the task, for every address."""
    site.give(email="known@example.org")
    ran: list[tuple[str, tuple]] = []

    def record(sender=None, args=(), **kwargs) -> None:
        ran.append((sender.name, tuple(args)))

    task_prerun.connect(record)
    try:
        site.client.post("/support/manage/", {"email": "known@example.org"})
        site.client.post("/support/manage/", {"email": "stranger@example.org"})
    finally:
        task_prerun.disconnect(record)

    asked = [(name, args) for name, args in ran if name == "subscriptions.manage_link_send"]
    assert asked == [
        ("subscriptions.manage_link_send", ("known@example.org",)),
        ("subscriptions.manage_link_send", ("stranger@example.org",)),
    ]


def test_a_bad_email_address_gets_a_clear_error(site):
    response = site.client.post("/support/manage/", {"email": "not an address"})

    assert response.status_code == 400
    assert "whole email address" in response.content.decode()


def test_the_link_opens_the_supporters_gifts_and_payments(site):
    site.give(amount="5")

    page = site.client.get(_open_manage_page(site))

    assert page.status_code == 200
    html = page.content.decode()
    assert "€5" in html
    assert "Cancel this gift" in html
    assert "Update my card" in html


def test_an_expired_or_forged_link_is_refused_with_a_way_forward(site):
    site.give()
    supporter_id = Contribution.objects.get().supporter_id

    class DayOldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 25 * 3600)

    old = DayOldSigner(salt=MANAGE_SALT).sign(f"{supporter_id}.0.r")

    for token in (old, f"{supporter_id}:forged:token"):
        response = site.client.get(f"/support/manage/{token}/")
        assert response.status_code == 403
        assert "expired or is not valid" in response.content.decode()


def test_changing_the_amount_goes_through_stripe_from_the_next_payment(site, stripe_api):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()

    response = site.client.post(
        f"{path}gifts/{contribution.public_id}/change/", {"amount": "8", "frequency": "month"}
    )
    site.settle()

    assert response.status_code == 302
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription["items"]["data"][0]["price"]["unit_amount"] == 800
    contribution.refresh_from_db()
    assert contribution.amount == 800
    changed = OutboxEmail.objects.get(kind="contribution_changed")
    assert "from €5.00 every month to €8.00 every month" in changed.text
    site.advance(days=31)
    assert sorted(p.amount for p in contribution.payments.all()) == [500, 800]


def _switch(site, path: str, contribution: Contribution, amount: str, frequency: str):
    response = site.client.post(
        f"{path}gifts/{contribution.public_id}/change/",
        {"amount": amount, "frequency": frequency},
    )
    site.settle()
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_changing_the_amount_keeps_the_gifts_product(site, stripe_api):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()
    before = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)

    _switch(site, path, contribution, "8", "month")

    after = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    old_price, new_price = before["items"]["data"][0]["price"], after["items"]["data"][0]["price"]
    assert new_price["id"] != old_price["id"]
    assert new_price["product"] == old_price["product"]
    assert len(stripe_api.v1.invoices.list({"subscription": after["id"]})["data"]) == 1, (
        "no charge now"
    )


def test_switching_from_monthly_to_yearly_waits_for_the_paid_month_to_end(site, stripe_api):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()
    paid_until = contribution.current_period_end

    _switch(site, path, contribution, "60", "year")

    contribution.refresh_from_db()
    assert (contribution.amount, contribution.frequency) == (500, "month")
    assert (contribution.scheduled_amount, contribution.scheduled_frequency) == (6000, "year")
    assert contribution.scheduled_from == paid_until
    assert contribution.payments.count() == 1, "nothing is charged now"
    page = site.client.get(path).content.decode()
    assert f'From <time datetime="{paid_until.isoformat()}">{paid_until:%-d %B %Y}</time>' in page
    assert "you will give €60 every year" in page
    assert OutboxEmail.objects.filter(kind="contribution_changed").count() == 0

    site.advance(days=32)

    contribution.refresh_from_db()
    assert (contribution.amount, contribution.frequency) == (6000, "year")
    assert contribution.scheduled_from is None
    assert sorted(p.amount for p in contribution.payments.all()) == [500, 6000]
    assert contribution.current_period_end.year == paid_until.year + 1
    assert "you will give" not in site.client.get(path).content.decode()
    changed = OutboxEmail.objects.get(kind="contribution_changed")
    assert "from €5.00 every month to €60.00 every year" in changed.text
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription["items"]["data"][0]["price"]["recurring"]["interval"] == "year"


def test_a_pending_switch_can_be_changed_again_or_dropped(site, stripe_api):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()

    _switch(site, path, contribution, "60", "year")
    _switch(site, path, contribution, "80", "year")

    contribution.refresh_from_db()
    assert contribution.scheduled_amount == 8000
    schedules = stripe_api.v1.subscription_schedules.list()["data"]
    assert len(schedules) == 1, "the pending switch was updated, not doubled"

    _switch(site, path, contribution, "7", "month")

    contribution.refresh_from_db()
    assert contribution.scheduled_from is None
    assert contribution.amount == 700
    assert "you will give" not in site.client.get(path).content.decode()
    site.advance(days=32)
    contribution.refresh_from_db()
    assert sorted(p.amount for p in contribution.payments.all()) == [500, 700]


def test_cancelling_drops_a_pending_switch(site, stripe_api):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()
    _switch(site, path, contribution, "60", "year")

    response = site.client.post(
        f"{path}gifts/{contribution.public_id}/cancel/", {"reason": "temporary"}
    )
    site.settle()

    assert response.status_code == 302
    contribution.refresh_from_db()
    assert contribution.cancel_at_period_end
    assert contribution.scheduled_from is None
    site.advance(days=32)
    contribution.refresh_from_db()
    assert contribution.status == "canceled"
    assert contribution.payments.count() == 1


def test_a_bad_new_amount_changes_nothing(site, stripe_api):
    site.give(amount="5")
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()

    response = site.client.post(
        f"{path}gifts/{contribution.public_id}/change/", {"amount": "0.5", "frequency": "month"}
    )

    assert response.status_code == 400
    assert "at least" in response.content.decode()
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription["items"]["data"][0]["price"]["unit_amount"] == 500


def test_cancel_at_period_end_with_a_reason_then_undo(site, stripe_api):
    site.give()
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()

    site.client.post(
        f"{path}gifts/{contribution.public_id}/cancel/",
        {"reason": "too_expensive", "detail": "Money is tight this year."},
    )
    site.settle()
    contribution.refresh_from_db()
    assert contribution.cancel_at_period_end
    assert contribution.status == "active"
    assert contribution.cancel_reason == "too_expensive"
    assert "It ends on" in site.client.get(path).content.decode()
    confirmation = OutboxEmail.objects.get(kind="cancellation")
    assert "As you asked, your support of €5.00 every month" in confirmation.text

    site.client.post(f"{path}gifts/{contribution.public_id}/resume/")
    site.settle()
    contribution.refresh_from_db()
    assert not contribution.cancel_at_period_end
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription["cancel_at_period_end"] is False


def test_a_cancelled_plan_ends_at_the_period_end(site):
    site.give()
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()
    site.client.post(f"{path}gifts/{contribution.public_id}/cancel/", {"reason": "temporary"})

    site.advance(days=32)

    contribution.refresh_from_db()
    assert contribution.status == "canceled"
    assert contribution.cancel_reason == "temporary"
    assert contribution.payments.count() == 1


def test_cancel_without_a_reason_is_refused(site):
    site.give()
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()

    response = site.client.post(f"{path}gifts/{contribution.public_id}/cancel/", {})

    assert response.status_code == 400
    contribution.refresh_from_db()
    assert not contribution.cancel_at_period_end


def test_update_card_opens_the_billing_portal(site):
    site.give()
    path = _open_manage_page(site)
    contribution = Contribution.objects.get()

    response = site.client.post(f"{path}gifts/{contribution.public_id}/card/")

    assert response.status_code == 303
    assert response["Location"].startswith(f"{site.sandbox.url}/billing_portal/")


def test_manage_link_requests_are_rate_limited_per_address(site, settings):
    settings.MANAGE_LINK_RATE_LIMIT_PER_EMAIL = 2
    for _ in range(2):
        site.client.post("/support/manage/", {"email": "someone@example.org"})

    response = site.client.post("/support/manage/", {"email": "someone@example.org"})

    assert response.status_code == 429


def test_a_gift_that_is_not_the_supporters_is_not_found(site):
    site.give()
    path = _open_manage_page(site)

    for gift in ("not-a-uuid", "4b0f1a9e-8f0c-4c39-9d7b-2a6a3c7d5e10"):
        response = site.client.post(f"{path}gifts/{gift}/cancel/", {"reason": "other"})
        assert response.status_code == 404


def test_a_supporter_downloads_everything_we_hold_about_them_from_the_manage_page(site):
    site.give(amount="5", email="reader@example.org")
    page = site.client.get(_open_manage_page(site)).content.decode()
    match = re.search(r'href="([^"]+/export/)"', page)
    assert match, "the manage page offers the download"

    response = site.client.get(match.group(1))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment")
    assert "no-store" in response["Cache-Control"]
    data = response.json()
    assert data["supporter"]["email"] == "reader@example.org"
    assert [(row["amount"], row["status"]) for row in data["contributions"]] == [(500, "active")]
    assert [row["amount"] for row in data["payments"]] == [500]
    subjects = {row["subject"] for row in data["emails"]}
    assert subjects == set(OutboxEmail.objects.values_list("subject", flat=True))
    assert data["stripe_event_ids"]
