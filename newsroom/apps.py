from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        # Cached reads (navigation, the live appeal) are dropped when their rows change.
        from subscriptions.suggestions import suggested_amounts_source_set

        from . import signals  # noqa: F401
        from .selectors import appeal_suggested_amounts

        # A supporter switching between monthly and yearly is offered the live appeal's
        # amounts (subscriptions may not import newsroom, so the newsroom says where).
        suggested_amounts_source_set(appeal_suggested_amounts)
