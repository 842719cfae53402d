"""Chroma in a child process, for the desktop app.

Chroma's Rust bindings hold the GIL for a whole call: an upsert took 15–150 ms on this machine,
and for that long no other Python thread ran — the GUI thread included (measured by
`bench/bench_memory.py --only gil`). Across a pipe the same calls cost the GUI nothing: waiting
on a pipe releases the GIL. The CLI and tests keep the in-process `ChromaIndex`.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Sequence
from multiprocessing.connection import Connection
from pathlib import Path


class IndexProcessError(RuntimeError):
    """The index process reported an error (its message names the original exception)."""


def _serve(conn: Connection, location: str, embedder_name: str) -> None:
    from memory.index import ChromaIndex

    try:
        index = ChromaIndex(location, embedder_name)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it
        conn.send((False, f"{type(exc).__name__}: {exc}"))
        return
    conn.send((True, "ready"))
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            return
        if method == "close":
            conn.send((True, None))
            return
        try:
            conn.send((True, getattr(index, method)(*args)))
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the caller
            conn.send((False, f"{type(exc).__name__}: {exc}"))


class ChromaProcessIndex:
    """The VectorIndex protocol served by a `ChromaIndex` in a spawned child process.

    Construction is free; the process starts on first use (the Lab's warm-up, off the GUI thread).
    Calls are serialised over one pipe, which Chroma's own write lock would do anyway.
    """

    def __init__(self, location: str | Path, embedder_name: str) -> None:
        self.location = str(location)
        self.embedder_name = embedder_name
        self._lock = threading.Lock()
        self._conn: Connection | None = None
        self._proc: multiprocessing.process.BaseProcess | None = None

    def _start(self) -> None:
        ctx = multiprocessing.get_context("spawn")  # no forked copies of Qt or SQLite handles
        parent, child = ctx.Pipe()
        proc = ctx.Process(
            target=_serve, args=(child, self.location, self.embedder_name), daemon=True, name="chroma-index"
        )
        proc.start()
        child.close()
        ok, message = parent.recv()
        if not ok:
            proc.join(5)
            raise IndexProcessError(f"the Chroma index process could not open {self.location}: {message}")
        self._conn, self._proc = parent, proc

    def _call(self, method: str, *args: object) -> object:
        with self._lock:
            if self._conn is None or self._proc is None or not self._proc.is_alive():
                self._start()
            assert self._conn is not None
            try:
                self._conn.send((method, args))
                ok, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                self._conn = None
                raise IndexProcessError(f"the Chroma index process died during {method}: {exc}") from exc
        if not ok:
            raise IndexProcessError(f"Chroma {method} failed: {value}")
        return value

    def upsert(
        self, namespace: str, kind: str, ids: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> None:
        if ids:
            self._call("upsert", namespace, kind, list(ids), [list(map(float, v)) for v in vectors])

    def query(self, namespace: str, kind: str, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        return self._call("query", namespace, kind, list(map(float, vector)), k)  # type: ignore[return-value]

    def delete(self, namespace: str, kind: str, ids: Sequence[str]) -> None:
        if ids:
            self._call("delete", namespace, kind, list(ids))

    def ids(self, namespace: str, kind: str) -> set[str]:
        return self._call("ids", namespace, kind)  # type: ignore[return-value]

    def namespaces(self) -> set[tuple[str, str]]:
        return self._call("namespaces")  # type: ignore[return-value]

    def drop_namespace(self, namespace: str) -> None:
        self._call("drop_namespace", namespace)

    def close(self) -> None:
        with self._lock:
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
