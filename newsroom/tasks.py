from celery import shared_task

from .goals import goal_progress_refresh as goal_progress_refresh_service


@shared_task(name="newsroom.goal_progress_refresh", ignore_result=True)
def goal_progress_refresh() -> bool:
    return goal_progress_refresh_service()
