"""Portable memory files: one JSON per profile (memories with history, events, instructions).

Versioned and schema-checked; import validates everything before writing anything, merges
without duplicates and reports conflicts. Vectors are not exported: they rebuild from the text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlmodel import Session, select

from memory.clock import utcnow
from memory.lexical import fts_upsert
from memory.models import KINDS, Instruction, Memory, MemoryEvent, new_id
from memory.procedural import ProceduralMemory
from memory.store import MemoryStore, index_text

FORMAT = "agent-ux-lab.memory"
VERSION = 1
_DATES = ("valid_from", "valid_to", "created_at", "updated_at", "recallable_at", "deleted_at")


def _utc(value: object) -> str | None:
    if value is None:
        return None
    d = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (d if d.tzinfo else d.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


class ImportFileError(ValueError):
    """The file cannot be imported; nothing was changed."""


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
        for f in _DATES:
            if m.get(f) is not None:
                try:
                    datetime.fromisoformat(str(m[f]))
                except ValueError:
                    raise ImportFileError(f"memories[{i}].{f}: not an ISO date: {m[f]!r}") from None
    for i, ins in enumerate(data.get("instructions", [])):
        if (
            not isinstance(ins, dict)
            or not isinstance(ins.get("text"), str)
            or not isinstance(ins.get("version"), int)
        ):
            raise ImportFileError(f"instructions[{i}]: needs 'text' (string) and 'version' (integer)")
    return data


def import_profile(
    store: MemoryStore, procedural: ProceduralMemory, source: Path | str | object, namespace: str
) -> dict:
    """Merge an export into `namespace`; idempotent (ids and identical current facts are skipped)."""
    if not isinstance(source, str | Path):
        data = source
    else:
        try:
            data = json.loads(Path(source).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ImportFileError(f"cannot read {source}: {exc}") from exc
    data = _check(data)
    report = {"added": 0, "skipped": 0, "conflicts": [], "instructions": 0}
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
        for raw in data.get("memories", []):
            existing = s.get(Memory, raw["id"])
            if existing is not None and existing.namespace != namespace:
                remap[raw["id"]] = new_id()  # same file imported into another profile: fresh ids
        for raw in data.get("memories", []):
            mid = remap.get(raw["id"], raw["id"])
            key = (raw["kind"], raw["content"].strip().lower())
            known = (*key, _utc(raw.get("valid_from"))) in seen
            if s.get(Memory, mid) is not None or known or (raw.get("valid_to") is None and key in current):
                report["skipped"] += 1
                continue
            fields = {
                k: v
                for k, v in raw.items()
                if k in Memory.model_fields and k not in ("namespace", "embed_status", "embedder")
            }
            for f in _DATES:
                if fields.get(f):
                    fields[f] = datetime.fromisoformat(str(fields[f]))
            fields["id"] = mid
            if fields.get("superseded_by"):
                fields["superseded_by"] = remap.get(fields["superseded_by"], fields["superseded_by"])
            mem = Memory(**fields, namespace=namespace, embed_status="pending")
            other = (
                slots.get(mem.slot)
                if mem.slot in ("name", "location", "job", "employer", "partner")
                else None
            )
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
            mid = remap.get(str(ev.get("memory_id")), ev.get("memory_id")) if isinstance(ev, dict) else None
            if mid in ids:
                s.add(
                    MemoryEvent(
                        memory_id=mid,
                        namespace=namespace,
                        event=str(ev.get("event", "IMPORT")),
                        old=ev.get("old"),
                        new=ev.get("new"),
                        actor="import",
                    )
                )
        s.commit()
    existing_texts = {v.text for v in procedural.versions(namespace, "assistant")}
    for ins in sorted(data.get("instructions", []), key=lambda i: i["version"]):
        agent = str(ins.get("agent") or "assistant")
        if ins["text"] not in existing_texts:
            procedural.commit(
                namespace, agent, ins["text"], reason=f"imported v{ins['version']}", author="import"
            )
            existing_texts.add(ins["text"])
            report["instructions"] += 1
    store.index_pending(added)
    return report
