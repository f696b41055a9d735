"""The month as a balanced journal for the accounting system: per local day, each
category's money between the Stripe balance (a clearing account) and the account the
FINANCE_ACCOUNTS setting maps it to; debits equal credits, so the lines sum to zero."""

from collections import defaultdict
from collections.abc import Iterable, Iterator

from django.conf import settings

from .ledger import LEDGER_COLUMNS, major
from .summary import minor

JOURNAL_COLUMNS = ["date", "account", "debit", "credit", "description", "reference"]
_INDEX = {name: position for position, name in enumerate(LEDGER_COLUMNS)}
# reporting_category -> (FINANCE_ACCOUNTS key, description); others go to "other".
CATEGORY_ACCOUNTS = {
    "refund": ("refunds", "Refunds to supporters"),
    "refund_failure": ("refunds", "Refunds that failed"),
    "dispute": ("disputes", "Disputes (chargebacks)"),
    "dispute_reversal": ("disputes", "Disputes won"),
    "payout": ("payouts_to_bank", "Payouts to the bank"),
    "payout_reversal": ("payouts_to_bank", "Payouts returned"),
}


def _counter_account(row: list[str]) -> tuple[str, str]:
    category = row[_INDEX["reporting_category"]]
    if category == "charge":
        if row[_INDEX["recurring_or_once"]] == "recurring":
            return "donations_recurring", "Donations, recurring"
        return "donations_once", "Donations, once"
    return CATEGORY_ACCOUNTS.get(category, ("other", f"Other: {category}"))


def journal_entries(rows: Iterable[list[str]]) -> dict[tuple[str, str, str], int]:
    """(day, account key, description) -> signed amount, debit positive."""
    entries: dict[tuple[str, str, str], int] = defaultdict(int)
    for row in rows:
        day = row[_INDEX["local_date"]]
        gross, fee = minor(row[_INDEX["gross"]]), minor(row[_INDEX["fee"]])
        account, description = _counter_account(row)
        # Money into the balance is a debit of the balance, a credit of its counter account.
        entries[(day, "stripe_balance", description)] += gross
        entries[(day, account, description)] -= gross
        if fee:
            fee_account = "disputes" if account == "disputes" else "card_fees"
            fee_description = "Dispute fees" if account == "disputes" else "Stripe fees"
            entries[(day, fee_account, fee_description)] += fee
            entries[(day, "stripe_balance", fee_description)] -= fee
    return entries


def journal_rows(
    rows: Iterable[list[str]], currency: str, *, reference: str
) -> Iterator[list[str]]:
    accounts = settings.FINANCE_ACCOUNTS
    for (day, account, description), amount in sorted(journal_entries(rows).items()):
        if amount == 0:
            continue
        code = accounts.get(account, accounts["other"])
        debit, credit = (amount, 0) if amount > 0 else (0, -amount)
        yield [
            day,
            code,
            major(debit, currency) if debit else "",
            major(credit, currency) if credit else "",
            f"{description} ({currency.upper()})",
            reference,
        ]
