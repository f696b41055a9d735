from django.core.management.base import BaseCommand

from newsroom.demo import demo_content_load


class Command(BaseCommand):
    help = "Create demo sections, authors, articles and the live appeal (safe to run twice)."

    def handle(self, *args, **options) -> None:
        result = demo_content_load()
        self.stdout.write(
            f"Demo content: {result.articles_created} article(s) created, "
            f"{result.images_written} image(s) written, "
            f"appeal {'created' if result.appeal_created else 'already live'}."
        )
