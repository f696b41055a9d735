"""`expand[]` support and the small fix-ups applied to every object on the way out."""

import copy
from typing import Any

from .app import Sandbox
from .errors import InvalidRequest

MAX_EXPAND_DEPTH = 4


def list_object(data: list[dict[str, Any]], url: str, has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


def included_list(sb: Sandbox, obj: dict[str, Any], field: str) -> dict[str, Any] | None:
    """Fields Stripe leaves out unless expanded, computed on demand."""
    if obj.get("object") == "checkout.session" and field == "line_items":
        private = sb.store.get(f"{obj['id']}:private") or {"line_items": []}
        return list_object(private["line_items"], f"/v1/checkout/sessions/{obj['id']}/line_items")
    if obj.get("object") == "invoice" and field == "payments":
        payments, has_more = sb.store.page(
            "invoice_payment",
            filters={"invoice": obj["id"]},
            exclude_status=None,
            limit=10,
            starting_after=None,
            ending_before=None,
        )
        return list_object(payments, f"/v1/invoices/{obj['id']}/payments", has_more)
    return None


def expand_path(sb: Sandbox, obj: Any, segments: list[str], path: str) -> Any:
    if not segments or not isinstance(obj, dict):
        return obj
    field, rest = segments[0], segments[1:]
    if obj.get("object") == "list" and field == "data":
        obj["data"] = [expand_path(sb, item, rest, path) for item in obj["data"]]
        return obj
    if field not in obj:
        raise InvalidRequest(f"This property cannot be expanded ({path}).", param="expand")
    value = obj[field]
    if value is None:
        value = included_list(sb, obj, field)
    elif isinstance(value, str):
        value = sb.store.get(value) or value
        if isinstance(value, dict):
            value = present(sb, value, [])
    obj[field] = expand_path(sb, value, rest, path)
    return obj


def present(sb: Sandbox, obj: dict[str, Any], expand: list[str]) -> dict[str, Any]:
    obj = copy.deepcopy(obj)
    if obj.get("object") == "balance_transaction" and obj["status"] == "pending":
        obj["status"] = "available" if obj["available_on"] <= sb.now() else "pending"
    for path in expand:
        segments = path.split(".")
        if len(segments) > MAX_EXPAND_DEPTH:
            raise InvalidRequest(
                f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property.",
                param="expand",
            )
        expand_path(sb, obj, segments, path)
    return obj


def expand_params(params: dict[str, Any]) -> list[str]:
    expand = params.get("expand") or []
    if isinstance(expand, str):
        return [expand]
    if isinstance(expand, dict):
        return list(expand.values())
    return [str(path) for path in expand]
