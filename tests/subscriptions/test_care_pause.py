"""Supporter care pauses a plan's payments for some months, and resumes them: through
Stripe's pause_collection (the sandbox), with a reason, once per form, audited."""

import re
from datetime import timedelta

import pytest
import stripe
from django.core import mail
from django.utils import timezone

from subscriptions.models import AuditEntry, Contribution, ContributionChange, Payment
from subscriptions.roles import SUPPORTER_CARE
from subscriptions.services.care import months_later
from tests.staff import staff_member


@pytest.fixture
def gift(site) -> Payment:
    """A €10 monthly gift paid through the sandbox's checkout, webhooks delivered."""
    site.give(amount="10", email="giver@example.org")
    return Payment.objects.get()


@pytest.fixture
def carer(client):
    user = staff_member(username="carer", password="pw-Role-2026", role=SUPPORTER_CARE)
    client.force_login(user)
    return user


def _act(client, gift: Payment, action: str, **fields: str):
    url = (
        f"/admin/subscriptions/supporter/{gift.supporter_id}/act/{action}/"
        f"?contribution={gift.contribution_id}"
    )
    page = client.get(url)
    assert page.status_code == 200
    token = re.search(r'name="token" value="([0-9a-f-]{36})"', page.content.decode()).group(1)
    form = {"token": token, "contribution": gift.contribution_id, **fields}
    return client.post(url, form, follow=True), form, url


def _plan(gift: Payment) -> Contribution:
    return Contribution.objects.get(pk=gift.contribution_id)


def test_care_pauses_payments_for_two_months_and_the_plan_then_gives_again(
    site, gift, client, carer, stripe_api
):
    response, _, _ = _act(
        client, gift, "pause", months="2", reason="Supporter asked", detail="Lost her job"
    )

    assert "Payments on this plan are paused until" in response.content.decode()
    plan = _plan(gift)
    assert (plan.collection_paused, plan.status) == (True, "active")
    expected = months_later(timezone.now(), 2)
    assert abs(plan.collection_resumes_at - expected) < timedelta(minutes=5)
    subscription = stripe_api.v1.subscriptions.retrieve(plan.stripe_subscription_id)
    assert subscription.pause_collection.behavior == "void"
    assert subscription.pause_collection.resumes_at == int(plan.collection_resumes_at.timestamp())
    assert subscription.metadata["staff_member"] == "carer"
    assert subscription.metadata["staff_reason"] == "Supporter asked: Lost her job"
    change = ContributionChange.objects.get(field="collection_pause")
    assert (change.before, change.changed_by, change.staff_id) == ("running", "staff", carer.pk)
    assert change.after == f"paused until {plan.collection_resumes_at:%Y-%m-%d}"
    entry = AuditEntry.objects.get(action="care.collection_paused")
    assert (entry.actor_id, entry.supporter_id) == (carer.pk, gift.supporter_id)
    assert entry.reason == "Supporter asked: Lost her job"
    page = client.get(f"/admin/subscriptions/supporter/{gift.supporter_id}/change/").content
    assert b"payments paused until" in page
    assert b"Resume payments now" in page
    assert b"Pause payments" not in page

    site.advance(days=65)  # two renewals fall in the pause

    assert Payment.objects.count() == 1, "nothing is taken while payments are paused"
    voided = stripe_api.v1.invoices.list(
        {"subscription": plan.stripe_subscription_id, "status": "void"}
    ).data
    assert len(voided) == 2
    plan = _plan(gift)
    assert not plan.collection_paused, "Stripe resumed collection at resumes_at"
    assert plan.collection_resumes_at is None

    site.advance(days=31)

    assert Payment.objects.count() == 2, "the plan gives again by itself after the pause"


def test_care_resumes_payments_now(site, gift, client, carer, stripe_api):
    _act(client, gift, "pause", months="3", reason="Payment problem")

    response, _, _ = _act(client, gift, "resume", reason="Supporter asked")

    assert "start again from its next renewal" in response.content.decode()
    plan = _plan(gift)
    assert (plan.collection_paused, plan.collection_resumes_at) == (False, None)
    subscription = stripe_api.v1.subscriptions.retrieve(plan.stripe_subscription_id)
    assert subscription.pause_collection is None
    assert AuditEntry.objects.get(action="care.collection_resumed").reason == "Supporter asked"
    assert Payment.objects.count() == 1, "resuming charges nothing at once"

    site.advance(days=32)

    assert Payment.objects.count() == 2


def test_a_double_click_pauses_once(site, gift, client, carer, stripe_api):
    _, form, url = _act(client, gift, "pause", months="1", reason="Supporter asked")

    again = client.post(url, form, follow=True)

    assert "already done" in again.content.decode()
    assert AuditEntry.objects.filter(action="care.collection_paused").count() == 1
    assert ContributionChange.objects.filter(field="collection_pause").count() == 1


def test_a_paused_plan_cannot_be_paused_again_and_an_unpaused_one_not_resumed(
    site, gift, client, carer
):
    refused, _, _ = _act(client, gift, "resume", reason="Supporter asked")
    assert "not paused: nothing to resume" in refused.content.decode()

    _act(client, gift, "pause", months="1", reason="Supporter asked")
    resumes_at = _plan(gift).collection_resumes_at
    refused, _, _ = _act(client, gift, "pause", months="6", reason="Supporter asked")

    assert "already paused" in refused.content.decode()
    assert _plan(gift).collection_resumes_at == resumes_at
    assert AuditEntry.objects.filter(action__startswith="care.collection").count() == 1


def test_a_pause_outside_one_to_twelve_months_is_refused_and_changes_nothing(
    site, gift, client, carer
):
    response, _, _ = _act(client, gift, "pause", months="13", reason="Supporter asked")

    assert "Select a valid choice" in response.content.decode()
    assert not _plan(gift).collection_paused
    assert not AuditEntry.objects.filter(action__startswith="care.").exists()


def test_the_supporters_manage_page_says_payments_are_paused(site, gift, client, carer):
    _act(client, gift, "pause", months="2", reason="Supporter asked")
    plan = _plan(gift)
    site.client.post("/support/manage/", {"email": "giver@example.org"})

    link = re.search(r"https?://[^/\s]+(/support/manage/[^\s\"<]+/)", mail.outbox[-1].body)
    site.client.get(link.group(1))

    page = site.client.get("/support/manage/").content.decode()

    assert "Payments are paused until" in page
    assert f"{plan.collection_resumes_at:%-d %B %Y}" in page


def test_the_sandbox_refuses_a_pause_stripe_would_refuse(site, gift, stripe_api):
    subscription_id = _plan(gift).stripe_subscription_id
    with pytest.raises(stripe.InvalidRequestError, match="behavior"):
        stripe_api.v1.subscriptions.update(
            subscription_id, {"pause_collection": {"behavior": "skip"}}
        )
    past = int((timezone.now() - timedelta(days=1)).timestamp())
    with pytest.raises(stripe.InvalidRequestError, match="resumes_at"):
        stripe_api.v1.subscriptions.update(
            subscription_id, {"pause_collection": {"behavior": "void", "resumes_at": past}}
        )
    assert stripe_api.v1.subscriptions.retrieve(subscription_id).pause_collection is None
