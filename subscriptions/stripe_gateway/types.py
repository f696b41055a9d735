"""What the rest of the project knows of Stripe's objects: plain, typed, SDK-free."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


class GatewayError(Exception):
    """Stripe could not do what we asked; the message is safe to log, not to show."""


class GatewayUnavailable(GatewayError):
    """Stripe did not answer (network, rate limit, outage): try again later."""


class CardDeclined(GatewayError):
    def __init__(self, message: str, *, decline_code: str = "") -> None:
        super().__init__(message)
        self.decline_code = decline_code


class WebhookSignatureInvalid(GatewayError):
    """The body was not signed with our endpoint secret, or the signature is too old."""


class WebhookEventInvalid(GatewayError):
    """The signature is good but the body is not a whole Stripe event we could store."""


@dataclass(frozen=True)
class CheckoutSessionInfo:
    id: str
    url: str
    mode: str
    status: str
    payment_status: str
    client_reference_id: str
    metadata: dict[str, str]
    customer_id: str
    customer_email: str
    customer_name: str
    subscription_id: str
    payment_intent_id: str
    amount_total: int
    currency: str


@dataclass(frozen=True)
class CustomerInfo:
    id: str
    email: str
    name: str


@dataclass(frozen=True)
class SubscriptionInfo:
    id: str
    status: str
    customer_id: str
    metadata: dict[str, str]
    item_id: str
    price_id: str
    product_id: str
    amount: int
    currency: str
    interval: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    started_at: datetime | None
    ended_at: datetime | None
    card_brand: str = ""
    card_last4: str = ""
    card_exp_month: int | None = None
    card_exp_year: int | None = None
    schedule_id: str = ""
    cancel_at: datetime | None = None
    # Stripe's cancellation_details: why (cancellation_requested, payment_failed,
    # payment_disputed) and the customer's feedback, if any was given.
    cancellation_reason: str = ""
    cancellation_feedback: str = ""
    # pause_collection: no payment is taken until resumes_at (None: until resumed).
    collection_paused: bool = False
    collection_resumes_at: datetime | None = None


@dataclass(frozen=True)
class ScheduleInfo:
    """A subscription schedule, and the change it will make when its next phase starts."""

    id: str
    status: str
    subscription_id: str
    next_phase_starts_at: datetime | None = None
    next_amount: int | None = None
    next_interval: str = ""


@dataclass(frozen=True)
class BalanceTransactionInfo:
    id: str
    type: str
    amount: int
    fee: int
    net: int
    currency: str
    reporting_category: str
    source_id: str
    created: datetime
    available_on: datetime
    # Units of `currency` (the settlement currency) per unit of the charge's; None when
    # they are the same currency.
    exchange_rate: Decimal | None = None
    description: str = ""
    # From the transaction's source (the charge, refund or dispute), when Stripe gave it:
    # what the supporter was charged or refunded, in their currency, and the card.
    charge_id: str = ""
    customer_id: str = ""
    customer_facing_amount: int | None = None
    customer_facing_currency: str = ""
    payment_method_type: str = ""
    card_brand: str = ""
    card_country: str = ""
    dispute_reason: str = ""


@dataclass(frozen=True)
class ChargeInfo:
    id: str
    status: str
    amount: int
    currency: str
    amount_refunded: int
    customer_id: str
    payment_intent_id: str
    billing_email: str
    billing_name: str
    created: datetime
    metadata: dict[str, str]
    balance_transaction: BalanceTransactionInfo | None
    refunds: tuple["RefundInfo", ...] = ()


@dataclass(frozen=True)
class RefundInfo:
    id: str
    status: str  # pending, succeeded, failed, canceled, requires_action
    amount: int
    currency: str
    charge_id: str
    created: datetime
    failure_reason: str = ""
    failure_balance_transaction: BalanceTransactionInfo | None = None
    # What the refund took from the balance (when Stripe gave it expanded).
    balance_transaction: BalanceTransactionInfo | None = None


@dataclass(frozen=True)
class InvoiceInfo:
    id: str
    status: str
    billing_reason: str
    customer_id: str
    customer_email: str
    subscription_id: str
    amount_paid: int
    amount_due: int
    attempt_count: int
    currency: str
    next_payment_attempt: datetime | None
    charge: ChargeInfo | None
    hosted_invoice_url: str = ""
    # The bank asked the cardholder to confirm (3-D Secure) and nobody has yet.
    needs_action: bool = False
    # The subscription it bills, read in the same call as the invoice.
    subscription: SubscriptionInfo | None = None


@dataclass(frozen=True)
class DisputeInfo:
    id: str
    charge_id: str
    status: str
    amount: int
    # The withdrawal, and the reversal of a won dispute, as Stripe lists them on it.
    balance_transactions: tuple[BalanceTransactionInfo, ...] = ()


@dataclass(frozen=True)
class PayoutInfo:
    """A payout; `balance_transactions` are listed only once Stripe has completed an
    automatic payout's reconciliation (`itemized`), and never for a manual payout."""

    id: str
    amount: int
    currency: str
    status: str
    arrival_date: datetime
    automatic: bool = True
    reconciliation_status: str = "completed"
    failure_code: str = ""
    failure_message: str = ""
    balance_transactions: list[BalanceTransactionInfo] = field(default_factory=list)

    @property
    def itemizable(self) -> bool:
        """Stripe can list this payout's transactions now, and the list is complete."""
        return self.automatic and self.reconciliation_status == "completed"


@dataclass(frozen=True)
class ReportRunInfo:
    """A Stripe Reporting API run; `file_url` is set once it has succeeded."""

    id: str
    report_type: str
    status: str
    file_url: str
    error: str


@dataclass(frozen=True)
class VerifiedEvent:
    id: str
    type: str
    created: datetime
    api_version: str
    object_id: str
    payload: dict
    customer_id: str = ""
    # The body exactly as Stripe signed it (UTF-8 text), stored as it came.
    body: str = ""
