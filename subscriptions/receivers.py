"""What we do with the email provider's delivery reports (through django-anymail)."""

from .services.supporters import supporter_mark_undeliverable

# Hard failures and spam reports; soft bounces and deferrals sort themselves out.
UNDELIVERABLE_EVENTS = {"bounced", "rejected", "complained", "unsubscribed"}


def email_tracking_received(sender, event, esp_name: str, **kwargs) -> None:
    if event.event_type in UNDELIVERABLE_EVENTS and event.recipient:
        reason = f"{esp_name}: {event.event_type} {event.description or ''}".strip()
        supporter_mark_undeliverable(email=event.recipient, reason=reason)
