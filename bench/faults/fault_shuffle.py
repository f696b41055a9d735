"""Fault: 10,000 events delivered shuffled, 30% of them twice.

The fault stack's sandbox delivers under chaos (`/_sandbox/chaos`): each next delivery is
a random pick among the 64 oldest pending, 30% of first deliveries are queued a second
time, 20% are held back up to 5 s. The stream (monthly gifts, refunds, disputes, seven
months of renewals, a payout) makes at least 10,000 events.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402

EVENTS_AT_LEAST = 10_000


def hooks(fault: Fault):
    def on() -> None:
        fault.begin("deliveries shuffled, 30% duplicated, 20% late")

    def off() -> None:
        fault.finish("the stream is played (late copies still arrive)")

    return {"start": on, "stream_done": off}


def check(stack, result) -> list[str]:
    attempts = stack.control("GET", "/_sandbox/deliveries?limit=100000")["data"]
    delivered = [a for a in attempts if a["status"] and 200 <= a["status"] < 300]
    unique = {a["event_id"] for a in delivered}
    line = (
        f"events: {len(unique)} distinct delivered, {len(delivered)} deliveries "
        f"({len(delivered) - len(unique)} duplicates, "
        f"{(len(delivered) - len(unique)) / max(1, len(unique)):.0%})"
    )
    if len(unique) < EVENTS_AT_LEAST:
        line += f"; FEWER than {EVENTS_AT_LEAST:,}: raise --scale"
    return [line]


SCENARIO = Scenario(
    name="shuffle",
    description="10,000 events delivered shuffled with 30% duplicates",
    gifts=110,
    months=8,
    hooks=hooks,
    monthly_only=True,
    chaos=True,
    check=check,
    timeout_minutes=40,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
