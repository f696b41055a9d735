from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"

    def ready(self) -> None:
        # Cached reads (navigation, the live appeal) are dropped when their rows change.
        from . import signals  # noqa: F401
