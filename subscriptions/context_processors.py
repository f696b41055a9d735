from .signing import SUPPORTER_COOKIE, SUPPORTER_COOKIE_SALT


def supporter(request) -> dict:
    """Whether this browser finished a gift here: articles then thank instead of asking."""
    value = request.get_signed_cookie(SUPPORTER_COOKIE, default=None, salt=SUPPORTER_COOKIE_SALT)
    return {"is_supporter": bool(value)}
