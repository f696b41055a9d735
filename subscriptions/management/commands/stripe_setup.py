from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from subscriptions.services.stripe_setup import stripe_setup_apply
from subscriptions.stripe_gateway import GatewayError


class Command(BaseCommand):
    help = (
        "Create or update, at Stripe, the webhook endpoint for SITE_URL (the events the site "
        "handles, at the pinned API version) and the billing portal configuration."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--site-url", default=settings.SITE_URL, help="default: SITE_URL")

    def handle(self, *args: Any, site_url: str, **options: Any) -> None:
        try:
            result = stripe_setup_apply(site_url=site_url)
        except GatewayError as error:
            raise CommandError(f"Stripe refused the setup: {error}") from None
        endpoint = result.endpoint
        self.stdout.write(
            f"Webhook endpoint {endpoint.id} for {endpoint.url}: {result.endpoint_action} "
            f"({len(endpoint.enabled_events)} event types, API {endpoint.api_version})."
        )
        if result.secret:
            self.stdout.write(
                f"Its signing secret, shown this once: STRIPE_WEBHOOK_SECRET={result.secret}"
            )
        self.stdout.write(
            f"Billing portal configuration {result.portal.id}: {result.portal_action} "
            "(new card and invoice history; no plan changes or cancelling there). "
            f"Put STRIPE_PORTAL_CONFIGURATION={result.portal.id} in the site's environment."
        )
