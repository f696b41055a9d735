"""Helpers of the sandbox tests: raw HTTP, checkout sessions, paying, a webhook receiver."""

import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import stripe

from tests.sandbox_process import SandboxProcess

API_KEY = "sk_test_sandbox_tests"
WEBHOOK_SECRET = "whsec_sandbox_tests"
SUCCESS_URL = "http://127.0.0.1:8000/support/thanks/?session={CHECKOUT_SESSION_ID}"
CANCEL_URL = "http://127.0.0.1:8000/support/"


class HttpAnswer:
    def __init__(self, status: int, headers: dict[str, str], body: str):
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


def http(
    method: str,
    url: str,
    *,
    form: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpAnswer:
    """One HTTP request without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    data = urllib.parse.urlencode(form).encode() if form is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return HttpAnswer(response.status, dict(response.headers), response.read().decode())
    except urllib.error.HTTPError as error:
        return HttpAnswer(error.code, dict(error.headers), error.read().decode())


def api(
    sandbox: SandboxProcess,
    method: str,
    path: str,
    form: dict[str, str] | None = None,
    *,
    key: str = API_KEY,
    headers: dict[str, str] | None = None,
) -> HttpAnswer:
    return http(
        method,
        sandbox.url + path,
        form=form,
        headers={"Authorization": f"Bearer {key}"} | (headers or {}),
    )


def card_form(number: str = "4242424242424242", email: str = "reader@example.org") -> dict:
    return {
        "email": email,
        "name": "Ada Reader",
        "card_number": number,
        "exp_month": "12",
        "exp_year": "2034",
        "cvc": "123",
    }


def monthly_session(stripe_client: stripe.StripeClient, amount: int = 500, **extra: Any) -> Any:
    params: dict[str, Any] = {
        "mode": "subscription",
        "success_url": SUCCESS_URL,
        "cancel_url": CANCEL_URL,
        "customer_email": "reader@example.org",
        "client_reference_id": "contribution-1",
        "metadata": {"contribution_id": "1"},
        "subscription_data": {"metadata": {"contribution_id": "1"}},
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": "eur",
                    "unit_amount": amount,
                    "recurring": {"interval": "month"},
                    "product_data": {"name": "Monthly support"},
                },
            }
        ],
    }
    return stripe_client.v1.checkout.sessions.create(params=params | extra)


def one_time_session(stripe_client: stripe.StripeClient, amount: int = 1000) -> Any:
    return stripe_client.v1.checkout.sessions.create(
        params={
            "mode": "payment",
            "success_url": SUCCESS_URL,
            "cancel_url": CANCEL_URL,
            "payment_intent_data": {"metadata": {"contribution_id": "2"}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "usd",
                        "unit_amount": amount,
                        "product_data": {"name": "One-off support"},
                    },
                }
            ],
        }
    )


def pay(session: Any, number: str = "4242424242424242") -> HttpAnswer:
    return http("POST", session.url, form=card_form(number))


def subscribe(
    stripe_client: stripe.StripeClient, number: str = "4242424242424242", **kw: Any
) -> Any:
    """A completed monthly checkout; returns the session with subscription expanded."""
    session = monthly_session(stripe_client, **kw)
    answer = pay(session, number)
    assert answer.status == 303, answer.body
    return stripe_client.v1.checkout.sessions.retrieve(
        session.id, params={"expand": ["subscription.latest_invoice.payments"]}
    )


class Receiver:
    """A local webhook endpoint that records deliveries and can fail the first few."""

    def __init__(self, fail_first: int = 0):
        self.received: list[tuple[str, str]] = []
        self.fail_remaining = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"])).decode()
                if receiver.fail_remaining > 0:
                    receiver.fail_remaining -= 1
                    self.send_response(500)
                else:
                    receiver.received.append((body, self.headers["Stripe-Signature"]))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stripe/webhook/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
