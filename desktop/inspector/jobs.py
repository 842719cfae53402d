"""A page's worker bookkeeping: results reach the GUI only while the page is alive, newest wins."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future

from ui_patterns.common.workers import GeneratorWorker, run_call, when_done


class Jobs:
    """Runs store calls on pool threads and drops results once `shutdown()` was called.

    `latest(key, ...)` tags each call with a generation so a slow, stale reload (say, a search for
    an older query) can never overwrite a newer one.
    """

    def __init__(self) -> None:
        self.closed = False
        self._workers: set[GeneratorWorker] = set()
        self._generation: dict[str, int] = {}

    def run(
        self,
        fn: Callable[[], object],
        on_done: Callable[[object], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> GeneratorWorker:
        worker = run_call(fn, *self._unless_closed(on_done, on_error))
        self._workers.add(worker)
        worker.signals.finished.connect(lambda: self._workers.discard(worker))
        return worker

    def when_done(
        self,
        future: Future,
        on_done: Callable[[object], None] | None = None,
        on_error: Callable[[str], None] | None = None,
    ) -> Future:
        """Deliver an engine call's result (or error) on the GUI thread, as `run` does."""
        return when_done(future, *self._unless_closed(on_done, on_error))

    def _unless_closed(
        self, on_done: Callable[[object], None] | None, on_error: Callable[[str], None] | None
    ) -> tuple[Callable[[object], None], Callable[[str], None]]:
        """The handlers, dropped once the jobs are closed (the page is going away)."""

        def done(result: object) -> None:
            if not self.closed and on_done is not None:
                on_done(result)

        def failed(message: str) -> None:
            if not self.closed and on_error is not None:
                on_error(message)

        return done, failed

    def latest(
        self,
        key: str,
        fn: Callable[[], object],
        on_done: Callable[[object], None],
        on_error: Callable[[str], None] | None = None,
    ) -> GeneratorWorker:
        gen = self._generation[key] = self._generation.get(key, 0) + 1

        def done(result: object) -> None:
            if self._generation.get(key) == gen:
                on_done(result)

        def failed(message: str) -> None:
            if self._generation.get(key) == gen and on_error is not None:
                on_error(message)

        return self.run(fn, done, failed)

    def busy(self) -> bool:
        return bool(self._workers)

    def shutdown(self) -> None:
        self.closed = True
        for worker in list(self._workers):
            worker.quit()
