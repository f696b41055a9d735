"""`make run`: one machine, embedded defaults, nothing to configure."""

import secrets

from config.devrun import checkout_name, checkout_queue

from .base import *  # noqa: F403
from .base import (
    BASE_DIR,
    CACHES,
    CELERY_BROKER_TRANSPORT_OPTIONS,
    CELERY_TASK_DEFAULT_QUEUE,
    env,
)

DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])


def _local_secret_key() -> str:
    """A random key kept under var/, so web and worker agree and restarts keep sessions."""
    path = BASE_DIR / "var" / "local_secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = env.str("SECRET_KEY", default="") or _local_secret_key()

# The demo staff login that `make run` prints works with a password alone.
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=False)

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # Web, worker and beat write to one SQLite file: take the write lock when a
    # transaction starts and wait for it, instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"transaction_mode": "IMMEDIATE", "timeout": 20}  # noqa: F405
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405

# Another checkout, or a test run, may share this machine's Redis: this checkout's cache
# keys, broker keys and queues all carry its own name, so nothing crosses between them.
CHECKOUT_NAME = checkout_name(BASE_DIR)
CACHES["default"]["KEY_PREFIX"] = CHECKOUT_NAME
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "global_keyprefix": f"{CHECKOUT_NAME}:",
}
CELERY_TASK_DEFAULT_QUEUE = checkout_queue(CHECKOUT_NAME, CELERY_TASK_DEFAULT_QUEUE)
TASK_QUEUE_PREFIX = checkout_queue(CHECKOUT_NAME, "")
# Remote control (celery inspect) and events, too.
CELERY_CONTROL_EXCHANGE = checkout_queue(CHECKOUT_NAME, "celery")
CELERY_EVENT_EXCHANGE = checkout_queue(CHECKOUT_NAME, "celeryev")

# Sent emails are printed by the console backend unless EMAIL_URL is set; the worker
# turns what tasks print into log lines, at WARNING unless told otherwise. An email sent
# is news, not a warning.
CELERY_WORKER_REDIRECT_STDOUTS_LEVEL = "INFO"

# `make run` sets LOCAL_WITHOUT_REDIS=1 when no Redis answers at REDIS_URL: the broker
# becomes kombu's filesystem transport (still a real, separate worker process) and the
# cache a shared directory, so web, worker and beat keep agreeing with each other.
LOCAL_WITHOUT_REDIS = env.bool("LOCAL_WITHOUT_REDIS", default=False)
if LOCAL_WITHOUT_REDIS:
    _broker_dir = BASE_DIR / "var" / "broker"
    for _folder in ("out", "processed", "control"):
        (_broker_dir / _folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "out"),
        "data_folder_out": str(_broker_dir / "out"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(BASE_DIR / "var" / "cache"),
        }
    }

# runserver serves static files straight from the apps; no manifest to build first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files come from the apps (finders); nothing is collected outside production.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
