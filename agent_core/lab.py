"""The Lab: one data dir's database, memory, model client and background worker, wired together.

Construction is cheap (no model loading, no Chroma, no network) so the GUI can build it on its
thread; `warm_up()` does the slow parts and belongs on a worker thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import inspect, text
from sqlmodel import Session

from agent_core.ambient.inbox import create_ambient_tables
from agent_core.chat import feedback
from agent_core.chat.agent import current_recorder
from agent_core.chat.conversations import Conversation, Conversations, Message
from agent_core.chat.feedback import Proposal
from agent_core.chat.proposals import PROPOSAL_EVENT, Proposals
from agent_core.runtime.llm import LLM, LLMError
from agent_core.runtime.runs import Run, Step, StepRecorder
from agent_core.runtime.settings import Settings
from agent_core.runtime.tools import Tool
from memory.audit import PROFILE_TABLES, AuditReport, audit, needles_for, purge, scrub_job_payloads
from memory.background import BackgroundMemory, JobOutcome
from memory.clock import Clock, SystemClock
from memory.consolidation import MemoryWriter, Quality
from memory.db import create_tables, make_engine, sqlite_url
from memory.embedders import Embedder, make_embedder
from memory.index import ChromaIndex, VectorIndex
from memory.index_process import ChromaProcessIndex
from memory.models import Instruction, Memory
from memory.procedural import ProceduralMemory
from memory.prompts import Completion, current_namespace
from memory.recall import RecallWeights
from memory.secrets import register_secret
from memory.store import MemoryStore, ReconcileReport
from memory.transfer_project import import_any


def default_data_dir() -> Path:
    return Path(os.environ.get("AGENT_UX_LAB_DATA") or Path.home() / ".local" / "share" / "agent-ux-lab")


class Lab:
    def __init__(
        self,
        data_dir: Path | str | None = None,
        settings: Settings | None = None,
        *,
        clock: Clock | None = None,
        embedder: Embedder | None = None,
        index: VectorIndex | None = None,
        db_url: str | None = None,
        chroma: str | None = None,
        chroma_process: bool = False,
    ) -> None:
        self.data_dir = Path(data_dir or default_data_dir())
        self.data_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.data_dir, 0o700)
        self.settings = settings or Settings.load(self.data_dir)
        self.clock = clock or SystemClock()
        self.engine = make_engine(db_url or sqlite_url(self.data_dir))
        create_tables(self.engine)
        create_ambient_tables(self.engine)  # at start-up, not when the Ambient page first opens
        register_secret(self.settings.provider.resolved_key())  # the environment's key too, any shape
        self.llm = LLM(self.settings.provider, self.settings.sim)
        self.embedder = embedder or make_embedder(self.settings.embedder, lambda: self.llm.client)
        chroma_loc = chroma or str(self.data_dir / "chroma")
        self.chroma_dir = Path(chroma_loc) if "://" not in chroma_loc else None
        # Where another process (the agent engine) finds this index: a Chroma server's URL, or the
        # index process's socket (ChromaProcessIndex.share); None when it cannot be shared.
        self.index_url = chroma_loc if index is None and self.chroma_dir is None else None
        self.index_shareable = index is None and (self.index_url is not None or chroma_process)
        self.store = MemoryStore(
            self.engine,
            self.embedder,
            index or (lambda: self._make_index(chroma_loc, chroma_process)),
            self.clock,
            self._weights(),
        )
        self.procedural = ProceduralMemory(self.engine)
        self.conversations = Conversations(self.engine)
        self.writer = MemoryWriter(
            self.store,
            self.complete_for_memory,
            policy=self.settings.policy,
            quality=Quality(self.settings.min_importance, self.settings.min_confidence),
        )
        self.background = BackgroundMemory(self.writer, self.clock, self.settings.debounce_s)
        self.background.listeners.append(self._record_job)
        self.store.subscribe(self._on_store_change)
        self.proposals = Proposals(self.engine)  # pending feedback, in SQLite: every process sees it
        self.step_listeners: list[Callable[[str, Step], None]] = []
        self.approver: Callable[[Tool, dict], bool] | None = None
        self.ready = threading.Event()
        self.warm_error: str | None = None

    def _make_index(self, location: str, in_child_process: bool) -> VectorIndex:
        """Chroma in-process, or (the desktop app) in a child process so it never holds our GIL."""
        if in_child_process and "://" not in location:
            return ChromaProcessIndex(location, self.embedder.name)
        return ChromaIndex(location, self.embedder.name)

    def _weights(self) -> RecallWeights:
        s = self.settings
        return RecallWeights(s.w_relevance, s.w_recency, s.w_importance)

    # -- life cycle -----------------------------------------------------------------------------
    def warm_up(self, *, resume_jobs: bool = True) -> ReconcileReport:
        """Load the embedder, open Chroma, reconcile it with SQLite, resume pending memory jobs
        (unless another process runs them: the desktop app's agent engine) and release feedback
        proposals a killed process was applying."""
        try:
            load = getattr(self.embedder, "load", None)
            if load:
                load()
            report = self.store.reconcile()
            if resume_jobs:
                self.resume_jobs()
            self.proposals.release_claims()
            return report
        except Exception as exc:
            self.warm_error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self.ready.set()

    def resume_jobs(self) -> int:
        """Schedule the memory jobs an earlier process left pending; returns how many."""
        return self.background.resume()

    def load_models(self) -> str:
        """Load the embedder and start (or attach to) a local model (the agent engine's Lab warms
        up with this: the parent reconciles)."""
        load = getattr(self.embedder, "load", None)
        if load:
            load()
        self.prepare_model()
        return self.embedder.name

    def prepare_model(self) -> str:
        """Start or attach to the local model's server (seconds: call it off the GUI thread).

        Returns a status line ("" for other providers); a failure is reported, not raised, and
        each turn then shows the same clear error.
        """
        if self.settings.provider.kind != "local":
            return ""
        try:
            self.llm.prepare()
        except LLMError as exc:
            return f"local model unavailable: {exc}"
        return f"local model ready ({self.llm.model})"

    def close(self) -> None:
        self.background.close()
        self.store.close()
        self.engine.dispose()

    def apply_settings(self, settings: Settings) -> None:
        """Apply what can change live; the embedder and storage need a restart (the UI says so)."""
        provider_changed = settings.provider != self.settings.provider or settings.sim != self.settings.sim
        self.settings = settings
        register_secret(settings.provider.resolved_key())
        if provider_changed:
            self.llm = LLM(settings.provider, settings.sim)
        self.store.weights = self._weights()
        self.writer.policy = settings.policy
        self.writer.quality = Quality(settings.min_importance, settings.min_confidence)
        self.background.debounce_s = settings.debounce_s
        settings.save(self.data_dir)

    # -- the memory system's model calls ----------------------------------------------------------
    def complete_for_memory(
        self, messages: list[dict], /, *, purpose: str, schema: dict | None = None
    ) -> Completion:
        """Memory's LLM calls, recorded as steps of the current run (or a run of their own)."""
        rec = current_recorder.get()
        own = rec is None
        if rec is None:
            rec = StepRecorder.start(
                self.engine,
                self.step_listeners,
                kind="memory",
                title=purpose,
                agent="memory",
                profile=current_namespace.get() or "default",
            )
        try:
            with rec.step("llm_call", purpose, {"model": self.llm.model, "messages": messages}) as h:
                if schema is None:
                    result = self.llm.complete(messages)
                else:
                    result = self.llm.complete_json(messages, schema, name=purpose)
                h.output = {"content": result.content, "structured_output": result.structured or None}
                h.prompt_tokens, h.completion_tokens = result.prompt_tokens, result.completion_tokens
            if own:
                rec.finish()
        except Exception as exc:
            if own:
                rec.finish("error", str(exc))
            raise
        return Completion(
            result.content,
            result.prompt_tokens,
            result.completion_tokens,
            result.latency_ms,
            result.model,
            h.id,
        )

    def _on_store_change(self, event: str, namespace: str, ids: list[str]) -> None:
        if event == "delete":
            scrub_job_payloads(self.engine, namespace, ids)

    def _record_job(self, outcome: JobOutcome) -> None:
        """File a background job's result (stored vs discarded, links) as a step of the turn's run."""
        run_id = outcome.payload.get("run_id")
        if not run_id or outcome.result is None:
            return
        with Session(self.engine, expire_on_commit=False) as s:
            run = s.get(Run, run_id)
        if run is None:
            return
        calls = outcome.result.calls
        StepRecorder(self.engine, run, self.step_listeners).record(
            "memory_write",
            "background memory",
            {"job_id": outcome.job_id, "extraction_step_id": calls[0].step_id if calls else None},
            outcome.result.as_dict(),
            prompt_tokens=sum(c.prompt_tokens for c in calls),
            completion_tokens=sum(c.completion_tokens for c in calls),
        )

    # -- feedback ---------------------------------------------------------------------------------
    def feedback(
        self,
        message_id: str,
        score: int,
        comment: str = "",
        correction: str = "",
        profile: str = "default",
        agent: str = "assistant",
        auto_accept: bool | None = None,
    ) -> dict:
        """Thumbs up/down, a comment or a correction: proposes memory changes (see `agent_core.chat.feedback`).

        With `feedback_auto_accept` the proposal is applied at once; otherwise it is stored as
        pending (`pending_proposals`) for `accept_feedback` / `reject_feedback`, here or in any
        other process on the data dir. (Positional parameters: engine calls take no keywords.)
        """
        msg = self.conversations.get_message(message_id)
        if msg is None:
            raise KeyError(f"no message {message_id}")
        msg.feedback, msg.feedback_comment = score, comment or None
        self.conversations.save(msg)
        proposal = feedback.propose(
            self, message_id, score, comment, correction=correction, profile=profile, agent=agent
        )
        auto = self.settings.feedback_auto_accept if auto_accept is None else auto_accept
        if auto:
            return {**feedback.apply(self, proposal), "diff": proposal.diff_lines()}
        self.proposals.add(proposal)
        self.store.emit(PROPOSAL_EVENT, profile, [proposal.id])
        return {
            "proposal": proposal.id,
            "pending": True,
            "episodes": 0,
            "instructions": None,
            "diff": proposal.diff_lines(),
        }

    def pending_proposals(self, profile: str) -> list[Proposal]:
        """The profile's feedback proposals waiting for a decision, oldest first."""
        return self.proposals.pending(profile)

    def accept_feedback(self, proposal_id: str, accept: list[int] | None = None) -> dict:
        """Apply the accepted changes of a pending proposal (all when `accept` is None).

        Raises `ProposalError` when it is unknown or no longer pending (accepted twice, rejected):
        nothing is applied twice. A failed apply leaves it pending (changes that went in are kept
        and skipped on a retry).
        """
        proposal = self.proposals.claim(proposal_id)
        try:
            out = feedback.apply(self, proposal, accept)
        finally:
            self.proposals.settle(proposal)
            self.store.emit(PROPOSAL_EVENT, proposal.profile, [proposal.id])
        return out

    def reject_feedback(self, proposal_id: str) -> None:
        """Drop a pending proposal without changing anything (`ProposalError` when not pending)."""
        profile = self.proposals.reject(proposal_id)
        self.store.emit(PROPOSAL_EVENT, profile, [proposal_id])

    # -- the user's memory edits (the inspector sends them to the agent engine) -------------------
    def edit_memory(self, memory_id: str, content: str) -> Memory:
        """Replace a memory's text by the user's (a new version supersedes it)."""
        return self.store.edit(memory_id, content)

    def set_pinned(self, memory_id: str, pinned: bool) -> Memory:
        """Pin a memory (always recalled, never decays) or unpin it."""
        return self.store.set_pinned(memory_id, pinned)

    def approve_memory(self, memory_id: str) -> Memory:
        """Clear a memory's review flag: the user vouched for it, so it becomes recallable."""
        return self.store.approve(memory_id)

    def import_memory(self, path: str, profile: str) -> dict:
        """Import a profile export (into `profile`) or a project export (see `import_any`)."""
        return import_any(self.store, self.procedural, path, profile)

    def commit_instructions(self, profile: str, agent: str, text: str, reason: str) -> Instruction:
        """Store the user's instructions for `agent` as the next, active version."""
        return self.procedural.commit(profile, agent, text, reason=reason, author="user")

    def rollback_instructions(self, profile: str, agent: str, version: int) -> Instruction:
        """Make a copy of an earlier instructions version the active one."""
        return self.procedural.rollback(profile, agent, version)

    # -- privacy ----------------------------------------------------------------------------------
    def forget_profile(self, profile: str) -> dict:
        """Delete everything of one profile: every table in `PROFILE_TABLES`, and its vectors.

        The deleted texts and ids are noted first, so the audit afterwards can prove they are gone
        (texts other profiles also hold are not searched for: their copies are legitimately there).
        """
        needles = needles_for(self.engine, namespace=profile)
        n = self.store.delete_namespace(profile)  # memory rows, their FTS entries and vectors
        existing = set(inspect(self.engine).get_table_names())  # ambient tables exist once used
        deleted = {"memory": n} if n else {}
        with self.engine.begin() as conn:
            for table, where in PROFILE_TABLES:
                if table in existing:
                    res = conn.execute(text(f'DELETE FROM "{table}" WHERE {where}'), {"p": profile})
                    if res.rowcount:
                        deleted[table] = deleted.get(table, 0) + res.rowcount
        purge(self.engine, self.chroma_dir)
        report = self.audit(profile=profile, texts=needles) if needles else None
        return {
            "memories": n,
            "runs": deleted.get("run", 0),
            "conversations": deleted.get("conversation", 0),
            "deleted": deleted,
            "audit": report.as_dict() if report else None,
        }

    def audit(
        self, *, profile: str | None = None, texts: list[str] | None = None, ids: list[str] | None = None
    ) -> AuditReport:
        """Search the database, its WAL, Chroma's files and caches for deleted text and ids.

        Scope "profile" (a forgotten profile: nothing may remain anywhere) when only a profile is
        given; scope "memory" (the conversation and its traces may still hold the words) otherwise.
        """
        needles = list(texts or []) + list(ids or [])
        if profile and not needles:
            needles = needles_for(self.engine, namespace=profile)
        scope = "profile" if profile and not ids else "memory"
        extra = (
            [self.chroma_dir] if self.chroma_dir and not self.chroma_dir.is_relative_to(self.data_dir) else []
        )
        return audit(self.engine, self.data_dir, needles, scope=scope, extra_dirs=extra)

    def delete_memory_verified(self, memory_id: str) -> AuditReport:
        """Delete one memory, make it final on disk, and prove it with an audit."""
        return self.delete_memories_verified([memory_id])

    def delete_memories_verified(self, memory_ids: list[str]) -> AuditReport:
        """Delete memories (e.g. a junk-review prune), purge them from disk, audit for their text and ids."""
        needles = needles_for(self.engine, memory_ids=memory_ids)
        for mid in memory_ids:
            self.store.delete(mid)
        purge(self.engine, self.chroma_dir)
        return self.audit(texts=[n for n in needles if n not in memory_ids], ids=memory_ids)


__all__ = ["Conversation", "Instruction", "Lab", "Message", "default_data_dir"]
