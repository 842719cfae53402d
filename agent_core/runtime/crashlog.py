"""Crash reports: `crash-<process>.log` in the data dir, user-only, secrets scrubbed.

`install` turns on `faulthandler` for fatal signals (a crash inside Qt or a C extension still
leaves every thread's Python stack behind: frames and names, never values) and records uncaught
exceptions of the main and other threads with their messages scrubbed of API keys. Each process
(the app, the agent engine) has its own log and marks each session in it, so `last_fatal` can tell
the next start that the previous one died, and where to look.
"""

from __future__ import annotations

import faulthandler
import os
import sys
import threading
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from agent_core.runtime.runs import scrub

MAX_BYTES = 1_000_000  # older reports are dropped beyond this: the log stays small
SESSION = "=== session"
FATAL = "Fatal Python error"

_file: TextIO | None = None


def _open(path: Path) -> TextIO:
    if path.exists() and path.stat().st_size > MAX_BYTES:
        tail = path.read_bytes()[-MAX_BYTES // 2 :]
        path.write_bytes(tail[tail.find(b"\n") + 1 :])
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    os.chmod(path, 0o600)
    return os.fdopen(fd, "a", encoding="utf-8", errors="replace", buffering=1)


def log_path(data_dir: Path | str, process: str = "app") -> Path:
    return Path(data_dir) / f"crash-{process}.log"


def install(data_dir: Path | str, process: str = "app") -> Path:
    """Start writing this process's crash reports to `log_path`; returns it."""
    global _file
    path = log_path(data_dir, process)
    path.parent.mkdir(parents=True, exist_ok=True)
    if _file is not None:
        _file.close()
    _file = f = _open(path)
    f.write(f"{SESSION} pid {os.getpid()} started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC\n")
    faulthandler.enable(file=f, all_threads=True)
    if sys.excepthook is not _excepthook:  # hooked once per process, whatever else was there kept
        _previous.update(sys=sys.excepthook, threading=threading.excepthook)
        sys.excepthook, threading.excepthook = _excepthook, _thread_hook
    return path


_previous: dict = {}


def _excepthook(kind: type[BaseException], exc: BaseException, tb: object) -> None:
    report("uncaught exception", exc)
    _previous["sys"](kind, exc, tb)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is not None:
        report(f"uncaught exception in thread {args.thread.name if args.thread else '?'}", args.exc_value)
    _previous["threading"](args)


def report(what: str, exc: BaseException) -> None:
    """Append one scrubbed traceback (no-op before `install`)."""
    if _file is None:
        return
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    _file.write(f"--- {what} at {datetime.now(UTC):%H:%M:%S} UTC\n{scrub(text)}\n")


def last_fatal(data_dir: Path | str, process: str = "app") -> str | None:
    """The first line of a fatal error in `process`'s latest finished session, if it died of one.

    Call before `install` (which starts a new session)."""
    try:
        text = log_path(data_dir, process).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    start = text.rfind(SESSION)
    if start < 0:
        return None
    session = text[start:]
    line = next((ln for ln in session.splitlines() if ln.startswith(FATAL)), None)
    return line.removeprefix(f"{FATAL}: ").strip() if line else None
