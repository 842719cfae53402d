"""A scripted AG-UI endpoint on a loopback port: what a LangGraph / ADK agent's server could send.

`FakeAgui().script` is the next run's answer: a list of events (sent as SSE), or raw text (sent
as is, for malformed streams), or `Status(500, "...")`; each request's body lands in `requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Status:
    code: int
    body: str = ""
    content_type: str = "text/plain"


class FakeAgui:
    def __init__(self) -> None:
        self.script: list[dict] | str | Status = []
        self.delay_s = 0.0
        self.requests: list[dict] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: object) -> None:
                return

            def do_POST(self) -> None:  # noqa: N802
                fake.requests.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
                script = fake.script
                if isinstance(script, Status):
                    self.send_response(script.code)
                    self.send_header("content-type", script.content_type)
                    self.end_headers()
                    self.wfile.write(script.body.encode())
                    return
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.end_headers()
                time.sleep(fake.delay_s)
                text = (
                    script
                    if isinstance(script, str)
                    else "".join(f"data: {json.dumps(e)}\n\n" for e in script)
                )
                self.wfile.write(text.encode())

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/agent"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def __enter__(self) -> FakeAgui:
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def run(*events: dict, run_id: str = "r1", outcome: dict | None = None) -> list[dict]:
    """A run's events between RUN_STARTED and RUN_FINISHED (with `outcome`, if any)."""
    end: dict = {"type": "RUN_FINISHED", "threadId": "t", "runId": run_id}
    if outcome is not None:
        end["outcome"] = outcome
    return [{"type": "RUN_STARTED", "threadId": "t", "runId": run_id}, *events, end]


def text(message: str, mid: str = "m1") -> list[dict]:
    return [
        {"type": "TEXT_MESSAGE_START", "messageId": mid, "role": "assistant"},
        *(
            {"type": "TEXT_MESSAGE_CONTENT", "messageId": mid, "delta": w}
            for w in re.findall(r"\S+\s*", message)
        ),
        {"type": "TEXT_MESSAGE_END", "messageId": mid},
    ]
