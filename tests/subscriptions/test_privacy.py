"""Privacy requests: staff export what we hold about a supporter, or erase them. Erasure
ends their plan and deletes their customer at Stripe (the sandbox, over HTTP), keeps the
financial rows, and leaves no name or address anywhere, stored emails included."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core import mail

from subscriptions.alerts import emails_stuck
from subscriptions.models import (
    AuditEntry,
    Contribution,
    OutboxEmail,
    Payment,
    StripeEvent,
    Supporter,
)
from subscriptions.roles import FINANCE, SUPPORTER_CARE
from subscriptions.services.outbox import outbox_email_send
from subscriptions.services.privacy import supporter_erase
from tests.staff import staff_member

SUPPORTERS = "/admin/subscriptions/supporter/"
EMAIL = "rowan.reader@example.org"
NAME = "Rowan Reader"  # what tests.gifts types at the sandbox's checkout
REASON = "Email from the supporter asking to be forgotten, 27 November"


def _act(client, action: str, supporter: Supporter, **fields):
    return client.post(SUPPORTERS, {"action": action, "_selected_action": [supporter.pk], **fields})


def _gift(site) -> Supporter:
    site.give(amount="5", frequency="month", email=EMAIL)
    supporter = Supporter.objects.get()
    assert supporter.name == NAME
    assert OutboxEmail.objects.filter(supporter=supporter, to=EMAIL).exists()
    return supporter


def test_erasure_asks_for_a_reason_then_leaves_no_trace_but_the_accounts(site, stripe_api):
    supporter = _gift(site)
    contribution = Contribution.objects.get(supporter=supporter, status="active")
    payment = Payment.objects.get(supporter=supporter)
    kept = (payment.amount, payment.fee, payment.currency, payment.paid_at, payment.receipt_number)
    care = staff_member(username="care", password="unused-password-1", role=SUPPORTER_CARE)
    site.client.force_login(care)

    confirm = _act(site.client, "erase", supporter)
    assert confirm.status_code == 200
    assert "This cannot be undone" in confirm.content.decode()
    blank = _act(site.client, "erase", supporter, confirmed="yes", reason="  ")
    assert "Please give the reason" in blank.content.decode()
    assert Supporter.objects.get().email == EMAIL, "nothing erased without a reason"

    done = site.client.post(
        SUPPORTERS,
        {
            "action": "erase",
            "_selected_action": [supporter.pk],
            "confirmed": "yes",
            "reason": REASON,
        },
        follow=True,
    )
    site.settle()  # Stripe's customer.subscription.deleted and customer.deleted arrive

    assert f"Supporter {supporter.pk} was erased: 1 plan(s) ended" in done.content.decode()
    supporter.refresh_from_db()
    assert supporter.email.endswith("@erased.invalid")
    assert (supporter.name, supporter.erased_at is not None) == ("", True)

    # At Stripe: the plan ended, the customer is gone.
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription.status == "canceled"
    customer = stripe_api.v1.customers.retrieve(contribution.stripe_customer_id).to_dict()
    assert customer.get("deleted") is True

    # Ours: the money stays, the person does not.
    contribution.refresh_from_db()
    assert contribution.status == "canceled"
    assert (contribution.card_last4, contribution.card_brand) == ("", "")
    payment.refresh_from_db()
    assert kept == (
        payment.amount,
        payment.fee,
        payment.currency,
        payment.paid_at,
        payment.receipt_number,
    )
    emails = OutboxEmail.objects.filter(supporter=supporter)
    assert emails.exists()
    for email in emails:
        stored = " ".join([email.to, email.subject, email.html, email.text]).lower()
        assert EMAIL not in stored
        assert NAME.lower() not in stored
        assert email.to == supporter.email
    payloads = json.dumps(list(StripeEvent.objects.values_list("payload", flat=True))).lower()
    assert EMAIL not in payloads
    assert NAME.lower() not in payloads
    assert StripeEvent.objects.filter(type="customer.deleted").exists()

    [entry] = AuditEntry.objects.filter(action="supporter.erased")
    assert (entry.actor, entry.reason, entry.supporter_id) == (care, REASON, supporter.pk)
    assert entry.after["stripe_customers_deleted"] == 1
    assert EMAIL not in json.dumps([entry.target_label, entry.after])


def test_staff_export_a_supporters_data_as_json_with_a_reason(site):
    supporter = _gift(site)
    care = staff_member(username="care", password="unused-password-1", role=SUPPORTER_CARE)
    site.client.force_login(care)

    assert "Reason" in _act(site.client, "export_data", supporter).content.decode()
    response = _act(site.client, "export_data", supporter, confirmed="yes", reason=REASON)

    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["supporter"]["email"] == EMAIL
    assert data["supporter"]["name"] == NAME
    [gift] = [row for row in data["contributions"] if row["status"] == "active"]
    assert (gift["amount"], gift["frequency"]) == (500, "month")
    assert [row["amount"] for row in data["payments"]] == [500]
    assert {row["subject"] for row in data["emails"]} == set(
        OutboxEmail.objects.values_list("subject", flat=True)
    )
    assert all(row["text"] and row["html"] for row in data["emails"])
    assert data["stripe_event_ids"]
    assert set(data["stripe_event_ids"]) <= set(
        StripeEvent.objects.values_list("stripe_id", flat=True)
    )
    [entry] = AuditEntry.objects.filter(action="supporter.exported")
    assert (entry.actor, entry.reason) == (care, REASON)


@pytest.mark.django_db
def test_only_staff_with_the_privacy_permissions_can_export_or_erase(client):
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    finance = staff_member(username="finance", password="unused-password-1", role=FINANCE)
    # Finance may see supporters (to reconcile) but not answer privacy requests.
    finance.user_permissions.add(Permission.objects.get(codename="view_supporter"))
    client.force_login(finance)

    listing = client.get(SUPPORTERS).content.decode()
    assert "export_data" not in listing
    assert 'value="erase"' not in listing
    for action in ("export_data", "erase"):
        response = _act(client, action, supporter, confirmed="yes", reason=REASON)
        assert not response.get("Content-Disposition")
    supporter.refresh_from_db()
    assert (supporter.email, supporter.erased_at) == (EMAIL, None)
    assert not AuditEntry.objects.filter(action__startswith="supporter.").exists()


def test_after_erasure_the_supporters_old_links_and_sessions_open_nothing(site):
    supporter = _gift(site)
    mail.outbox.clear()
    site.client.post("/support/manage/", {"email": EMAIL})
    link = re.search(r"https?://[^/\s]+(/support/manage/[^\s\"<]+/)", mail.outbox[-1].body)
    assert link
    # This browser opens the link: it now holds a manage session.
    assert site.client.get(link.group(1)).status_code == 303
    assert site.client.get("/support/manage/export/").status_code == 200

    supporter_erase(supporter=supporter, reason=REASON)

    # The session it opened ends with the erasure, and the link opens no new one.
    assert site.client.get("/support/manage/export/").status_code == 403
    page = site.client.get("/support/manage/").content.decode()
    assert "Download my data" not in page
    assert site.client.get(link.group(1)).status_code == 403
    assert site.client.get("/support/manage/export/").status_code == 403


@pytest.mark.django_db
def test_emails_waiting_for_an_erased_supporter_are_never_sent_nor_flagged(client):
    supporter = Supporter.objects.create(email=EMAIL, name=NAME)
    waiting = OutboxEmail.objects.create(
        supporter=supporter,
        kind="receipt",
        key="ch_1",
        to=EMAIL,
        subject=f"Thank you, {NAME}",
        html=f"<p>Dear {NAME}</p>",
        text=f"Dear {NAME}, we wrote to {EMAIL}.",
        message_id="<waiting@newsroom.invalid>",
        attempts=3,
        operator_fault=True,
        last_error="SMTPAuthenticationError: (535, b'5.7.8 Authentication failed')",
    )

    supporter_erase(supporter=supporter, reason=REASON)

    waiting.refresh_from_db()
    assert (waiting.status, waiting.operator_fault) == ("failed", False)
    assert NAME not in waiting.subject + waiting.html + waiting.text
    assert EMAIL not in waiting.text
    assert outbox_email_send(email_id=waiting.pk) == "skipped"
    assert emails_stuck().count() == 0
