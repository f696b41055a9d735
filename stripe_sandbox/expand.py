"""`expand[]` support and the small fix-ups applied to every object on the way out.

A field holding an id expands to the stored object; a field Stripe leaves out (`None` until
expanded) is computed by the `included` function its resource declares.
"""

import copy
from typing import Any

from .app import Sandbox
from .errors import InvalidRequest

MAX_EXPAND_DEPTH = 4


def list_object(data: list[dict[str, Any]], url: str, has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "data": data, "has_more": has_more, "url": url}


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
    resource = sb.registry.get(obj.get("object", ""))
    if value is None and resource and field in resource.included:
        value = resource.included[field](sb, obj)
    elif isinstance(value, str) and sb.registry.is_object_id(value):
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


def answer(sb: Sandbox, params: dict[str, Any], obj: dict[str, Any]) -> dict[str, Any]:
    """An object as an API call returns it, expanded as the call asked."""
    return present(sb, obj, expand_params(params))
