"""Fault: the email worker killed with SIGKILL in the middle of a batch of emails.

The faulty site runs two workers: one for events (`-Q default`), one for emails
(`-Q emails`). As the renewals come, the email worker stalls (SIGSTOP) until twenty
receipts are queued; it resumes with the mail server slow (a quarter of a second a
message), so its first task claims the waiting receipts as one batch (up to
OUTBOX_BATCH_SIZE) and sends them one after the other. With at least five claimed
(`sending`), its whole process group (main process and pool children) gets SIGKILL; the
mail server is fast again and a new email worker starts 5 s later.
"""

import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import Fault, Scenario, main  # noqa: E402


def _counts(stack) -> tuple[int, int, int]:
    ((pending, sending, sent),) = stack.query(
        "SELECT COUNT(*) FILTER (WHERE status = 'pending'), "
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
        emails = stack.processes["email-worker"]
        # The email worker stalls while the renewals' receipts are queued...
        emails.signal_group(signal.SIGSTOP)
        try:
            _wait("a backlog of receipts", lambda: _counts(stack)[0] >= 20, 600)
            stack.mode_file.write_text("slow")
        finally:
            emails.signal_group(signal.SIGCONT)
        # ... then its first task claims them as one batch and sends them, slowly.
        _wait("a batch being sent", lambda: _counts(stack)[1] >= 5, 300)
        pending, sending, sent = _counts(stack)
        fault.begin(f"email worker killed (SIGKILL): {sending} emails claimed, {sent} sent")
        emails.kill()
        pending, sending, sent = _counts(stack)
        fault.notes.append(f"  after the kill: {sending} claimed, {sent} sent, {pending} pending")
        stack.mode_file.write_text("ok")
        time.sleep(5)
        stack.worker_start("email-worker", "emails")
        fault.finish("a new email worker started")

    return {"renewals": lambda: fault.later(kill)}


SCENARIO = Scenario(
    name="worker-kill",
    description="a worker killed with SIGKILL in the middle of a batch of emails",
    gifts=60,
    months=1,
    hooks=hooks,
    monthly_only=True,
    email_worker=True,
)

if __name__ == "__main__":
    sys.exit(main(SCENARIO))
