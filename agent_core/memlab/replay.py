"""Replaying one conversation through one strategy: the real memory system on a simulated clock.

Each strategy gets its own `Lab` (SQLite file + Chroma folder in a temp dir) driven by a
`ManualClock` set to the dataset's timestamps, so recency and staleness are those of the original
conversation, not of the machine running the benchmark. Background memory is the app's own
`BackgroundMemory` with its debounce: a job runs only once the clock has passed `debounce_s` of
idleness, and its memories count as recallable only after the job's processing time on top.

Model latency: with the offline simulator every call runs instantly, and its time is *modelled*
from the simulator's default pacing (time to first token + completion tokens at its tokens/s), so
hot-path and background delays have realistic, deterministic sizes. A real provider's calls are timed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from agent_core.chat.agent import ChatAgent
from agent_core.lab import Lab
from agent_core.memlab.dataset import Conversation, Question, Turn
from agent_core.memlab.metrics import retrieval_scores, score_question
from agent_core.memlab.results import QuestionRow
from agent_core.memlab.strategies import Strategy
from agent_core.runtime.llm import LLMError, LLMResult
from agent_core.runtime.settings import ProviderSettings, Settings
from agent_core.simulator import SimConfig
from memory.background import JobOutcome
from memory.clock import ManualClock
from memory.consolidation import Source, WriteResult
from memory.embedders import Embedder
from memory.models import EPISODIC, SEMANTIC, Memory
from memory.prompts import Completion

INSTRUCTIONS = (
    "You are a helpful assistant with long-term memory. Answer the user's question from what you "
    "remember. If your memories do not contain the answer, say it was not mentioned."
)
MEMORY_HEADER = "## What you remember about the user (oldest first)"
HISTORY_HEADER = "## What you remember: the whole conversation so far"
CONTEXT_TURNS = 2
"""An episode's situation: the turns said just before it (the rankers index them with it)."""
ANSWER_TOKENS = 200
"""An answer is a sentence; a small local model left unbounded rambles for a minute."""
DETAIL_RECALLED = 10
"""Recalled memories kept per question for the drill-down (the metrics use the full ranking)."""
_PACING = SimConfig()


def dated(memory: Memory) -> str:
    """A memory as the answer prompt shows it: an episode with the day it was said, so "when did
    …?" can be answered from the session date ("[8 May 2023] Caroline: I went yesterday")."""
    if memory.kind == EPISODIC:
        return f"[{memory.created_at:%-d %B %Y}] {memory.content}"
    return memory.content


