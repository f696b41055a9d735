"""Hosted checkout and billing-portal pages: plain, accessible HTML without scripts."""

from html import escape
from typing import Any

from .money import format_amount

TEST_CARDS = (
    ("4242 4242 4242 4242", "always succeeds"),
    ("4000 0000 0000 0002", "declined (generic decline)"),
    ("4000 0000 0000 9995", "declined (insufficient funds)"),
    ("4000 0000 0000 0341", "succeeds now, every later charge fails"),
    ("4000 0027 6000 3184", "3-D Secure on every charge (completed here, not on renewals)"),
    ("4000 0000 0000 5126", "succeeds; its refunds fail a day later"),
)
STYLE = """
body{font-family:system-ui,sans-serif;max-width:34rem;margin:2rem auto;padding:0 1rem;
line-height:1.5;color:#1a1a1a}
.banner{background:#ffe08a;border:3px solid #8a6d00;padding:1rem;font-size:1.25rem;
font-weight:700;text-align:center}
label{display:block;margin-top:.75rem;font-weight:600}
input{font-size:1rem;padding:.4rem;width:100%;box-sizing:border-box}
button{margin-top:1rem;font-size:1.1rem;padding:.6rem 1.2rem}
.error{border:2px solid #b00020;color:#b00020;padding:.75rem;font-weight:600}
.amount{font-size:1.6rem;font-weight:700}
"""


def layout(title: str, body: str) -> str:
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>"
        '<p class="banner" role="note">SANDBOX — no real money moves</p>'
        f"<main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )


def test_card_list() -> str:
    rows = "".join(
        f"<li><code>{number}</code> — {escape(effect)}</li>" for number, effect in TEST_CARDS
    )
    return f"<h2>Test cards</h2><p>Any future expiry date and any 3-digit CVC.</p><ul>{rows}</ul>"


def card_fields(values: dict[str, Any]) -> str:
    def field(name: str, label: str, autocomplete: str, size: str = "") -> str:
        value = escape(str(values.get(name, "")))
        return (
            f'<label for="{name}">{label}</label>'
            f'<input id="{name}" name="{name}" value="{value}" required '
            f'autocomplete="{autocomplete}" {size}>'
        )

    return (
        field("card_number", "Card number", "cc-number", 'inputmode="numeric"')
        + field("exp_month", "Expiry month (MM)", "cc-exp-month", 'inputmode="numeric"')
        + field("exp_year", "Expiry year (YYYY)", "cc-exp-year", 'inputmode="numeric"')
        + field("cvc", "CVC", "cc-csc", 'inputmode="numeric"')
    )


def what_is_bought(session: dict[str, Any], items: list[dict[str, Any]]) -> str:
    parts = []
    for item in items:
        price = item["price"]
        recurring = price.get("recurring")
        every = f" every {recurring['interval']}" if recurring else " once"
        amount = format_amount(item["amount_total"], item["currency"])
        parts.append(
            f"<p>{escape(item['description'] or 'Support')}: "
            f'<span class="amount">{escape(amount)}</span>{escape(every)}</p>'
        )
    return "".join(parts)


def checkout_page(
    session: dict[str, Any],
    items: list[dict[str, Any]],
    *,
    error: str | None = None,
    values: dict[str, Any] | None = None,
) -> str:
    values = values or {}
    if session["status"] != "open":
        message = (
            "This checkout is already complete. Nothing more to pay."
            if session["status"] == "complete"
            else "This checkout has expired. Go back to the site and start again."
        )
        return layout("Checkout closed", f"<p>{escape(message)}</p>")
    email = values.get("email") or session.get("customer_email") or ""
    error_html = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    cancel = ""
    if session.get("cancel_url"):
        cancel = (
            f'<form method="post" action="/checkout/{escape(session["id"])}/cancel">'
            '<button type="submit">Cancel and go back</button></form>'
        )
    body = (
        what_is_bought(session, items)
        + error_html
        + f'<form method="post" action="/checkout/{escape(session["id"])}">'
        + f'<label for="email">Email</label><input id="email" name="email" type="email" '
        f'value="{escape(email)}" required autocomplete="email">'
        + f'<label for="name">Name on card</label><input id="name" name="name" '
        f'value="{escape(values.get("name", ""))}" autocomplete="cc-name">'
        + card_fields(values)
        + '<button type="submit">Pay</button></form>'
        + cancel
        + test_card_list()
    )
    return layout("Checkout", body)


def portal_page(
    session: dict[str, Any],
    card: dict[str, Any] | None,
    *,
    message: str | None = None,
    error: str | None = None,
) -> str:
    if card and card.get("card"):
        details = card["card"]
        card_html = (
            f"<p>Current card: {escape(details['brand'].title())} ending in "
            f"<strong>{escape(details['last4'])}</strong>, expires "
            f"{details['exp_month']:02d}/{details['exp_year']}.</p>"
        )
    else:
        card_html = "<p>No card on file.</p>"
    notice = f'<p role="status"><strong>{escape(message)}</strong></p>' if message else ""
    if error:
        notice += f'<p class="error" role="alert">{escape(error)}</p>'
    back = ""
    if session.get("return_url"):
        back = f'<p><a href="{escape(session["return_url"])}">Back to the site</a></p>'
    body = (
        notice
        + card_html
        + "<h2>Replace card</h2>"
        + f'<form method="post" action="/billing_portal/{escape(session["id"])}">'
        + card_fields({})
        + '<button type="submit">Save card</button></form>'
        + back
        + test_card_list()
    )
    return layout("Manage payment method", body)


def invoice_page(invoice: dict[str, Any], *, error: str | None = None) -> str:
    amount = format_amount(invoice["amount_due"], invoice["currency"])
    notice = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    if invoice["status"] == "paid":
        action = '<p role="status"><strong>This invoice is paid. Thank you.</strong></p>'
    elif invoice["status"] == "open":
        action = (
            "<p>Your bank asks you to confirm this payment (3-D Secure).</p>"
            f'<form method="post" action="/invoices/{escape(invoice["id"])}">'
            '<button type="submit">Confirm payment</button></form>'
        )
    else:
        action = f"<p>This invoice is {escape(invoice['status'])}; nothing is due.</p>"
    body = (
        f"<p>Invoice {escape(invoice['number'] or invoice['id'])} from "
        f"{escape(invoice['account_name'] or 'the newsroom')}</p>"
        f'<p class="amount">{escape(amount)}</p>' + notice + action
    )
    return layout("Invoice", body)


def not_found_page() -> str:
    return layout("Not found", "<p>This link is not valid. Go back to the site and try again.</p>")
