"""A2UI v0.9, the host side without Qt: messages in, surfaces (components + data model) out, actions back.

The agent streams JSONL messages (`createSurface`, `updateComponents`, `updateDataModel`,
`deleteSurface`); `A2UIProcessor.apply` folds each into per-surface state and says which surface
changed, so a renderer can redraw just that one. Components are a flat map by id; bindings are JSON
Pointers (RFC 6901), absolute (`/user/name`) or relative to a template item's scope (`name`).
A bad message never raises: it becomes a `VALIDATION_FAILED` error in the spec's format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "A2UIError",
    "A2UIProcessor",
    "JsonlBuffer",
    "Surface",
    "action_message",
    "check_errors",
    "join_pointer",
    "pointer_get",
    "pointer_set",
    "resolve",
]

VERSIONS = ("v0.9", "v0.9.1")
MESSAGE_KINDS = ("createSurface", "updateComponents", "updateDataModel", "deleteSurface")
_MISSING = object()


# -- JSON Pointer -------------------------------------------------------------------------------


def _tokens(pointer: str) -> list[str]:
    if pointer in ("", "/"):
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"not an absolute JSON Pointer: {pointer!r}")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def join_pointer(scope: str, path: str) -> str:
    """`path` resolved in `scope`: absolute paths stand alone, relative ones hang off the scope."""
    if path.startswith("/"):
        return path
    return f"{scope.rstrip('/')}/{path}" if path else scope or "/"


def pointer_get(document: Any, pointer: str, default: Any = None) -> Any:
    """The value at `pointer`, or `default` where the path does not (yet) exist."""
    node = document
    try:
        for token in _tokens(pointer):
            if isinstance(node, list):
                node = node[int(token)]
            elif isinstance(node, Mapping):
                node = node[token]
            else:
                return default
    except (KeyError, IndexError, ValueError):
        return default
    return node


def pointer_set(document: Any, pointer: str, value: Any = _MISSING) -> Any:
    """Upsert `value` at `pointer` (creating objects on the way) and return the new document.

    Without a value (or with None) the key is removed, as `updateDataModel` specifies.
    """
    tokens = _tokens(pointer)
    if not tokens:
        return {} if value is _MISSING or value is None else value
    root = document if isinstance(document, dict | list) else {}
    node: Any = root
    for token in tokens[:-1]:
        child = node[int(token)] if isinstance(node, list) else node.get(token)
        if not isinstance(child, dict | list):
            child = {}
            if isinstance(node, list):
                node[int(token)] = child
            else:
                node[token] = child
        node = child
    last = tokens[-1]
    remove = value is _MISSING or value is None
    if isinstance(node, list):
        index = len(node) if last == "-" else int(last)
        if remove:
            if index < len(node):
                node.pop(index)
        elif index < len(node):
            node[index] = value
        else:
            node.append(value)
    elif remove:
        node.pop(last, None)
    else:
        node[last] = value
    return root


# -- dynamic values, functions and checks -------------------------------------------------------

_INTERPOLATION = re.compile(r"(?<!\\)\$\{([^${}]+)\}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _call(name: str, args: Mapping[str, Any], data: Any, scope: str) -> Any:
    """The catalog's functions; an unknown one yields None (never runs anything)."""
    value = resolve(args.get("value"), data, scope)
    match name:
        case "required":
            return value not in (None, "", [], {})
        case "regex":
            try:
                return re.search(str(args.get("pattern", "")), _text(value)) is not None
            except re.error:
                return False
        case "length":
            size = len(_text(value))
            return args.get("min", 0) <= size <= args.get("max", size)
        case "numeric":
            try:
                number = float(value)
            except (TypeError, ValueError):
                return False
            return args.get("min", number) <= number <= args.get("max", number)
        case "email":
            return bool(_EMAIL.match(_text(value)))
        case "string_format":
            return _INTERPOLATION.sub(
                lambda m: _text(pointer_get(data, join_pointer(scope, m.group(1).strip()))), _text(value)
            ).replace("\\${", "${")
        case "now":
            return datetime.now(UTC).isoformat(timespec="seconds")
    return None


