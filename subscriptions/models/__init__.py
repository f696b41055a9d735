from .audit import AuditAction, AuditEntry
from .events import StripeEvent
from .history import ChangedBy, ContributionChange
from .outbox import EmailKind, EmailStatus, OutboxEmail
from .payments import BalanceTransaction, Payment, Payout, ReceiptCounter
from .supporters import Contribution, Supporter

__all__ = [
    "AuditAction",
    "AuditEntry",
    "BalanceTransaction",
    "ChangedBy",
    "Contribution",
    "ContributionChange",
    "EmailKind",
    "EmailStatus",
    "OutboxEmail",
    "Payment",
    "Payout",
    "ReceiptCounter",
    "StripeEvent",
    "Supporter",
]
