"""Make the Stripe account match what the site needs: one webhook endpoint, one portal setup.

Idempotent: a second run finds both as they should be and changes nothing.
"""

from dataclasses import dataclass

from django.conf import settings

from subscriptions import stripe_gateway as gateway
from subscriptions.stripe_events import handled_event_types

WEBHOOK_PATH = "/stripe/webhook/"
# Marks the portal configuration this command owns among any others on the account.
PORTAL_MARKER = {"managed_by": "stripe_setup"}
# Card update and invoice history; no plan switching or cancelling there: our own manage
# page asks for a reason when a supporter stops, and changes plans with its own words.
PORTAL_FEATURES = gateway.PortalFeatures(
    payment_method_update=True,
    invoice_history=True,
    customer_update=False,
    subscription_update=False,
    subscription_cancel=False,
)


@dataclass(frozen=True)
class StripeSetupResult:
    endpoint: gateway.WebhookEndpointInfo
    endpoint_action: str  # "created", "updated", "recreated" or "unchanged"
    portal: gateway.PortalConfigurationInfo
    portal_action: str  # "created", "updated" or "unchanged"

    @property
    def secret(self) -> str | None:
        """The signing secret, answered by Stripe only when the endpoint was (re)created."""
        return self.endpoint.secret


def _webhook_endpoint_apply(url: str) -> tuple[gateway.WebhookEndpointInfo, str]:
    wanted = handled_event_types()
    existing = next((e for e in gateway.webhook_endpoints_list() if e.url == url), None)
    if existing is None:
        return gateway.webhook_endpoint_create(url=url, enabled_events=wanted), "created"
    if existing.api_version != settings.STRIPE_API_VERSION:
        # Stripe fixes an endpoint's API version when it is created.
        gateway.webhook_endpoint_delete(endpoint_id=existing.id)
        return gateway.webhook_endpoint_create(url=url, enabled_events=wanted), "recreated"
    if list(existing.enabled_events) != wanted or existing.status != "enabled":
        updated = gateway.webhook_endpoint_update(endpoint_id=existing.id, enabled_events=wanted)
        return updated, "updated"
    return existing, "unchanged"


def _portal_configuration_apply() -> tuple[gateway.PortalConfigurationInfo, str]:
    ours = [
        c
        for c in gateway.portal_configurations_list()
        if all(c.metadata.get(k) == v for k, v in PORTAL_MARKER.items())
    ]
    if not ours:
        created = gateway.portal_configuration_create(
            features=PORTAL_FEATURES, metadata=PORTAL_MARKER
        )
        return created, "created"
    configuration = ours[0]
    if configuration.features != PORTAL_FEATURES:
        updated = gateway.portal_configuration_update(
            configuration_id=configuration.id, features=PORTAL_FEATURES, metadata=PORTAL_MARKER
        )
        return updated, "updated"
    return configuration, "unchanged"


def stripe_setup_apply(*, site_url: str) -> StripeSetupResult:
    """Create or update the webhook endpoint for `site_url` and the portal configuration."""
    endpoint, endpoint_action = _webhook_endpoint_apply(site_url.rstrip("/") + WEBHOOK_PATH)
    portal, portal_action = _portal_configuration_apply()
    return StripeSetupResult(
        endpoint=endpoint,
        endpoint_action=endpoint_action,
        portal=portal,
        portal_action=portal_action,
    )
