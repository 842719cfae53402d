"""Every task and tool rule the simulator knows, registered explicitly.

The simulator's own tasks (memory extraction, consolidation, the optimizer) live in `brain`; the
patterns' tasks live next to the pattern they simulate. `load_all()` imports them all, so a
simulator anywhere (in-process, or `serve-sim` alone) speaks every task, instead of only those a
page happened to import first.
"""

from __future__ import annotations

import importlib

TASK_MODULES = (
    "agent_core.chat.architectures",  # plan, critique
    "agent_core.sheet.sim_task",  # sheet_cell, plan_columns
    "agent_core.collab.agent_tasks",  # collab_action
    "agent_core.genui.sim",  # genui + component tool rules
    "agent_core.ambient.sim_tasks",  # triage, schedule, research
)
_loaded = False


def load_all() -> None:
    """Import every module that registers simulator tasks (once; later calls are free)."""
    global _loaded
    if not _loaded:
        for name in TASK_MODULES:
            importlib.import_module(name)
        _loaded = True
