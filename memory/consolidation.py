"""Turning conversation into memory: extraction, consolidation (ADD/UPDATE/DELETE/NOOP), episodes.

The same path serves every update mode: the hot path hands in facts from the agent's tool call,
the background worker extracts them with an LLM call first. Decisions and the job's completion
commit in one transaction, so a crash never half-applies a turn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from memory.guard import poison_reason
from memory.models import EPISODIC, SEMANTIC, Memory
from memory.prompts import (
    CONSOLIDATE_SCHEMA,
    EXTRACT_SCHEMA,
    Completer,
    Completion,
    MemoryLLMError,
    clean_fact,
    consolidation_messages,
    extraction_messages,
    grounded,
    parse_json_object,
)
from memory.store import MemoryStore

POLICIES = ("supersede", "update_in_place", "delete_old", "add_only")


@dataclass
class Quality:
    min_importance: float = 0.0
    min_confidence: float = 0.0


@dataclass
class WriteResult:
    mode: str
    added: list[Memory] = field(default_factory=list)
    superseded: list[Memory] = field(default_factory=list)
    updated: list[Memory] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    retracted: list[Memory] = field(default_factory=list)
    noop: list[dict] = field(default_factory=list)
    discarded: list[dict] = field(default_factory=list)
    flagged: list[Memory] = field(default_factory=list)
    calls: list[Completion] = field(default_factory=list)
    latency_ms: float = 0.0
    notes: list[str] = field(default_factory=list)
    """What went wrong or stayed empty, in words (an extraction the model botched, facts refused)."""

    def summary(self) -> list[str]:
        lines = [f"saved: {m.content}" for m in self.added if m.kind == SEMANTIC and not m.flagged]
        lines += [f"updated: {m.content}" for m in self.updated]
        lines += [f"replaced: {m.content}" for m in self.superseded]
        lines += [f"flagged: {m.content}" for m in self.flagged]
        return lines

    def counts(self) -> dict[str, int]:
        """Stored vs discarded for this write (shown on the run's step and in the inspector)."""
        return {
            "stored": len([m for m in self.added if m.kind == SEMANTIC]) + len(self.updated),
            "discarded": len(self.discarded),
            "noop": len(self.noop),
            "flagged": len(self.flagged),
            "invalidated": len(self.superseded) + len(self.retracted) + len(self.deleted),
        }

    def as_dict(self) -> dict:
        return {
            "mode": self.mode,
            "latency_ms": round(self.latency_ms, 2),
            "added": [{"id": m.id, "kind": m.kind, "content": m.content} for m in self.added],
            "superseded": [{"id": m.id, "content": m.content} for m in self.superseded],
            "updated": [{"id": m.id, "content": m.content} for m in self.updated],
            "deleted": self.deleted,
            "retracted": [{"id": m.id, "content": m.content} for m in self.retracted],
            "counts": self.counts(),
            "noop": self.noop,
            "discarded": self.discarded,
            "flagged": [{"id": m.id, "content": m.content, "reason": m.flagged} for m in self.flagged],
            "notes": self.notes,
            "llm_tokens": sum(c.prompt_tokens + c.completion_tokens for c in self.calls),
        }


@dataclass
class Extraction:
    """The facts a model found in a turn, those refused (with why), and its raw answer."""

    facts: list[dict]
    call: Completion
    refused: list[dict] = field(default_factory=list)
    error: str | None = None
    """Set when the answer was unusable (no JSON, wrong shape): the turn is still kept as an episode."""

    def notes(self) -> list[str]:
        out = [f"extraction failed: {self.error}"] if self.error else []
        out += [f"refused {f['content']!r}: {f['reason']}" for f in self.refused]
        if not self.facts and not self.error and not self.refused:
            out.append(f"the model found nothing to remember (it answered {self.call.text[:160]!r})")
        return out


@dataclass
class Source:
    run_id: str | None = None
    step_id: str | None = None
    message_id: str | None = None
    text: str | None = None
    job_id: str | None = None


class MemoryWriter:
    def __init__(
        self,
        store: MemoryStore,
        completer: Completer,
        *,
        policy: str = "supersede",
        quality: Quality | None = None,
        consolidate: bool = True,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(f"unknown consolidation policy {policy!r}; one of {', '.join(POLICIES)}")
        self.store = store
        self.completer = completer
        self.policy = policy
        self.quality = quality or Quality()
        self.consolidate_enabled = consolidate
        # Bulk replays (Memory Lab) index in batches before each recall instead of per write:
        # one embedding batch and one Chroma upsert instead of hundreds.
        self.defer_index = False

    def extract(self, user_text: str, assistant_text: str = "") -> Extraction:
        """Ask the model for the turn's durable facts (as structured output), keep the grounded ones.

        An unusable answer does not raise: it comes back as `error`, so the caller still keeps
        the turn as an episode and shows what the model said. Transport errors do raise.
        """
        call = self.completer(
            extraction_messages(user_text, assistant_text), purpose="memory.extract", schema=EXTRACT_SCHEMA
        )
        try:
            obj = parse_json_object(call.text, "memory extraction")
            raw = obj.get("facts", [])
            if not isinstance(raw, list):
                raise MemoryLLMError("memory extraction: 'facts' must be a list")
        except MemoryLLMError as exc:
            return Extraction([], call, error=str(exc))
        facts, refused = [], []
        for fact in (clean_fact(x) for x in raw):
            if fact is None:
                continue
            if grounded(fact, f"{user_text}"):
                facts.append(fact)
            else:
                refused.append({**fact, "reason": "not in what the user said"})
        return Extraction(facts, call, refused)

    def write(
        self,
        namespace: str,
        facts: list[dict],
        *,
        mode: str,
        source: Source | None = None,
        episode: dict | None = None,
        in_transaction: Callable[[Session], None] | None = None,
        started: float | None = None,
        calls: list[Completion] | None = None,
    ) -> WriteResult:
        """Consolidate `facts` (and an optional episode) into the store in one transaction."""
        t0 = started or time.perf_counter()
        result = WriteResult(mode=mode, calls=list(calls or []))
        source = source or Source()
        kept = []
        for f in facts:
            if f["importance"] < self.quality.min_importance or f["confidence"] < self.quality.min_confidence:
                result.discarded.append(f)
            else:
                kept.append(f)
        decisions = self._decide(namespace, kept, result) if kept else []
        touched: list[Memory] = []
        with self.store.session() as s:
            for fact, action, target in decisions:
                new = self._memory(namespace, fact, mode, source)
                if action == "NOOP":
                    result.noop.append(fact)
                elif action == "ADD" or target is None:
                    self.store.stage_add(s, new)
                    result.added.append(new)
                elif action == "DELETE" and self.policy == "add_only":
                    result.noop.append(fact)  # add-only never removes anything
                elif action == "DELETE" and self.policy == "supersede":
                    result.retracted.append(
                        self.store.stage_end(
                            s,
                            target,
                            event="RETRACT",
                            new_text=fact["content"],
                            actor=f"consolidation:{mode}",
                        )
                    )
                elif action == "DELETE":
                    self.store.stage_delete(s, target.id, actor=f"consolidation:{mode}")
                    result.deleted.append(target.id)
                elif self.policy == "update_in_place":
                    result.updated.append(
                        self.store.stage_update(s, target, fact["content"], actor=f"consolidation:{mode}")
                    )
                elif self.policy == "delete_old":
                    self.store.stage_delete(s, target.id, actor=f"consolidation:{mode}")
                    result.deleted.append(target.id)
                    self.store.stage_add(s, new)
                    result.added.append(new)
                elif self.policy == "add_only":
                    self.store.stage_add(s, new)
                    result.added.append(new)
                else:
                    self.store.stage_add(s, new)
                    self.store.stage_supersede(s, target, new, actor=f"consolidation:{mode}")
                    result.added.append(new)
                    result.superseded.append(target)
            if episode:
                ep = Memory(
                    namespace=namespace,
                    kind=EPISODIC,
                    content=episode["content"],
                    speaker=episode.get("speaker"),
                    situation=episode.get("situation"),
                    outcome=episode.get("outcome"),
                    actions_json=json.dumps(episode.get("actions", []), ensure_ascii=False),
                    importance=0.3,
                    write_mode=mode,
                    source_run_id=source.run_id,
                    source_step_id=source.step_id,
                    source_message_id=source.message_id,
                    job_id=source.job_id,
                )
                self.store.stage_add(s, ep)
                result.added.append(ep)
            result.latency_ms = (time.perf_counter() - t0) * 1000
            for m in result.added:
                m.write_latency_ms = result.latency_ms
                s.add(m)
            if in_transaction:
                in_transaction(s)
            s.commit()
        touched = result.added + result.updated
        result.flagged = [m for m in result.added if m.flagged]
        if touched:
            if not self.defer_index:
                self.store.index_pending(touched)
            self.store.emit("add", namespace, [m.id for m in touched])
        if result.deleted:
            for mid in result.deleted:
                self.store.index.delete(namespace, SEMANTIC, [mid])
            self.store.emit("delete", namespace, result.deleted)
        return result

    def _memory(self, namespace: str, fact: dict, mode: str, source: Source) -> Memory:
        return Memory(
            namespace=namespace,
            kind=SEMANTIC,
            content=fact["content"],
            slot=fact["slot"],
            value=fact["value"],
            importance=fact["importance"],
            confidence=fact["confidence"],
            flagged=poison_reason(fact["content"]),
            write_mode=mode,
            source_run_id=source.run_id,
            source_step_id=source.step_id,
            source_message_id=source.message_id,
            source_text=(source.text or "")[:4000] or None,
            job_id=source.job_id,
        )

    def _decide(
        self, namespace: str, facts: list[dict], result: WriteResult
    ) -> list[tuple[dict, str, Memory | None]]:
        """Ask the model (the simulator answers by rules) what to do with each new fact."""
        candidates: dict[str, Memory] = {}
        with self.store.session() as s:
            slots = {f["slot"] for f in facts}
            for m in s.exec(
                select(Memory).where(
                    Memory.namespace == namespace,
                    Memory.kind == SEMANTIC,
                    col(Memory.valid_to).is_(None),
                    col(Memory.slot).in_(slots),
                )
            ):
                candidates[m.id] = m
        for f in facts:
            for r in self.store.recall(namespace, f["content"], k=3):
                candidates.setdefault(r.memory.id, r.memory)
        if not candidates or not self.consolidate_enabled:
            return [_no_retraction_adds(f, "ADD", None) for f in facts]
        existing = [{"id": m.id, "content": m.content, "slot": m.slot} for m in candidates.values()]
        call = self.completer(
            consolidation_messages(facts, existing), purpose="memory.consolidate", schema=CONSOLIDATE_SCHEMA
        )
        result.calls.append(call)
        try:
            obj = parse_json_object(call.text, "memory consolidation")
        except MemoryLLMError as exc:  # a weak model's answer: keep the facts, say so
            result.notes.append(f"consolidation failed ({exc}); the facts were added as new")
            return [_no_retraction_adds(f, "ADD", None) for f in facts]
        decided: dict[int, tuple[str, Memory | None]] = {}
        for d in obj.get("decisions", []) if isinstance(obj.get("decisions"), list) else []:
            if not isinstance(d, dict):
                continue
            try:
                i = int(d.get("fact", -1))
            except (TypeError, ValueError):
                continue
            action = str(d.get("action", "ADD")).upper()
            if 0 <= i < len(facts) and action in ("ADD", "UPDATE", "DELETE", "NOOP"):
                target = candidates.get(str(d.get("target_id") or ""))
                if action in ("UPDATE", "DELETE") and target is None:
                    action = "ADD"
                decided[i] = (action, target)
        return [_no_retraction_adds(f, *decided.get(i, ("ADD", None))) for i, f in enumerate(facts)]


def _no_retraction_adds(fact: dict, action: str, target: Memory | None) -> tuple[dict, str, Memory | None]:
    """A retraction ("I never said …") only ever removes; with nothing to remove it is a no-op."""
    if fact["slot"] == "retraction" and action != "DELETE":
        return fact, "NOOP", None
    return fact, action, target
