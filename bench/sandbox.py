"""Benchmark: checkout completions and a 31-day clock advance at 1,000 and 10,000 checkouts.

Run `python bench/sandbox.py [small] [large]` from the project root. It prints the time per
operation at each size and the ratio of large to small per-operation times (target < 1.5: the
sandbox should not slow down as its store grows).
"""

import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import stripe  # noqa: E402

from tests.sandbox_process import SandboxProcess  # noqa: E402

CARD = {
    "email": "bench@example.org",
    "name": "Bench Reader",
    "card_number": "4242424242424242",
    "exp_month": "12",
    "exp_year": "2034",
    "cvc": "123",
}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def checkout(client: stripe.StripeClient, opener: urllib.request.OpenerDirector, n: int) -> None:
    session = client.v1.checkout.sessions.create(
        params={
            "mode": "subscription",
            "success_url": "http://127.0.0.1:8000/thanks/{CHECKOUT_SESSION_ID}",
            "customer_email": f"reader{n}@example.org",
            "subscription_data": {"metadata": {"contribution_id": str(n)}},
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": "eur",
                        "unit_amount": 500 + n % 7,
                        "recurring": {"interval": "month"},
                        "product_data": {"name": "Monthly support"},
                    },
                }
            ],
        },
        options={"idempotency_key": f"bench-{n}"},
    )
    try:
        opener.open(session.url, data=urllib.parse.urlencode(CARD).encode(), timeout=30)
    except urllib.error.HTTPError as answer:
        if answer.code != 303:
            raise


def run(size: int) -> tuple[float, float]:
    with SandboxProcess() as sandbox:
        client = stripe.StripeClient("sk_test_bench", base_addresses={"api": sandbox.url})
        opener = urllib.request.build_opener(NoRedirect)
        started = time.perf_counter()
        for n in range(size):
            checkout(client, opener, n)
        per_checkout = (time.perf_counter() - started) / size
        started = time.perf_counter()
        result = sandbox.control("POST", "/_sandbox/clock/advance", {"days": 31}, timeout=3600)
        advance = time.perf_counter() - started
        per_renewal = advance / max(1, result["jobs_run"])
        print(
            f"{size:>6} checkouts: {per_checkout * 1000:7.2f} ms/checkout; clock +31 days ran "
            f"{result['jobs_run']} jobs in {advance:6.1f} s = {per_renewal * 1000:6.2f} ms/job",
            flush=True,
        )
        return per_checkout, per_renewal


def main() -> None:
    small, large = (int(arg) for arg in (sys.argv[1:3] or ["1000", "10000"]))
    small_checkout, small_job = run(small)
    large_checkout, large_job = run(large)
    print(f"ratio {large}/{small} per checkout: {large_checkout / small_checkout:.2f}")
    print(f"ratio {large}/{small} per clock job: {large_job / small_job:.2f}")


if __name__ == "__main__":
    main()
