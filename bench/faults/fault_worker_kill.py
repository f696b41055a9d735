"""Fault: the Celery worker killed with SIGKILL in the middle of a batch of emails.

As the renewals' receipts come, the mail server answers 451 (try again later) until ten
of them wait for their retry; then it accepts, slowly (a quarter of a second a message),
so the first retry claims the waiting ones as one batch (up to OUTBOX_BATCH_SIZE) and
sends them one after the other. With at least five claimed (`sending`), the worker's whole
process group (main process and pool children) gets SIGKILL; the mail server is fast again
and a new worker starts 5 s later.
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402


def _counts(stack) -> tuple[int, int, int]:
    ((pending, sending, sent),) = stack.query(
        "SELECT COUNT(*) FILTER (WHERE status = 'pending' AND attempts > 0), "
        "COUNT(*) FILTER (WHERE status = 'sending'), "
        "COUNT(*) FILTER (WHERE status = 'sent') FROM subscriptions_outboxemail"
    )
    return pending, sending, sent


def _wait(what: str, condition, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} never happened")
        time.sleep(0.02)


def hooks(fault: Fault):
    def kill() -> None:
        stack = fault.stack
        mode = stack.mode_file
        # Receipts pile up, waiting for their retry; then they go in one batch, slowly.
        mode.write_text("4xx")
        _wait("a backlog of receipts", lambda: _counts(stack)[0] >= 10, 600)
        mode.write_text("slow")
        _wait("a batch being sent", lambda: _counts(stack)[1] >= 5, 600)
        pending, sending, sent = _counts(stack)
        fault.begin(f"worker killed (SIGKILL) with {sending} emails claimed, {sent} sent")
        stack.processes["worker"].kill()
        pending, sending, sent = _counts(stack)
        fault.notes.append(f"  after the kill: {sending} emails left claimed, {sent} sent")
        mode.write_text("ok")
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
