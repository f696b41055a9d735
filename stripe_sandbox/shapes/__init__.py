"""Skeletons of Stripe objects with exactly the fields stripe-python declares.

`stripe_sandbox/shapes.json` is generated from the SDK's annotations for every resource the
registry declares: `python -m stripe_sandbox.shapes` (generate.py, the only module of the
sandbox that imports `stripe`, and only when run) rewrites it.
"""

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

SHAPES_FILE = Path(__file__).resolve().parents[1] / "shapes.json"


@cache
def _shapes() -> dict[str, Any]:
    return json.loads(SHAPES_FILE.read_text())


def api_version() -> str:
    return _shapes()["api_version"]


def skeleton(object_name: str, **values: Any) -> dict[str, Any]:
    obj = copy.deepcopy(_shapes()["objects"][object_name])
    return fill(obj, values, object_name)


def nested(path: str, **values: Any) -> dict[str, Any]:
    obj = copy.deepcopy(_shapes()["nested"][path])
    return fill(obj, values, path)


def fill(obj: dict[str, Any], values: dict[str, Any], name: str) -> dict[str, Any]:
    unknown = set(values) - set(obj)
    if unknown:
        raise KeyError(f"{name} has no field(s) {sorted(unknown)}")
    obj.update(values)
    return obj
