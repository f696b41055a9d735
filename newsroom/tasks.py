"""Newsroom jobs: thin, each one service call (task names are the service names)."""

from celery import shared_task

from .counting import appeal_counts_flush as appeal_counts_flush_service
from .goals import goal_progress_refresh as goal_progress_refresh_service


@shared_task(name="newsroom.goal_progress_refresh", ignore_result=True)
def goal_progress_refresh() -> bool:
    return goal_progress_refresh_service()


@shared_task(name="newsroom.appeal_counts_flush", ignore_result=True)
def appeal_counts_flush() -> None:
    # Harmless twice (a flushed batch is recorded and never added again), and beat sends
    # it every minute: a run that fails is simply done by the next.
    appeal_counts_flush_service()
