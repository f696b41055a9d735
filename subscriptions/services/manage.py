"""The manage link: asked for by email, signed, valid for a day."""

import logging

from django.conf import settings
from django.db import transaction

from subscriptions.models import EmailKind
from subscriptions.ratelimit import rate_limit_hit
from subscriptions.selectors import supporter_find_by_email

from .outbox import email_queue

logger = logging.getLogger(__name__)


class TooManyRequests(Exception):
    pass


def manage_link_request(*, email: str, ip: str) -> None:
    """Hand the request to a worker, whether or not we know the address; say nothing.

    The same answer, and the same work in the request, whether or not we know the
    address: the lookup, rendering and queueing happen in the task for every address, so
    neither the page nor its timing tells who supports us. Limits per address and per IP
    stop the form being used to spam.
    """
    from subscriptions import tasks

    limited_ip = rate_limit_hit(
        scope="manage-ip", key=ip, limit=settings.MANAGE_LINK_RATE_LIMIT_PER_IP
    )
    limited_email = rate_limit_hit(
        scope="manage-email", key=email, limit=settings.MANAGE_LINK_RATE_LIMIT_PER_EMAIL
    )
    if limited_ip or limited_email:
        raise TooManyRequests
    try:
        tasks.manage_link_send.delay(email)
    except Exception:
        # Nothing is stored to sweep later; the reader can ask again.
        logger.exception("Could not enqueue a manage link request")


def manage_link_send(*, email: str) -> bool:
    """Queue a manage link email if this address gave here; answers whether it did."""
    supporter = supporter_find_by_email(email=email)
    if supporter is None:
        return False
    with transaction.atomic():
        email_queue(kind=EmailKind.MANAGE_LINK, supporter=supporter)
    return True
