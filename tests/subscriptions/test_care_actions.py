"""Supporter care acts from the supporter's page: through Stripe (the sandbox), with a
reason, once per form, audited, and only with the right role."""

import re
import uuid

import pytest
from django.core import mail

from subscriptions.models import (
    AuditEntry,
    ContributionChange,
    EmailKind,
    OutboxEmail,
    Payment,
    RefundRequest,
)
from subscriptions.roles import AUDITOR, FINANCE, SUPPORTER_CARE
from subscriptions.services.contributions import contribution_change
from tests.factories import PaymentFactory
from tests.staff import staff_member


def _act_url(of: Payment, action: str, **target: int) -> str:
    query = "&".join(f"{key}={value}" for key, value in target.items())
    return f"/admin/subscriptions/supporter/{of.supporter_id}/act/{action}/?{query}"


def _token_of(page) -> str:
    match = re.search(r'name="token" value="([0-9a-f-]{36})"', page.content.decode())
    assert match, "the confirmation page carries a one-time token"
    return match.group(1)


@pytest.fixture
def gift(site) -> Payment:
    """A €10 monthly gift paid through the sandbox's checkout, webhooks delivered."""
    site.give(amount="10", email="giver@example.org")
    return Payment.objects.get()


def _login(client, role: str, username: str = ""):
    user = staff_member(username=username or f"user-{role}", password="pw-Role-2026", role=role)
    client.force_login(user)
    return user


def test_care_refunds_part_of_a_payment_with_a_reason(site, gift, client, stripe_api):
    carer = _login(client, SUPPORTER_CARE, "carer")
    url = _act_url(gift, "refund", payment=gift.pk)

    page = client.get(url)
    response = client.post(
        url,
        {
            "token": _token_of(page),
            "payment": gift.pk,
            "amount": "4.50",
            "reason": "Given by mistake",
            "detail": "Ticket 4711",
        },
        follow=True,
    )

    assert "Refunded €4.50" in response.content.decode()
    gift.refresh_from_db()
    assert gift.amount_refunded == 450
    refund = stripe_api.v1.refunds.list({"charge": gift.stripe_charge_id}).data[0]
    assert refund.amount == 450
    assert refund.metadata["staff_member"] == "carer"
    assert refund.metadata["staff_reason"] == "Given by mistake: Ticket 4711"
    assert OutboxEmail.objects.filter(kind=EmailKind.REFUND, supporter=gift.supporter).exists()
    entry = AuditEntry.objects.get(action="care.refunded")
    assert (entry.actor_id, entry.reason) == (carer.pk, "Given by mistake: Ticket 4711")
    assert entry.supporter_id == gift.supporter_id


def test_a_double_click_refunds_once(site, gift, client, stripe_api):
    _login(client, SUPPORTER_CARE)
    url = _act_url(gift, "refund", payment=gift.pk)
    form = {
        "token": _token_of(client.get(url)),
        "payment": gift.pk,
        "amount": "2",
        "reason": "Supporter asked",
    }

    client.post(url, form)
    again = client.post(url, form, follow=True)

    assert "already done" in again.content.decode()
    gift.refresh_from_db()
    assert gift.amount_refunded == 200
    assert len(stripe_api.v1.refunds.list({"charge": gift.stripe_charge_id}).data) == 1
    assert AuditEntry.objects.filter(action="care.refunded").count() == 1


def test_a_refund_above_the_care_limit_waits_for_someone_in_finance(
    site, gift, client, settings, stripe_api
):
    settings.CARE_REFUND_LIMIT = {"eur": 500}
    carer = _login(client, SUPPORTER_CARE, "carer")
    url = _act_url(gift, "refund", payment=gift.pk)
    client.post(
        url,
        {"token": _token_of(client.get(url)), "payment": gift.pk, "amount": "8",
         "reason": "Charged twice"},
    )  # fmt: skip

    request = RefundRequest.objects.get()
    gift.refresh_from_db()
    assert (request.amount, request.status, gift.amount_refunded) == (800, "pending", 0)
    assert stripe_api.v1.refunds.list({"charge": gift.stripe_charge_id}).data == []
    decide = f"/admin/subscriptions/refundrequest/{request.pk}/decide/"
    assert client.get(decide).status_code == 403  # care cannot approve, not even its own

    finance = _login(client, FINANCE, "finance")
    page = client.get(decide)
    response = client.post(
        decide,
        {"token": _token_of(page), "decision": "approve", "reason": "Charged twice"},
        follow=True,
    )

    assert "Refunded" in response.content.decode()
    request.refresh_from_db()
    gift.refresh_from_db()
    assert (request.status, request.decided_by_id, gift.amount_refunded) == (
        "refunded",
        finance.pk,
        800,
    )
    assert request.requested_by_id == carer.pk
    refund = stripe_api.v1.refunds.list({"charge": gift.stripe_charge_id}).data[0]
    assert refund.metadata["staff_member"] == "finance"


