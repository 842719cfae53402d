"""Background memory: persisted jobs, run by a debounced worker after the conversation goes idle.

Like langmem's reflection executor, a new submission for the same key cancels the pending timer;
unlike it, every turn is first persisted as a `MemoryJob`, so pending work survives a crash and
re-runs at start-up. Plain threads, no Qt; the clock is a seam so tests never sleep.
"""

from __future__ import annotations

import functools
import json
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from memory.clock import Clock, SystemClock
from memory.consolidation import MemoryWriter, Source, WriteResult
from memory.models import MemoryJob
from memory.prompts import current_namespace
from memory.secrets import scrub


class DebouncedExecutor:
    """Run `fn` for a key once `after_seconds` have passed with no newer submission for that key."""

    def __init__(self, clock: Clock | None = None, poll: float = 0.02) -> None:
        self.clock = clock or SystemClock()
        self._poll = poll
        self._due: dict[str, tuple[float, Callable[[], object]]] = {}
        self._cond = threading.Condition()
        self._running = 0
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="memory-debounce", daemon=True)
        self._thread.start()

    def submit(self, key: str, fn: Callable[[], object], after_seconds: float) -> None:
        with self._cond:
            self._due[key] = (self.clock.monotonic() + after_seconds, fn)
            self._cond.notify_all()

    def postpone(self, key: str, after_seconds: float) -> bool:
        """Push a pending run for `key` back (the conversation is active again); False if none."""
        with self._cond:
            if key not in self._due:
                return False
            self._due[key] = (self.clock.monotonic() + after_seconds, self._due[key][1])
            return True

    def flush(self) -> None:
        """Make everything pending due now."""
        with self._cond:
            self._due = {k: (float("-inf"), fn) for k, (_t, fn) in self._due.items()}
            self._cond.notify_all()

    def idle(self) -> bool:
        with self._cond:
            return not self._due and self._running == 0

    def wait_idle(self, timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._due or self._running:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(min(left, self._poll))
        return True

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._cond:
                if self._closed:
                    return
                now = self.clock.monotonic()
                ready = [k for k, (t, _fn) in self._due.items() if t <= now]
                if not ready:
                    self._cond.wait(self._poll)
                    continue
                key = min(ready, key=lambda k: self._due[k][0])
                _t, fn = self._due.pop(key)
                self._running += 1
            try:
                fn()
            except Exception:  # noqa: BLE001 - a worker must survive any job; the job records its error
                traceback.print_exc()
            finally:
                with self._cond:
                    self._running -= 1
                    self._cond.notify_all()


MAX_ATTEMPTS = 3
BACKOFF_S = 0.5
"""Retries wait 0.5 s, then 2 s; the third failure is final."""


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class JobOutcome:
    job_id: str
    namespace: str
    payload: dict
    result: WriteResult | None
    error: str | None
    retrying: bool = False
    """The run raised and will be retried after a backoff (no listener hears of it yet)."""


class BackgroundMemory:
    """Queue of memory jobs per namespace, processed after `debounce_s` of idleness."""

    def __init__(self, writer: MemoryWriter, clock: Clock | None = None, debounce_s: float = 1.5) -> None:
        self.writer = writer
        self.clock = clock or writer.store.clock
        self.debounce_s = debounce_s
        self.executor = DebouncedExecutor(self.clock)
        self.listeners: list[Callable[[JobOutcome], None]] = []
        self._lock = threading.Lock()

    def enqueue(
        self, namespace: str, payload: dict, *, agent: str = "assistant", mode: str = "background"
    ) -> str:
        """Persist the job (this is the acknowledgement) and schedule the debounced run."""
        job = MemoryJob(
            namespace=namespace,
            agent=agent,
            mode=mode,
            payload_json=scrub(json.dumps(payload, ensure_ascii=False)),
        )
        job.created_at = self.clock.now()
        with Session(self.writer.store.engine, expire_on_commit=False) as s:
            s.add(job)
            s.commit()
        self.executor.submit(namespace, lambda: self.process_pending(namespace), self.debounce_s)
        return job.id

    def touch(self, namespace: str) -> None:
        """A new turn started: memory work waits until the conversation is idle again."""
        self.executor.postpone(namespace, self.debounce_s)

    def pending(self, namespace: str | None = None, *, due_only: bool = False) -> list[MemoryJob]:
        """Jobs not yet done (with `due_only`, not those waiting out a retry's backoff)."""
        with Session(self.writer.store.engine, expire_on_commit=False) as s:
            q = select(MemoryJob).where(MemoryJob.status == "pending")
            if namespace:
                q = q.where(MemoryJob.namespace == namespace)
            jobs = list(s.exec(q.order_by(col(MemoryJob.created_at))))
        if due_only:
            now = self.clock.now()
            jobs = [j for j in jobs if j.retry_at is None or _aware(j.retry_at) <= now]
        return jobs

    def resume(self) -> int:
        """Schedule every job left pending by an earlier process (crash recovery)."""
        jobs = self.pending()
        for ns in {j.namespace for j in jobs}:
            self.executor.submit(ns, functools.partial(self.process_pending, ns), 0.0)
        return len(jobs)

    def flush(self, timeout: float = 60.0) -> bool:
        """Run everything pending now, retries included (their backoff shortened), and wait."""
        deadline = time.monotonic() + timeout
        self.executor.flush()
        if not self.executor.wait_idle(timeout):
            return False
        while waiting := self.pending():
            if time.monotonic() > deadline:
                return False
            time.sleep(BACKOFF_S)
            for namespace in {j.namespace for j in waiting}:
                self.process_pending(namespace, force=True)
        return True

    def close(self) -> None:
        self.executor.close()

    def process_pending(self, namespace: str, *, force: bool = False) -> list[JobOutcome]:
        with self._lock:  # one namespace's jobs never interleave with another worker's
            return [self._process(job) for job in self.pending(namespace, due_only=not force)]

    def _process(self, job: MemoryJob) -> JobOutcome:
        t0 = time.perf_counter()
        payload = json.loads(job.payload_json)

        def finish(s: Session) -> None:
            row = s.get(MemoryJob, job.id)
            if row is None or row.status != "pending":
                raise RuntimeError(f"memory job {job.id} was already processed")
            row.status = "done"
            row.finished_at = self.clock.now()
            row.latency_ms = (time.perf_counter() - t0) * 1000
            s.add(row)

        token = current_namespace.set(job.namespace)
        try:
            given = payload.get("facts")
            # Facts a caller already has (an ambient agent's lessons from a person's answer) are
            # written as they are; a chat turn's are extracted first.
            found = None if isinstance(given, list) else self.writer.extract(
                payload.get("user_text", ""), payload.get("assistant_text", "")
            )  # fmt: skip
            # provenance: the turn (run, message), the extraction call (its step) and this job
            src = Source(
                payload.get("run_id"),
                found.call.step_id if found else payload.get("step_id"),
                payload.get("message_id"),
                payload.get("user_text"),
                job.id,
            )
            # A botched extraction still keeps the turn as an episode (recall can find it) and says why.
            result = self.writer.write(
                job.namespace,
                found.facts if found else list(given or []),
                mode=job.mode,
                source=src,
                episode=payload.get("episode"),
                in_transaction=finish,
                started=t0,
                calls=[found.call] if found else [],
            )
            if found:
                result.notes[:0] = found.notes()
            outcome = JobOutcome(job.id, job.namespace, payload, result, None)
        except Exception as exc:  # noqa: BLE001 - retried with backoff, then recorded and shown
            error = f"{type(exc).__name__}: {exc}"[:2000]
            state = self._record_failure(job, error)
            if state != "failed":  # retried later, or another process finished it meanwhile
                return JobOutcome(job.id, job.namespace, payload, None, None, retrying=state == "retry")
            outcome = JobOutcome(job.id, job.namespace, payload, None, error)
        finally:
            current_namespace.reset(token)
        for cb in list(self.listeners):
            cb(outcome)
        return outcome

    def _record_failure(self, job: MemoryJob, error: str) -> str:
        """Count a failed run: "retry" after a backoff, "failed" for good (the last attempt), or
        "done" when another process sharing the data dir finished the job meanwhile.

        Processes on one data dir (four CLI runs on one profile) can hit passing errors of the
        shared index; three runs a few seconds apart ride them out.
        """
        with Session(self.writer.store.engine, expire_on_commit=False) as s:
            row = s.get(MemoryJob, job.id)
            if row is None or row.status == "done":
                return "done"
            if row.status != "pending":
                return "failed"
            row.attempts = (row.attempts or 0) + 1
            row.error = error
            final = row.attempts >= MAX_ATTEMPTS
            wait = BACKOFF_S * 4 ** (row.attempts - 1)
            if final:
                row.status, row.finished_at = "failed", self.clock.now()
            else:
                row.retry_at = self.clock.now() + timedelta(seconds=wait)
            s.add(row)
            s.commit()
        if final:
            return "failed"
        self.executor.submit(job.namespace, lambda: self.process_pending(job.namespace), wait)
        return "retry"
