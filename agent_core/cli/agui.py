"""`agent-ux-lab agui export|import` and `serve-agui`: the lab's runs as AG-UI event streams.

`serve-agui` is an AG-UI agent endpoint on 127.0.0.1: POST a RunAgentInput (threadId, runId,
messages; forwardedProps may name a `profile`, and a `memoryMode` unless --memory-mode pins one) and the turn streams back as
Server-Sent Events shaped like an export: the state snapshot, text, tool calls, memory reads and
writes as CUSTOM events each followed by its STATE_DELTA, the MESSAGES_SNAPSHOT, RUN_FINISHED. An
AG-UI client (CopilotKit, a designer's prototype, the lab's own chat) can talk to the lab's agent.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from agent_core.cli.main import add_common, open_lab


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("agui", help="export a run as AG-UI events, or import an AG-UI recording")
    asub = p.add_subparsers(dest="action", required=True)
    ex = asub.add_parser("export", help="a run as AG-UI JSONL")
    add_common(ex)
    ex.add_argument("run_id")
    ex.add_argument("--out", type=Path, default=None, help="file to write (default: stdout)")
    im = asub.add_parser("import", help="an AG-UI JSONL (or SSE) recording, shown in Traces as a run")
    add_common(im)
    im.add_argument("file", type=Path)
    p.set_defaults(func=cmd_agui)
    s = sub.add_parser("serve-agui", help="serve the lab's chat agent as an AG-UI endpoint on 127.0.0.1")
    add_common(s)
    s.add_argument("--port", type=int, default=8766)
    s.add_argument("--memory-mode", default=None)
    s.set_defaults(func=cmd_serve)


def cmd_agui(args: argparse.Namespace) -> int:
    from agent_core.agui import events as agui

    lab = open_lab(args)
    try:
        if args.action == "export":
            try:
                text = agui.to_jsonl(agui.run_events(lab.engine, args.run_id))
            except KeyError as exc:
                print(f"error: {exc.args[0]}", file=sys.stderr)
                return 2
            if args.out:
                args.out.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return 0
        try:
            events = agui.read_jsonl(args.file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
            return 2
        run_id = agui.import_events(lab.engine, events, profile=args.profile)
        print(f"imported {len(events)} events as run {run_id} (open it in Traces)")
        return 0
    finally:
        lab.close()


def make_server(lab, port: int = 0, memory_mode: str | None = None) -> ThreadingHTTPServer:  # noqa: ANN001 - Lab
    """The AG-UI endpoint over a Lab (port 0: a free one); `serve_forever` it on a thread."""
    from agent_core.agui.turns import TurnEvents
    from agent_core.chat.agent import ChatAgent
    from memory.pipeline import MEMORY_MODES

    threads: dict[str, str] = {}  # AG-UI thread id → the lab's conversation id
    lock = threading.Lock()

    def history(conversation_id: str) -> list[dict]:
        return [
            {"id": m.id, "role": m.role, "content": m.content}
            for m in lab.conversations.messages(conversation_id)
            if m.role in ("user", "assistant") and m.content
        ]

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_: object) -> None:  # quiet: the CLI prints its own line
            return

        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("content-length") or 0)) or b"{}")
                text = next(m["content"] for m in reversed(body["messages"]) if m.get("role") == "user")
            except (ValueError, KeyError, StopIteration, TypeError):
                self.send_error(400, "expected a RunAgentInput with a user message")
                return
            props = body.get("forwardedProps") if isinstance(body.get("forwardedProps"), dict) else {}
            profile = str(props.get("profile") or lab.settings.profile)
            asked = props.get("memoryMode") if props.get("memoryMode") in MEMORY_MODES else None
            mode = memory_mode or asked  # --memory-mode pins it; else the client's; else settings
            thread = str(body.get("threadId") or "agui")
            with lock:
                if thread not in threads:
                    threads[thread] = lab.conversations.create(profile).id
            conversation = threads[thread]
            live = TurnEvents(thread, str(body.get("runId") or ""), lambda: history(conversation))
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.end_headers()
            self._send(live.start())

            def on_step(event: str, step: object) -> None:  # this turn's steps come on this thread
                self._send(live.step(event, step))

            lab.step_listeners.append(on_step)
            try:
                agent = ChatAgent(lab, profile, memory_mode=mode)
                turn = agent.run_turn(conversation, str(text), stream=True, should_stop=lambda: self.gone)
                for ev in turn:
                    self._send(live.of(ev.kind, ev.data))
            finally:
                lab.step_listeners.remove(on_step)

        gone = False
        """The client hung up (its Stop): the turn stops, its partial reply is kept as stopped."""

        def _send(self, events: list[dict]) -> None:
            if not events or self.gone:
                return
            try:
                for event in events:
                    self.wfile.write(
                        f"data: {json.dumps(event, ensure_ascii=False, default=str)}\n\n".encode()
                    )
                self.wfile.flush()
            except OSError:  # BrokenPipeError, ConnectionResetError
                self.gone = True

    return ThreadingHTTPServer(("127.0.0.1", port), Handler)


def cmd_serve(args: argparse.Namespace) -> int:
    lab = open_lab(args)
    server = make_server(lab, args.port, args.memory_mode)
    print(
        f"AG-UI endpoint on http://127.0.0.1:{server.server_address[1]}/ (POST a RunAgentInput; Ctrl-C stops)"
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        lab.close()
    return 0
