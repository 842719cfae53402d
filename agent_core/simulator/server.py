"""`agent-ux-lab serve-sim`: the simulator on 127.0.0.1 over real HTTP (SSE included)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from agent_core.simulator.core import SimConfig, SimCore, SimError


class SimServer(ThreadingHTTPServer):
    core: SimCore  # the simulator it serves (tests script its faults through it)


def make_server(port: int = 0, config: SimConfig | None = None, host: str = "127.0.0.1") -> SimServer:
    core = SimCore(config)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt: str, *args: object) -> None:  # quiet: no request bodies in logs
            return

        def _send_json(self, status: int, obj: dict, headers: dict | None = None) -> None:
            data = json.dumps(obj, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _handle(self, method: str) -> None:
            body = None
            if method == "POST":
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                try:
                    body = json.loads(raw or b"null")
                except json.JSONDecodeError:
                    return self._send_json(400, {"error": {"message": "request body is not JSON"}})
            try:
                planned = core.handle(method, self.path, body)
            except SimError as exc:
                if exc.timeout:
                    time.sleep(core.config.hang_s)
                return self._send_json(504 if exc.timeout else exc.status, {"error": {"message": str(exc)}})
            if planned.chunks is None:
                return self._send_json(planned.status, planned.body or {}, planned.headers)
            self.send_response(planned.status)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            try:
                for delay, data in planned.chunks:
                    if delay > 0:
                        time.sleep(delay)
                    self.wfile.write(data)
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True

        def do_GET(self) -> None:  # noqa: N802 - http.server API
            self._handle("GET")

        def do_POST(self) -> None:  # noqa: N802 - http.server API
            self._handle("POST")

    server = SimServer((host, port), Handler)
    server.daemon_threads = True
    server.core = core
    return server


def serve_in_thread(port: int = 0, config: SimConfig | None = None) -> tuple[SimServer, str]:
    """Start a server on a background thread; returns it and its base URL (…/v1)."""
    server = make_server(port, config)
    threading.Thread(target=server.serve_forever, name="serve-sim", daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/v1"
