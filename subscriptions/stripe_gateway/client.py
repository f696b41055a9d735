"""The one place that builds a Stripe client and turns SDK errors into ours."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import stripe
from django.conf import settings

from .types import CardDeclined, GatewayError, GatewayUnavailable


@lru_cache(maxsize=4)
def _build(
    api_key: str,
    api_base: str,
    api_version: str,
    timeouts: tuple[float, float],
    max_network_retries: int,
) -> stripe.StripeClient:
    if api_base and api_key.startswith(("sk_live_", "rk_live_")):
        raise GatewayError("A live Stripe key only talks to Stripe: unset STRIPE_API_BASE.")
    return stripe.StripeClient(
        api_key,
        stripe_version=api_version,
        base_addresses={"api": api_base} if api_base else None,
        # (connect, read): a dead network fails fast; a slow answer is still waited for.
        http_client=stripe.RequestsClient(timeout=timeouts),
        max_network_retries=max_network_retries,
    )


def stripe_client() -> stripe.StripeClient:
    return _build(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_API_VERSION,
        (settings.STRIPE_CONNECT_TIMEOUT, settings.STRIPE_READ_TIMEOUT),
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except stripe.CardError as error:
        raise CardDeclined(
            error.user_message or str(error), decline_code=getattr(error, "decline_code", "") or ""
        ) from error
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError) as error:
        raise GatewayUnavailable(str(error)) from error
    except stripe.StripeError as error:
        raise GatewayError(str(error)) from error


def call(method: Callable[..., Any], *args: Any, **kwargs: Any) -> dict[str, Any]:
    """Call the SDK and answer the object as plain data (StripeObjects are not dicts)."""
    with translated_errors():
        return method(*args, **kwargs).to_dict(for_json=True)
