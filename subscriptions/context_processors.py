from functools import partial

from .reader_state import reader_state_for_request


def supporter(request) -> dict:
    """What this browser is shown in place of the plain appeal (subscriptions.reader_state):
    looked up only by templates that use it."""
    return {"reader_state": partial(reader_state_for_request, request)}
