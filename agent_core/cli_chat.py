"""`agent-ux-lab chat MESSAGE`: one turn, headless, waiting for background memory before exiting."""

from __future__ import annotations

import argparse

from sqlmodel import Session

from agent_core.cli import add_common, emit, open_lab
from agent_core.settings import MEMORY_MODES, PROVIDERS
from memory.models import Memory


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="send one message and print the reply")
    add_common(p)
    p.add_argument("--memory-mode", choices=MEMORY_MODES, default=None)
    p.add_argument("--provider", choices=PROVIDERS, default=None)
    p.add_argument("--base-url", default=None)
    p.add_argument("--model", default=None)
    p.add_argument("--conversation", default=None, help="continue this conversation id (default: a new one)")
    p.add_argument("--stream", action="store_true", help="print tokens as they arrive")
    p.add_argument("message")
    p.set_defaults(func=cmd_chat)


def cmd_chat(args: argparse.Namespace) -> int:
    from agent_core.agent import ChatAgent

    lab = open_lab(args)
    notes: list[str] = []  # what background memory could not do (a botched extraction, refused facts)
    lab.background.listeners.append(
        lambda outcome: notes.extend(outcome.result.notes if outcome.result else [])
    )
    try:
        agent = ChatAgent(lab, args.profile, memory_mode=args.memory_mode)
        conv = args.conversation or lab.conversations.create(args.profile).id
        result = None
        for ev in agent.run_turn(conv, args.message, stream=args.stream):
            if ev.kind == "token" and args.stream and not args.json:
                print(ev.data["text"], end="", flush=True)
            if ev.kind == "done":
                result = ev.data["result"]
        lab.background.flush()
        written = list(result.written)
        for job in lab.background.pending(args.profile):
            written.append({"mode": "background", "pending_job": job.id})
        with Session(lab.engine, expire_on_commit=False) as s:
            bg = [
                m
                for m in s.exec(
                    __import__("sqlmodel")
                    .select(Memory)
                    .where(Memory.source_run_id == result.run_id, Memory.write_mode == "background")
                )
            ]
        written += [
            {
                "mode": "background",
                "id": m.id,
                "kind": m.kind,
                "content": m.content,
                "latency_ms": round(m.write_latency_ms, 2),
                "recallable_at": m.recallable_at,
            }
            for m in bg
        ]
        from agent_core.runs import load_run

        steps = [
            {
                "seq": st.seq,
                "kind": st.kind,
                "name": st.name,
                "status": st.status,
                "latency_ms": round(st.latency_ms, 2),
                "prompt_tokens": st.prompt_tokens,
                "completion_tokens": st.completion_tokens,
            }
            for st in load_run(lab.engine, result.run_id)[1]
        ]
        out = {
            "reply": result.reply,
            "error": result.error,
            "conversation_id": conv,
            "run_id": result.run_id,
            "latency_ms": round(result.latency_ms, 2),
            "memory_latency_ms": round(result.memory_latency_ms, 2),
            "recalled": result.recalled,
            "written": written,
            "memory_notes": result.notes + notes,
            "steps": steps,
        }
        if args.stream and not args.json:
            print()
            text = ""
        else:
            text = result.reply if not result.error else f"error: {result.error}"
        emit(args, out, text)
        return 1 if result.error else 0
    finally:
        lab.close()
