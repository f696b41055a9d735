from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Supporters and contributions"

    def ready(self) -> None:
        from anymail.signals import tracking

        from .receivers import email_tracking_received

        tracking.connect(email_tracking_received, dispatch_uid="subscriptions.email_tracking")
