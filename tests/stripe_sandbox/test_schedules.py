"""Subscription schedules in the sandbox: Stripe's rules the site's frequency switch meets."""

import pytest
import stripe


def _subscription(stripe_client):
    product = stripe_client.v1.products.create(params={"name": "Monthly support"})
    price = stripe_client.v1.prices.create(
        params={
            "currency": "eur",
            "unit_amount": 500,
            "recurring": {"interval": "month"},
            "product": product.id,
        }
    )
    customer = stripe_client.v1.customers.create(
        params={
            "payment_method": "pm_card_visa",
            "invoice_settings": {"default_payment_method": "pm_card_visa"},
        }
    )
    return stripe_client.v1.subscriptions.create(
        params={"customer": customer.id, "items": [{"price": price.id}]}
    )


def test_a_subscription_on_a_schedule_refuses_cancel_at_period_end_as_stripe_does(stripe_client):
    subscription = _subscription(stripe_client)
    schedule = stripe_client.v1.subscription_schedules.create(
        {"from_subscription": subscription.id}
    )

    with pytest.raises(stripe.InvalidRequestError) as raised:
        stripe_client.v1.subscriptions.update(subscription.id, {"cancel_at_period_end": True})

    assert raised.value.param == "cancel_at_period_end"
    assert f"managed by the subscription schedule `{schedule.id}`" in str(raised.value)
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client.v1.subscription_schedules.create({"from_subscription": subscription.id})


def test_cancelling_a_schedule_cancels_its_subscription(stripe_client):
    subscription = _subscription(stripe_client)
    schedule = stripe_client.v1.subscription_schedules.create(
        {"from_subscription": subscription.id}
    )

    canceled = stripe_client.v1.subscription_schedules.cancel(schedule.id)

    assert canceled.status == "canceled"
    assert stripe_client.v1.subscriptions.retrieve(subscription.id).status == "canceled"
    types = [event.type for event in stripe_client.v1.events.list({"limit": 100}).data]
    assert "subscription_schedule.canceled" in types
    assert "customer.subscription.deleted" in types
