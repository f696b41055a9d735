"""Fault: the Celery worker killed with SIGKILL in the middle of a batch of emails.

When the renewals' receipts are being sent (rows claimed, `sending`), the worker's whole
process group (main process and pool children) gets SIGKILL; a new worker starts 5 s later.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402


def hooks(fault: Fault):
    def kill() -> None:
        stack = fault.stack
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            ((sending, sent),) = stack.query(
                "SELECT COUNT(*) FILTER (WHERE status = 'sending'), "
                "COUNT(*) FILTER (WHERE status = 'sent') FROM subscriptions_outboxemail"
            )
            if sending >= 5:
                break
            time.sleep(0.02)
        else:
            raise RuntimeError("no batch of emails was ever being sent")
        fault.begin(f"worker killed (SIGKILL) with {sending} emails claimed, {sent} sent")
        stack.processes["worker"].kill()
        ((sending, sent),) = stack.query(
            "SELECT COUNT(*) FILTER (WHERE status = 'sending'), "
            "COUNT(*) FILTER (WHERE status = 'sent') FROM subscriptions_outboxemail"
        )
        fault.notes.append(f"  after the kill: {sending} emails left claimed, {sent} sent")
        time.sleep(5)
        stack.worker_start()
        fault.finish("a new worker started")

    return {"renewals": lambda: fault.later(kill)}


SCENARIO = Scenario(
    name="worker-kill",
    description="a worker killed with SIGKILL in the middle of a batch of emails",
    gifts=60,
    months=1,
    hooks=hooks,
    monthly_only=True,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
