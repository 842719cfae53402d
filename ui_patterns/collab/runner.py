"""One agent action on the document: a leased range, a streamed model call on a worker, then a suggestion.

The model streams on a pool thread; each chunk reaches the GUI thread as a signal and is appended with
`stream_suggestion`, so the user's keystrokes (applied on the GUI thread too) interleave freely and none
is lost. In direct mode the finished text is applied with `agent_edit`, which refuses a stale range.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal

from agent_core.collab import CollabDocument, CollabError
from agent_core.collab.actions import Action
from agent_core.collab.agent_tasks import ACTIVITY, action_messages
from agent_core.llm import LLM
from ui_patterns.common import GeneratorWorker, run_generator

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
    worker: GeneratorWorker | None = None
    unchanged: bool = False  # the model proposed nothing new: no suggestion offered, no edit made


class ActionRunner(QObject):
    """Starts and tracks agent actions; `finished(run, error)` fires on the GUI thread."""

    finished = Signal(object, str)

    def __init__(self, doc: CollabDocument, llm: Callable[[], LLM], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.doc = doc
        self._llm = llm
        self.runs: list[ActionRun] = []
        self.actions: dict[str, str] = {}  # suggestion id -> action, for labels and re-runs
        self._seed = 0

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
            if run.worker is not None:
                run.worker.quit()

    def _launch(self, run: ActionRun, rules: list[str]) -> None:
        self._seed += 1
        messages = action_messages(run.action, run.target.text, seed=self._seed, rules=rules)
        llm = self._llm()

        def factory(should_stop: Callable[[], bool]) -> Iterator[object]:
            for piece in llm.stream(messages, should_stop=should_stop):
                if isinstance(piece, str):
                    yield piece

        self.runs.append(run)
        run.worker = run_generator(
            factory,
            lambda chunk: self._on_chunk(run, str(chunk)),
            lambda _value: self._finish(run, ""),
            lambda message: self._finish(run, message),
        )

    def _on_chunk(self, run: ActionRun, chunk: str) -> None:
        run.buffer.append(chunk)
        if run.mode != "suggest" or run.sid is None:
            return
        try:
            status = self.doc.stream_suggestion(run.sid, chunk)
        except CollabError:
            status = "rejected"
        if status in ("accepted", "rejected") and run.worker is not None:
            run.worker.quit()  # the user already decided; stop spending tokens

    def _finish(self, run: ActionRun, error: str) -> None:
        if run not in self.runs:
            return
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
