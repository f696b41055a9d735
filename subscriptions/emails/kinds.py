"""Each kind of email: its subject, its templates, and whether it is a reminder.

Reminders (and win-back) carry one-click unsubscribe and are not sent to supporters who
unsubscribed or whose address bounced; everything else (receipts, failed payments, plan
changes) is always sent.
"""

from dataclasses import dataclass

from subscriptions.models import EmailKind


@dataclass(frozen=True)
class EmailSpec:
    subject: str  # str.format()ed with the email's context
    reminder: bool = False

    def template(self, kind: str, extension: str) -> str:
        return f"emails/{kind}.{extension}"


SPECS: dict[str, EmailSpec] = {
    EmailKind.THANK_YOU: EmailSpec("Thank you for supporting {newsroom}"),
    EmailKind.RECEIPT: EmailSpec("Your receipt {receipt_number} from {newsroom}"),
    EmailKind.PAYMENT_FAILED: EmailSpec("Your payment to {newsroom} did not go through"),
    EmailKind.CARD_EXPIRING: EmailSpec(
        "Your card expires before your next gift to {newsroom}", reminder=True
    ),
    EmailKind.RENEWAL_COMING: EmailSpec(
        "Your yearly support for {newsroom} renews on {renewal_date}", reminder=True
    ),
    EmailKind.PLAN_CHANGED: EmailSpec("Your support for {newsroom} has changed"),
    EmailKind.CANCELLATION: EmailSpec("Your support for {newsroom} is cancelled"),
    EmailKind.REFUND: EmailSpec("Your refund from {newsroom}"),
    EmailKind.WIN_BACK: EmailSpec("We miss you at {newsroom}", reminder=True),
    EmailKind.YEAR_END: EmailSpec("Your {year} giving statement from {newsroom}"),
    EmailKind.MANAGE_LINK: EmailSpec("Your link to manage your support for {newsroom}"),
}

REMINDER_KINDS = frozenset(kind for kind, spec in SPECS.items() if spec.reminder)
