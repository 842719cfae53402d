"""Learner: turns the user's reviews into the writer agent's memory, off the GUI thread.

Style rules (from accepted/rejected suggestions) become a new version of the writer's procedural
instructions, each rule naming the suggestions that taught it; recurring names in the text become
semantic facts. Writes happen only when something changed, so reviewing never floods memory.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from agent_core.collab import CollabDocument, Suggestion
from agent_core.collab.learning import StyleRule, derive_facts, derive_style_rules
from memory.prompts import clean_fact
from ui_patterns.collab.runner import AGENT
from ui_patterns.common import LabContext, run_call

RULES_HEADING = "## Style rules learned from your reviews"


def instructions_with_rules(base: str, rules: list[StyleRule]) -> str:
    """``base`` with its learned-rules block replaced by ``rules`` (each citing its teachers)."""
    base = base.split(f"\n\n{RULES_HEADING}", 1)[0].rstrip()
    if not rules:
        return base
    lines = [f"- {rule.text} (taught by {', '.join(rule.taught_by)})" for rule in rules]
    return f"{base}\n\n{RULES_HEADING}\n" + "\n".join(lines)


class Learner(QObject):
    changed = Signal()

    def __init__(self, ctx: LabContext, parent: QObject | None = None, *, min_evidence: int = 2) -> None:
        super().__init__(parent)
        self.ctx = ctx
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
        lab, profile = self.ctx.lab, self.ctx.profile
        teachers = sorted({sid for rule in rules for sid in rule.taught_by})
        reason = (
            f"style rules learned from reviewing {', '.join(teachers)}"
            if teachers
            else "style rules withdrawn"
        )

        def commit() -> str:
            text = instructions_with_rules(lab.procedural.current(profile, AGENT).text, rules)
            lab.procedural.commit(profile, AGENT, text, reason=reason, author="collab")
            return text

        run_call(commit, self._on_committed, self._on_failed)

    def _write_facts(self, texts: list[str]) -> None:
        lab, profile = self.ctx.lab, self.ctx.profile
        facts = [
            clean_fact({"content": t, "slot": "note", "importance": 0.6, "confidence": 0.8}) for t in texts
        ]
        run_call(
            lambda: lab.writer.write(profile, [f for f in facts if f], mode="background"),
            None,
            self._on_failed,
        )

    def _on_committed(self, text: object) -> None:
        self.committed = str(text)
        self.changed.emit()

    def _on_failed(self, message: str) -> None:
        self.fact_texts = [*self.fact_texts, f"(memory write failed: {message})"]
        self.changed.emit()

    def shutdown(self) -> None:
        """Nothing to cancel: writes are short and finish on their own."""
