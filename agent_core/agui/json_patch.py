"""JSON Patch (RFC 6902) over JSON Pointers (RFC 6901): how AG-UI's STATE_DELTA changes state.

A patch applies to a copy, all or nothing: a bad path or a failed `test` raises `PatchError` and
the caller keeps the state it had (a client must not hold half a delta).
"""

from __future__ import annotations

import copy
from typing import Any


class PatchError(ValueError):
    """A patch that does not apply; the message names the operation and the path."""


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"{pointer!r} is not a JSON Pointer (it must start with /)")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(node: list, token: str, *, insert: bool = False) -> int:
    if insert and token == "-":
        return len(node)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise PatchError(f"{token!r} is not an array index")
    i = int(token)
    if i > len(node) or (i == len(node) and not insert):
        raise PatchError(f"index {i} is out of range")
    return i


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    *path, last = _tokens(pointer) or [""]
    node = doc
    for token in path:
        node = _get(node, token, pointer)
    return node, last


def _get(node: Any, token: str, pointer: str) -> Any:
    if isinstance(node, dict) and token in node:
        return node[token]
    if isinstance(node, list):
        return node[_index(node, token)]
    raise PatchError(f"{pointer} does not exist")


def resolve(doc: Any, pointer: str) -> Any:
    node = doc
    for token in _tokens(pointer):
        node = _get(node, token, pointer)
    return node


def _add(doc: Any, pointer: str, value: Any) -> Any:
    if pointer == "":
        return value
    node, key = _parent(doc, pointer)
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list):
        node.insert(_index(node, key, insert=True), value)
    else:
        raise PatchError(f"{pointer}: the parent is not an object or array")
    return doc


def _remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    if pointer == "":
        raise PatchError("cannot remove the whole document")
    node, key = _parent(doc, pointer)
    if isinstance(node, dict) and key in node:
        return doc, node.pop(key)
    if isinstance(node, list):
        return doc, node.pop(_index(node, key))
    raise PatchError(f"{pointer} does not exist")


def apply_patch(doc: Any, ops: list[dict]) -> Any:
    """`doc` with the operations applied, in order (the original is not changed)."""
    out = copy.deepcopy(doc)
    for n, op in enumerate(ops, 1):
        if not isinstance(op, dict) or not isinstance(op.get("path"), str):
            raise PatchError(f"operation {n} is not an object with a path")
        kind, path = op.get("op"), op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"operation {n} ({kind} {path}) has no value")
        if kind == "add":
            out = _add(out, path, copy.deepcopy(op["value"]))
        elif kind == "remove":
            out, _ = _remove(out, path)
        elif kind == "replace":
            resolve(out, path)  # it must exist
            value = copy.deepcopy(op["value"])
            out = value if path == "" else _add(_remove(out, path)[0], path, value)
        elif kind in ("move", "copy"):
            source = op.get("from")
            if not isinstance(source, str):
                raise PatchError(f"operation {n} ({kind} {path}) has no from")
            value = copy.deepcopy(resolve(out, source))
            if kind == "move":
                out, _ = _remove(out, source)
            out = _add(out, path, value)
        elif kind == "test":
            if resolve(out, path) != op["value"]:
                raise PatchError(f"test failed at {path}")
        else:
            raise PatchError(f"operation {n}: unknown op {kind!r}")
    return out
