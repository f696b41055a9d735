"""Skeletons of Stripe objects derived from stripe-python's own annotations.

`python -m stripe_sandbox.shapes` rewrites `stripe_sandbox/shapes.json`, the file the sandbox
builds every object from, for the objects and nested hashes the registry's resources declare,
so each object carries exactly the fields the SDK declares. A test fails when the installed
SDK, the registry and the file drift apart. This is a development tool: it needs stripe-python,
which the running sandbox does not.
"""

import json
import typing

import stripe
from stripe._object_classes import get_object_class
from stripe._stripe_object import StripeObject

from ..registry import default_registry
from . import SHAPES_FILE


def field_annotations(cls: type) -> dict[str, typing.Any]:
    """The instance fields a class declares (class constants such as OBJECT_NAME excluded)."""
    fields: dict[str, typing.Any] = {}
    for klass in reversed(cls.__mro__):
        if klass is StripeObject or not issubclass(klass, StripeObject):
            continue
        for name, annotation in vars(klass).get("__annotations__", {}).items():
            # `deleted` only appears on the objects a DELETE call returns.
            if not name.isupper() and not name.startswith("_") and name != "deleted":
                fields[name] = annotation
    return fields


def is_optional(annotation: typing.Any) -> bool:
    if typing.get_origin(annotation) is typing.Union:
        return type(None) in typing.get_args(annotation)
    return False


def default_for(owner: type, annotation: typing.Any, depth: int = 0) -> typing.Any:
    if is_optional(annotation) or depth > 6:
        return None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Literal:
        return args[0]
    if origin is typing.Union:
        literals = [a for a in args if typing.get_origin(a) is typing.Literal]
        if literals:
            return typing.get_args(literals[0])[0]
        return "" if str in args else None
    if origin in (list, typing.List):  # noqa: UP006
        return []
    if origin in (dict, typing.Dict):  # noqa: UP006
        return {}
    if (
        isinstance(annotation, type)
        and annotation.__name__ == "ListObject"
        or (origin is not None and getattr(origin, "__name__", "") == "ListObject")
    ):
        return {"object": "list", "data": [], "has_more": False, "url": ""}
    if origin is not None and getattr(origin, "__name__", "") == "UntypedStripeObject":
        return {}
    if annotation is str:
        return ""
    if annotation is int:
        return 0
    if annotation is float:
        return 0.0
    if annotation is bool:
        return False
    if isinstance(annotation, type) and issubclass(annotation, StripeObject):
        if getattr(annotation, "OBJECT_NAME", None):
            return None  # another resource: the sandbox always fills it in
        return skeleton_of(annotation, depth + 1)
    return None


def skeleton_of(cls: type, depth: int = 0) -> dict[str, typing.Any]:
    return {
        name: default_for(cls, annotation, depth)
        for name, annotation in field_annotations(cls).items()
    }


def nested_class(path: str) -> type:
    object_name, *fields = path.split(":")
    cls = get_object_class("V1", object_name)
    for field in fields:
        annotation = field_annotations(cls)[field]
        while typing.get_origin(annotation) in (typing.Union, list):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        cls = annotation
    return cls


def build_shapes() -> dict[str, typing.Any]:
    registry = default_registry()
    shapes = {}
    for name in registry.shape_names():
        cls = get_object_class("V1", name)
        shape = skeleton_of(cls)
        if "object" in shape:
            shape["object"] = name
        shapes[name] = shape
    nested = {path: skeleton_of(nested_class(path)) for path in registry.nested_paths()}
    return {
        "api_version": stripe.api_version,
        "stripe_python_version": stripe.VERSION,
        "objects": shapes,
        "nested": nested,
    }


def render_shapes() -> str:
    return json.dumps(build_shapes(), indent=1, sort_keys=True) + "\n"


def write_shapes() -> None:
    SHAPES_FILE.write_text(render_shapes())
