"""Errors answered in Stripe's error format."""

from typing import Any


class StripeError(Exception):
    status = 400
    error_type = "invalid_request_error"

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code
        self.extra: dict[str, Any] = {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.param:
            error["param"] = self.param
        if self.code:
            error["code"] = self.code
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        error.update(self.extra)
        return {"error": error}


class InvalidRequest(StripeError):
    pass


class AuthenticationFailed(StripeError):
    status = 401


class ResourceMissing(StripeError):
    status = 404

    def __init__(self, object_name: str, object_id: str, *, param: str = "id"):
        super().__init__(
            f"No such {object_name}: '{object_id}'", param=param, code="resource_missing"
        )


class RouteMissing(StripeError):
    status = 404

    def __init__(self, method: str, path: str):
        super().__init__(
            f"Unrecognized request URL ({method}: {path}). The Stripe sandbox implements only "
            "the part of the API this project uses."
        )


class IdempotencyMismatch(StripeError):
    error_type = "idempotency_error"

    def __init__(self, key: str):
        super().__init__(
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request."
        )


class CardDeclined(StripeError):
    status = 402
    error_type = "card_error"

    def __init__(self, message: str, *, decline_code: str, charge_id: str | None = None):
        super().__init__(message, code="card_declined")
        self.decline_code = decline_code
        self.extra["decline_code"] = decline_code
        if charge_id:
            self.extra["charge"] = charge_id
