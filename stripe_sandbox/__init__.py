"""An offline, Stripe-compatible HTTP server for demos and tests.

Run it with `python -m stripe_sandbox`.
"""
