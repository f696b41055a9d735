"""Closing a month: its ledger and figures are frozen, with a checksum of the rows."""

import hashlib
import io
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from subscriptions.models import BalanceTransaction, MonthClose

from .books import local_date, month_of, next_month
from .ledger import LEDGER_COLUMNS, Period, ledger_rows
from .summary import balance_before, month_figures
from .writers import csv_write


class MonthCloseRefused(Exception):
    """The month cannot be closed; the message says why, for the person who asked."""


def month_close(*, month: date, currency: str, user: Any = None) -> MonthClose:
    month = month_of(month)
    following = next_month(month)
    if local_date(timezone.now()) < following:
        raise MonthCloseRefused(f"{month:%B %Y} has not ended yet; close it once it has.")
    currency = currency.lower()
    period = Period(start=month, end=following, currency=currency)
    with transaction.atomic():
        if MonthClose.objects.select_for_update().filter(month=month, currency=currency).exists():
            raise MonthCloseRefused(f"{month:%B %Y} ({currency.upper()}) is already closed.")
        rows = list(ledger_rows(period))
        buffer = io.BytesIO()
        csv_write(buffer, LEDGER_COLUMNS, rows)
        text = buffer.getvalue().decode()
        figures = month_figures(month, currency, rows, opening=balance_before(month, currency))
        close = MonthClose.objects.create(
            month=month,
            currency=currency,
            figures=figures.as_json(),
            ledger_csv=text,
            checksum=hashlib.sha256(text.encode()).hexdigest(),
            row_count=len(rows),
            closed_by=user,
        )
        # A transaction recorded while we read belongs to the next open month, not to this
        # frozen one.
        frozen = {row[0] for row in rows}
        late = BalanceTransaction.objects.filter(
            currency=currency, booked_on__gte=month, booked_on__lt=following
        ).exclude(stripe_id__in=frozen)
        late.update(booked_on=_first_open_month_after(month, currency))
    return close


def _first_open_month_after(month: date, currency: str) -> date:
    closed = set(
        MonthClose.objects.filter(currency=currency, month__gt=month).values_list(
            "month", flat=True
        )
    )
    candidate = next_month(month)
    while candidate in closed:
        candidate = next_month(candidate)
    return candidate


def month_close_verify(close: MonthClose) -> bool:
    """The frozen ledger still matches the checksum taken when the month was closed."""
    return hashlib.sha256(close.ledger_csv.encode()).hexdigest() == close.checksum
