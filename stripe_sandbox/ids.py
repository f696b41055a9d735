"""Stripe-style object ids: a type prefix and an unguessable random part."""

import secrets
import string

ALPHABET = string.ascii_letters + string.digits


def new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(ALPHABET) for _ in range(length))


def checkout_session_id() -> str:
    # Long like Stripe's, because the id alone grants access to the hosted page.
    return new_id("cs_test_a1", 56)
