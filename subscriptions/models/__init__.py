from .audit import AuditAction, AuditEntry
from .events import StripeEvent
from .history import ChangedBy, ContributionChange
from .outbox import EmailKind, EmailStatus, OutboxEmail
from .payments import BalanceTransaction, Payment, Payout, ReceiptCounter
from .reports import MonthClose, ReportExport, ReportExportStatus
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
    "MonthClose",
    "OutboxEmail",
    "Payment",
    "Payout",
    "ReceiptCounter",
    "ReportExport",
    "ReportExportStatus",
    "StripeEvent",
    "Supporter",
]
