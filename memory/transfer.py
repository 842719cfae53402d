"""Portable memory files: one JSON per profile (memories with history, events, instructions).

Versioned and schema-checked; import validates everything before writing anything, merges
without duplicates and reports conflicts. Vectors are not exported: they rebuild from the text.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import types
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Union, get_args, get_origin

from sqlmodel import Session, select

from memory.clock import utcnow
from memory.guard import poison_reason
from memory.lexical import fts_upsert
from memory.models import KINDS, Instruction, Memory, MemoryEvent, new_id
from memory.procedural import ProceduralMemory
from memory.prompts import SINGLE_VALUED
from memory.store import MemoryStore, index_text

FORMAT = "agent-ux-lab.memory"
VERSION = 1


def _utc(value: object) -> str | None:
    if value is None:
        return None
    d = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


class ImportFileError(ValueError):
    """The file cannot be imported; nothing was changed."""


def read_export(path: Path | str) -> object:
    """The parsed JSON of an export file, or an ImportFileError saying in one line why not (a
    folder, not UTF-8, not JSON, nested too deeply): what the user sees instead of a traceback."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except IsADirectoryError:
        raise ImportFileError(f"cannot read {path}: it is a folder, not a memory export file") from None
    except OSError as exc:
        raise ImportFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"cannot read {path}: byte {exc.start} is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"cannot read {path}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}"
        ) from None
    except RecursionError:
        raise ImportFileError(f"cannot read {path}: the file is nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise ImportFileError(f"cannot read {path}: {exc}") from None


def clean_text(text: str) -> str:
    """`text` with lone surrogates (e.g. JSON's "\\ud800") as U+FFFD: SQLite and UTF-8 refuse them."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


_RANGES = {"importance": (0.0, 1.0), "confidence": (0.0, 1.0), "feedback_score": (-1.0, 1.0)}
"""Scores an import clamps (feedback is a thumbs-down/up -1..1): an out-of-range importance such as
1e999 would otherwise outrank every other memory at recall."""


def _field_value(where: str, name: str, value: object, problems: list[str]) -> object:
    """`value` fit for the Memory field `name`; a bad one becomes the field's default (or now, for a
    date), noted in `problems`, so one broken field costs that field, not the whole import."""
    info = Memory.model_fields[name]
    kinds = get_args(info.annotation) if get_origin(info.annotation) in (Union, types.UnionType) else ()
    base = next((k for k in kinds if k is not type(None)), info.annotation)
    default = info.get_default(call_default_factory=True)

    def bad(why: str, fallback: object = default) -> object:
        shown = "the time of import" if isinstance(fallback, datetime) else repr(fallback)
        problems.append(f"{where}.{name}: {why}; using {shown}")
        return fallback

    if value is None:
        return None if type(None) in kinds else default
    if base is datetime:
        try:
            d = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            return bad(f"not an ISO date: {_short(value)}", utcnow())
        return (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(UTC)  # naive dates are UTC
    if base is str:
        if not isinstance(value, str):
            return bad(f"{_short(value)} is not a string")
        text = clean_text(value)
        if text != value:
            problems.append(f"{where}.{name}: invalid characters (lone surrogates) replaced by U+FFFD")
        return text
    if base is bool:
        return value if isinstance(value, bool) else bad(f"{_short(value)} is not true or false")
    if base in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return bad(f"{_short(value)} is not a number")
        try:
            number = float(value)
        except OverflowError:
            return bad(f"{_short(value)} is too large an integer")
        if not math.isfinite(number):
            return bad(f"{number} is not a finite number")
        lo, hi = _RANGES.get(name, (-math.inf, math.inf))
        if not lo <= number <= hi:
            return bad(f"{number:g} is outside {lo:g}..{hi:g}", min(max(number, lo), hi))
        return int(number) if base is int else number
    return value


def _clean_memory(i: int, raw: dict, problems: list[str]) -> dict:
    """The Memory fields of `raw` (memories[i]), each validated or repaired (see `_field_value`)."""
    return {
        k: _field_value(f"memories[{i}]", k, v, problems)
        for k, v in raw.items()
        if k in Memory.model_fields and k not in ("namespace", "embed_status", "embedder")
    }


def _short(value: object) -> str:
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4300 digits has no repr
        return "<a huge integer>"
    return text if len(text) <= 40 else text[:37] + "..."


def export_profile(store: MemoryStore, procedural: ProceduralMemory, namespace: str) -> dict:
    with Session(store.engine, expire_on_commit=False) as s:
        mems = list(s.exec(select(Memory).where(Memory.namespace == namespace)))
        events = list(s.exec(select(MemoryEvent).where(MemoryEvent.namespace == namespace)))
        instr = list(s.exec(select(Instruction).where(Instruction.namespace == namespace)))
    return {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": utcnow().isoformat(),
        "profile": namespace,
        "memories": [
            json.loads(m.model_dump_json(exclude={"namespace", "embed_status", "embedder"})) for m in mems
        ],
        "events": [json.loads(e.model_dump_json(exclude={"id", "namespace"})) for e in events],
        "instructions": [json.loads(i.model_dump_json(exclude={"id", "namespace"})) for i in instr],
    }


def write_export(path: Path | str, data: dict) -> None:
    """Write an export as JSON, user-only (0600) even over an existing file: it holds memories.

    The text goes to a temp file (created 0600) beside the target, then `os.replace`s it: an old
    0644 file's mode never carries over, and a failed write leaves the old file whole. A device or
    pipe (e.g. /dev/stdout) is written as it is.
    """
    path = Path(path)
    body = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if path.exists() and not path.is_file():
        path.write_text(body, encoding="utf-8")
        return
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check(data: object) -> dict:
    if not isinstance(data, dict):
        raise ImportFileError("not a memory export: the top level must be a JSON object")
    if data.get("format") != FORMAT:
        raise ImportFileError(f"not a memory export: 'format' must be {FORMAT!r}")
    version = data.get("version")
    if not isinstance(version, int):
        raise ImportFileError("'version' must be an integer")
    if version > VERSION:
        raise ImportFileError(
            f"this file is format version {version}; this app reads up to {VERSION}. Update the app."
        )
    for key in ("memories", "events", "instructions"):
        if not isinstance(data.get(key, []), list):
            raise ImportFileError(f"'{key}' must be a list")
    for i, m in enumerate(data.get("memories", [])):
        if not isinstance(m, dict):
            raise ImportFileError(f"memories[{i}]: must be an object")
        for f in ("id", "content", "kind"):
            if not isinstance(m.get(f), str) or not m.get(f):
                raise ImportFileError(f"memories[{i}].{f}: missing or not a string")
        if m["kind"] not in KINDS:
            raise ImportFileError(f"memories[{i}].kind: {m['kind']!r} is not one of {', '.join(KINDS)}")
    for i, ins in enumerate(data.get("instructions", [])):
        if (
            not isinstance(ins, dict)
            or not isinstance(ins.get("text"), str)
            or not isinstance(ins.get("version"), int)
        ):
            raise ImportFileError(f"instructions[{i}]: needs 'text' (string) and 'version' (integer)")
    return data


def _event_text(value: object) -> str | None:
    """An event's old/new as the text column holds it (an object becomes its JSON)."""
    if value is None:
        return None
    return clean_text(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str))


