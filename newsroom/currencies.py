"""The appeal's default currency for a request: the reader's country as the CDN tells it,
else the region of their Accept-Language, else the newsroom's default."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

REQUEST_ATTRIBUTE = "_appeal_currency"


def country_header_name() -> str:
    """The header as a response's Vary names it: HTTP_CF_IPCOUNTRY is CF-IPCountry."""
    name = settings.NEWSROOM_COUNTRY_HEADER
    if name.startswith("HTTP_"):
        name = name[len("HTTP_") :]
    return name.replace("_", "-").title()


def _currency_of(country: str) -> str | None:
    currency = settings.NEWSROOM_COUNTRY_CURRENCIES.get(country.strip().upper())
    return currency if currency in settings.CONTRIBUTION_CURRENCIES else None


def _from_accept_language(header: str) -> str | None:
    for language, _quality in parse_accept_lang_header(header[:500]):
        _, _, region = language.partition("-")
        currency = _currency_of(region) if len(region) == 2 else None
        if currency is not None:
            return currency
    return None


def currency_for_request(request: HttpRequest) -> str:
    known = getattr(request, REQUEST_ATTRIBUTE, None)
    if known is not None:
        return known
    country = request.META.get(settings.NEWSROOM_COUNTRY_HEADER, "")
    currency = (
        (_currency_of(country) if country else None)
        or _from_accept_language(request.META.get("HTTP_ACCEPT_LANGUAGE", ""))
        or settings.CONTRIBUTION_DEFAULT_CURRENCY
    )
    setattr(request, REQUEST_ATTRIBUTE, currency)
    return currency
