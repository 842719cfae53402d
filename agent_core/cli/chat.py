"""`agent-ux-lab chat MESSAGE`: one turn, headless, waiting for background memory before exiting."""

from __future__ import annotations

import argparse
import sys

from sqlmodel import Session, select

from agent_core.cli.main import add_common, emit, open_lab
from agent_core.runtime.settings import ARCHITECTURES, MEMORY_MODES, PROVIDERS
from memory.models import Memory, MemoryJob


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("chat", help="send one message and print the reply")
    add_common(p)
    p.add_argument("--memory-mode", choices=MEMORY_MODES, default=None)
    p.add_argument(
        "--architecture", choices=ARCHITECTURES, default=None, help="how the turn thinks (default: settings)"
    )
    p.add_argument("--provider", choices=PROVIDERS, default=None)
    p.add_argument("--base-url", default=None)
    p.add_argument("--model", default=None)
    p.add_argument("--conversation", default=None, help="continue this conversation id (default: a new one)")
    p.add_argument("--stream", action="store_true", help="print tokens as they arrive")
    p.add_argument("message")
    p.set_defaults(func=cmd_chat)


def cmd_chat(args: argparse.Namespace) -> int:
    from agent_core.chat.agent import ChatAgent, TurnResult

    lab = open_lab(args)
    notes: list[str] = []  # what background memory could not do (a botched extraction, refused facts)
    lab.background.listeners.append(
        lambda outcome: notes.extend(outcome.result.notes if outcome.result else [])
    )
    try:
        agent = ChatAgent(lab, args.profile, memory_mode=args.memory_mode, architecture=args.architecture)
        conv = args.conversation or lab.conversations.create(args.profile).id
        result: TurnResult | None = None
        for ev in agent.run_turn(conv, args.message, stream=args.stream):
            if ev.kind == "token" and args.stream and not args.json:
                print(ev.data["text"], end="", flush=True)
            if ev.kind == "done":
                result = ev.data["result"]
        assert result is not None  # run_turn always ends with a "done" event
        lab.background.flush(120)
        written = list(result.written)
        for job in lab.background.pending(args.profile):
            written.append({"mode": "background", "pending_job": job.id})
        with Session(lab.engine, expire_on_commit=False) as s:
            bg = list(
                s.exec(
                    select(Memory).where(
                        Memory.source_run_id == result.run_id, Memory.write_mode == "background"
                    )
                )
            )
            job = s.get(MemoryJob, result.job_id) if result.job_id else None
        # A turn whose memory was lost is never reported as a success.
        memory_error = None
        if job is not None and job.status == "failed":
            memory_error = f"background memory failed after {job.attempts} attempts: {job.error}"
        elif job is not None and job.status == "pending":
            memory_error = "background memory is still pending (it runs at the next start)"
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
        from agent_core.runtime.runs import load_run

        loaded = load_run(lab.engine, result.run_id)
        assert loaded is not None  # the turn recorded its run
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
            for st in loaded[1]
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
            "memory_error": memory_error,
            "steps": steps,
        }
        if args.stream and not args.json:
            print()  # the reply (or the part that came) is already on screen
            if result.error:
                kept = " (the partial reply above was kept)" if result.reply else ""
                print(f"error: {result.error}{kept}", file=sys.stderr)
        else:
            emit(args, out, result.reply if not result.error else f"error: {result.error}")
        if memory_error:
            print(f"error: {memory_error}", file=sys.stderr)
        return 1 if result.error else (4 if memory_error else 0)
    finally:
        lab.close()
