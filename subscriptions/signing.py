"""Signed tokens: the manage link (24 hours) and the supporter cookie."""

from django.conf import settings
from django.core import signing

MANAGE_SALT = "subscriptions.manage-link"
SUPPORTER_COOKIE = "supporter"
SUPPORTER_COOKIE_SALT = "subscriptions.supporter-cookie"


def manage_token_make(*, supporter_id: int) -> str:
    return signing.TimestampSigner(salt=MANAGE_SALT).sign(str(supporter_id))


def manage_token_read(token: str) -> int | None:
    """The supporter id in a valid, unexpired token; None for anything else."""
    try:
        value = signing.TimestampSigner(salt=MANAGE_SALT).unsign(
            token, max_age=settings.MANAGE_LINK_MAX_AGE
        )
    except signing.BadSignature:
        return None
    return int(value) if value.isdigit() else None
