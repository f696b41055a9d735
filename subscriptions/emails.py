"""Emails sent to supporters, rendered as HTML and plain text."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from .selectors import supporter_get
from .services.manage import manage_link_url


def manage_link_email_send(*, supporter_id: int) -> None:
    supporter = supporter_get(supporter_id=supporter_id)
    if supporter is None:
        return
    context = {
        "supporter": supporter,
        "manage_url": manage_link_url(supporter_id=supporter.pk),
        "NEWSROOM_NAME": settings.NEWSROOM_NAME,
        "NEWSROOM_ADDRESS": settings.NEWSROOM_ADDRESS,
    }
    message = EmailMultiAlternatives(
        subject=f"Your link to manage your support for {settings.NEWSROOM_NAME}",
        body=render_to_string("emails/manage_link.txt", context),
        to=[supporter.email],
    )
    message.attach_alternative(render_to_string("emails/manage_link.html", context), "text/html")
    message.send()
