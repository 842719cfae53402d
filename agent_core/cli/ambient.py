"""`agent-ux-lab ambient run`: ambient agents over an event file, answered from a script.

The answers file maps an event id, or an item kind (notify / question / review), to a response:
either a word ("accept", "ignore", "always ignore") or {"type": ..., "args": ...}. Event ids win
over kinds. With the same --data-dir, a second run skips events already processed (exactly once).
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from agent_core.cli.main import add_common, emit, open_lab
from memory.pipeline import UpdateMode

AMBIENT_MODES = tuple(m.value for m in UpdateMode if m is not UpdateMode.BOTH)
"""An ambient run learns its lessons on the hot path, at its end, or not at all."""

if TYPE_CHECKING:
    from agent_core.ambient.inbox import InboxItem

AGENT_KINDS = ("triage", "scheduler", "researcher")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("ambient", help="run ambient agents over an event stream")
    asub = p.add_subparsers(dest="action", required=True)
    q = asub.add_parser("run", help="process an event file with the simulator, answer items, exit")
    add_common(q)
    q.add_argument("--events", type=Path, required=True, help="JSON list of emails / calendar events")
    q.add_argument("--answers", type=Path, default=None, help="JSON: event id or item kind -> response")
    q.add_argument("--agents", default=",".join(AGENT_KINDS), help="comma-separated agent kinds")
    q.add_argument("--memory-mode", default="hot_path", choices=AMBIENT_MODES)
    p.set_defaults(func=cmd_ambient)


def parse_response(value: object) -> dict:
    if isinstance(value, dict):
        return dict(value)
    word = str(value).strip().lower()
    if word in ("accept", "ignore"):
        return {"type": word}
    if word.startswith("always ignore"):
        return {"type": "ignore", "always": True}
    return {"type": "response", "args": str(value)}


def cmd_ambient(args: argparse.Namespace) -> int:
    from agent_core.ambient import AmbientAgent, AmbientHub, JsonSource

    if args.data_dir is None:
        args.data_dir = Path(tempfile.mkdtemp(prefix="ambient-"))
    args.embedder = args.embedder or "hash-256"
    answers = json.loads(args.answers.read_text(encoding="utf-8")) if args.answers else {}
    if not isinstance(answers, dict):
        print("error: the answers file must be a JSON object")
        return 2
    try:
        events = JsonSource(args.events).events()
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: cannot read events: {exc}")
        return 2
    kinds = [k.strip() for k in args.agents.split(",") if k.strip() in AGENT_KINDS]
    lab = open_lab(args)
    log: list[dict] = []
    try:
        hub = AmbientHub(lab, [AmbientAgent(k, k, args.profile, args.memory_mode) for k in kinds])
        hub.inbox.listeners.append(lambda ev, it: log.append(_item_row(ev, it)))
        hub.recover()
        skipped = 0
        for e in events:
            accepting = sum(a.accepts(e) for a in hub.agents.values())
            skipped += accepting - len(hub.deliver(e))
        for _round in range(10):
            todo = [(it, answers.get(it.event_id, answers.get(it.kind))) for it in hub.inbox.items()]
            todo = [(it, r) for it, r in todo if r is not None]
            if not todo:
                break
            for it, r in todo:
                try:
                    hub.answer(it.id, parse_response(r))
                except ValueError as exc:
                    log.append({"event": "rejected", "item": it.id, "error": str(exc)})
        # background memory (jobs the answers queued) lands before the command reports and exits
        memory_settled = lab.background.flush(60)
        actions = [
            {"agent": a.agent, "run_id": a.run_id, "action": a.action, "args": json.loads(a.args_json)}
            for a in hub.actions()
        ]
        pending = [_item_row("pending", it) for it in hub.inbox.items()]
        out = {
            "data_dir": str(args.data_dir),
            "events": len(events),
            "skipped_already_processed": skipped,
            "inbox": log,
            "actions": actions,
            "pending": pending,
            "unread": hub.inbox.unread_counts(),
            "memory_jobs_pending": 0 if memory_settled else len(lab.background.pending()),
        }
        text = "\n".join(
            [
                f"{r['event']:>10}  {r['kind']:<8} p{r['priority']} {r['agent']:<10} {r['title']}"
                for r in log
                if "kind" in r
            ]
            + [
                f"{'action':>10}  {a['agent']:<10} {a['action']} {json.dumps(a['args'])[:80]}"
                for a in actions
            ]
            + [f"{len(events)} events, {len(pending)} items pending, data in {args.data_dir}"]
        )
        emit(args, out, text)
        return 0
    finally:
        lab.close()


def _item_row(event: str, it: InboxItem) -> dict:
    return {
        "event": event,
        "id": it.id,
        "kind": it.kind,
        "agent": it.agent,
        "event_id": it.event_id,
        "priority": it.priority,
        "title": it.title,
        "action_request": it.action_request,
        "response": it.response,
        "status": it.status,
    }
