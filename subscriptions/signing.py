"""Signed tokens and cookies: manage links, the manage session, one-click unsubscribe,
the supporter cookie and the checkout cookie.

A manage link is single-purpose: its token names what it opens (the link asked for on the
manage page, the link in our other emails' footer, one year's statement) and lives as long
as the email that carries it says. It also carries the supporter's `token_version`, so an
email change or "sign out everywhere" ends every earlier link and session at once. Opening
a link exchanges it for a short manage session (a signed cookie holding the same grant).
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

MANAGE_SALT = "subscriptions.manage-link"
MANAGE_SESSION_COOKIE = "manage_session"
MANAGE_SESSION_SALT = "subscriptions.manage-session"
UNSUBSCRIBE_SALT = "subscriptions.unsubscribe"
SUPPORTER_COOKIE = "supporter"
SUPPORTER_COOKIE_SALT = "subscriptions.supporter-cookie"
CHECKOUT_COOKIE = "checkout"
CHECKOUT_COOKIE_SALT = "subscriptions.checkout-started"

# What a manage link opens.
REQUESTED = "r"  # the whole manage page, asked for on /support/manage/
IN_EMAIL = "e"  # the whole manage page, from the footer of our other emails
STATEMENT = "s"  # one year's giving statement, from the year-end email
MANAGE_PURPOSES = frozenset({REQUESTED, IN_EMAIL})


def link_max_age(purpose: str) -> int:
    """Seconds a link of this purpose works; the email that carries it says the same."""
    return {
        REQUESTED: settings.MANAGE_LINK_MAX_AGE,
        IN_EMAIL: settings.EMAIL_MANAGE_LINK_MAX_AGE,
        STATEMENT: settings.STATEMENT_LINK_MAX_AGE,
    }[purpose]


@dataclass(frozen=True)
class ManageGrant:
    """What a valid link or session allows: one supporter's pages, or one statement."""

    supporter_id: int
    version: int
    purpose: str
    year: int | None = None

    @property
    def opens_manage_page(self) -> bool:
        return self.purpose in MANAGE_PURPOSES

    def opens_statement(self, year: int) -> bool:
        return self.opens_manage_page or (self.purpose == STATEMENT and self.year == year)

    def dump(self) -> str:
        parts = [str(self.supporter_id), str(self.version), self.purpose]
        if self.year is not None:
            parts.append(str(self.year))
        return ".".join(parts)

    @classmethod
    def load(cls, value: str) -> "ManageGrant | None":
        parts = value.split(".")
        if len(parts) not in (3, 4) or parts[2] not in (*MANAGE_PURPOSES, STATEMENT):
            return None
        numbers = [_number(part) for part in (parts[0], parts[1], *parts[3:])]
        if any(number is None for number in numbers):
            return None
        supporter_id, version, *year = numbers
        if (parts[2] == STATEMENT) != bool(year):
            return None
        return cls(supporter_id, version, parts[2], year[0] if year else None)  # type: ignore[arg-type]


def _number(text: str) -> int | None:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def manage_token_make(
    *, supporter_id: int, version: int, purpose: str, year: int | None = None
) -> str:
    grant = ManageGrant(supporter_id=supporter_id, version=version, purpose=purpose, year=year)
    return signing.TimestampSigner(salt=MANAGE_SALT).sign(grant.dump())


def manage_token_read(token: str) -> ManageGrant | None:
    """The grant in a valid token younger than its purpose's lifetime; None otherwise.

    Whether the supporter still exists with that token version is the caller's to check.
    """
    signer = signing.TimestampSigner(salt=MANAGE_SALT)
    try:
        grant = ManageGrant.load(signer.unsign(token))
        if grant is None:
            return None
        signer.unsign(token, max_age=link_max_age(grant.purpose))
    except signing.BadSignature:
        return None
    return grant


def unsubscribe_token_make(*, supporter_id: int) -> str:
    """Never expires: an unsubscribe link must work in any old email. It can only
    unsubscribe (its own salt), never open the manage page."""
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(str(supporter_id))


def unsubscribe_token_read(token: str) -> int | None:
    try:
        value = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature:
        return None
    return _number(value)
