"""The simulator's sheet tasks, so offline cells and plans travel the same HTTP path as real ones.

`sheet_cell` answers with `simfill.fill_cell` for the type and options stated in the system prompt;
`plan_columns` answers with the rule planner's columns as JSON. Importing this module registers both.
"""

from __future__ import annotations

import json
import random

from agent_core.sheet.planner import plan_columns
from agent_core.sheet.prompts import read_cell_task
from agent_core.sheet.simfill import fill_cell
from agent_core.sheet.spec import spec_of
from agent_core.simulator.brain import Reply, last_user, system_text, task


@task("sheet_cell")
def sheet_cell(req: dict, rng: random.Random) -> Reply:
    """Same prompt, type, options and seed → same answer as `SimCellRunner(seed)` gives offline."""
    output_type, options = read_cell_task(system_text(req))
    seed = int(req.get("seed") or 0)
    return Reply(content=fill_cell(last_user(req), output_type, options or None, seed))


@task("plan_columns")
def plan(req: dict, rng: random.Random) -> Reply:
    try:
        body = json.loads(last_user(req))
    except json.JSONDecodeError:
        body = {"request": last_user(req), "input_columns": []}
    columns = plan_columns(str(body.get("request", "")), [str(c) for c in body.get("input_columns", [])])
    return Reply(content=json.dumps({"columns": spec_of(columns)}, ensure_ascii=False))
