"""Payouts whose reconciliation we have not seen complete are asked about again daily, in
case the `payout.reconciliation_completed` event was lost or failed for good."""

import logging

from subscriptions import stripe_gateway as gateway
from subscriptions.models import Payout
from subscriptions.models.payments import ReconciliationStatus
from subscriptions.stripe_events.payouts import payout_reconcile

logger = logging.getLogger(__name__)


def payouts_reconcile_pending() -> int:
    """Re-read every paid automatic payout not yet reconciled; answer how many are now."""
    pending = Payout.objects.filter(
        automatic=True, status="paid", reconciled_at__isnull=True
    ).values_list("stripe_payout_id", flat=True)
    reconciled = 0
    for stripe_payout_id in list(pending):
        try:
            payout = payout_reconcile(stripe_payout_id=stripe_payout_id)
        except gateway.GatewayError:
            # Stripe did not answer for this one; the others still get their turn, and
            # tomorrow's run asks again.
            logger.warning("Could not re-check payout %s at Stripe", stripe_payout_id)
            continue
        if payout.reconciliation_status == ReconciliationStatus.COMPLETED:
            reconciled += 1
    return reconciled
