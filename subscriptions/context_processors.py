from functools import partial

from .reader_state import reader_state_for_request
from .signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT


def supporter(request) -> dict:
    """Whether this browser finished a gift here, and what it is shown instead of the
    plain appeal (`reader_state`, looked up only by templates that use it)."""
    value = request.get_signed_cookie(SUPPORTER_COOKIE, default=None, salt=SUPPORTER_COOKIE_SALT)
    return {
        "is_supporter": bool(value),
        "reader_state": partial(reader_state_for_request, request),
    }
