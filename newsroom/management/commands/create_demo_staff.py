from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from newsroom.demo_staff import demo_staff_ensure


class Command(BaseCommand):
    help = "Create (or reset) the demo staff login for a local site and print it."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo staff login exists only on a local DEBUG site.")
        username, password = demo_staff_ensure()
        self.stdout.write(
            f"Demo staff login for {settings.SITE_URL}/admin/ : "
            f"username {username!r}, password {password!r}"
        )
