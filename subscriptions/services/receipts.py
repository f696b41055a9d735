"""Receipt numbers: unique and gap-free within each calendar year, e.g. 2026-000123.

The counter row is locked and bumped in the same transaction that records the payment, so
a rolled-back payment gives its number back and concurrent payments queue for the lock.
"""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from subscriptions.models import Payment, ReceiptCounter


def receipt_number_assign(payment: Payment) -> str:
    if payment.receipt_number:
        return payment.receipt_number
    year = timezone.localtime(payment.paid_at, ZoneInfo(settings.NEWSROOM_TIME_ZONE)).year
    # The year's counter exists but for its first payment: lock it straight away (the
    # savepoint and lookup of a get_or_create were three queries on every payment).
    counter = ReceiptCounter.objects.select_for_update().filter(year=year).first()
    if counter is None:
        try:
            with transaction.atomic():
                ReceiptCounter.objects.get_or_create(year=year)
        except IntegrityError:
            pass  # made by a concurrent payment a moment ago
        counter = ReceiptCounter.objects.select_for_update().get(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    payment.receipt_number = f"{year}-{counter.last_number:06d}"
    payment.save(update_fields=["receipt_number"])
    return payment.receipt_number
