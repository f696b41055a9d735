"""Stripe's list endpoints: newest first, cursor pagination, filters on declared links and
on the time each object was created (`created[gte]`, `[gt]`, `[lt]`, `[lte]`, or one time)."""

from typing import Any

from .app import Sandbox
from .errors import InvalidRequest
from .expand import expand_params, list_object, present

MAX_LIMIT = 100
CREATED_BOUNDS = ("gt", "gte", "lt", "lte")


def list_limit(params: dict[str, Any]) -> int:
    try:
        limit = int(params.get("limit") or 10)
    except ValueError:
        raise InvalidRequest("Invalid integer: limit.", param="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidRequest("limit must be between 1 and 100.", param="limit")
    return limit


def paginate(
    sb: Sandbox,
    object_name: str,
    url: str,
    params: dict[str, Any],
    *,
    exclude_status: str | None = None,
) -> dict[str, Any]:
    """One page of a resource's objects; every link its resource declares is a filter."""
    limit = list_limit(params)
    resource = sb.registry.get(object_name)
    links = resource.links if resource else {}
    filters = {
        name: str(params[name])
        for name in links
        if params.get(name) and isinstance(params[name], str)
    }
    objects, has_more = sb.store.page(
        object_name,
        filters=filters,
        created=created_bounds(params),
        exclude_status=exclude_status,
        limit=limit,
        starting_after=params.get("starting_after") or None,
        ending_before=params.get("ending_before") or None,
    )
    body = list_object(objects, url, has_more)
    return present(sb, body, expand_params(params))


def created_bounds(params: dict[str, Any]) -> dict[str, int]:
    """`created` as Stripe takes it: a dict of bounds, or one exact time (an integer)."""
    created = params.get("created")
    if created in (None, ""):
        return {}
    if not isinstance(created, dict):
        created = {"eq": created}
    bounds = {}
    for name, value in created.items():
        if name not in (*CREATED_BOUNDS, "eq"):
            raise InvalidRequest(f"Received unknown parameter: created[{name}]", param="created")
        try:
            bounds[name] = int(value)
        except (TypeError, ValueError):
            raise InvalidRequest(f"Invalid integer: created[{name}].", param="created") from None
    return bounds
