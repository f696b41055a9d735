"""The Celery app: configured from Django settings (the CELERY_ namespace)."""

import os
import time
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_ready

# Production unless told otherwise: only manage.py and `make run` default to local settings,
# so a deployment can never run with DEBUG by mistake.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "celery:worker-heartbeat"


def route_to_own_queue(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **extra: Any
) -> dict[str, str] | None:
    """The router (CELERY_TASK_ROUTES): a task that names its queue on itself, e.g.
    `@shared_task(queue_name="emails")`, goes there; any other to the default queue.
    (Celery's own `queue` task attribute is deprecated and has no effect from 6.0.)"""
    task = task or app.tasks.get(name)
    queue = getattr(task, "queue_name", None)
    return {"queue": queue} if queue else None


@app.task(name="config.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every 30 s; the worker that runs it proves a worker is alive."""
    from django.core.cache import cache

    cache.set(HEARTBEAT_CACHE_KEY, time.time(), timeout=None)


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    # A fresh worker is alive now, not only after beat's first 30-second tick.
    heartbeat()


@task_prerun.connect
@task_postrun.connect
def _close_old_database_connections(task=None, **kwargs) -> None:
    # Workers reuse connections (CELERY_DB_REUSE_MAX); like Django's request cycle, drop
    # any that is broken (a database restart) or older than CONN_MAX_AGE. A task run
    # eagerly belongs to its caller's connection, which is not ours to close.
    if task is not None and task.request.is_eager:
        return
    from django.db import close_old_connections

    close_old_connections()
