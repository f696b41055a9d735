"""`manage.py stripe_setup` makes the account match the site, over HTTP to the sandbox."""

import io
import re

import pytest
import stripe
from django.core.management import call_command

from subscriptions.models import Contribution
from subscriptions.services.contributions import contribution_card_update_url
from subscriptions.stripe_events import handled_event_types
from tests.factories import ContributionFactory
from tests.stripe_sandbox.helpers import Receiver, api

SITE = "https://news.example.org"
ENDPOINT_URL = f"{SITE}/stripe/webhook/"


def _setup() -> str:
    out = io.StringIO()
    call_command("stripe_setup", site_url=SITE, stdout=out)
    return out.getvalue()


def _endpoints(stripe_api) -> list[dict]:
    return stripe_api.v1.webhook_endpoints.list().to_dict(for_json=True)["data"]


def _portal_configurations(stripe_api) -> list[dict]:
    return stripe_api.v1.billing_portal.configurations.list().to_dict(for_json=True)["data"]


def test_first_run_creates_the_endpoint_and_prints_its_secret_once(stripe_settings, stripe_api):
    first = _setup()

    (endpoint,) = _endpoints(stripe_api)
    assert endpoint["url"] == ENDPOINT_URL
    assert endpoint["enabled_events"] == handled_event_types()
    assert "invoice.paid" in endpoint["enabled_events"]
    assert endpoint["api_version"] == "2026-10-28.endive"
    assert endpoint["secret"] is None  # Stripe shows the secret only in the create answer
    assert re.search(r"STRIPE_WEBHOOK_SECRET=whsec_\w+", first)
    (portal,) = _portal_configurations(stripe_api)
    features = portal["features"]
    assert features["payment_method_update"]["enabled"]
    assert features["invoice_history"]["enabled"]
    assert not features["subscription_cancel"]["enabled"]
    assert not features["subscription_update"]["enabled"]
    assert f"STRIPE_PORTAL_CONFIGURATION={portal['id']}" in first


def test_second_run_changes_nothing(stripe_settings, stripe_api):
    _setup()
    before = (_endpoints(stripe_api), _portal_configurations(stripe_api))

    second = _setup()

    assert (_endpoints(stripe_api), _portal_configurations(stripe_api)) == before
    assert "whsec_" not in second
    assert second.count("unchanged") == 2


def test_an_endpoint_with_another_event_list_is_updated_in_place(stripe_settings, stripe_api):
    old = stripe_api.v1.webhook_endpoints.create(
        {
            "url": ENDPOINT_URL,
            "enabled_events": ["charge.refunded", "customer.created"],
            "api_version": "2026-10-28.endive",
        }
    )

    output = _setup()

    (endpoint,) = _endpoints(stripe_api)
    assert endpoint["id"] == old["id"]
    assert endpoint["enabled_events"] == handled_event_types()
    assert "updated" in output
    assert "whsec_" not in output  # the secret the operator has still signs


def test_a_portal_configuration_someone_changed_is_put_back(stripe_settings, stripe_api):
    _setup()
    (portal,) = _portal_configurations(stripe_api)
    stripe_api.v1.billing_portal.configurations.update(
        portal["id"], {"features": {"subscription_cancel": {"enabled": True}}}
    )

    _setup()

    (again,) = _portal_configurations(stripe_api)
    assert again["id"] == portal["id"]
    assert not again["features"]["subscription_cancel"]["enabled"]


def test_deliveries_go_to_endpoints_by_their_event_list_signed_with_their_secret(
    stripe_settings, stripe_api
):
    updates_only, everything = Receiver(), Receiver()
    try:
        first = stripe_api.v1.webhook_endpoints.create(
            {"url": updates_only.url, "enabled_events": ["customer.updated"]}
        )
        second = stripe_api.v1.webhook_endpoints.create(
            {"url": everything.url, "enabled_events": ["*"]}
        )
        customer = stripe_api.v1.customers.create({"email": "a@example.org"})
        stripe_api.v1.customers.update(customer["id"], {"name": "A Reader"})
        stripe_settings.control("POST", "/_sandbox/deliveries/wait", {"timeout": 20})
    finally:
        updates_only.close()
        everything.close()

    def types(receiver: Receiver, secret: str) -> list[str]:
        return [
            stripe.Webhook.construct_event(body, header, secret).type
            for body, header in receiver.received
        ]

    assert types(updates_only, first["secret"]) == ["customer.updated"]
    assert types(everything, second["secret"]) == ["customer.created", "customer.updated"]
    with pytest.raises(stripe.SignatureVerificationError):
        types(everything, first["secret"])


@pytest.mark.django_db
def test_the_card_update_opens_the_portal_on_the_card_flow(stripe_settings, stripe_api, settings):
    _setup()
    (portal,) = _portal_configurations(stripe_api)
    settings.STRIPE_PORTAL_CONFIGURATION = portal["id"]
    customer = stripe_api.v1.customers.create({"email": "reader@example.org"})
    contribution = ContributionFactory(stripe_customer_id=customer["id"])
    url = contribution_card_update_url(
        contribution=Contribution.objects.get(pk=contribution.pk),
        return_url="https://news.example.org/support/manage/",
    )

    session_id = url.rstrip("/").rsplit("/", 1)[-1]
    session = api(stripe_settings, "GET", f"/v1/billing_portal/sessions/{session_id}").json()
    assert session["configuration"] == portal["id"]
    assert session["flow"]["type"] == "payment_method_update"
    assert session["flow"]["after_completion"]["redirect"]["return_url"] == (
        "https://news.example.org/support/manage/"
    )
