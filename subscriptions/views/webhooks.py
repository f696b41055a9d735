"""`/stripe/webhook/`: verify, store, answer. Processing happens in a worker."""

import logging

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from subscriptions import stripe_gateway as gateway
from subscriptions.services.events import Received, stripe_event_receive

logger = logging.getLogger(__name__)

# Stripe's events are far smaller; anything bigger is not from Stripe.
MAX_BODY_BYTES = 512 * 1024


@csrf_exempt
@require_POST
def stripe_webhook(request):
    payload = request.body
    if len(payload) > MAX_BODY_BYTES:
        return JsonResponse({"error": "body too large"}, status=413)
    try:
        event = gateway.webhook_event_verify(
            payload=payload, signature=request.headers.get("Stripe-Signature", "")
        )
    except gateway.WebhookSignatureInvalid as error:
        logger.warning("Rejected a Stripe webhook: %s", error)
        return JsonResponse({"error": "invalid signature"}, status=400)
    except gateway.WebhookEventInvalid as error:
        logger.warning("Rejected a signed Stripe webhook that is not an event: %s", error)
        return JsonResponse({"error": "not a Stripe event"}, status=400)
    stored, outcome = stripe_event_receive(event=event)
    return JsonResponse(
        {
            "received": stored.stripe_id,
            # Known already; re-queued too when it is not processed yet.
            "duplicate": outcome != Received.NEW,
            "requeued": outcome == Received.REQUEUED,
        }
    )