def aware(moment: datetime) -> datetime:
    """Dataset timestamps are naive local times; the memory system keeps aware UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def timeline(conversation: Conversation) -> dict[str, datetime]:
    """Turn id → time; turns without a timestamp follow their session start (or the previous turn)."""
    times: dict[str, datetime] = {}
    last = datetime(2024, 1, 1, 9, 0, tzinfo=UTC)
    for session in conversation.sessions:
        start = aware(session.timestamp) if session.timestamp else last + timedelta(days=1)
        last = max(last, start) if times else start
        for turn in session.turns:
            last = aware(turn.timestamp) if turn.timestamp else last + timedelta(seconds=30)
            times[turn.id] = last
    return times


@dataclass(slots=True)
class ProviderChoice:
    """Which model answers: the offline simulator (default) or an OpenAI-compatible server."""

    kind: str = "sim"
    base_url: str = ""
    model: str = ""
    seed: int = 0

    def settings(self, strategy: Strategy, embedder_name: str) -> Settings:
        provider = ProviderSettings(kind=self.kind, base_url=self.base_url)
        if self.kind == "local":
            provider.model_path = self.model  # a GGUF file, or the packaged SmolLM2
        elif self.model:
            provider.model = self.model
        elif self.kind == "openai":
            provider.model = "gpt-4o-mini"
        w = strategy.weights
        return Settings(
            provider=provider,
            sim=SimConfig.instant(self.seed),
            memory_mode="off" if not strategy.stores else strategy.update_mode,
            embedder=strategy.embedder or embedder_name,
            recall_k=strategy.top_k,
            w_relevance=w.relevance,
            w_recency=w.recency,
            w_importance=w.importance,
            debounce_s=strategy.debounce_s,
        )


@dataclass(slots=True)
class IngestStats:
    turns: int = 0
    hot_writes: int = 0
    hot_ms: float = 0.0
    background_jobs: int = 0
    background_errors: int = 0
    memory_tokens: int = 0
    model_errors: int = 0
    last_error: str = ""

    def as_dict(self) -> dict[str, float | str]:
        mean = self.hot_ms / self.hot_writes if self.hot_writes else 0.0
        return {
            "turns": self.turns,
            "hot_path_writes": self.hot_writes,
            "hot_path_mean_ms": round(mean, 2),
            "background_jobs": self.background_jobs,
            "background_errors": self.background_errors,
            "memory_llm_tokens": self.memory_tokens,
            "model_errors": self.model_errors,
            "last_error": self.last_error,
        }


@dataclass(slots=True)
class Answered:
    row: QuestionRow
    detail: dict[str, Any] = field(default_factory=dict)


class StrategyReplay:
    """One strategy's memory system; replays conversations into it and answers their questions."""

    def __init__(
        self,
        strategy: Strategy,
        data_dir: Path,
        provider: ProviderChoice,
        ks: Sequence[int],
        *,
        embedder: Embedder | None = None,
        embedder_name: str = "hash-256",
    ) -> None:
        self.strategy = strategy
        self.ks = list(ks)
        self.provider = provider
        self.clock = ManualClock()
        self.lab = Lab(
            data_dir, provider.settings(strategy, embedder_name), clock=self.clock, embedder=embedder
        )
        self.lab.store.weights = strategy.weights
        self.lab.writer.consolidate_enabled = strategy.consolidate
        self.lab.writer.completer = self._complete  # thousands of calls: no per-call trace rows
        self.lab.writer.defer_index = True  # vectors in batches, just before each recall
        self.lab.warm_up()
        self.lab.background.listeners.append(self._on_job)
        self.stats = IngestStats()
        self._ready: dict[str, tuple[str | None, datetime]] = {}  # memory id → (turn id, recallable at)
        self._due: datetime | None = None
        self._lock = threading.Lock()
        self._history: list[str] = []
        self._recent: list[str] = []  # this session's turns so far
        self._session = ""
        self._namespace = ""
        self._times: dict[str, datetime] = {}

    def close(self) -> None:
        self.lab.close()

    @property
    def _chat(self) -> ChatAgent:
        """The chat agent of the conversation being fed (its instructions and save_memory tool)."""
        return ChatAgent(self.lab, self._namespace or "default", memory_mode="hot_path")

    def _complete(self, messages: list[dict], /, *, purpose: str, schema: dict | None = None) -> Completion:
        """The memory system's model calls, straight through the client (the Lab's own also traces)."""
        result = (
            self.lab.llm.complete_json(messages, schema, name=purpose)
            if schema
            else self.lab.llm.complete(messages)
        )
        return Completion(
            result.content, result.prompt_tokens, result.completion_tokens, result.latency_ms, result.model
        )

    # -- time --------------------------------------------------------------------------------------
    def _set_time(self, moment: datetime) -> None:
        self.clock.advance((moment - self.clock.now()).total_seconds())

    def advance_to(self, moment: datetime) -> None:
        """Move the clock forward, letting a debounced background job run when its time comes."""
        if self._due is not None and self._due <= moment:
            self._set_time(max(self._due, self.clock.now()))
            self._due = None
            self.lab.background.flush()
        if moment > self.clock.now():
            self._set_time(moment)

    def llm_ms(self, calls: Sequence[Completion]) -> float:
        """Model time of memory calls: modelled from the simulator's pacing, or measured."""
        if self.provider.kind != "sim":
            return sum(c.latency_ms for c in calls)
        per_token = 1000.0 / _PACING.tokens_per_s
        return sum(_PACING.ttft_ms + c.completion_tokens * per_token for c in calls)

    # -- conversation --------------------------------------------------------------------------------
    def start(self, conversation: Conversation) -> None:
        self._namespace = f"memlab:{conversation.id}"
        self._times = timeline(conversation)
        self._history = []
        first = next(iter(self._times.values()), None)
        if first is not None:
            self._set_time(first)  # may move back: the previous conversation left nothing pending

    def turn_time(self, turn: Turn) -> datetime:
        return self._times[turn.id]

    def ingest(self, turn: Turn) -> None:
        """Feed one turn: facts from user turns, the raw turn as an episode (per the strategy)."""
        strategy, when = self.strategy, self._times[turn.id]
        self.advance_to(when)
        self.stats.turns += 1
        line = f"{turn.speaker}: {turn.text}"
        if turn.session_id != self._session:
            self._session, self._recent = turn.session_id, []
        context = "\n".join(self._recent[-CONTEXT_TURNS:])
        self._recent.append(line)
        self._history.append(line)
        if not strategy.stores:
            return
        user = turn.role == "user"
        episode = (
            {"content": line, "speaker": turn.speaker, "situation": context, "outcome": ""}
            if strategy.episodic
            else None
        )
        if strategy.hot:
            t0 = time.perf_counter()
            facts: list[dict] = []
            calls: list[Completion] = []
            if user:
                try:  # the chat's hot path: its prompt and save_memory tool call, not the extractor
                    recent = [{"role": "user", "content": x} for x in self._recent[-CONTEXT_TURNS - 1 : -1]]
                    facts, res = self._chat.hot_path_facts(turn.text, recent)
                    calls.append(
                        Completion(
                            res.content, res.prompt_tokens, res.completion_tokens, res.latency_ms, res.model
                        )
                    )
                except LLMError as exc:  # a timeout of a slow model: the turn is still kept
                    self.stats.model_errors += 1
                    self.stats.last_error = str(exc)
            hot_episode = episode if strategy.update_mode == "hot_path" else None
            if facts or hot_episode:
                result = self.lab.writer.write(
                    self._namespace,
                    facts,
                    mode="hot_path",
                    source=Source(message_id=turn.id, text=turn.text),
                    episode=hot_episode,
                    calls=calls,
                    started=t0,
                )
                self._mark(result, self.llm_ms(result.calls) + result.latency_ms)
                self.stats.hot_writes += 1
                self.stats.hot_ms += (time.perf_counter() - t0) * 1000
        if strategy.background and (user or episode):
            # Like ChatAgent: in `both` the facts go on the hot path, the episode to the worker.
            payload = {"user_text": turn.text if user else "", "message_id": turn.id, "episode": episode}
            self.lab.background.enqueue(self._namespace, payload)
            self._due = when + timedelta(seconds=strategy.debounce_s)

    def _mark(self, result: WriteResult, delay_ms: float) -> None:
        """Remember when each written memory became recallable (now + the write's model time)."""
        self.stats.memory_tokens += sum(c.prompt_tokens + c.completion_tokens for c in result.calls)
        ready = self.clock.now() + timedelta(milliseconds=delay_ms)
        with self._lock:
            for memory in [*result.added, *result.updated]:
                self._ready[memory.id] = (memory.source_message_id, ready)

    def _on_job(self, outcome: JobOutcome) -> None:
        """Called on the background worker's thread while `advance_to` waits for it."""
        self.stats.background_jobs += 1
        if outcome.result is None:
            self.stats.background_errors += 1
            return
        self._mark(outcome.result, self.llm_ms(outcome.result.calls) + outcome.result.latency_ms)

    def _recallable(self, memory: Memory, now: datetime) -> bool:
        with self._lock:
            entry = self._ready.get(memory.id)
        return entry is None or entry[1] <= now

    def finish(self) -> None:
        """Let pending background work complete (for staleness), then forget the time line."""
        if self._due is not None:
            self.advance_to(self._due)

    def staleness_ms(self, question: Question) -> float | None:
        """Delay from an evidence turn being said to its memory being recallable (max over evidence)."""
        if self.strategy.memory == "full_context":
            return 0.0
        if not self.strategy.stores or not question.evidence:
            return None
        delays: dict[str, float] = {}
        with self._lock:
            entries = list(self._ready.values())
        for turn_id, ready in entries:
            if turn_id in question.evidence and turn_id in self._times:
                delay = (ready - self._times[turn_id]).total_seconds() * 1000
                delays[turn_id] = min(delay, delays.get(turn_id, delay))
        return max(delays.values()) if delays else None

    # -- questions -----------------------------------------------------------------------------------
    def answer(self, conversation: Conversation, question: Question, asked_at: datetime) -> Answered:
        """Recall, answer through the model client, and score one question."""
        strategy = self.strategy
        self.advance_to(asked_at)
        now = self.clock.now()
        t0 = time.perf_counter()
        recalled = []
        if strategy.stores:
            self.lab.store.index_pending()
            kinds = (SEMANTIC, EPISODIC) if strategy.episodic else (SEMANTIC,)
            recalled = self.lab.store.recall(
                self._namespace,
                question.question,
                k=max([*self.ks, strategy.top_k]),
                kinds=kinds,
                where=lambda m: self._recallable(m, now),
            )
        memory_ms = (time.perf_counter() - t0) * 1000
        in_prompt = sorted(recalled[: strategy.top_k], key=lambda r: r.memory.created_at)
        system = [INSTRUCTIONS]
        if strategy.memory == "full_context" and self._history:
            system.append(HISTORY_HEADER + "\n" + "\n".join(f"- {line}" for line in self._history))
        elif in_prompt:
            system.append(MEMORY_HEADER + "\n" + "\n".join(f"- {dated(r.memory)}" for r in in_prompt))
        messages = [
            {"role": "system", "content": "\n\n".join(system)},
            {"role": "user", "content": question.question},
        ]
        try:
            result = self.lab.llm.complete(messages, max_tokens=ANSWER_TOKENS)
        except LLMError as exc:  # scored as a wrong answer; the run goes on and counts it
            self.stats.model_errors += 1
            self.stats.last_error = str(exc)
            result = LLMResult(content="", model=self.lab.llm.model)
        model_ms = (
            result.latency_ms
            if self.provider.kind != "sim"
            else _PACING.ttft_ms + result.completion_tokens * 1000.0 / _PACING.tokens_per_s
        )
        score = score_question(result.content, question)
        turns = [r.memory.source_message_id for r in recalled if r.memory.source_message_id]
        scores = retrieval_scores(turns, question, self.ks)
        recall: dict[int, float | None] = {
            k: None if strategy.memory == "full_context" else scores[f"recall@{k}"] for k in self.ks
        }
        row = QuestionRow(
            strategy=strategy.name,
            question_id=question.id,
            category=question.category,
            recall=recall,
            f1=score.f1,
            exact=score.exact,
            contains=score.contains,
            latency_ms=memory_ms + model_ms,
            memory_latency_ms=memory_ms,
            tokens=result.prompt_tokens + result.completion_tokens,
            conversation_id=conversation.id,
        )
        chosen = {id(r) for r in in_prompt}
        detail = {
            "answer": result.content,
            "f1": round(score.f1, 4),
            "contains": score.contains,
            "recalled": [
                {**r.as_dict(), "turn_id": r.memory.source_message_id, "in_prompt": id(r) in chosen}
                for r in recalled[:DETAIL_RECALLED]
            ],
        }
        return Answered(row, detail)
