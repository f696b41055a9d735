"""One module per Stripe resource, each declaring `RESOURCES` (see ../registry.py)."""
