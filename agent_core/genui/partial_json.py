"""Best-effort parsing of tool-call arguments that are still streaming in.

The Chat Completions stream delivers `arguments` as JSON text in fragments; a component wants the
props it already has. Qt-free, so the agent core may use it too.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["parse_partial_json"]


def _closers(text: str) -> str | None:
    """The brackets/quote that would close `text`, or None if `text` is not a JSON prefix we can close."""
    stack: list[str] = []
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]" and (not stack or stack.pop() != char):
            return None
    if escaped:
        return None
    return ('"' if in_string else "") + "".join(reversed(stack))


def parse_partial_json(text: str) -> dict[str, Any] | None:
    """The object described so far by a JSON prefix, e.g. '{"a": [1, 2' → {"a": [1, 2]}.

    Trailing incomplete tokens (a half key, a dangling comma, `tru`) are dropped. Returns None when
    nothing object-shaped can be recovered yet.
    """
    text = text.strip()
    if not text.startswith("{"):
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = None
    else:
        return value if isinstance(value, dict) else None
    # Cut back to structural boundaries until the closed prefix parses; arguments are small.
    end = len(text)
    while end > 0:
        prefix = text[:end].rstrip()
        closing = _closers(prefix)
        if closing is not None:
            candidate = (prefix if closing.startswith('"') else prefix.rstrip(",")) + closing
            try:
                value = json.loads(candidate)
            except json.JSONDecodeError:
                pass
            else:
                if isinstance(value, dict):
                    return value
        end = max(text.rfind(c, 0, end - 1) for c in ',:{["') + 1 if end > 1 else 0
        if end <= 0:
            break
    return None
