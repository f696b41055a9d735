from django.core.management.base import BaseCommand, CommandError

from subscriptions.models import StripeEvent
from subscriptions.services.events import EventProcessingFailed, stripe_event_replay


class Command(BaseCommand):
    help = "Process a stored Stripe event again, e.g. after fixing what made it fail."

    def add_arguments(self, parser):
        parser.add_argument("event_id", help="Stripe's event id, evt_…")

    def handle(self, *args, event_id: str, **options):
        try:
            event = stripe_event_replay(stripe_id=event_id)
        except StripeEvent.DoesNotExist:
            raise CommandError(
                f"No stored event {event_id}; only received events can be replayed."
            ) from None
        except EventProcessingFailed as error:
            raise CommandError(f"Processing failed again: {error}") from None
        self.stdout.write(f"Processed {event.type} {event.stripe_id} (attempt {event.attempts}).")
