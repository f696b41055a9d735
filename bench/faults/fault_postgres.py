"""Fault: PostgreSQL restarted during traffic.

The fault stack runs on a throwaway PostgreSQL cluster of its own (initdb in a temporary
directory, a free loopback port; never the machine's shared cluster). Half-way through
the readers' gifts it is stopped (fast shutdown: connections cut) for 10 s and started
again. Meanwhile the webhook answers 5xx, so the sandbox retries as Stripe does, and
readers whose gift failed try again.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402

DOWN_SECONDS = 10


def hooks(fault: Fault):
    def restart() -> None:
        # At once: the second half of the gifts takes only seconds, and the outage must meet
        # them and their webhooks (F23 began 2 s later and met no traffic).
        postgres = fault.stack.postgres
        assert postgres is not None
        fault.begin("PostgreSQL stopped (fast shutdown) while gifts and webhooks flow")
        postgres.stop()
        time.sleep(DOWN_SECONDS)
        postgres.start()
        fault.finish(f"PostgreSQL started again after {DOWN_SECONDS} s")

    return {"gifts_half": lambda: fault.later(restart)}


def check(stack, result) -> list[str]:
    """The webhook answered 5xx while the database was down, and the sandbox retried."""
    attempts = stack.control("GET", "/_sandbox/deliveries?limit=100000")["data"]
    failed = [a for a in attempts if a["status"] is None or a["status"] >= 500]
    retried = {a["event_id"] for a in attempts if a["attempt"] > 1}
    statuses = sorted({str(a["status"] or a["error"])[:40] for a in failed})
    return [
        f"webhook deliveries refused while PostgreSQL was down: {len(failed)} "
        f"(answers: {', '.join(statuses) or 'none'}); events delivered on a retry: {len(retried)}"
    ]


SCENARIO = Scenario(
    name="postgres",
    description="PostgreSQL restarted during traffic; webhooks answer 5xx and are retried",
    gifts=30,
    months=1,
    hooks=hooks,
    private_postgres=True,
    check=check,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
