"""The vector index (Chroma): derived from SQLite, one collection per namespace and memory kind.

One collection per namespace isolates profiles by construction and keeps queries fast: a
metadata `where` filter on a shared collection measured ~15x slower at 100k vectors.
"""

from __future__ import annotations

import hashlib
import logging
import os
import stat
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, TypeVar

import numpy as np

from memory.locks import file_lock

if TYPE_CHECKING:  # chromadb is imported lazily (its import is slow)
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection
    from chromadb.api.types import PyEmbeddings
    from chromadb.config import Settings

log = logging.getLogger(__name__)
_CORRUPT = ("(code: 11)", "(code: 26)", "file is not a database", "malformed")
"""How Chroma reports a damaged chroma.sqlite3 (SQLITE_CORRUPT, SQLITE_NOTADB); a locked or busy
folder is not among them, so a folder another process has open is never moved."""


class VectorIndex(Protocol):
    def upsert(
        self, namespace: str, kind: str, ids: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> None: ...

    def query(
        self, namespace: str, kind: str, vector: Sequence[float], k: int
    ) -> list[tuple[str, float]]: ...

    def distances(
        self, namespace: str, kind: str, vector: Sequence[float], ids: Sequence[str]
    ) -> list[tuple[str, float]]:
        """Cosine distances of the given ids (those indexed) to `vector`, as `query` reports them."""
        ...

    def delete(self, namespace: str, kind: str, ids: Sequence[str]) -> None: ...

    def ids(self, namespace: str, kind: str) -> set[str]: ...

    def drop_namespace(self, namespace: str) -> None: ...


CREATE_ATTEMPTS = 5
NOT_ON_DISK = "Nothing found on disk"
T = TypeVar("T")


def collection_name(namespace: str, kind: str, embedder: str) -> str:
    digest = hashlib.sha1(f"{namespace}\0{embedder}".encode()).hexdigest()[:20]
    return f"m_{digest}_{kind[:3]}"


def _user_only(folder: Path) -> None:
    """chmod a folder tree to 0700 folders and 0600 files (Chroma creates them with the umask's mode)."""
    for root, dirs, files in os.walk(folder):
        for name, mode in [(d, 0o700) for d in dirs] + [(f, 0o600) for f in files]:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
                if st.st_mode & 0o077 and not stat.S_ISLNK(st.st_mode):
                    os.chmod(path, mode)
            except OSError:  # e.g. a journal file that vanished meanwhile
                continue


class ChromaIndex:
    """Chroma collections (persistent folder or a server URL), cosine space, ids = memory ids."""

    def __init__(self, location: str | Path, embedder_name: str) -> None:
        import chromadb
        from chromadb.config import Settings

        settings = Settings(anonymized_telemetry=False, allow_reset=True)
        loc = str(location)
        self.folder: Path | None = None  # a local folder (None for a server)
        self.moved_aside: Path | None = None  # where a damaged folder went when this one started fresh
        if loc.startswith(("http://", "https://")):
            from urllib.parse import urlparse

            url = urlparse(loc)
            self.client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or 8000,
                ssl=url.scheme == "https",
                settings=settings,
            )
        else:
            # User-only whatever the caller's umask (the CLI and app set 077, a script may not):
            # the folder is 0700 so nothing in it is reachable, and its files are 0600 too.
            self.folder = Path(loc)
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(self.folder, 0o700)
            with file_lock(self.folder / ".create.lock"):  # a new folder's own tables: one process at a time
                self.client, self.moved_aside = _open_folder(self.folder, settings)
            _user_only(self.folder)
        self.embedder_name = embedder_name
        self._cols: dict[str, Collection] = {}
        self._lock = threading.RLock()

    def _col(self, namespace: str, kind: str) -> Collection:
        name = collection_name(namespace, kind, self.embedder_name)
        with self._lock:
            col = self._cols.get(name)
            if col is None:
                meta = {
                    "hnsw:space": "cosine",
                    "namespace": namespace,
                    "kind": kind,
                    "embedder": self.embedder_name,
                }
                col = self._create(name, meta)
                self._cols[name] = col
            return col

    def _create(self, name: str, metadata: dict[str, str]) -> Collection:
        """get_or_create, safe when several processes share the folder: creation holds a file
        lock (two CLI runs on a new profile raced into "table collections already exists"), and a
        passing "Nothing found on disk" from a collection another process just made is retried."""
        with file_lock(self.folder / ".create.lock") if self.folder is not None else nullcontext():
            for attempt in range(CREATE_ATTEMPTS):
                try:
                    return self.client.get_or_create_collection(name, metadata=metadata)
                except Exception:  # noqa: BLE001 - chromadb's errors for these races are untyped
                    if attempt == CREATE_ATTEMPTS - 1:
                        raise
                    time.sleep(0.1 * 2**attempt)
            raise AssertionError("unreachable")

    def upsert(
        self, namespace: str, kind: str, ids: Sequence[str], vectors: Sequence[Sequence[float]]
    ) -> None:
        if not ids:
            return
        step = 5000
        for i in range(0, len(ids), step):
            chunk = list(ids[i : i + step])
            vecs: PyEmbeddings = [list(v) for v in vectors[i : i + step]]

            def write(col: Collection, c: list[str] = chunk, v: PyEmbeddings = vecs) -> None:
                col.upsert(ids=c, embeddings=v)

            self._on(namespace, kind, write)
        self._tighten()

    def _on(self, namespace: str, kind: str, fn: Callable[[Collection], T]) -> T:
        """Run `fn(collection)`; a collection another process has just created may not be readable
        yet ("Error creating hnsw segment reader: Nothing found on disk"): reopen it and retry."""
        for attempt in range(CREATE_ATTEMPTS):
            try:
                return fn(self._col(namespace, kind))
            except Exception:  # noqa: BLE001 - chromadb's InternalError, untyped across versions
                if attempt == CREATE_ATTEMPTS - 1:
                    raise
                with self._lock:
                    self._cols.pop(collection_name(namespace, kind, self.embedder_name), None)
                time.sleep(0.1 * 2**attempt)
        raise AssertionError("unreachable")

    def _tighten(self) -> None:
        """Writes create files later (a segment's folder, its index metadata): make them 0600."""
        if self.folder is not None:
            _user_only(self.folder)

    def query(self, namespace: str, kind: str, vector: Sequence[float], k: int) -> list[tuple[str, float]]:
        # Chroma >= 1.0 returns fewer results when a collection holds fewer than k; asking for
        # count() first cost more than the query itself (6 ms at 10k vectors).
        queries: PyEmbeddings = [list(vector)]
        try:
            res = self._on(
                namespace,
                kind,
                lambda col: col.query(query_embeddings=queries, n_results=k, include=["distances"]),
            )
        except Exception as exc:  # noqa: BLE001 - see below
            if NOT_ON_DISK not in str(exc):
                raise
            # Another process created this collection and has not persisted its vectors yet
            # (Chroma writes a small index at exit): from here it is empty; the lexical ranker still finds.
            return []
        distances = res["distances"]
        if distances is None:  # only when not asked for in `include`
            raise RuntimeError("Chroma returned no distances")
        return list(zip(res["ids"][0], distances[0], strict=True))

    def distances(
        self, namespace: str, kind: str, vector: Sequence[float], ids: Sequence[str]
    ) -> list[tuple[str, float]]:
        if not ids:
            return []
        got = self._on(
            namespace, kind, lambda col: col.get(ids=list(dict.fromkeys(ids)), include=["embeddings"])
        )
        if not got["ids"]:
            return []
        q = np.asarray(vector, dtype=np.float32)
        vectors = np.asarray(got["embeddings"], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1) * (np.linalg.norm(q) or 1.0)
        cosine = vectors @ q / np.where(norms > 0, norms, 1.0)
        return [(mid, float(1.0 - c)) for mid, c in zip(got["ids"], cosine, strict=True)]

    def delete(self, namespace: str, kind: str, ids: Sequence[str]) -> None:
        if ids:
            self._col(namespace, kind).delete(ids=list(ids))
            self._tighten()

    def ids(self, namespace: str, kind: str) -> set[str]:
        col = self._col(namespace, kind)
        out: set[str] = set()
        offset, step = 0, 5000
        while True:
            got = col.get(limit=step, offset=offset, include=[])["ids"]
            out.update(got)
            if len(got) < step:
                return out
            offset += step

    def namespaces(self) -> set[tuple[str, str]]:
        """(namespace, kind) pairs that have a collection built by this embedder."""
        out = set()
        for col in self.client.list_collections():
            meta = col.metadata or {}
            if meta.get("embedder") == self.embedder_name and "namespace" in meta:
                out.add((meta["namespace"], meta["kind"]))
        return out

    def drop_namespace(self, namespace: str) -> None:
        with self._lock:
            for col in self.client.list_collections():
                if (col.metadata or {}).get("namespace") == namespace:
                    self.client.delete_collection(col.name)
                    self._cols.pop(col.name, None)


def _open_folder(path: Path, settings: Settings) -> tuple[ClientAPI, Path | None]:
    """A persistent client, and where a damaged folder was moved (None when it opened).

    A folder Chroma cannot open because it is damaged moves aside to `<name>.corrupt-<timestamp>`
    (never deleted) and a fresh one opens: the index is derived data, and the Lab's reconcile
    re-embeds every memory from SQLite, the source of truth.
    """
    import chromadb
    from chromadb.api.shared_system_client import SharedSystemClient

    try:
        return chromadb.PersistentClient(path=str(path), settings=settings), None
    except Exception as exc:
        if not any(m in str(exc) for m in _CORRUPT):
            raise
        # Chroma caches a System per path even when opening failed: drop it, or the retry reuses it.
        SharedSystemClient._identifier_to_system.pop(str(path), None)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside, n = path.with_name(f"{path.name}.corrupt-{stamp}"), 1
        while aside.exists():
            n += 1
            aside = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        path.rename(aside)
        path.mkdir(mode=0o700)
        log.warning(
            "the Chroma index %s could not be opened (%s); moved it to %s, rebuilding it from SQLite",
            path,
            exc,
            aside,
        )
        return chromadb.PersistentClient(path=str(path), settings=settings), aside
