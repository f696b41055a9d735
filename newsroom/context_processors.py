from functools import partial

from django.conf import settings

from subscriptions.money import currency_symbol_amount

from .languages import language_links
from .selectors import section_list_nav


def newsroom(request) -> dict:
    """What the base layout needs, without queries: the callables run only in templates
    that use them (not in the admin), and nav_sections is cached."""
    return {
        "NEWSROOM_NAME": settings.NEWSROOM_NAME,
        "NEWSROOM_ADDRESS": settings.NEWSROOM_ADDRESS,
        "NEWSROOM_TIME_ZONE": settings.NEWSROOM_TIME_ZONE,
        "SITE_URL": settings.SITE_URL,
        "nav_sections": section_list_nav,
        "language_links": partial(language_links, request),
        "appeal_minimum": partial(
            currency_symbol_amount,
            settings.CONTRIBUTION_MINIMUM,
            currency=settings.CONTRIBUTION_DEFAULT_CURRENCY,
        ),
    }
