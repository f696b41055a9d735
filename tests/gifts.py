"""Drive a gift end to end: our site, the sandbox's hosted checkout, the webhooks."""

import hashlib
import hmac
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from django.test import Client

from tests.sandbox_process import SandboxProcess

WEBHOOK_SECRET = "whsec_test_suite_secret"
SANDBOX_API_KEY = "sk_test_site_suite"
GOOD_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"
FAILS_LATER_CARD = "4000000000000341"
# Browser tests read as a reader in Ireland: the appeal defaults to euros (an en-US
# browser would be offered dollars, newsroom.currencies).
READER_LOCALE = "en-IE"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def http_post_form(url: str, fields: dict[str, str]) -> tuple[int, dict[str, str], str]:
    """POST a form without following redirects; answer (status, headers, body)."""
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with _opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


@dataclass
class Site:
    sandbox: SandboxProcess
    live_url: str
    client: Client

    def settle(self) -> dict[str, Any]:
        """Wait until the sandbox has delivered every webhook to the site."""
        return self.sandbox.control("POST", "/_sandbox/deliveries/wait", {"timeout": 30})

    def advance(self, days: int) -> None:
        self.sandbox.control("POST", "/_sandbox/clock/advance", {"days": days})
        self.settle()

    def start_gift(
        self, *, path: str = "/support/", upsell: str | None = "declined", **fields: str
    ):
        # A fresh form_token, as appeal.js fills in on every page load.
        form = {
            "amount": "5",
            "currency": "eur",
            "frequency": "month",
            "form_token": str(uuid.uuid4()),
            **fields,
        }
        response = self.client.post(path, form)
        if upsell is not None and offered_monthly(response):
            # "Once" is followed by the offer of a monthly gift: answer it as a reader would.
            response = self.client.post(path, {**offer_fields(response), "upsell": upsell})
        return response

    def pay(self, checkout_url: str, *, card: str = GOOD_CARD, email: str = "reader@example.org"):
        return http_post_form(
            checkout_url,
            {
                "email": email,
                "name": "Rowan Reader",
                "card_number": card,
                "exp_month": "12",
                "exp_year": "2034",
                "cvc": "123",
            },
        )

    def give(self, *, card: str = GOOD_CARD, email: str = "reader@example.org", **fields: str):
        """A whole gift: the appeal form, the hosted checkout, back to the thanks page."""
        response = self.start_gift(**fields)
        assert response.status_code == 303, response.content.decode()[:2000]
        status, headers, body = self.pay(response["Location"], card=card, email=email)
        assert status == 303, body[:2000]
        self.settle()
        return headers["Location"]

    def thanks_path(self, success_url: str) -> str:
        parts = urllib.parse.urlsplit(success_url)
        return f"{parts.path}?{parts.query}"


HIDDEN_FIELD = re.compile(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)">')


def offered_monthly(response) -> bool:
    """Whether the answer to a post of "once" is the page offering a monthly gift."""
    return response.status_code == 200 and 'name="upsell"' in response.content.decode()


def offer_fields(response) -> dict[str, str]:
    """The hidden fields of the offer page's form: what either of its buttons posts."""
    return dict(HIDDEN_FIELD.findall(response.content.decode()))


def session_id_from(url: str) -> str:
    match = re.search(r"(cs_[A-Za-z0-9_]+)", url)
    assert match, url
    return match.group(1)


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """A Stripe-Signature header exactly as Stripe computes it."""
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def post_event(client: Client, event: dict, **sign_options):
    body = json.dumps(event).encode()
    return client.post(
        "/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(body, **sign_options),
    )
