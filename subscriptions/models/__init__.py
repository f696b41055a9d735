from .events import StripeEvent
from .payments import BalanceTransaction, Payment, Payout
from .supporters import Contribution, Supporter

__all__ = ["BalanceTransaction", "Contribution", "Payment", "Payout", "StripeEvent", "Supporter"]
