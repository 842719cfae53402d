"""Learner: turns the user's reviews into the writer agent's memory, in the agent engine.

Style rules (from accepted/rejected suggestions) become a new version of the writer's procedural
instructions, each rule naming the suggestions that taught it; recurring names in the text become
semantic facts. Writes happen only when something changed, so reviewing never floods memory. The
engine's `CollabService` stores them (fact writes ask the model and embed), in order, on one lane.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import replace

from PySide6.QtCore import QObject, Qt, Signal, Slot

from agent_core.collab import CollabDocument, Suggestion
from agent_core.collab.learning import StyleRule, derive_facts, derive_style_rules
from agent_core.collab.service import CollabService
from agent_core.runtime.engine import Service
from ui_patterns.collab.runner import AGENT
from ui_patterns.common import LabContext
from ui_patterns.common.workers import future_error


class Learner(QObject):
    changed = Signal()
    _committed = Signal(str)
    _failed = Signal(str)

    def __init__(self, ctx: LabContext, parent: QObject | None = None, *, min_evidence: int = 2) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._service = f"collab-learn-{id(self):x}"
        self._collab = Service.open(ctx.engine, self._service, CollabService, self._service)
        self._committed.connect(self._on_committed, Qt.ConnectionType.QueuedConnection)
        self._failed.connect(self._on_failed, Qt.ConnectionType.QueuedConnection)
        self.min_evidence = min_evidence
        self.reviewed: dict[str, Suggestion] = {}
        self.rules: list[StyleRule] = []
        self.fact_texts: list[str] = []
        self.committed: str | None = None  # the instructions text last committed
        self._facts_written: set[str] = set()

    @property
    def rule_texts(self) -> list[str]:
        return [rule.text for rule in self.rules]

    def learn(self, doc: CollabDocument) -> None:
        """Re-derive rules and facts after a review (an undo can take a verdict back)."""
        for suggestion in doc.suggestions():
            if suggestion.status in ("accepted", "rejected"):
                self.reviewed[suggestion.id] = replace(suggestion)
            else:
                self.reviewed.pop(suggestion.id, None)
        rules = derive_style_rules(self.reviewed.values(), min_evidence=self.min_evidence)
        facts = derive_facts(doc.text)
        new_facts = [f for f in facts if f.term not in self._facts_written]
        self.fact_texts = [f.text for f in facts]
        if [r.text for r in rules] != self.rule_texts or [r.taught_by for r in rules] != [
            r.taught_by for r in self.rules
        ]:
            self.rules = rules
            self._commit_rules(rules)
        if new_facts:
            self._facts_written.update(f.term for f in new_facts)
            self._write_facts([f.text for f in new_facts])
        self.changed.emit()

    def _commit_rules(self, rules: list[StyleRule]) -> None:
        teachers = sorted({sid for rule in rules for sid in rule.taught_by})
        reason = (
            f"style rules learned from reviewing {', '.join(teachers)}"
            if teachers
            else "style rules withdrawn"
        )
        future = self._collab.call(
            CollabService.commit_rules, self.ctx.profile, AGENT, rules, reason, lane=self._service
        )
        self._report(future, then=self._committed.emit)

    def _write_facts(self, texts: list[str]) -> None:
        self._report(
            self._collab.call(CollabService.write_facts, self.ctx.profile, texts, lane=self._service)
        )

    def _report(self, future: Future, then: Callable[[str], None] | None = None) -> None:
        """A call on the learner's lane (commits land in the order made): failures are shown."""

        def done(f: Future) -> None:  # any thread: the signals queue to the GUI thread
            error = future_error(f, "memory write")
            if error:
                self._failed.emit(error)
            elif then is not None:
                then(str(f.result()))

        future.add_done_callback(done)

    @Slot(str)
    def _on_committed(self, text: str) -> None:
        self.committed = text
        self.changed.emit()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.fact_texts = [*self.fact_texts, f"(memory write failed: {message})"]
        self.changed.emit()

    def shutdown(self) -> None:
        """Nothing to cancel: writes are short and finish on their own."""
