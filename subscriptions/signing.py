"""Signed tokens: manage links, one-click unsubscribe and the supporter cookie."""

from django.conf import settings
from django.core import signing

MANAGE_SALT = "subscriptions.manage-link"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
SUPPORTER_COOKIE = "supporter"
SUPPORTER_COOKIE_SALT = "subscriptions.supporter-cookie"

# A link asked for on the manage page lasts a day; the link inside our other emails lasts
# longer, because a receipt is often read days after it arrives.
REQUESTED = "r"
IN_EMAIL = "e"


def _supporter_id(text: str) -> int | None:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(text) if text.isascii() and text.isdigit() else None


def _max_age(purpose: str) -> int:
    return (
        settings.MANAGE_LINK_MAX_AGE if purpose == REQUESTED else settings.EMAIL_MANAGE_LINK_MAX_AGE
    )


def manage_token_make(*, supporter_id: int, purpose: str = REQUESTED) -> str:
    return signing.TimestampSigner(salt=MANAGE_SALT).sign(f"{supporter_id}.{purpose}")


def manage_token_read(token: str) -> int | None:
    """The supporter id in a valid, unexpired token; None for anything else."""
    signer = signing.TimestampSigner(salt=MANAGE_SALT)
    try:
        supporter_id, _, purpose = signer.unsign(token).partition(".")
        signer.unsign(token, max_age=_max_age(purpose))
    except signing.BadSignature:
        return None
    return _supporter_id(supporter_id)


def unsubscribe_token_make(*, supporter_id: int) -> str:
    """Never expires: an unsubscribe link must work in any old email."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(supporter_id))


def unsubscribe_token_read(token: str) -> int | None:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return _supporter_id(value)
