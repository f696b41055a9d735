"""Fault: the Celery worker killed with SIGKILL in the middle of a batch of emails.

As the renewals' receipts come, the mail server slows down (a quarter of a second a
message), so each task claims a batch of due emails (up to OUTBOX_BATCH_SIZE) and sends
them one after the other. With at least five claimed (`sending`), the worker's whole process
group (main process and pool children) gets SIGKILL; the mail server is fast again and a
new worker starts 5 s later.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402


def hooks(fault: Fault):
    def kill() -> None:
        stack = fault.stack
        stack.mode_file.write_text("slow")
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
        stack.mode_file.write_text("ok")
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
