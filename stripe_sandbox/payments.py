"""Money movements: card charges and balance transactions."""

from decimal import Decimal
from typing import Any

from .app import Sandbox
from .errors import CardDeclined
from .ids import new_id
from .money import card_fee, convert, exchange_rate
from .shapes import nested, skeleton

AVAILABLE_AFTER_SECONDS = 2 * 86400
DECLINES = {
    "decline": ("generic_decline", "Your card was declined."),
    "insufficient_funds": ("insufficient_funds", "Your card has insufficient funds."),
}


def balance_transaction_create(
    sb: Sandbox,
    *,
    amount: int,
    currency: str,
    fee: int,
    source: str,
    kind: str,
    reporting_category: str,
    description: str | None,
    fee_description: str = "Stripe processing fees",
    available_on: int | None = None,
    rate: Decimal | None = None,
) -> dict[str, Any]:
    now = sb.now()
    available_on = now + AVAILABLE_AFTER_SECONDS if available_on is None else available_on
    fee_details = []
    if fee:
        fee_details.append(
            nested(
                "balance_transaction:fee_details",
                amount=fee,
                currency=currency,
                description=fee_description,
                type="stripe_fee",
            )
        )
    transaction = skeleton(
        "balance_transaction",
        id=new_id("txn_"),
        amount=amount,
        available_on=available_on,
        balance_type="payments",
        created=now,
        currency=currency,
        description=description,
        exchange_rate=None if rate is None else float(rate),
        fee=fee,
        fee_details=fee_details,
        net=amount - fee,
        reporting_category=reporting_category,
        source=source,
        status="available" if available_on <= now else "pending",
        type=kind,
    )
    return sb.save(transaction, available_on=available_on)


def settlement_of(sb: Sandbox, charge: dict[str, Any]) -> tuple[str, Decimal | None]:
    """The currency a charge's money settles in and the rate it was converted at: the
    account's when it succeeds, then always its own balance transaction's (refunds and
    disputes are converted at the original charge's rate, as at Stripe)."""
    if transaction_id := charge.get("balance_transaction"):
        transaction = sb.get(transaction_id, "balance_transaction")
        rate = transaction["exchange_rate"]
        return transaction["currency"], None if rate is None else Decimal(str(rate))
    rate = exchange_rate(charge["currency"], sb.settlement_currency)
    return (charge["currency"], None) if rate is None else (sb.settlement_currency, rate)


def settled_amount(charge: dict[str, Any], amount: int, currency: str, rate: Decimal | None) -> int:
    """`amount` of the charge's currency, in the settlement currency."""
    return amount if rate is None else convert(amount, charge["currency"], currency, rate)


AUTHENTICATION_REQUIRED = "authentication_required"


def charge_behaviour(payment_method: dict[str, Any], *, at_checkout: bool) -> str:
    behaviour = (payment_method.get("card") or {}).get("fingerprint") or "ok"
    if behaviour == "fails_later":
        return "ok" if at_checkout else "decline"
    if behaviour == AUTHENTICATION_REQUIRED and at_checkout:
        return "ok"  # the hosted page is where the supporter completes 3-D Secure
    return behaviour


def card_charge(
    sb: Sandbox,
    *,
    amount: int,
    currency: str,
    customer_id: str | None,
    payment_method: dict[str, Any],
    description: str | None,
    metadata: dict[str, str] | None = None,
    receipt_email: str | None = None,
    at_checkout: bool,
) -> tuple[dict[str, Any], dict[str, Any], CardDeclined | None]:
    """Create a payment intent and one charge attempt; return the decline, if any."""
    intent = payment_intent_open(
        sb,
        amount=amount,
        currency=currency,
        customer_id=customer_id,
        payment_method=payment_method,
        description=description,
        metadata=metadata,
        receipt_email=receipt_email,
    )
    charge = charge_attempt(sb, intent, payment_method)
    behaviour = charge_behaviour(payment_method, at_checkout=at_checkout)
    if behaviour == AUTHENTICATION_REQUIRED:
        return intent, charge, intent_requires_action(sb, intent, payment_method)
    decline = DECLINES.get(behaviour)
    if decline:
        return intent, charge, charge_decline(sb, intent, charge, payment_method, *decline)
    charge_succeed(sb, intent, charge)
    if behaviour == "dispute":
        # Imported here: disputes are settlement, which builds on this module.
        from .settlement import dispute_open

        dispute_open(sb, charge["id"])  # the test card's cardholder disputes it at once
    return intent, charge, None