def import_profile(
    store: MemoryStore, procedural: ProceduralMemory, source: Path | str | object, namespace: str
) -> dict:
    """Merge an export into `namespace`; idempotent (ids and identical current facts are skipped).

    Fields with bad values are repaired (see `_field_value`) and listed in the report's `problems`;
    `repaired` counts the memories that needed it.
    """
    data = _check(read_export(source) if isinstance(source, str | Path) else source)
    problems: list[str] = []
    records, repaired = [], 0
    for i, raw in enumerate(data.get("memories", [])):
        before = len(problems)
        records.append(_clean_memory(i, raw, problems))
        repaired += len(problems) > before
    report: dict[str, Any] = {  # JSON-shaped: counts, lists of problems and conflicts
        "added": 0,
        "skipped": 0,
        "repaired": repaired,
        "problems": problems,
        "conflicts": [],
        "instructions": 0,
    }
    added: list[Memory] = []
    with Session(store.engine, expire_on_commit=False) as s:
        mine = list(s.exec(select(Memory).where(Memory.namespace == namespace)))
        current = {(m.kind, m.content.strip().lower()) for m in mine if m.current}
        seen = {(m.kind, m.content.strip().lower(), _utc(m.valid_from)) for m in mine}
        slots = {
            m.slot: m
            for m in s.exec(select(Memory).where(Memory.namespace == namespace))
            if m.current and m.slot
        }
        remap: dict[str, str] = {}
        for fields in records:
            existing = s.get(Memory, fields["id"])
            if existing is not None and existing.namespace != namespace:
                remap[fields["id"]] = new_id()  # same file imported into another profile: fresh ids
        for fields in records:
            mid = remap.get(fields["id"], fields["id"])
            key = (fields["kind"], fields["content"].strip().lower())
            known = (*key, _utc(fields.get("valid_from"))) in seen
            if s.get(Memory, mid) is not None or known or (fields.get("valid_to") is None and key in current):
                report["skipped"] += 1
                continue
            fields["id"] = mid
            if fields.get("superseded_by"):
                fields["superseded_by"] = remap.get(fields["superseded_by"], fields["superseded_by"])
            mem = Memory(**fields, namespace=namespace, embed_status="pending")
            # The same guard as a chat write: planted instructions wait for the user's approval.
            mem.flagged = mem.flagged or poison_reason(mem.content)
            if mem.flagged:
                report["flagged"] = report.get("flagged", 0) + 1
            other = slots.get(mem.slot) if mem.slot in SINGLE_VALUED else None
            if other is not None and mem.valid_to is None and other.content != mem.content:
                report["conflicts"].append(
                    {"slot": mem.slot, "existing": other.content, "imported": mem.content}
                )
            s.add(mem)
            s.flush()
            fts_upsert(s.connection(), mem.id, namespace, index_text(mem))
            added.append(mem)
            report["added"] += 1
        ids = {m.id for m in added}
        for ev in data.get("events", []):
            mid = ev.get("memory_id") if isinstance(ev, dict) else None
            mid = remap.get(mid, mid) if isinstance(mid, str) else None
            if mid in ids:
                s.add(
                    MemoryEvent(
                        memory_id=mid,
                        namespace=namespace,
                        event=clean_text(str(ev.get("event", "IMPORT"))),
                        old=_event_text(ev.get("old")),
                        new=_event_text(ev.get("new")),
                        actor="import",
                    )
                )
        s.commit()
    existing_texts = {v.text for v in procedural.versions(namespace, "assistant")}
    for ins in sorted(data.get("instructions", []), key=lambda i: i["version"]):
        agent = clean_text(str(ins.get("agent") or "assistant"))
        text = clean_text(ins["text"])
        if text not in existing_texts:
            # Never active on import: a file must not silently replace what the agent obeys.
            proposed = procedural.commit(
                namespace,
                agent,
                text,
                reason=f"imported v{ins['version']}: proposed, not active until you accept it",
                author="import",
                activate=False,
            )
            existing_texts.add(text)
            report["instructions"] += 1
            report.setdefault("proposed_instructions", []).append(
                {"agent": agent, "version": proposed.version}
            )
    store.index_pending(added)
    return report
