"""Chroma in a child process, for the desktop app.

Chroma's Rust bindings hold the GIL for a whole call: an upsert took 15–150 ms on this machine,
and for that long no other Python thread ran — the GUI thread included (measured by
`bench/bench_memory.py --only gil`). Across a pipe the same calls cost the GUI nothing: waiting
on a pipe releases the GIL. The CLI and tests keep the in-process `ChromaIndex`.

The child also listens on a private Unix socket, so the agent engine process (`agent_core.runtime.engine`)
shares the same index instead of opening the Chroma folder a second time: one writer, many clients.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import os
import secrets
import shutil
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from multiprocessing.connection import Client, Connection, Listener
from pathlib import Path
from typing import cast

RECONNECT_WAIT_S = 0.5
RECONNECT_ATTEMPTS = 10
"""A call whose connection was dead is retried for up to ~5 s: the owner restarts a dead index
process at once (its watcher), and a restarted Chroma takes a second or two to listen."""


class IndexProcessError(RuntimeError):
    """The index process reported an error (its message names the original exception)."""


def _answer(conn: Connection, index: object, lock: threading.Lock) -> None:
    """Serve one client's calls until it hangs up ("close" from the owner ends the process)."""
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            return
        if method == "close":
            conn.send((True, None))
            return
        try:
            with lock:
                value = getattr(index, method)(*args)
            conn.send((True, value))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            conn.send((False, f"{type(exc).__name__}: {exc}"))


def _accept(listener: Listener, index: object, lock: threading.Lock) -> None:
    while True:
        try:
            conn = listener.accept()
        except (OSError, EOFError):
            return
        except Exception:  # noqa: BLE001 - a client with the wrong key: refuse it, keep serving
            continue
        threading.Thread(target=_answer, args=(conn, index, lock), daemon=True, name="index-client").start()


def _serve(conn: Connection, location: str, embedder_name: str, authkey: bytes, address: str) -> None:
    from memory.index import ChromaIndex

    os.umask(0o077)  # this process writes only the index: every file of it user-only
    try:
        index = ChromaIndex(location, embedder_name)
        if os.path.exists(address):  # a predecessor that died left its socket file
            os.unlink(address)
        listener = Listener(address, family="AF_UNIX", authkey=authkey)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send((False, f"{type(exc).__name__}: {exc}"))
        return
    lock = threading.Lock()
    threading.Thread(target=_accept, args=(listener, index, lock), daemon=True, name="index-accept").start()
    conn.send((True, listener.address))
    _answer(conn, index, lock)
    listener.close()