def test_whoever_asked_for_a_refund_cannot_approve_it(site, gift, client, settings):
    settings.CARE_REFUND_LIMIT = {"eur": 0}
    finance_user = _login(client, FINANCE, "asker")
    finance_user.user_permissions.clear()
    # Finance may refund any amount; a request exists only if someone above the limit asked.
    request = RefundRequest.objects.create(
        payment=gift, supporter=gift.supporter, amount=300, currency="eur",
        reason="Charged twice", requested_by=finance_user,
    )  # fmt: skip
    decide = f"/admin/subscriptions/refundrequest/{request.pk}/decide/"

    response = client.post(
        decide,
        {"token": _token_of(client.get(decide)), "decision": "approve", "reason": "Other",
         "detail": "mine"},
        follow=True,
    )  # fmt: skip

    assert "Someone other than the person who asked" in response.content.decode()
    request.refresh_from_db()
    assert request.status == "pending"


def test_care_cancels_a_plan_at_the_period_end_and_stripe_knows_who_and_why(
    site, gift, client, stripe_api
):
    _login(client, SUPPORTER_CARE, "carer")
    contribution = gift.contribution
    url = _act_url(gift, "cancel", contribution=contribution.pk)

    client.post(
        url,
        {"token": _token_of(client.get(url)), "contribution": contribution.pk,
         "when": "period_end", "reason": "Supporter asked"},
    )  # fmt: skip

    contribution.refresh_from_db()
    assert contribution.cancel_at_period_end
    assert contribution.status == "active"
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription.metadata["staff_member"] == "carer"
    change = ContributionChange.objects.get(field="cancel_at_period_end")
    assert (change.changed_by, change.staff.username) == ("staff", "carer")
    assert (change.reason, change.reason_detail) == ("staff", "Supporter asked")
    assert AuditEntry.objects.get(action="care.plan_cancelled").reason == "Supporter asked"


def test_care_cancels_a_plan_now(site, gift, client, stripe_api):
    _login(client, SUPPORTER_CARE)
    contribution = gift.contribution
    url = _act_url(gift, "cancel", contribution=contribution.pk)

    client.post(
        url,
        {"token": _token_of(client.get(url)), "contribution": contribution.pk, "when": "now",
         "reason": "Payment problem"},
    )  # fmt: skip

    contribution.refresh_from_db()
    assert contribution.status == "canceled"
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription.status == "canceled"
    assert subscription.metadata["staff_reason"] == "Payment problem"


def test_care_changes_a_plans_amount(site, gift, client, stripe_api):
    _login(client, SUPPORTER_CARE, "carer")
    contribution = gift.contribution
    url = _act_url(gift, "change_amount", contribution=contribution.pk)

    client.post(
        url,
        {"token": _token_of(client.get(url)), "contribution": contribution.pk,
         "amount": "15", "reason": "Supporter asked"},
    )  # fmt: skip

    contribution.refresh_from_db()
    assert contribution.amount == 1500
    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription["items"].data[0].price.unit_amount == 1500
    assert subscription.metadata["staff_member"] == "carer"
    change = ContributionChange.objects.get(field="amount")
    assert (change.before, change.after, change.changed_by) == ("1000", "1500", "staff")


