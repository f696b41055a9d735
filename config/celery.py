"""The Celery app: configured from Django settings (the CELERY_ namespace)."""

import os
import time
from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_ready

# Production unless told otherwise: only manage.py and `make run` default to local settings,
# so a deployment can never run with DEBUG by mistake.
# `make run` (config.devrun) imports this package first and then asks for local settings
# when nobody chose any: SETTINGS_DEFAULTED tells it this default was ours, not the user's.
SETTINGS_DEFAULTED = "DJANGO_SETTINGS_MODULE" not in os.environ
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# A thread in each worker turns the ids the webhook pushes into tasks (by name: the step's
# module needs Django's settings, which are not loaded yet).
app.steps["worker"].add("subscriptions.event_relay:StripeEventRelay")

HEARTBEAT_CACHE_KEY = "celery:worker-heartbeat"


def route_to_own_queue(
    name: str, args: Any, kwargs: Any, options: Any, task: Any = None, **extra: Any
) -> dict[str, str] | None:
    """The router (CELERY_TASK_ROUTES): a task that names its queue on itself (a `queue_name`
    attribute, e.g. from its base class: `@shared_task(base=EmailsQueueTask)`) goes there;
    any other to the default queue.
    (Celery's own `queue` task attribute is deprecated and has no effect from 6.0.)"""
    from django.conf import settings

    task = task or app.tasks.get(name)
    queue = getattr(task, "queue_name", None)
    # `make run` names its queues after its checkout (TASK_QUEUE_PREFIX), so two share a Redis.
    return {"queue": f"{settings.TASK_QUEUE_PREFIX}{queue}"} if queue else None


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
