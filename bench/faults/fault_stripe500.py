"""Fault: Stripe (the sandbox's API) answers 500 to everything for two minutes.

Half-way through the readers' gifts, while the first half's webhooks are being processed
(their handlers read from Stripe), the sandbox's `/_sandbox/outage` makes every `/v1` call
answer 500 for 120 s: readers' checkouts fail and they try again, event handlers fail and
are retried, staff's refunds wait.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402

OUTAGE_SECONDS = 120


def hooks(fault: Fault):
    def outage() -> None:
        fault.stack.control("POST", "/_sandbox/outage", {"seconds": OUTAGE_SECONDS})
        fault.begin(f"Stripe answers 500 for {OUTAGE_SECONDS} s")
        time.sleep(OUTAGE_SECONDS)
        while fault.stack.control("GET", "/_sandbox/outage")["on"]:
            time.sleep(0.2)
        fault.finish("Stripe answers again")

    return {"gifts_half": lambda: fault.later(outage)}


SCENARIO = Scenario(
    name="stripe-500",
    description="the sandbox (Stripe) answering 500s for two minutes",
    gifts=30,
    months=1,
    hooks=hooks,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