def test_a_pending_switch_of_frequency_blocks_an_amount_change_and_a_cancel_drops_it(
    site, gift, client, stripe_api
):
    contribution = gift.contribution
    contribution_change(contribution=contribution, amount=10000, frequency="year")
    contribution.refresh_from_db()
    assert contribution.stripe_schedule_id
    _login(client, SUPPORTER_CARE)
    change = _act_url(gift, "change_amount", contribution=contribution.pk)

    refused = client.post(
        change,
        {"token": _token_of(client.get(change)), "contribution": contribution.pk,
         "amount": "15", "reason": "Supporter asked"},
        follow=True,
    )  # fmt: skip

    assert "change the amount once the switch has happened" in refused.content.decode()
    contribution.refresh_from_db()
    assert contribution.amount == 1000

    cancel = _act_url(gift, "cancel", contribution=contribution.pk)
    client.post(
        cancel,
        {"token": _token_of(client.get(cancel)), "contribution": contribution.pk,
         "when": "period_end", "reason": "Supporter asked"},
    )  # fmt: skip

    subscription = stripe_api.v1.subscriptions.retrieve(contribution.stripe_subscription_id)
    assert subscription.cancel_at_period_end
    assert not subscription.schedule
    contribution.refresh_from_db()
    assert (contribution.cancel_at_period_end, contribution.stripe_schedule_id) == (True, "")


def test_care_resends_a_receipt_and_sends_a_manage_link(site, gift, client):
    _login(client, SUPPORTER_CARE)
    receipts_before = OutboxEmail.objects.filter(kind=EmailKind.RECEIPT).count()
    mail.outbox.clear()
    resend = _act_url(gift, "resend_receipt", payment=gift.pk)
    link = _act_url(gift, "send_manage_link")

    client.post(resend, {"token": _token_of(client.get(resend)), "payment": gift.pk,
                         "reason": "Email not received"})  # fmt: skip
    client.post(link, {"token": _token_of(client.get(link)), "reason": "Supporter asked"})

    assert OutboxEmail.objects.filter(kind=EmailKind.RECEIPT).count() == receipts_before + 1
    assert OutboxEmail.objects.filter(kind=EmailKind.MANAGE_LINK).count() == 1
    assert {message.to[0] for message in mail.outbox} == {"giver@example.org"}
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "care.receipt_resent",
        "care.manage_link_sent",
    }


ACTION_PERMISSIONS = {
    # action: (target, roles allowed)
    "resend_receipt": ("payment", {SUPPORTER_CARE}),
    "send_manage_link": ("", {SUPPORTER_CARE}),
    "cancel": ("contribution", {SUPPORTER_CARE}),
    "change_amount": ("contribution", {SUPPORTER_CARE}),
    "pause": ("contribution", {SUPPORTER_CARE}),
    "resume": ("contribution", {SUPPORTER_CARE}),
    "refund": ("payment", {SUPPORTER_CARE, FINANCE}),
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", [SUPPORTER_CARE, FINANCE, AUDITOR])
@pytest.mark.parametrize("action", list(ACTION_PERMISSIONS))
def test_each_action_checks_its_permission_on_get_and_on_a_crafted_post(client, role, action):
    payment = PaymentFactory(receipt_number="2026-000001")
    target, allowed = ACTION_PERMISSIONS[action]
    ids = {"payment": payment.pk, "contribution": payment.contribution_id}
    query = {target: ids[target]} if target else {}
    _login(client, role)
    url = _act_url(payment, action, **query)
    crafted = {**query, "token": str(uuid.uuid4()), "reason": "Other"}  # no detail: refused

    get, post = client.get(url), client.post(url, crafted)

    expected = 200 if role in allowed else 403
    assert (get.status_code, post.status_code) == (expected, expected)
    assert not AuditEntry.objects.filter(action__startswith="care.").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "status"), [(FINANCE, 200), (SUPPORTER_CARE, 403), (AUDITOR, 403)]
)
def test_only_finance_opens_a_refund_approval(client, role, status):
    payment = PaymentFactory()
    asker = staff_member(username="asker", password="pw-Role-2026", role=SUPPORTER_CARE)
    request = RefundRequest.objects.create(
        payment=payment, amount=300, currency="eur", reason="x", requested_by=asker
    )
    _login(client, role)
    url = f"/admin/subscriptions/refundrequest/{request.pk}/decide/"

    assert client.get(url).status_code == status
    assert client.post(url, {"decision": "approve"}).status_code == status
