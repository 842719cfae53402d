"""One agent action on the document: a leased range, a streamed model call in the agent engine, then a suggestion.

The model streams in the engine's `CollabService` (in the desktop app, in the engine's child process,
so it never competes with the GUI thread for the GIL); each chunk reaches the GUI thread as a queued
signal and is appended with `stream_suggestion`, so the user's keystrokes (applied on the GUI thread
too) interleave freely and none is lost. In direct mode the finished text is applied with
`agent_edit`, which refuses a stale range. The document never leaves the GUI process.
"""

from __future__ import annotations

import functools
import uuid
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import cast

from PySide6.QtCore import QObject, Qt, Signal, Slot

from agent_core.collab import CollabDocument, CollabError
from agent_core.collab.actions import Action
from agent_core.collab.agent_tasks import ACTIVITY
from agent_core.collab.service import CollabService
from agent_core.runtime.engine import Engine, Service
from ui_patterns.common.workers import future_error

AGENT = "writer"


@dataclass
class Target:
    """What an action works on: ``[start, end)`` as read at ``version``; ``label`` like '§2'."""

    start: int
    end: int
    text: str
    label: str
    version: int


@dataclass
class ActionRun:
    action: Action
    target: Target
    mode: str  # "suggest" | "direct" | "rerun"
    sid: str | None = None
    buffer: list[str] = field(default_factory=list)
    key: str = ""  # the engine call's key: its chunks carry it, `stop` names it
    stopping: bool = False
    unchanged: bool = False  # the model proposed nothing new: no suggestion offered, no edit made


class ActionRunner(QObject):
    """Starts and tracks agent actions; `finished(run, error)` fires on the GUI thread."""

    finished = Signal(object, str)
    _chunk = Signal(str, str)  # run key, text (from the engine's thread)
    _ended = Signal(str, str)  # run key, error message ("" when the call returned)

    def __init__(self, doc: CollabDocument, engine: Engine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.runs: list[ActionRun] = []
        self.actions: dict[str, str] = {}  # suggestion id -> action, for labels and re-runs
        self._seed = 0
        self._service = f"collab-{id(self):x}"
        self._engine = engine
        self._collab = Service.open(engine, self._service, CollabService, self._service)
        engine.listeners.append(self._on_engine)
        # queued even when a call ends at once on this thread: its chunks, queued before, come first
        self._chunk.connect(self._on_chunk, Qt.ConnectionType.QueuedConnection)
        self._ended.connect(self._on_ended, Qt.ConnectionType.QueuedConnection)

    @property
    def busy(self) -> bool:
        return bool(self.runs)

    def start(self, action: Action, target: Target, *, direct: bool, rules: list[str]) -> ActionRun:
        run = ActionRun(action, target, "direct" if direct else "suggest")
        start, end = target.start, target.end
        if action == "continue":
            start = end
        activity = f"{ACTIVITY[action]} {target.label}…"
        self.doc.set_presence(AGENT, end, (target.start, target.end), activity)
        if not direct:
            kind = "insert" if action == "continue" else "rewrite"
            run.sid = self.doc.begin_suggestion(
                AGENT, start, end, kind=kind, note=action, base_version=target.version,
                expected=None if action == "continue" else target.text,
            )  # fmt: skip
            self.actions[run.sid] = action
        self._launch(run, rules)
        return run

    def rerun(self, sid: str, rules: list[str]) -> ActionRun:
        """Re-run only a conflicted hunk on the text now in its range."""
        suggestion = self.doc.suggestion(sid)
        text = self.doc.text[suggestion.start : suggestion.end]
        target = Target(suggestion.start, suggestion.end, text, sid, self.doc.version)
        run = ActionRun(self.actions.get(sid, "rewrite"), target, "rerun", sid)  # type: ignore[arg-type]
        self._launch(run, rules)
        return run

    def stop_all(self) -> None:
        for run in self.runs:
            self._stop(run)

    def close(self) -> None:
        """Stop every action and stop listening to the engine (the page is going away)."""
        self.stop_all()
        if self._on_engine in self._engine.listeners:
            self._engine.listeners.remove(self._on_engine)

    def _stop(self, run: ActionRun) -> None:
        if not run.stopping:
            run.stopping = True
            self._collab.call(CollabService.stop, run.key, lane="")

    def _launch(self, run: ActionRun, rules: list[str]) -> None:
        self._seed += 1
        run.key = uuid.uuid4().hex
        self.runs.append(run)
        future = self._collab.call(
            CollabService.run_action, run.key, run.action, run.target.text, rules, self._seed
        )
        future.add_done_callback(functools.partial(self._call_done, run.key))

    def _call_done(self, key: str, future: Future) -> None:  # any thread
        self._ended.emit(key, future_error(future, "action"))

    def _run(self, key: str) -> ActionRun | None:
        return next((run for run in self.runs if run.key == key), None)

    def _on_engine(self, kind: str, payload: object) -> None:  # any thread
        if kind == self._service:
            key, chunk = cast(tuple[str, str], payload)
            self._chunk.emit(key, chunk)

    @Slot(str, str)
    def _on_chunk(self, key: str, chunk: str) -> None:
        run = self._run(key)
        if run is None:
            return
        run.buffer.append(chunk)
        if run.mode != "suggest" or run.sid is None:
            return
        try:
            status = self.doc.stream_suggestion(run.sid, chunk)
        except CollabError:
            status = "rejected"
        if status in ("accepted", "rejected"):
            self._stop(run)  # the user already decided; stop spending tokens

    @Slot(str, str)
    def _on_ended(self, key: str, error: str) -> None:
        run = self._run(key)
        if run is not None:
            self._finish(run, error)

    def _finish(self, run: ActionRun, error: str) -> None:
        self.runs.remove(run)
        text = "".join(run.buffer)
        try:
            if run.mode == "suggest" and run.sid is not None:
                suggestion = self.doc.finish_suggestion(run.sid)
                run.unchanged = not error and suggestion.is_open and suggestion.changes_nothing
                if suggestion.is_open and (run.unchanged or (error and not text)):
                    self.doc.withdraw(run.sid)  # never offered, never counted as a rejection
            elif run.mode == "rerun" and run.sid is not None and not error:
                self.doc.reanchor(run.sid, text)
                run.unchanged = self.doc.suggestion(run.sid).changes_nothing
                if run.unchanged:
                    self.doc.withdraw(run.sid)
            elif run.mode == "direct" and not error:
                self._edit_directly(run, text)
        except CollabError as exc:
            error = error or f"{exc} — the text changed while the agent worked; run it again."
        if not any(r.mode != "rerun" for r in self.runs):
            self.doc.clear_presence(AGENT)
        self.finished.emit(run, error)

    def _edit_directly(self, run: ActionRun, text: str) -> None:
        """Apply the finished text as the agent's edit, unless it changes nothing."""
        target = run.target
        if run.action == "continue":
            run.unchanged = not text.strip()
            if not run.unchanged:
                self.doc.agent_edit(AGENT, target.end, target.end, text, base_version=target.version,
                                    description=f"continue {target.label}")  # fmt: skip
            return
        run.unchanged = text.split() == target.text.split()
        if not run.unchanged:
            self.doc.agent_edit(AGENT, target.start, target.end, text, base_version=target.version,
                                expected=target.text, description=f"{run.action} {target.label}")  # fmt: skip
