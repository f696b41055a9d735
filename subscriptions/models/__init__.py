from .audit import AuditAction, AuditEntry
from .care import (
    DuplicateStatus,
    PossibleDuplicate,
    RefundRequest,
    RefundRequestStatus,
    StaffActionToken,
)
from .events import StripeEvent
from .history import ChangedBy, ContributionChange
from .outbox import EmailKind, EmailStatus, OutboxEmail
from .payments import BalanceTransaction, Payment, Payout, ReceiptCounter
from .reports import MonthClose, ReportExport, ReportExportStatus
from .supporters import Contribution, Supporter, SupporterState, Upsell

__all__ = [
    "AuditAction",
    "AuditEntry",
    "BalanceTransaction",
    "ChangedBy",
    "Contribution",
    "ContributionChange",
    "DuplicateStatus",
    "EmailKind",
    "EmailStatus",
    "MonthClose",
    "OutboxEmail",
    "Payment",
    "Payout",
    "PossibleDuplicate",
    "ReceiptCounter",
    "RefundRequest",
    "RefundRequestStatus",
    "StaffActionToken",
    "ReportExport",
    "ReportExportStatus",
    "StripeEvent",
    "Supporter",
    "SupporterState",
    "Upsell",
]
