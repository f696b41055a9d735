"""Benchmark: checkout completions and a 31-day clock advance at 1,000 and 10,000 checkouts.

Run `python bench/sandbox.py [small] [large]` from the project root. It prints the time per
operation at each size and the ratio of large to small per-operation times (target < 1.5: the
sandbox should not slow down as its store grows). On Linux it also prints the CPU time the
sandbox process itself spent per operation, which a busy machine disturbs far less than the
wall-clock time.
"""

import os
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


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process, from /proc (None where there is no /proc)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_operation(before: float | None, after: float | None, count: int) -> float | None:
    if before is None or after is None:
        return None
    return (after - before) / max(1, count)


def cpu_note(seconds: float | None) -> str:
    return "" if seconds is None else f" (sandbox CPU {seconds * 1000:.2f} ms)"


def run(size: int) -> tuple[float, float, float | None, float | None]:
    with SandboxProcess() as sandbox:
        assert sandbox.process is not None
        pid = sandbox.process.pid
        client = stripe.StripeClient("sk_test_bench", base_addresses={"api": sandbox.url})
        opener = urllib.request.build_opener(NoRedirect)
        cpu_start = cpu_seconds(pid)
        started = time.perf_counter()
        for n in range(size):
            checkout(client, opener, n)
        per_checkout = (time.perf_counter() - started) / size
        cpu_checkouts = cpu_seconds(pid)
        started = time.perf_counter()
        result = sandbox.control("POST", "/_sandbox/clock/advance", {"days": 31}, timeout=3600)
        advance = time.perf_counter() - started
        jobs = result["jobs_run"]
        per_renewal = advance / max(1, jobs)
        cpu_checkout = per_operation(cpu_start, cpu_checkouts, size)
        cpu_job = per_operation(cpu_checkouts, cpu_seconds(pid), jobs)
        print(
            f"{size:>6} checkouts: {per_checkout * 1000:7.2f} ms/checkout{cpu_note(cpu_checkout)}; "
            f"clock +31 days ran {jobs} jobs in {advance:6.1f} s = "
            f"{per_renewal * 1000:6.2f} ms/job{cpu_note(cpu_job)}",
            flush=True,
        )
        return per_checkout, per_renewal, cpu_checkout, cpu_job


def main() -> None:
    small, large = (int(arg) for arg in (sys.argv[1:3] or ["1000", "10000"]))
    small_runs = run(small)
    large_runs = run(large)
    for label, index in (("per checkout", 0), ("per clock job", 1)):
        print(f"ratio {large}/{small} {label}: {large_runs[index] / small_runs[index]:.2f}")
    small_cpu, large_cpu = small_runs[2:], large_runs[2:]
    for label, small_value, large_value in zip(
        ("per checkout", "per clock job"), small_cpu, large_cpu, strict=True
    ):
        if small_value and large_value:
            print(f"ratio {large}/{small} {label}, sandbox CPU: {large_value / small_value:.2f}")


if __name__ == "__main__":
    main()