def resolve(value: Any, data: Any, scope: str = "") -> Any:
    """A Dynamic* value: a literal, `{"path": …}` read from the data model, or a function call."""
    if isinstance(value, Mapping):
        if set(value) == {"path"} and isinstance(value["path"], str):
            return pointer_get(data, join_pointer(scope, value["path"]))
        if isinstance(value.get("call"), str):
            return _call(value["call"], value.get("args") or {}, data, scope)
        if "and" in value or "or" in value:
            parts = [bool(resolve(p, data, scope)) for p in value.get("and") or value.get("or") or []]
            return all(parts) if "and" in value else any(parts)
        return {k: resolve(v, data, scope) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve(v, data, scope) for v in value]
    return value


def check_errors(component: Mapping[str, Any], data: Any, scope: str = "") -> list[str]:
    """The messages of the component's failing `checks` (a check without args checks its own value)."""
    errors: list[str] = []
    for check in component.get("checks") or []:
        if not isinstance(check, Mapping):
            continue
        condition = dict(check)
        if "call" in condition and "value" not in (condition.get("args") or {}):
            condition["args"] = {**(condition.get("args") or {}), "value": component.get("value")}
        if not resolve({k: v for k, v in condition.items() if k != "message"}, data, scope):
            errors.append(str(check.get("message") or "invalid value"))
    return errors


# -- surfaces and the processor -----------------------------------------------------------------


@dataclass(slots=True)
class Surface:
    """One surface: its catalog, the flat component map, and the data model the components bind to."""

    surface_id: str
    catalog_id: str
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    data: Any = field(default_factory=dict)
    theme: dict[str, Any] = field(default_factory=dict)
    deleted: bool = False

    def root(self) -> dict[str, Any] | None:
        """The `root` component, once it has arrived (until then nothing is visible)."""
        return self.components.get("root")

    def get(self, pointer: str, scope: str = "") -> Any:
        return pointer_get(self.data, join_pointer(scope, pointer))

    def set(self, pointer: str, value: Any, scope: str = "") -> None:
        """Write a value into the data model (two-way binding from an input)."""
        self.data = pointer_set(self.data, join_pointer(scope, pointer), value)


@dataclass(frozen=True, slots=True)
class A2UIError:
    """A client-side error in the spec's `error` format (`VALIDATION_FAILED` for bad messages)."""

    surface_id: str
    path: str
    message: str
    code: str = "VALIDATION_FAILED"

    def to_message(self) -> dict[str, Any]:
        error = {"code": self.code, "surfaceId": self.surface_id, "path": self.path, "message": self.message}
        return {"version": VERSIONS[0], "error": error}


