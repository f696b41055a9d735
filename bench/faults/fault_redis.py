"""Fault: Redis (broker and cache) stopped for 60 s in the middle of a webhook burst.

The fault stack runs its own redis-server on a free loopback port (never the machine's
shared one); it is stopped a second into the first month's renewals' webhook burst, when
webhooks, refund and dispute events and receipts are flowing; the second month's burst
comes 20 s into the outage; Redis is started again, empty, 60 s after it stopped.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402

OUTAGE_SECONDS = 60


def hooks(fault: Fault):
    def outage() -> None:
        time.sleep(1)
        redis = fault.stack.redis
        assert redis is not None
        fault.begin("Redis stopped in the renewals' webhook burst")
        redis.stop()
        time.sleep(OUTAGE_SECONDS)
        redis.start()
        fault.finish(f"Redis started again (empty) after {OUTAGE_SECONDS} s")

    def second_burst_in_the_outage() -> None:
        time.sleep(20)

    # The next month's renewals (a second burst) come 20 s into the outage.
    return {"renewals": lambda: fault.later(outage), "month_1": second_burst_in_the_outage}


SCENARIO = Scenario(
    name="redis",
    description="Redis stopped for 60 s in the middle of a webhook burst, then started",
    gifts=30,
    months=2,
    hooks=hooks,
    private_redis=True,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
