"""The document agent's model calls as an agent-engine service (in the desktop app: in its child process).

The document itself (text, leases, suggestions) stays with the page in the GUI process; only the model
call runs here, so streaming never competes with the GUI thread for the GIL. `run_action` builds the
prompt, streams the lab's configured model and sends each text chunk out as `(name, (key, chunk))`;
the call's return (or exception) ends the action. `stop(key)` (an inline call) ends a stream early.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from agent_core.collab.actions import Action
from agent_core.collab.agent_tasks import action_messages

if TYPE_CHECKING:
    from agent_core.lab import Lab


class ActionService:
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


def action_service(lab: Lab, emit: Callable[[str, object], None], name: str) -> ActionService:
    return ActionService(lab, emit, name)
