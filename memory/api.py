"""The memory system's front door: a handful of calls over one folder, typed results.

`MemorySystem` is what a script or a notebook uses (the size of mem0's `Memory` or LangGraph's
`BaseStore`): add, search, get, list, update, delete, history, forget. It opens the same SQLite
file and Chroma folder the app does, so a researcher can fill or inspect a lab's memory, and the
app sees it. The transaction-level API (`MemoryStore.stage_*`, `MemoryWriter.write`) stays what
the agent core composes turns from; nothing here needs Qt, a model or a network unless asked.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType

from memory.consolidation import MemoryWriter, Source
from memory.db import create_tables, make_engine, sqlite_url
from memory.embedders import Embedder, make_embedder
from memory.index import ChromaIndex
from memory.models import EPISODIC, KINDS, SEMANTIC, Memory
from memory.prompts import Completer
from memory.recall import Recalled, RecallWeights
from memory.store import MemoryStore


@dataclass(frozen=True, slots=True)
class Fact:
    """A memory as the public API shows it: plain values, no database session attached."""

    id: str
    namespace: str
    kind: str
    content: str
    slot: str | None
    importance: float
    confidence: float
    pinned: bool
    speaker: str | None
    created_at: datetime
    valid_to: datetime | None
    superseded_by: str | None
    flagged: str | None

    @property
    def current(self) -> bool:
        return self.valid_to is None

    @classmethod
    def of(cls, m: Memory) -> Fact:
        return cls(
            m.id, m.namespace, m.kind, m.content, m.slot, m.importance, m.confidence, m.pinned,
            m.speaker, m.created_at, m.valid_to, m.superseded_by, m.flagged,
        )  # fmt: skip


class MemorySystem:
    """One folder's memory. `completer` (any callable as `memory.prompts.Completer`) lets `add`
    extract and consolidate facts from raw text; without it, `add` stores what it is given."""

    def __init__(
        self,
        folder: str | Path,
        *,
        embedder: str | Embedder = "minilm",
        completer: Completer | None = None,
        weights: RecallWeights | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._engine = make_engine(sqlite_url(self.folder))
        create_tables(self._engine)
        emb = make_embedder(embedder) if isinstance(embedder, str) else embedder
        self.store = MemoryStore(
            self._engine, emb, lambda: ChromaIndex(self.folder / "chroma", emb.name), weights=weights
        )
        self.writer = MemoryWriter(self.store, completer) if completer is not None else None

    # -- writes -----------------------------------------------------------------------------------
    def add(
        self,
        content: str,
        *,
        namespace: str = "default",
        kind: str = SEMANTIC,
        slot: str | None = None,
        importance: float = 0.5,
        speaker: str | None = None,
        infer: bool = False,
    ) -> list[Fact]:
        """Store `content` as one memory, or (`infer=True`, needs a completer) extract its facts,
        consolidate them with what is known (ADD / UPDATE / DELETE / NOOP) and keep the raw text
        as an episode. Returns what was added."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        if not infer:
            memory = Memory(
                namespace=namespace,
                kind=kind,
                content=content,
                slot=slot,
                importance=importance,
                speaker=speaker,
            )
            return [Fact.of(self.store.add(memory, actor="api"))]
        if self.writer is None:
            raise ValueError("infer=True needs a model: MemorySystem(folder, completer=...)")
        found = self.writer.extract(content)
        episode = {"content": content, "situation": content, "outcome": "", "speaker": speaker}
        result = self.writer.write(
            namespace,
            found.facts,
            mode="api",
            source=Source(text=content),
            episode=episode,
            calls=[found.call],
        )
        return [Fact.of(m) for m in result.added]

    def update(self, memory_id: str, content: str) -> Fact:
        """Replace a memory's text; the old version stays in its history (its validity ended)."""
        old = self._memory(memory_id)
        new = Memory(
            namespace=old.namespace,
            kind=old.kind,
            content=content,
            slot=old.slot,
            value=old.value,
            importance=old.importance,
            confidence=old.confidence,
            speaker=old.speaker,
            write_mode="api",
        )
        with self.store.session() as s:
            self.store.stage_add(s, new, actor="api")
            self.store.stage_supersede(s, old, new, actor="api")
            s.commit()
        self.store.index_pending([new])
        self.store.emit("add", new.namespace, [new.id])
        return Fact.of(new)

    def delete(self, memory_id: str) -> bool:
        """Delete one memory: its row, its history's text, its vector."""
        return self.store.delete(memory_id, actor="api")

    def forget(self, namespace: str) -> int:
        """Delete everything of one namespace (a profile); returns how many memories went."""
        return self.store.delete_namespace(namespace)

    # -- reads ------------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        namespace: str = "default",
        k: int = 5,
        kinds: Sequence[str] = (SEMANTIC, EPISODIC),
        weights: RecallWeights | None = None,
    ) -> list[Recalled]:
        """The best `k` current memories for `query`, each with its score parts (`.fact`, `.parts`)."""
        return self.store.recall(namespace, query, k, kinds=tuple(kinds), weights=weights)

    def get(self, memory_id: str) -> Fact | None:
        memory = self.store.get(memory_id)
        return Fact.of(memory) if memory else None

    def list(
        self, namespace: str = "default", kind: str | None = None, *, history: bool = False
    ) -> list[Fact]:
        return [Fact.of(m) for m in self.store.list(namespace, kind, include_history=history)]

    def history(self, memory_id: str) -> builtins.list[Fact]:
        """The versions a memory went through, oldest first."""
        return [Fact.of(m) for m in self.store.history(memory_id)]

    # -- life cycle -------------------------------------------------------------------------------
    def close(self) -> None:
        self.store.close()
        self._engine.dispose()

    def __enter__(self) -> MemorySystem:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def _memory(self, memory_id: str) -> Memory:
        memory = self.store.get(memory_id)
        if memory is None:
            raise KeyError(f"no memory {memory_id}")
        return memory
