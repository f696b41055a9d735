"""The Celery app: configured from Django settings (the CELERY_ namespace)."""

import os
import time

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

HEARTBEAT_CACHE_KEY = "celery:worker-heartbeat"


@app.task(name="config.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    """Beat sends this every 30 s; the worker that runs it proves a worker is alive."""
    from django.core.cache import cache

    cache.set(HEARTBEAT_CACHE_KEY, time.time(), timeout=None)


@worker_ready.connect
def _heartbeat_on_start(**kwargs) -> None:
    # A fresh worker is alive now, not only after beat's first 30-second tick.
    heartbeat()