def payment_intent_open(
    sb: Sandbox,
    *,
    amount: int,
    currency: str,
    customer_id: str | None,
    payment_method: dict[str, Any],
    description: str | None,
    metadata: dict[str, str] | None,
    receipt_email: str | None,
) -> dict[str, Any]:
    """A payment intent, confirmed with the payment method and processing."""
    intent = skeleton(
        "payment_intent",
        id=new_id("pi_"),
        amount=amount,
        currency=currency,
        customer=customer_id,
        created=sb.now(),
        description=description,
        metadata=dict(metadata or {}),
        payment_method=payment_method["id"],
        payment_method_types=["card"],
        receipt_email=receipt_email,
        status="processing",
        capture_method="automatic",
        confirmation_method="automatic",
        client_secret=None,
    )
    intent["client_secret"] = f"{intent['id']}_secret_{new_id('', 24)}"
    sb.save(intent)
    sb.emit("payment_intent.created", intent)
    return intent


def charge_attempt(
    sb: Sandbox, intent: dict[str, Any], payment_method: dict[str, Any]
) -> dict[str, Any]:
    """The charge of an intent's card, not yet decided (nor saved)."""
    card = payment_method["card"]
    return skeleton(
        "charge",
        id=new_id("ch_"),
        amount=intent["amount"],
        currency=intent["currency"],
        created=intent["created"],
        customer=intent["customer"],
        description=intent["description"],
        metadata=dict(intent["metadata"]),
        payment_intent=intent["id"],
        payment_method=payment_method["id"],
        billing_details=payment_method["billing_details"],
        receipt_email=intent["receipt_email"],
        calculated_statement_descriptor="NEWSROOM SANDBOX",
        payment_method_details=nested(
            "charge:payment_method_details",
            type="card",
            card=nested(
                "charge:payment_method_details:card",
                brand=card["brand"],
                country=card["country"],
                exp_month=card["exp_month"],
                exp_year=card["exp_year"],
                funding=card["funding"],
                last4=card["last4"],
                network=card["brand"],
            ),
        ),
    )


def intent_requires_action(
    sb: Sandbox, intent: dict[str, Any], payment_method: dict[str, Any]
) -> CardDeclined:
    """The bank asks for 3-D Secure: no charge yet, the intent waits for the cardholder."""
    message = "Your card was declined. This transaction requires authentication."
    intent.update(
        status="requires_action",
        next_action=nested("payment_intent:next_action", type="use_stripe_sdk", use_stripe_sdk={}),
        last_payment_error=nested(
            "payment_intent:last_payment_error",
            type="card_error",
            code=AUTHENTICATION_REQUIRED,
            decline_code=AUTHENTICATION_REQUIRED,
            message=message,
            payment_method=payment_method,
        ),
    )
    sb.save(intent)
    sb.emit("payment_intent.requires_action", intent)
    return CardDeclined(message, decline_code=AUTHENTICATION_REQUIRED)


def charge_decline(
    sb: Sandbox,
    intent: dict[str, Any],
    charge: dict[str, Any],
    payment_method: dict[str, Any],
    decline_code: str,
    message: str,
) -> CardDeclined:
    """Record the declined charge and the intent waiting for another payment method."""
    charge.update(
        status="failed",
        failure_code="card_declined",
        failure_message=message,
        outcome=nested(
            "charge:outcome",
            type="issuer_declined",
            network_status="declined_by_network",
            reason=decline_code,
            risk_level="normal",
            seller_message="The bank did not return any further details with this decline.",
        ),
    )
    sb.save(charge)
    intent.update(
        status="requires_payment_method",
        latest_charge=charge["id"],
        last_payment_error=nested(
            "payment_intent:last_payment_error",
            type="card_error",
            code="card_declined",
            decline_code=decline_code,
            message=message,
            charge=charge["id"],
            payment_method=payment_method,
        ),
    )
    sb.save(intent)
    sb.emit("charge.failed", charge)
    sb.emit("payment_intent.payment_failed", intent)
    return CardDeclined(message, decline_code=decline_code, charge_id=charge["id"])


def charge_succeed(sb: Sandbox, intent: dict[str, Any], charge: dict[str, Any]) -> None:
    """Capture the charge: its balance transaction (with the card fee) and a paid intent."""
    amount = charge["amount"]
    currency, rate = settlement_of(sb, charge)
    settled = settled_amount(charge, amount, currency, rate)
    transaction = balance_transaction_create(
        sb,
        amount=settled,
        currency=currency,
        fee=card_fee(settled, currency),
        source=charge["id"],
        kind="charge",
        reporting_category="charge",
        description=charge["description"],
        rate=rate,
    )
    charge.update(
        status="succeeded",
        paid=True,
        captured=True,
        amount_captured=amount,
        balance_transaction=transaction["id"],
        outcome=nested(
            "charge:outcome",
            type="authorized",
            network_status="approved_by_network",
            risk_level="normal",
            risk_score=20,
            seller_message="Payment complete.",
        ),
        receipt_url=f"{sb.public_base}/receipts/{charge['id']}",
    )
    sb.save(charge)
    intent.update(status="succeeded", amount_received=amount, latest_charge=charge["id"])
    sb.save(intent)
    sb.emit("charge.succeeded", charge)
    sb.emit("payment_intent.succeeded", intent)
