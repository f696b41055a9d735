"""The manage link: asked for by email, signed, valid for a day."""

from django.conf import settings
from django.db import transaction

from subscriptions.models import EmailKind
from subscriptions.ratelimit import rate_limit_hit
from subscriptions.selectors import supporter_find_by_email

from .outbox import email_queue


class TooManyRequests(Exception):
    pass


def manage_link_request(*, email: str, ip: str) -> None:
    """Send a manage link if this email gave here; say nothing either way.

    The same answer whether or not we know the address, so the form cannot be used to
    find out who supports us. Limits per address and per IP stop it being used to spam.
    """
    limited_ip = rate_limit_hit(
        scope="manage-ip", key=ip, limit=settings.MANAGE_LINK_RATE_LIMIT_PER_IP
    )
    limited_email = rate_limit_hit(
        scope="manage-email", key=email, limit=settings.MANAGE_LINK_RATE_LIMIT_PER_EMAIL
    )
    if limited_ip or limited_email:
        raise TooManyRequests
    supporter = supporter_find_by_email(email=email)
    if supporter is None:
        return
    with transaction.atomic():
        email_queue(kind=EmailKind.MANAGE_LINK, supporter=supporter)
