"""The sandbox clock: advancing it runs every job that falls due, in time order.

Jobs are declared by resources (`Resource.jobs`) and booked with `Sandbox.schedule`.
"""

from typing import Any

from .app import Sandbox

MAX_ADVANCE_DAYS = 3660


def clock_advance(sb: Sandbox, seconds: int) -> dict[str, Any]:
    target = sb.now() + seconds
    jobs_run = 0
    while job := sb.store.next_job(target):
        job_id, due_at, kind, subject = job
        sb.store.delete_job(job_id)
        sb.pinned_time = max(due_at, sb.now())
        try:
            sb.registry.job(kind)(sb, subject)
        finally:
            sb.pinned_time = None
        jobs_run += 1
    sb.store.set_meta("clock_offset", str(sb.clock_offset() + seconds))
    return {"now": sb.now(), "jobs_run": jobs_run}
