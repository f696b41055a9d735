"""The account's setup at Stripe: our webhook endpoint and our billing portal configuration."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .client import call, stripe_client

# Stripe lists at most 100 of either per page; an account has a handful.
PAGE_SIZE = 100


@dataclass(frozen=True)
class WebhookEndpointInfo:
    id: str
    url: str
    api_version: str | None
    enabled_events: tuple[str, ...]
    status: str
    # Stripe answers the signing secret only when the endpoint is created.
    secret: str | None = None


@dataclass(frozen=True)
class PortalFeatures:
    payment_method_update: bool
    invoice_history: bool
    customer_update: bool
    subscription_update: bool
    subscription_cancel: bool


@dataclass(frozen=True)
class PortalConfigurationInfo:
    id: str
    active: bool
    features: PortalFeatures
    metadata: dict[str, str]


def _endpoint(obj: dict[str, Any]) -> WebhookEndpointInfo:
    return WebhookEndpointInfo(
        id=obj["id"],
        url=obj["url"],
        api_version=obj.get("api_version"),
        enabled_events=tuple(sorted(obj.get("enabled_events") or ())),
        status=obj.get("status") or "",
        secret=obj.get("secret"),
    )


def _portal_configuration(obj: dict[str, Any]) -> PortalConfigurationInfo:
    features = obj.get("features") or {}

    def enabled(name: str) -> bool:
        return bool((features.get(name) or {}).get("enabled"))

    return PortalConfigurationInfo(
        id=obj["id"],
        active=bool(obj.get("active")),
        features=PortalFeatures(
            payment_method_update=enabled("payment_method_update"),
            invoice_history=enabled("invoice_history"),
            customer_update=enabled("customer_update"),
            subscription_update=enabled("subscription_update"),
            subscription_cancel=enabled("subscription_cancel"),
        ),
        metadata=dict(obj.get("metadata") or {}),
    )


def webhook_endpoints_list() -> list[WebhookEndpointInfo]:
    page = call(stripe_client().v1.webhook_endpoints.list, {"limit": PAGE_SIZE})
    return [_endpoint(obj) for obj in page["data"]]


def webhook_endpoint_create(*, url: str, enabled_events: list[str]) -> WebhookEndpointInfo:
    """A new endpoint at the pinned API version; the answer carries its signing secret."""
    endpoint = call(
        stripe_client().v1.webhook_endpoints.create,
        {
            "url": url,
            "enabled_events": enabled_events,
            "api_version": settings.STRIPE_API_VERSION,
            "description": "Reader support: every event the site handles.",
        },
    )
    return _endpoint(endpoint)


def webhook_endpoint_update(*, endpoint_id: str, enabled_events: list[str]) -> WebhookEndpointInfo:
    endpoint = call(
        stripe_client().v1.webhook_endpoints.update,
        endpoint_id,
        {"enabled_events": enabled_events, "disabled": False},
    )
    return _endpoint(endpoint)


def webhook_endpoint_delete(*, endpoint_id: str) -> None:
    call(stripe_client().v1.webhook_endpoints.delete, endpoint_id)


def portal_configurations_list() -> list[PortalConfigurationInfo]:
    page = call(
        stripe_client().v1.billing_portal.configurations.list,
        {"active": True, "limit": PAGE_SIZE},
    )
    return [_portal_configuration(obj) for obj in page["data"]]


def _portal_params(features: PortalFeatures, metadata: dict[str, str]) -> dict[str, Any]:
    return {
        "features": {
            "payment_method_update": {"enabled": features.payment_method_update},
            "invoice_history": {"enabled": features.invoice_history},
            "customer_update": {"enabled": features.customer_update},
            "subscription_update": {"enabled": features.subscription_update},
            "subscription_cancel": {"enabled": features.subscription_cancel},
        },
        "metadata": metadata,
    }


def portal_configuration_create(
    *, features: PortalFeatures, metadata: dict[str, str]
) -> PortalConfigurationInfo:
    configuration = call(
        stripe_client().v1.billing_portal.configurations.create,
        _portal_params(features, metadata),
    )
    return _portal_configuration(configuration)


def portal_configuration_update(
    *, configuration_id: str, features: PortalFeatures, metadata: dict[str, str]
) -> PortalConfigurationInfo:
    configuration = call(
        stripe_client().v1.billing_portal.configurations.update,
        configuration_id,
        _portal_params(features, metadata),
    )
    return _portal_configuration(configuration)
