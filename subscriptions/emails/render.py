"""Render an email's subject, HTML and text with the newsroom's one branded layout."""

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from subscriptions.models import Supporter
from subscriptions.money import money_format
from subscriptions.signing import IN_EMAIL, manage_token_make, unsubscribe_token_make

from .kinds import SPECS


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    html: str
    text: str
    unsubscribe_url: str


def local_date(value: datetime | date | None) -> str:
    """ "3 March 2027", in the newsroom's zone and language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value, ZoneInfo(settings.NEWSROOM_TIME_ZONE)).date()
    return format_date(value, format="long", locale=settings.LANGUAGE_CODE.replace("-", "_"))


def money(amount: int, currency: str) -> str:
    return money_format(amount, currency=currency, trim_zero_cents=False)


def manage_url(supporter: Supporter) -> str:
    token = manage_token_make(supporter_id=supporter.pk, purpose=IN_EMAIL)
    return settings.SITE_URL + reverse("subscriptions:manage", kwargs={"token": token})


def unsubscribe_url(supporter: Supporter) -> str:
    token = unsubscribe_token_make(supporter_id=supporter.pk)
    return settings.SITE_URL + reverse("subscriptions:unsubscribe", kwargs={"token": token})


def email_render(*, kind: str, supporter: Supporter, context: dict) -> RenderedEmail:
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
        html=render_to_string(spec.template(kind, "html"), full),
        text=render_to_string(spec.template(kind, "txt"), full),
        unsubscribe_url=full["unsubscribe_url"],
    )
