"""Render an email's subject, HTML and text with the newsroom's one branded layout."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from subscriptions.models import Supporter
from subscriptions.signing import unsubscribe_token_make

from .formatting import lifetime
from .kinds import SPECS
from .links import MANAGE, UNSUBSCRIBE, link_placeholder


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    unsubscribe_url: str


def unsubscribe_url(supporter: Supporter) -> str:
    token = unsubscribe_token_make(supporter_id=supporter.pk)
    return f"{settings.SITE_URL}{reverse('subscriptions:unsubscribe', kwargs={'token': token})}"


def email_render(*, kind: str, supporter: Supporter, context: dict[str, Any]) -> RenderedEmail:
    """Render in the active language: email_queue activates the supporter's."""
    spec = SPECS[kind]
    full = {
        "newsroom": settings.NEWSROOM_NAME,
        "newsroom_address": settings.NEWSROOM_ADDRESS,
        "logo_url": settings.NEWSROOM_LOGO_URL or f"{settings.SITE_URL}/static/img/favicon.svg",
        "site_url": settings.SITE_URL,
        "support_url": settings.SITE_URL + reverse("newsroom:support"),
        "supporter": supporter,
        "greeting_name": supporter.name.split(" ")[0] if supporter.name else "",
        # Placeholders: the links are made when the email is sent (emails/links.py).
        "manage_url": link_placeholder(MANAGE),
        "manage_link_lifetime": lifetime(settings.EMAIL_MANAGE_LINK_MAX_AGE),
        "unsubscribe_url": link_placeholder(UNSUBSCRIBE) if spec.reminder else "",
        **context,
    }
    return RenderedEmail(
        subject=str(spec.subject).format(**full),
        html=render_to_string(spec.template("html"), full),
        text=render_to_string(spec.template("txt"), full),
        # The List-Unsubscribe header: this token can only unsubscribe from reminders.
        unsubscribe_url=unsubscribe_url(supporter) if spec.reminder else "",
    )
