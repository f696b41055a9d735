"""Generate `params.json`: the request parameters stripe-python declares for each API method
the sandbox serves, as the data `strict.py` checks every request against.

    python -m stripe_sandbox.params          # rewrite params.json from the installed SDK

The SDK declares each method's parameters as a TypedDict in `stripe/params/` (names as
`StripeClient` uses them: `SubscriptionUpdateParams`, not the resource class's
`SubscriptionModifyParams`, which declares the same fields). Every TypedDict reachable from a
method becomes one entry of `types`; a field's type is one of

    "string" "integer" "boolean" "decimal" "empty" (the "" that unsets a field) "any"
    {"enum": [...]} {"list": T} {"map": T} {"object": "TypeName"} {"any_of": [T, ...]}

The SDK types enums as `Literal[...] | str` so that an older SDK does not refuse values the
API adds later; the API at the pinned version accepts only the listed values, so the open
`str` next to a `Literal` is dropped.

The SDK is imported only while generating; the sandbox reads the JSON and stays standard
library.
"""

import json
import sys
import types
import typing
from decimal import Decimal
from importlib import import_module
from pathlib import Path
from typing import Any

PARAMS_FILE = Path(__file__).with_name("params.json")

# (HTTP method, path template) -> the TypedDict of stripe.params that declares its parameters.
METHODS = {
    "POST /v1/customers": "CustomerCreateParams",
    "GET /v1/customers": "CustomerListParams",
    "GET /v1/customers/{id}": "CustomerRetrieveParams",
    "POST /v1/customers/{id}": "CustomerUpdateParams",
    "DELETE /v1/customers/{id}": "CustomerDeleteParams",
    "POST /v1/products": "ProductCreateParams",
    "GET /v1/products": "ProductListParams",
    "GET /v1/products/{id}": "ProductRetrieveParams",
    "POST /v1/prices": "PriceCreateParams",
    "GET /v1/prices": "PriceListParams",
    "GET /v1/prices/{id}": "PriceRetrieveParams",
    "POST /v1/plans": "PlanCreateParams",
    "GET /v1/plans/{id}": "PlanRetrieveParams",
    "POST /v1/checkout/sessions": "checkout.SessionCreateParams",
    "GET /v1/checkout/sessions": "checkout.SessionListParams",
    "GET /v1/checkout/sessions/{id}": "checkout.SessionRetrieveParams",
    "POST /v1/checkout/sessions/{id}/expire": "checkout.SessionExpireParams",
    "GET /v1/checkout/sessions/{id}/line_items": "checkout.SessionLineItemListParams",
    "POST /v1/subscriptions": "SubscriptionCreateParams",
    "GET /v1/subscriptions": "SubscriptionListParams",
    "GET /v1/subscriptions/{id}": "SubscriptionRetrieveParams",
    "POST /v1/subscriptions/{id}": "SubscriptionUpdateParams",
    "DELETE /v1/subscriptions/{id}": "SubscriptionCancelParams",
    "POST /v1/subscriptions/{id}/pause": "SubscriptionPauseParams",
    "POST /v1/subscriptions/{id}/resume": "SubscriptionResumeParams",
    "GET /v1/subscription_items": "SubscriptionItemListParams",
    "POST /v1/subscription_schedules": "SubscriptionScheduleCreateParams",
    "GET /v1/subscription_schedules": "SubscriptionScheduleListParams",
    "GET /v1/subscription_schedules/{id}": "SubscriptionScheduleRetrieveParams",
    "POST /v1/subscription_schedules/{id}": "SubscriptionScheduleUpdateParams",
    "POST /v1/subscription_schedules/{id}/release": "SubscriptionScheduleReleaseParams",
    "POST /v1/subscription_schedules/{id}/cancel": "SubscriptionScheduleCancelParams",
    "POST /v1/invoices": "InvoiceCreateParams",
    "GET /v1/invoices": "InvoiceListParams",
    "GET /v1/invoices/{id}": "InvoiceRetrieveParams",
    "GET /v1/invoices/{id}/lines": "InvoiceLineItemListParams",
    "POST /v1/invoices/{id}/finalize": "InvoiceFinalizeInvoiceParams",
    "POST /v1/invoices/{id}/pay": "InvoicePayParams",
    "GET /v1/invoice_payments": "InvoicePaymentListParams",
    "GET /v1/invoice_payments/{id}": "InvoicePaymentRetrieveParams",
    "POST /v1/invoiceitems": "InvoiceItemCreateParams",
    "POST /v1/payment_intents": "PaymentIntentCreateParams",
    "GET /v1/payment_intents": "PaymentIntentListParams",
    "GET /v1/payment_intents/{id}": "PaymentIntentRetrieveParams",
    "POST /v1/payment_methods": "PaymentMethodCreateParams",
    "GET /v1/payment_methods": "PaymentMethodListParams",
    "GET /v1/payment_methods/{id}": "PaymentMethodRetrieveParams",
    "POST /v1/payment_methods/{id}/attach": "PaymentMethodAttachParams",
    "GET /v1/charges": "ChargeListParams",
    "GET /v1/charges/{id}": "ChargeRetrieveParams",
    "POST /v1/refunds": "RefundCreateParams",
    "GET /v1/refunds": "RefundListParams",
    "GET /v1/refunds/{id}": "RefundRetrieveParams",
    "GET /v1/disputes": "DisputeListParams",
    "GET /v1/disputes/{id}": "DisputeRetrieveParams",
    "POST /v1/disputes/{id}": "DisputeUpdateParams",
    "POST /v1/disputes/{id}/close": "DisputeCloseParams",
    "POST /v1/payouts": "PayoutCreateParams",
    "GET /v1/payouts": "PayoutListParams",
    "GET /v1/payouts/{id}": "PayoutRetrieveParams",
    "POST /v1/payouts/{id}/cancel": "PayoutCancelParams",
    "GET /v1/balance_transactions": "BalanceTransactionListParams",
    "GET /v1/balance_transactions/{id}": "BalanceTransactionRetrieveParams",
    "POST /v1/reporting/report_runs": "reporting.ReportRunCreateParams",
    "GET /v1/reporting/report_runs": "reporting.ReportRunListParams",
    "GET /v1/reporting/report_runs/{id}": "reporting.ReportRunRetrieveParams",
    "GET /v1/files": "FileListParams",
    "GET /v1/files/{id}": "FileRetrieveParams",
    "GET /v1/events": "EventListParams",
    "GET /v1/events/{id}": "EventRetrieveParams",
    "POST /v1/billing_portal/sessions": "billing_portal.SessionCreateParams",
    "POST /v1/billing_portal/configurations": "billing_portal.ConfigurationCreateParams",
    "GET /v1/billing_portal/configurations": "billing_portal.ConfigurationListParams",
    "GET /v1/billing_portal/configurations/{id}": "billing_portal.ConfigurationRetrieveParams",
    "POST /v1/billing_portal/configurations/{id}": "billing_portal.ConfigurationUpdateParams",
    "POST /v1/webhook_endpoints": "WebhookEndpointCreateParams",
    "GET /v1/webhook_endpoints": "WebhookEndpointListParams",
    "GET /v1/webhook_endpoints/{id}": "WebhookEndpointRetrieveParams",
    "POST /v1/webhook_endpoints/{id}": "WebhookEndpointUpdateParams",
    "DELETE /v1/webhook_endpoints/{id}": "WebhookEndpointDeleteParams",
}


