"""Stripe's form encoding: `a[b][0][c]=v` and `expand[]=x` into nested dicts and lists."""

import re
from typing import Any
from urllib.parse import parse_qsl

KEY_PART = re.compile(r"\[([^\]]*)\]")


def parse_form(text: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        head, _, rest = key.partition("[")
        parts = [head, *KEY_PART.findall("[" + rest)] if rest else [head]
        insert(root, parts, value)
    return listify(root)


def insert(node: dict[str, Any], parts: list[str], value: str) -> None:
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "":
            # `expand[]=a&expand[]=b`: append under a fresh numeric key.
            part = str(len(node))
        if last:
            node[part] = value
            return
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child


def listify(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: listify(value) for key, value in node.items()}
    if converted and all(key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def as_bool(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "yes", "on")
