"""Columns spec files and output parsing: where user- and model-written text enters the engine.

Both validate early and say exactly which part is wrong (spec index and field, expected type),
because these messages are what a designer sees when a spec or a model answer is bad.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from agent_core.sheet.errors import CellOutputError, SheetSpecError
from agent_core.sheet.graph import DependencyGraph
from agent_core.sheet.model import OUTPUT_TYPES, Column

_TYPE_ALIASES = {
    "yes_no": "yes/no",
    "yesno": "yes/no",
    "boolean": "yes/no",
    "bool": "yes/no",
    "options": "category",
}


def load_spec(path: str | Path, *, input_columns: Sequence[str] = ()) -> list[Column]:
    """Read a columns spec JSON file; see `parse_spec`. A missing file raises FileNotFoundError;
    any other unreadable file is a SheetSpecError naming it (never a traceback for the designer)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise SheetSpecError(f"{path.name} is a folder, not a spec file") from None
    except OSError as exc:
        raise SheetSpecError(f"{path.name}: cannot read it ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise SheetSpecError(
            f"{path.name}: byte {exc.start} is not valid UTF-8 text; save the file as UTF-8"
        ) from None
    except json.JSONDecodeError as exc:
        raise SheetSpecError(
            f"{path.name}: spec is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise SheetSpecError(f"{path.name}: spec is nested too deeply") from None
    return parse_spec(data, input_columns=input_columns)


def parse_spec(data: object, *, input_columns: Sequence[str] = ()) -> list[Column]:
    """Agent columns from a list of {name, prompt, type, options?}; references may name inputs."""
    if not isinstance(data, list):
        raise SheetSpecError(f"spec must be a JSON list of columns, got {type(data).__name__}")
    columns: list[Column] = []
    seen = {name.casefold(): f"input column '{name}'" for name in input_columns}
    for index, item in enumerate(data):
        where = f"column #{index}"
        if not isinstance(item, dict):
            raise SheetSpecError(f"{where}: expected an object, got {type(item).__name__}")
        for field in ("name", "prompt", "type"):
            if field not in item:
                raise SheetSpecError(f"{where}: missing field '{field}'")
            if not isinstance(item[field], str) or not item[field].strip():
                raise SheetSpecError(f"{where}: field '{field}' must be a non-empty string")
        name = item["name"].strip()
        where = f"column #{index} ('{name}')"
        if name.casefold() in seen:
            raise SheetSpecError(f"{where}: duplicate name, already used by {seen[name.casefold()]}")
        seen[name.casefold()] = f"column #{index}"
        output_type = _TYPE_ALIASES.get(item["type"].strip().lower(), item["type"].strip().lower())
        if output_type not in OUTPUT_TYPES:
            raise SheetSpecError(
                f"{where}: field 'type' is {item['type']!r}, expected one of {', '.join(OUTPUT_TYPES)}"
            )
        options = item.get("options", [])
        if not isinstance(options, list) or not all(isinstance(o, str) and o.strip() for o in options):
            raise SheetSpecError(f"{where}: field 'options' must be a list of non-empty strings")
        if output_type == "category" and not options:
            raise SheetSpecError(f"{where}: type 'category' needs a non-empty 'options' list")
        columns.append(Column(name, "agent", item["prompt"], output_type, tuple(o.strip() for o in options)))
    inputs = [Column(name) for name in input_columns]
    try:
        DependencyGraph([*inputs, *columns])
    except SheetSpecError as exc:
        raise SheetSpecError(f"spec: {exc}") from None
    return columns


def spec_of(columns: Iterable[Column]) -> list[dict[str, Any]]:
    """The spec file form of agent columns; `parse_spec(spec_of(cols))` gives the columns back."""
    spec: list[dict[str, Any]] = []
    for column in columns:
        if column.kind == "agent":
            item: dict[str, Any] = {"name": column.name, "prompt": column.prompt, "type": column.output_type}
            if column.options:
                item["options"] = list(column.options)
            spec.append(item)
    return spec


def parse_plan(text: str, *, input_columns: Sequence[str] = ()) -> list[Column]:
    """Columns from a model's plan: a JSON list or {"columns": [...]}, maybe fenced or in prose."""
    body = text.strip()
    fenced = re.search(r"```[a-zA-Z]*\s*\n?(.*?)```", body, re.DOTALL)
    if fenced:
        body = fenced.group(1).strip()
    starts = [i for i in (body.find("{"), body.find("[")) if i >= 0]
    if not starts:
        raise SheetSpecError(f"the model's plan contains no JSON: {_short(text.strip()) or 'empty answer'!r}")
    try:
        data, _end = json.JSONDecoder().raw_decode(body, min(starts))
    except json.JSONDecodeError as exc:
        raise SheetSpecError(
            f"the model's plan is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    if isinstance(data, dict):
        if not isinstance(data.get("columns"), list):
            raise SheetSpecError("the model's plan is a JSON object without a 'columns' list")
        data = data["columns"]
    try:
        return parse_spec(data, input_columns=input_columns)
    except SheetSpecError as exc:
        raise SheetSpecError(f"the model's plan is unusable: {exc}") from None


# -- model output ------------------------------------------------------------------------------

_NUMBER = re.compile(r"[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:e[-+]?\d+)?")
_SCALE = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}
_YES = {"yes", "y", "true", "1", "oui", "ja", "sí", "si", "是"}
_NO = {"no", "n", "false", "0", "non", "nein", "否"}
_FENCE = re.compile(r"^```[a-zA-Z]*\s*\n?(.*?)\n?```$", re.DOTALL)


def parse_output(raw: str, output_type: str, options: Sequence[str] | None = None) -> Any:
    """Validate and normalise a raw answer for a column type; raises CellOutputError if it does not fit."""
    text = raw.strip()
    if not text:
        raise CellOutputError("the answer was empty")
    if output_type == "text":
        return text
    if output_type == "number":
        return _parse_number(text)
    if output_type == "yes/no":
        return _parse_yes_no(text)
    if output_type == "category":
        return _parse_category(text, options or ())
    if output_type == "json":
        return _parse_json(text)
    raise CellOutputError(f"unknown output type {output_type!r}")


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _parse_number(text: str) -> int | float:
    """Accept what models write ('$1,200', '3.5k', '42.') but never guess from prose."""
    cleaned = text.strip().rstrip(".").replace(" ", "").replace("_", "").lstrip("$€£¥")
    scale = 1
    if cleaned[-1:].lower() in _SCALE and len(cleaned) > 1:
        scale, cleaned = _SCALE[cleaned[-1].lower()], cleaned[:-1]
    if cleaned.endswith("%"):
        cleaned = cleaned[:-1]
    if not cleaned or not _NUMBER.fullmatch(cleaned) or not any(ch.isdigit() for ch in cleaned):
        raise CellOutputError(f"expected a number, got {_short(text)!r}")
    plain = cleaned.replace(",", "")
    if re.fullmatch(r"[-+]?\d+", plain):
        return int(plain) * scale
    value = float(plain) * scale
    return int(value) if scale > 1 and value.is_integer() else value


def _parse_yes_no(text: str) -> str:
    first = re.split(r"[\s,.;:!]+", text.strip().strip("\"'*").lower(), maxsplit=1)[0]
    if first in _YES:
        return "yes"
    if first in _NO:
        return "no"
    raise CellOutputError(f"expected yes or no, got {_short(text)!r}")


def _parse_category(text: str, options: Sequence[str]) -> str:
    if not options:
        raise CellOutputError("category column has no options to choose from")
    answer = text.strip().rstrip(".").strip().strip("\"'*`").strip().casefold()
    for option in options:
        if option.casefold() == answer:
            return option
    raise CellOutputError(f"{_short(text)!r} is not one of the options: {', '.join(options)}")


def _parse_json(text: str) -> Any:
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    try:
        return json.loads(body)
    except json.JSONDecodeError as exc:
        raise CellOutputError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
