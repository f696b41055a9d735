"""The resource registry: one declaration per Stripe object, in one module per resource.

Routing, the indexed link columns of the store, list filters, `expand[]` of fields Stripe
leaves out, clock jobs and the list of object shapes are all built from these declarations,
so a new resource is one new module in `stripe_sandbox/resources/` that defines `RESOURCES`.
"""

import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .errors import RouteMissing

Handler = Callable[..., dict[str, Any]]
Job = Callable[[Any, str], None]
Included = Callable[[Any, dict[str, Any]], dict[str, Any]]

LINK_NAME = re.compile(r"[a-z][a-z_]*")
PATH_PARAMETER = re.compile(r"\{[a-z_]+\}")


@dataclass(frozen=True)
class Route:
    """One `/v1` endpoint; `{name}` in the path stands for one path segment."""

    method: str
    path: str
    handler: Handler

    def pattern(self) -> re.Pattern[str]:
        segments = self.path.split("/")
        return re.compile(
            "/".join("([^/]+)" if PATH_PARAMETER.fullmatch(s) else re.escape(s) for s in segments)
        )


@dataclass(frozen=True)
class Resource:
    """What the sandbox knows about one kind of Stripe object.

    - `prefix`: how its ids start (`cus_`); None for objects that only live inside others.
    - `path`: the `/v1` collection (`customers`) that gets GET list and GET one for free.
    - `links`: indexed links to other objects, `name -> dotted field path` in the object, or
      `None` for a link the code sets when saving. Every link is also a list filter.
    - `included`: fields Stripe leaves out unless expanded, computed on demand.
    - `routes`: the other endpoints (create, update, actions), matched before the generic ones.
    - `jobs`: clock jobs, scheduled as `"<object>.<name>"` with the object's id as subject.
    - `nested`: shapes of nullable nested hashes it fills, as `object:field[:field]`.
    """

    object: str
    prefix: str | None = None
    path: str | None = None
    links: Mapping[str, str | None] = field(default_factory=dict)
    included: Mapping[str, Included] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()
    jobs: Mapping[str, Job] = field(default_factory=dict)
    nested: tuple[str, ...] = ()
    listable: bool = True

    def link_values(self, obj: dict[str, Any]) -> dict[str, str]:
        """The links the object carries (a link once set stays when its field empties)."""
        values = {}
        for name, field_path in self.links.items():
            if field_path is not None and (value := follow(obj, field_path)) is not None:
                values[name] = value
        return values


def follow(obj: Any, field_path: str) -> str | None:
    """The id a dotted field path leads to (an expanded object counts by its id)."""
    for name in field_path.split("."):
        obj = obj.get(name) if isinstance(obj, dict) else None
    if isinstance(obj, dict):
        obj = obj.get("id")
    return obj if isinstance(obj, str) else None


@dataclass
class Registry:
    resources: dict[str, Resource] = field(default_factory=dict)
    _routes: list[tuple[str, re.Pattern[str], Handler, tuple[str, ...]]] | None = None

    def add(self, resource: Resource) -> None:
        if resource.object in self.resources:
            raise ValueError(f"resource {resource.object!r} is declared twice")
        for name in resource.links:
            if not LINK_NAME.fullmatch(name) or name in RESERVED_COLUMNS:
                raise ValueError(f"{resource.object}: {name!r} cannot name a link")
        self.resources[resource.object] = resource
        self._routes = None

    def get(self, object_name: str) -> Resource | None:
        return self.resources.get(object_name)

    def object_name_for(self, object_id: str) -> str:
        """The object an id names, by the longest matching prefix ("object" if none)."""
        best = ("", "object")
        for resource in self.resources.values():
            prefix = resource.prefix
            if prefix and str(object_id).startswith(prefix) and len(prefix) > len(best[0]):
                best = (prefix, resource.object)
        return best[1]

    def is_object_id(self, value: str) -> bool:
        return self.object_name_for(value) != "object"

    def link_names(self) -> tuple[str, ...]:
        return tuple(sorted({name for r in self.resources.values() for name in r.links}))

    def links_of(self, obj: dict[str, Any]) -> dict[str, Any]:
        resource = self.resources.get(obj.get("object", ""))
        return resource.link_values(obj) if resource else {}

    def job(self, kind: str) -> Job:
        object_name, _, name = kind.rpartition(".")
        resource = self.resources.get(object_name)
        if resource is None or name not in resource.jobs:
            raise KeyError(f"no clock job {kind!r} is declared")
        return resource.jobs[name]

    def routes(self) -> list[tuple[str, re.Pattern[str], Handler, tuple[str, ...]]]:
        """(method, pattern, handler, leading args): declared routes first, then GET list/one."""
        table = [
            (route.method, route.pattern(), route.handler, ())
            for resource in self.resources.values()
            for route in resource.routes
        ]
        for resource in self.resources.values():
            if resource.path is None:
                continue
            base = f"/v1/{resource.path}"
            if resource.listable:
                table.append(("GET", re.compile(re.escape(base)), list_handler, (resource.object,)))
            table.append(
                (
                    "GET",
                    re.compile(re.escape(base) + "/([^/]+)"),
                    retrieve_handler,
                    (resource.object,),
                )
            )
        return table

    def route(self, method: str, path: str) -> tuple[Handler, tuple[str, ...]]:
        """The handler of a `/v1` request and its arguments (leading ones, then path parts)."""
        if self._routes is None:
            self._routes = self.routes()
        for route_method, pattern, handler, leading in self._routes:
            match = pattern.fullmatch(path)
            if match and route_method == method:
                return handler, (*leading, *match.groups())
        raise RouteMissing(method, path)

    def shape_names(self) -> list[str]:
        return sorted(self.resources)

    def nested_paths(self) -> list[str]:
        return sorted({path for r in self.resources.values() for path in r.nested})


RESERVED_COLUMNS = frozenset({"seq", "id", "object", "available_on", "data"})


# The generic handlers import at call time: listing and expand need the Sandbox, which
# needs this module.
def list_handler(sb: Any, params: dict[str, Any], object_name: str) -> dict[str, Any]:
    from .listing import paginate

    resource = sb.registry.get(object_name)
    return paginate(sb, object_name, f"/v1/{resource.path}", params)


def retrieve_handler(
    sb: Any, params: dict[str, Any], object_name: str, object_id: str
) -> dict[str, Any]:
    from .expand import expand_params, present

    return present(sb, sb.get(object_id, object_name), expand_params(params))


@cache
def default_registry() -> Registry:
    """Every resource declared in `stripe_sandbox.resources`, one module each."""
    from . import resources

    registry = Registry()
    for module_info in sorted(pkgutil.iter_modules(resources.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{resources.__name__}.{module_info.name}")
        for resource in getattr(module, "RESOURCES", ()):
            registry.add(resource)
    return registry
