"""The words sent to a model for one cell or one plan, and how the simulator reads them back.

Both sides live here so the prompt a real model sees and the fields the simulator parses out of it
cannot drift apart: the simulator answers the very request a real provider would get.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from agent_core.sheet.model import OUTPUT_TYPES, Column

CELL_TASK = "[[task:sheet_cell]]"
PLAN_TASK = "[[task:plan_columns]]"

_HOW = {
    "text": "Answer with the text only: no preamble, no quotes.",
    "number": "Answer with a single number only (digits, optional decimal point), no units or words.",
    "yes/no": "Answer with exactly 'yes' or 'no'.",
    "category": "Answer with exactly one of the options, spelled as given.",
    "json": "Answer with one JSON value only, no code fences or commentary.",
}
_TYPE_LINE = re.compile(r"^Output type:\s*(.+?)\s*$", re.MULTILINE)
_OPTIONS_LINE = re.compile(r"^Options:\s*(.+?)\s*$", re.MULTILINE)
OPTION_SEPARATOR = " | "


def cell_system_prompt(column: Column, memories: Sequence[str] = ()) -> str:
    """The system prompt for a cell of `column`: task marker, output type, options, format rule,
    and what the profile's memory says that may bear on it."""
    lines = [
        CELL_TASK,
        "You fill one cell of a spreadsheet. The user message is the column's instruction, already",
        "filled with this row's values.",
        f"Output type: {column.output_type}",
    ]
    if column.options:
        lines.append(f"Options: {OPTION_SEPARATOR.join(column.options)}")
    lines.append(_HOW[column.output_type])
    if memories:
        lines.append("What you know about the user (use it only where it is relevant):")
        lines += [f"- {m}" for m in memories]
    return "\n".join(lines)


def cell_messages(prompt: str, column: Column, memories: Sequence[str] = ()) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": cell_system_prompt(column, memories)},
        {"role": "user", "content": prompt},
    ]


def read_cell_task(system: str) -> tuple[str, list[str]]:
    """The output type and options stated in a cell's system prompt (text / none when absent)."""
    found = _TYPE_LINE.search(system)
    output_type = found.group(1).strip().lower() if found else "text"
    if output_type not in OUTPUT_TYPES:
        output_type = "text"
    options = _OPTIONS_LINE.search(system)
    parts = options.group(1).split(OPTION_SEPARATOR.strip()) if options else []
    return output_type, [part.strip() for part in parts if part.strip()]


def plan_messages(request: str, input_columns: Sequence[str]) -> list[dict[str, str]]:
    """Ask for agent columns as JSON; the user message is JSON so any model (and the simulator) reads it."""
    system = "\n".join(
        [
            PLAN_TASK,
            "You design spreadsheet columns that an AI fills cell by cell.",
            'Return a JSON object {"columns": [...]} and nothing else. Each column is',
            '{"name": str, "prompt": str, "type": one of ' + ", ".join(OUTPUT_TYPES) + ', "options": [str]}.',
            "A prompt refers to other columns as {Column Name}: only the input columns given, or",
            "columns defined earlier in your list. 'options' is required for type 'category'.",
        ]
    )
    body = json.dumps({"request": request, "input_columns": list(input_columns)}, ensure_ascii=False)
    return [{"role": "system", "content": system}, {"role": "user", "content": body}]