class A2UIProcessor:
    """Every surface of one conversation; `apply` takes one message and returns the surface it touched."""

    def __init__(self) -> None:
        self.surfaces: dict[str, Surface] = {}
        self.errors: list[A2UIError] = []

    def apply(self, message: object) -> str | None:
        """Fold one message in; returns the surface id it changed, or None (error recorded)."""
        problem = _envelope_problem(message)
        if problem:
            self._fail("", "/", problem)
            return None
        assert isinstance(message, Mapping)
        kind = next(k for k in MESSAGE_KINDS if k in message)
        body = message[kind]
        surface_id = str(body.get("surfaceId", ""))
        if kind == "createSurface":
            existing = self.surfaces.get(surface_id)
            if existing is not None and not existing.deleted:
                self._fail(surface_id, "/createSurface/surfaceId", "surface already exists")
                return None
            if not isinstance(body.get("catalogId"), str):
                self._fail(surface_id, "/createSurface/catalogId", "catalogId is required")
                return None
            theme = body.get("theme") if isinstance(body.get("theme"), dict) else {}
            self.surfaces[surface_id] = Surface(surface_id, body["catalogId"], theme=dict(theme))
            return surface_id
        surface = self.surfaces.get(surface_id)
        if surface is None or surface.deleted:
            self._fail(surface_id, f"/{kind}/surfaceId", f"no surface {surface_id!r}; send createSurface")
            return None
        if kind == "deleteSurface":
            surface.deleted = True
        elif kind == "updateDataModel":
            path = body.get("path", "/")
            try:
                surface.data = pointer_set(surface.data, path, body.get("value", _MISSING))
            except (ValueError, IndexError, TypeError) as exc:
                self._fail(surface_id, "/updateDataModel/path", f"bad path {path!r}: {exc}")
                return None
        else:
            components = body.get("components")
            if not isinstance(components, list) or not components:
                self._fail(surface_id, "/updateComponents/components", "expected a non-empty list")
                return None
            for index, component in enumerate(components):
                if not isinstance(component, Mapping) or not isinstance(component.get("id"), str):
                    self._fail(
                        surface_id, f"/updateComponents/components/{index}/id", "component needs an id"
                    )
                elif not isinstance(component.get("component"), str):
                    self._fail(surface_id, f"/updateComponents/components/{index}/component", "needs a type")
                else:
                    surface.components[component["id"]] = dict(component)
        return surface_id

    def apply_all(self, messages: Iterable[object]) -> list[str]:
        """Apply messages in order; the ids of the surfaces they changed (repeats removed)."""
        changed = (self.apply(message) for message in messages)
        return list(dict.fromkeys(surface for surface in changed if surface))

    def _fail(self, surface_id: str, path: str, message: str) -> None:
        self.errors.append(A2UIError(surface_id, path, message))


def _envelope_problem(message: object) -> str:
    if not isinstance(message, Mapping):
        return "a message must be a JSON object"
    kinds = [k for k in MESSAGE_KINDS if k in message]
    if len(kinds) != 1:
        return f"a message needs exactly one of {', '.join(MESSAGE_KINDS)}"
    if "version" in message and message["version"] not in VERSIONS:
        return f"unsupported version {message['version']!r} (this host speaks v0.9)"
    if not isinstance(message[kinds[0]], Mapping) or not isinstance(message[kinds[0]].get("surfaceId"), str):
        return f"{kinds[0]} needs a surfaceId"
    return ""


def action_message(
    surface: Surface,
    component_id: str,
    action: Mapping[str, Any],
    scope: str = "",
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The client-to-server `action` for a component's `action`, its context bindings resolved."""
    context = resolve(action.get("context") or {}, surface.data, scope)
    stamp = (now or datetime.now(UTC)).isoformat(timespec="seconds").replace("+00:00", "Z")
    return {
        "version": VERSIONS[0],
        "action": {
            "name": str(action.get("name", "")),
            "surfaceId": surface.surface_id,
            "sourceComponentId": component_id,
            "timestamp": stamp,
            "context": context if isinstance(context, dict) else {"value": context},
        },
    }


# -- JSONL --------------------------------------------------------------------------------------


class JsonlBuffer:
    """Splits streamed JSONL text into messages: each complete line once, the unfinished tail kept."""

    def __init__(self) -> None:
        self._consumed = 0
        self.bad_lines: list[str] = []

    def feed(self, text_so_far: str, *, done: bool = False) -> list[object]:
        """Messages in the complete lines of `text_so_far` not returned before (all lines if `done`)."""
        end = len(text_so_far) if done else text_so_far.rfind("\n") + 1
        if end <= self._consumed:
            return []
        chunk, self._consumed = text_so_far[self._consumed : end], end
        return list(self._parse(chunk.splitlines()))

    def _parse(self, lines: Iterable[str]) -> Iterator[object]:
        for line in lines:
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    self.bad_lines.append(line)
