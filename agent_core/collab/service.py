"""The document agent's model and memory work as an agent-engine service (in the app: in its child process).

The document itself (text, leases, suggestions) stays with the page in the GUI process; only the model
call runs here, so streaming never competes with the GUI thread for the GIL. `run_action` builds the
prompt, streams the lab's configured model and sends each text chunk out as `(name, (key, chunk))`;
the call's return (or exception) ends the action. `stop(key)` (an inline call) ends a stream early.
What reviews teach is stored here too: `commit_rules` (procedural) and `write_facts` (semantic memory,
whose consolidation asks the model and embeds).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agent_core.collab.actions import Action
from agent_core.collab.agent_tasks import action_messages
from agent_core.collab.learning import StyleRule
from memory.prompts import clean_fact

if TYPE_CHECKING:
    from agent_core.lab import Lab

RULES_HEADING = "## Style rules learned from your reviews"


def instructions_with_rules(base: str, rules: list[StyleRule]) -> str:
    """``base`` with its learned-rules block replaced by ``rules`` (each citing its teachers)."""
    base = base.split(f"\n\n{RULES_HEADING}", 1)[0].rstrip()
    if not rules:
        return base
    lines = [f"- {rule.text} (taught by {', '.join(rule.taught_by)})" for rule in rules]
    return f"{base}\n\n{RULES_HEADING}\n" + "\n".join(lines)


class CollabService:
    def __init__(self, lab: Lab, emit: Callable[[str, object], None], name: str) -> None:
        self.lab, self.emit, self.name = lab, emit, name
        self._stopped: set[str] = set()

    def run_action(self, key: str, action: Action, text: str, rules: list[str], seed: int) -> None:
        """Stream ``action`` on ``text`` (learned style ``rules`` in the prompt), chunk by chunk."""
        messages = action_messages(action, text, seed=seed, rules=rules)
        try:
            for piece in self.lab.llm.stream(messages, should_stop=lambda: key in self._stopped):
                if isinstance(piece, str):
                    self.emit(self.name, (key, piece))
        finally:
            self._stopped.discard(key)

    def stop(self, key: str) -> None:
        self._stopped.add(key)

    def commit_rules(self, profile: str, agent: str, rules: list[StyleRule], reason: str) -> str:
        """A new version of ``agent``'s instructions carrying ``rules``; returns its text."""
        procedural = self.lab.procedural
        text = instructions_with_rules(procedural.current(profile, agent).text, rules)
        procedural.commit(profile, agent, text, reason=reason, author="collab")
        return text

    def write_facts(self, profile: str, texts: list[str]) -> None:
        """Remember terms the user keeps writing, as background-mode semantic facts."""
        raw = [{"content": t, "slot": "note", "importance": 0.6, "confidence": 0.8} for t in texts]
        facts = [f for f in map(clean_fact, raw) if f]
        self.lab.writer.write(profile, facts, mode="background")
