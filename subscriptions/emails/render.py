"""Render an email's subject, HTML and text with the newsroom's one branded layout."""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from subscriptions.models import Supporter
from subscriptions.signing import IN_EMAIL, manage_token_make, unsubscribe_token_make

from .kinds import SPECS


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    unsubscribe_url: str


def manage_url(supporter: Supporter) -> str:
    token = manage_token_make(supporter_id=supporter.pk, purpose=IN_EMAIL)
    return f"{settings.SITE_URL}{reverse('subscriptions:manage', kwargs={'token': token})}"


def unsubscribe_url(supporter: Supporter) -> str:
    token = unsubscribe_token_make(supporter_id=supporter.pk)
    return f"{settings.SITE_URL}{reverse('subscriptions:unsubscribe', kwargs={'token': token})}"


def email_render(*, kind: str, supporter: Supporter, context: dict[str, Any]) -> RenderedEmail:
    spec = SPECS[kind]
    full = {
        "newsroom": settings.NEWSROOM_NAME,
        "newsroom_address": settings.NEWSROOM_ADDRESS,
        "logo_url": settings.NEWSROOM_LOGO_URL or f"{settings.SITE_URL}/static/img/favicon.svg",
        "site_url": settings.SITE_URL,
        "support_url": settings.SITE_URL + reverse("newsroom:support"),
        "supporter": supporter,
        "greeting_name": supporter.name.split(" ")[0] if supporter.name else "",
        "manage_url": manage_url(supporter),
        "unsubscribe_url": unsubscribe_url(supporter) if spec.reminder else "",
        **context,
    }
    return RenderedEmail(
        subject=spec.subject.format(**full),
        html=render_to_string(spec.template("html"), full),
        text=render_to_string(spec.template("txt"), full),
        unsubscribe_url=full["unsubscribe_url"],
    )
