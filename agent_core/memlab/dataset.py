"""The Memory Lab's internal dataset form.

Every benchmark file (LoCoMo, LongMemEval) and the scenario generator land in these plain
dataclasses, so the strategy runner, the metrics and the GUI only ever learn one shape.
Ids are strings everywhere (benchmarks mix ints and strings) and are unique within a conversation;
a runner should give each conversation its own memory namespace.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

Role = Literal["user", "assistant"]


@dataclass(slots=True)
class Turn:
    """One utterance; `speaker` keeps the benchmark's name, `role` is what the agent sees."""

    id: str
    session_id: str
    speaker: str
    role: Role
    text: str
    timestamp: datetime | None = None


@dataclass(slots=True)
class Session:
    """A sitting of the conversation; memory strategies often consolidate at its end."""

    id: str
    timestamp: datetime | None
    turns: list[Turn] = field(default_factory=list)


@dataclass(slots=True)
class Question:
    """A probe of memory with its gold answer and the exact turns that justify it.

    `answer` is None only when the source gives none (LoCoMo adversarial questions); for those
    `abstention` is True and the right behaviour is to say the fact was never mentioned.
    """

    id: str
    question: str
    answer: str | None
    evidence: list[str] = field(default_factory=list)
    evidence_sessions: list[str] = field(default_factory=list)
    category: str = ""
    abstention: bool = False
    asked_at: datetime | None = None
    adversarial_answer: str | None = None


@dataclass(slots=True)
class Conversation:
    """Sessions in time order plus the questions asked after them."""

    id: str
    sessions: list[Session] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    speakers: list[str] = field(default_factory=list)

    def turns(self) -> Iterator[Turn]:
        """All turns in order, the natural feed for a memory system."""
        for session in self.sessions:
            yield from session.turns

    def turn_sessions(self) -> dict[str, str]:
        """Turn id → session id, for session-level retrieval metrics."""
        return {turn.id: turn.session_id for turn in self.turns()}


@dataclass(slots=True)
class ImportProblem:
    """A record (or part of one) an importer skipped or repaired, so users can see what was lost."""

    index: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"record {self.index}, {self.field}: {self.message}"


@dataclass(slots=True)
class Dataset:
    """A named set of conversations, with provenance so results can name exactly what they ran on."""

    name: str
    conversations: list[Conversation] = field(default_factory=list)
    source_hash: str = ""
    problems: list[ImportProblem] = field(default_factory=list)

    @property
    def dataset_hash(self) -> str:
        """sha256 over the canonical content: stable across runs, file formatting and problem lists."""
        digest = hashlib.sha256()
        for conversation in self.conversations:
            payload = json.dumps(asdict(conversation), sort_keys=True, ensure_ascii=False, default=_jsonable)
            digest.update(payload.encode("utf-8"))
            digest.update(b"\n")
        return digest.hexdigest()

    @property
    def n_turns(self) -> int:
        return sum(len(s.turns) for c in self.conversations for s in c.sessions)

    @property
    def n_questions(self) -> int:
        return sum(len(c.questions) for c in self.conversations)

    def questions(self) -> Iterator[tuple[Conversation, Question]]:
        """Every question with its conversation, the unit a runner scores."""
        for conversation in self.conversations:
            for question in conversation.questions:
                yield conversation, question

    def summary(self) -> str:
        """One line for logs and the GUI's dataset picker."""
        return (
            f"{self.name}: {len(self.conversations)} conversations, {self.n_turns} turns, "
            f"{self.n_questions} questions, {len(self.problems)} problems"
        )


def _jsonable(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")
