"""Django admin by role: supporter care's pages, the queues, Stripe's mirror, the audit log."""

from subscriptions import admin_staff  # noqa: F401  (registers the audit log)

from . import mirrors, queues, supporters  # noqa: F401  (each registers its models)