class _IndexClient(ABC):
    """The VectorIndex protocol over a connection to the index process.

    Subclasses say how they get their connection (`_connect`) and what losing it means (`_lost`).
    """

    _lock: threading.Lock
    _conn: Connection | None

    @abstractmethod
    def _connect(self) -> Connection: ...

    @abstractmethod
    def _lost(self, method: str, exc: BaseException) -> str: ...

    def _call(self, method: str, *args: object) -> object:
        """One call; a connection found dead is opened again (the index process may have been
        restarted on the same socket) and the call retried once: every index call is idempotent.

        The value is unpickled from the index process, which ran ChromaIndex's method of the same
        name: the typed methods below `cast` it to that method's return type."""
        with self._lock:
            for attempt in range(1, RECONNECT_ATTEMPTS + 1):
                try:
                    conn = self._connect()
                    conn.send((method, args))
                    ok, value = conn.recv()
                    break
                except multiprocessing.AuthenticationError as exc:  # a wrong key: no point retrying
                    self._conn = None
                    raise IndexProcessError(self._lost(method, exc)) from exc
                except (EOFError, OSError) as exc:
                    self._conn = None
                    if attempt == RECONNECT_ATTEMPTS:
                        raise IndexProcessError(self._lost(method, exc)) from exc
                    time.sleep(RECONNECT_WAIT_S)
        if not ok:
            raise IndexProcessError(f"Chroma {method} failed: {value}")
        return value

    def upsert(
        self, namespace: str, kind: str, ids: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> None:
        if ids:
            self._call("upsert", namespace, kind, list(ids), [list(map(float, v)) for v in vectors])

    def query(self, namespace: str, kind: str, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        return cast(
            list[tuple[str, float]], self._call("query", namespace, kind, list(map(float, vector)), k)
        )

    def distances(
        self, namespace: str, kind: str, vector: Sequence[float], ids: Sequence[str]
    ) -> list[tuple[str, float]]:
        if not ids:
            return []
        got = self._call("distances", namespace, kind, list(map(float, vector)), list(ids))
        return cast(list[tuple[str, float]], got)

    def delete(self, namespace: str, kind: str, ids: Sequence[str]) -> None:
        if ids:
            self._call("delete", namespace, kind, list(ids))

    def ids(self, namespace: str, kind: str) -> set[str]:
        return cast(set[str], self._call("ids", namespace, kind))

    def namespaces(self) -> set[tuple[str, str]]:
        return cast(set[tuple[str, str]], self._call("namespaces"))

    def drop_namespace(self, namespace: str) -> None:
        self._call("drop_namespace", namespace)


class ChromaProcessIndex(_IndexClient):
    """The VectorIndex protocol served by a `ChromaIndex` in a spawned child process it owns.

    Construction is free; the process starts on first use (the Lab's warm-up, off the GUI thread).
    Calls are serialised over one pipe, which Chroma's own write lock would do anyway.
    """

    def __init__(self, location: str | Path, embedder_name: str) -> None:
        self.location = str(location)
        self.embedder_name = embedder_name
        self._lock = threading.Lock()
        self._authkey = secrets.token_bytes(32)
        # One socket path for every process this owner starts: a restarted index is found again
        # by the clients of the dead one (the agent engine's), with no new address to hand out.
        self._sock_dir = tempfile.mkdtemp(prefix="aux-index-")  # 0700: only this user can connect
        self._address = os.path.join(self._sock_dir, "index.sock")
        self._conn: Connection | None = None
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._started = 0
        self._closing = False
        self.restarts = 0
        """How often a dead index process was started again (the status bar shows it)."""

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no forked copies of Qt or SQLite handles
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_serve,
            args=(child, self.location, self.embedder_name, self._authkey, self._address),
            daemon=True,
            name="chroma-index",
        )
        proc.start()
        child.close()
        ok, message = parent.recv()
        if not ok:
            proc.join(5)
            raise IndexProcessError(f"the Chroma index process could not open {self.location}: {message}")
        self._conn, self._proc = parent, proc
        self.restarts += self._started
        self._started = 1
        threading.Thread(target=self._watch, args=(proc,), daemon=True, name="index-watch").start()

    def _watch(self, proc: multiprocessing.process.BaseProcess) -> None:
        """Start the index again as soon as it dies (not when closed): the agent engine's client
        reconnects on the same socket, so neither process needs a restart of its own."""
        multiprocessing.connection.wait([proc.sentinel])
        time.sleep(RECONNECT_WAIT_S)
        with self._lock:
            if self._proc is proc and not self._closing:
                self._conn = None
                with contextlib.suppress(IndexProcessError):  # the next call tries again and says why
                    self._start()

    def _connect(self) -> Connection:
        if self._conn is None or self._proc is None or not self._proc.is_alive():
            self._start()
        assert self._conn is not None
        return self._conn

    def _lost(self, method: str, exc: BaseException) -> str:
        return f"the Chroma index process died during {method}: {exc}"

    def share(self) -> tuple[str, bytes]:
        """(socket address, key) another process passes to `IndexClient` to use this same index."""
        with self._lock:
            self._connect()
            assert self._address is not None
            return self._address, self._authkey

    def close(self) -> None:
        with self._lock:
            self._closing = True
            if self._conn is not None and self._proc is not None and self._proc.is_alive():
                try:
                    self._conn.send(("close", ()))
                    self._conn.recv()
                except (EOFError, OSError):
                    pass
                self._proc.join(5)
            if self._proc is not None and self._proc.is_alive():
                self._proc.kill()
            self._conn = self._proc = None
        shutil.rmtree(self._sock_dir, ignore_errors=True)


class IndexClient(_IndexClient):
    """A connection to an index process another process owns (see `ChromaProcessIndex.share`)."""

    def __init__(self, address: str, authkey: bytes) -> None:
        self._address, self._authkey = address, authkey
        self._lock = threading.Lock()
        self._conn: Connection | None = None

    def _connect(self) -> Connection:
        if self._conn is None:
            self._conn = Client(self._address, family="AF_UNIX", authkey=self._authkey)
        return self._conn

    def _lost(self, method: str, exc: BaseException) -> str:
        return f"the shared index is unreachable ({method}): {exc}"

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
