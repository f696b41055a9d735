"""Links in emails are made when the email is sent, never stored.

An outbox row holds a placeholder where each link goes (`%%link:manage%%`); staff who read
a stored email in admin therefore never see a link that opens a supporter's page. The
worker that sends the email puts fresh links in, so each lives as long as the email says
from the moment it is sent.
"""

import re

from django.conf import settings
from django.urls import reverse

from subscriptions.models import Supporter
from subscriptions.signing import (
    IN_EMAIL,
    REQUESTED,
    STATEMENT,
    manage_token_make,
    unsubscribe_token_make,
)

MANAGE = "manage"
REQUESTED_MANAGE = "requested-manage"
YEAR_STATEMENT = "statement"
UNSUBSCRIBE = "unsubscribe"

_PLACEHOLDER = re.compile(r"%%link:(?P<kind>[a-z-]+)(?::(?P<year>\d{1,4}))?%%")
_PURPOSES = {MANAGE: IN_EMAIL, REQUESTED_MANAGE: REQUESTED, YEAR_STATEMENT: STATEMENT}


def link_placeholder(kind: str, *, year: int | None = None) -> str:
    """What the stored email holds in place of a link of this kind."""
    return f"%%link:{kind}:{year}%%" if year is not None else f"%%link:{kind}%%"


def _url(kind: str, year: int | None, supporter: Supporter) -> str:
    if kind == UNSUBSCRIBE:
        token = unsubscribe_token_make(supporter_id=supporter.pk)
        return f"{settings.SITE_URL}{reverse('subscriptions:unsubscribe', kwargs={'token': token})}"
    token = manage_token_make(
        supporter_id=supporter.pk,
        version=supporter.token_version,
        purpose=_PURPOSES[kind],
        year=year,
    )
    path = reverse("subscriptions:manage_link_open", kwargs={"token": token})
    return f"{settings.SITE_URL}{path}"


def links_fill(*texts: str, supporter: Supporter) -> list[str]:
    """The email's parts with a fresh link for each placeholder: one link per kind (and
    year), the same in every part."""
    made: dict[str, str] = {}

    def link(match: re.Match[str]) -> str:
        if match.group(0) not in made:
            year = match.group("year")
            made[match.group(0)] = _url(match.group("kind"), int(year) if year else None, supporter)
        return made[match.group(0)]

    return [_PLACEHOLDER.sub(link, text) for text in texts]