class Generator:
    def __init__(self) -> None:
        from stripe._request_options import RequestOptions

        # Client-side options (api_key, idempotency_key, ...) that some params inherit; they
        # travel as headers, never as parameters.
        self.request_options = set(RequestOptions.__annotations__)
        self.types: dict[str, dict[str, Any]] = {}

    def type_name(self, cls: type) -> str:
        package = cls.__module__.removeprefix("stripe.params").strip(".").rpartition(".")[0]
        return f"{package}.{cls.__name__}" if package else cls.__name__

    def typed_dict(self, cls: type) -> str:
        name = self.type_name(cls)
        if name in self.types:
            return name
        entry: dict[str, Any] = {"fields": {}, "required": []}
        self.types[name] = entry  # before the fields: declarations may refer to themselves
        namespace = vars(sys.modules[cls.__module__])
        for field, annotation in cls.__annotations__.items():
            if field in self.request_options:
                continue
            entry["fields"][field] = self.describe(annotation, namespace)
        entry["required"] = sorted(set(cls.__required_keys__) - self.request_options)
        return name

    def describe(self, annotation: Any, namespace: dict[str, Any]) -> Any:
        if isinstance(annotation, typing.ForwardRef):
            annotation = annotation.__forward_arg__
        if isinstance(annotation, str):
            # The SDK writes many annotations as strings; evaluate them where they were written.
            annotation = eval(annotation, namespace)  # noqa: S307 (the installed SDK's own code)
        origin = typing.get_origin(annotation)
        args = typing.get_args(annotation)
        if origin is not None and getattr(origin, "__name__", "") in ("NotRequired", "Required"):
            return self.describe(args[0], namespace)
        if origin in (typing.Union, types.UnionType):
            return self.union([self.describe(arg, namespace) for arg in args])
        if origin is typing.Literal:
            values = [value for value in args if value != ""]
            kinds = [{"enum": values}] if values else []
            return self.union(kinds + (["empty"] if "" in args else []))
        if origin is list:
            return {"list": self.describe(args[0], namespace)}
        if origin is dict or getattr(origin, "__name__", "") == "UntypedStripeObject":
            return {"map": self.describe(args[-1], namespace) if args else "any"}
        if isinstance(annotation, type) and hasattr(annotation, "__required_keys__"):
            return {"object": self.typed_dict(annotation)}
        simple = {str: "string", int: "integer", bool: "boolean", float: "decimal"}
        if annotation in simple:
            return simple[annotation]
        if annotation is Decimal:
            return "decimal"
        if annotation is Any:
            return "any"
        raise TypeError(f"No parameter kind for {annotation!r}")

    @staticmethod
    def union(kinds: list[Any]) -> Any:
        flat: list[Any] = []
        for kind in kinds:
            for member in kind["any_of"] if isinstance(kind, dict) and "any_of" in kind else [kind]:
                if member not in flat:
                    flat.append(member)
        enums = [member for member in flat if isinstance(member, dict) and "enum" in member]
        if enums:
            merged = {"enum": sorted({value for enum in enums for value in enum["enum"]})}
            flat = [merged] + [m for m in flat if m not in enums and m != "string"]
        return flat[0] if len(flat) == 1 else {"any_of": flat}


def declared(name: str) -> type:
    package, _, cls_name = name.rpartition(".")
    module = import_module(f"stripe.params.{package}" if package else "stripe.params")
    return getattr(module, cls_name)


def generate() -> dict[str, Any]:
    import stripe

    generator = Generator()
    methods = {key: generator.typed_dict(declared(name)) for key, name in METHODS.items()}
    return {
        "sdk": f"stripe-python {stripe.VERSION}",
        "methods": methods,
        "types": dict(sorted(generator.types.items())),
    }


def dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, sort_keys=False) + "\n"


def main() -> None:
    PARAMS_FILE.write_text(dumps(generate()))
    print(f"Wrote {PARAMS_FILE.name}: {len(METHODS)} methods.", file=sys.stderr)


if __name__ == "__main__":
    main()
