"""The data side of an edit: what a record file reads as, and what it must read as after.

The file is read with PyYAML's safe loader (the C parser where available), keeping an
impossible date as text; every edit is mirrored on the plain data (``_with_set``,
``_with_deleted``) and the edited text must read back as exactly that, or the edit is
refused with ``EditError``. Also the small lookups both sides share: a value or a node at
a key path, a key's place in the model's order, how deeply data nests.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from pathway_cli.errors import UserError
from pathway_cli.findings import KeyPath

__all__ = [
    "EditError",
]

try:  # the C parser reports the same character positions and is several times faster
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader that keeps an impossible date (2026-09-31) as text, as validation does,
    so that the command meant to correct it can still edit the file."""


def _date_or_text(loader: yaml.SafeLoader, node: ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _date_or_text)


class EditError(UserError):
    """The edit cannot be made safely in this file; nothing was changed."""


class _Missing:
    pass


class _Unreadable:
    pass


_MISSING = _Missing()


def _same(a: Any, b: Any) -> bool:
    """Equal values of the same types (True is not 1, 1 is not 1.0)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _lookup(data: Any, path: KeyPath) -> tuple[bool, Any]:
    for part in path:
        in_mapping = isinstance(data, dict) and not isinstance(part, int) and part in data
        in_list = isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data)
        if not (in_mapping or in_list):
            return False, None
        data = data[part]
    return True, data


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _nest(path: KeyPath, value: Any) -> Any:
    for part in reversed(path):
        value = {part: value}
    return value


def _with_set(data: Any, path: KeyPath, value: Any) -> Any:
    root: Any = _copy(data) if data is not None else {}
    target: Any = root
    for depth, part in enumerate(path):
        if isinstance(target, list) != isinstance(part, int) or (
            isinstance(target, list) and not 0 <= int(part) < len(target)
        ):
            raise EditError(f"'{_dotted(path[:depth + 1])}' is not there")
        if depth == len(path) - 1:
            break
        nxt = _lookup(target, (part,))[1]
        if nxt is None:
            target[part] = _nest(path[depth + 1:], value)
            return root
        target = nxt
    target[path[-1]] = value
    return root


def _with_deleted(data: Any, path: KeyPath) -> Any:
    root = _copy(data)
    target = root
    for part in path[:-1]:
        target = target[part]
    del target[path[-1]]
    return root


def _position(keys: list[Any], key: str, order: Sequence[str]) -> int:
    """Where a new key goes: after the last present key that comes before it in ``order``."""
    if key not in order:
        return len(keys)
    before = set(order[: list(order).index(key)])
    position = 0
    for index, existing in enumerate(keys):
        if existing in before:
            position = index + 1
    if position == 0 and keys and not any(k in order for k in keys):
        return len(keys)
    return position


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, ScalarNode) and key_node.value == str(part):
                return key_node, value_node
        return None
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


def _is_flow(node: Node | None) -> bool:
    return isinstance(node, MappingNode | SequenceNode) and bool(node.flow_style)


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


# Records nest a handful of levels; the engine's helpers recurse, so refuse the absurd.
_MAX_DEPTH = 100


def _depth(data: Any) -> int:
    """How deeply ``data`` nests, counted without recursion (and stopping past the limit)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    seen: set[int] = set()
    while stack:
        value, level = stack.pop()
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        deepest = max(deepest, level)
        if deepest > _MAX_DEPTH:
            break
        children = value.values() if isinstance(value, dict) else value
        stack.extend((child, level + 1) for child in children)
    return deepest


def _short(exc: Exception) -> str:
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)
