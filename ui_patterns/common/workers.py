"""Run core generators and calls on QThreadPool threads; results come back through signals.

Modelled on superqt's thread_worker: `yielded`, `returned`, `errored`, `finished`, and a
cooperative `quit()` the generator can poll through `should_stop`.
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

_active: set[GeneratorWorker] = set()
_active_lock = threading.Lock()


class WorkerSignals(QObject):
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(str)
    finished = Signal()


class GeneratorWorker(QRunnable):
    """Iterates `factory(should_stop)` off the GUI thread, emitting each item."""

    def __init__(self, factory: Callable[[Callable[[], bool]], Iterator[object] | object]) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.factory = factory
        self.signals = WorkerSignals()
        self._quit = threading.Event()

    def quit(self) -> None:
        self._quit.set()

    def should_stop(self) -> bool:
        return self._quit.is_set()

    def run(self) -> None:
        try:
            out = self.factory(self.should_stop)
            if isinstance(out, Iterator):
                for item in out:
                    self.signals.yielded.emit(item)
                out = None
            self.signals.returned.emit(out)
        except Exception as exc:  # noqa: BLE001 - every failure reaches the view as a message
            traceback.print_exc()
            self.signals.errored.emit(f"{type(exc).__name__}: {exc}")
        finally:
            self.signals.finished.emit()
            with _active_lock:
                _active.discard(self)


def start(worker: GeneratorWorker, pool: QThreadPool | None = None) -> GeneratorWorker:
    with _active_lock:
        _active.add(worker)
    (pool or QThreadPool.globalInstance()).start(worker)
    return worker


def run_generator(
    factory: Callable[[Callable[[], bool]], Iterator[object]],
    on_yield: Callable[[object], None] | None = None,
    on_done: Callable[[object], None] | None = None,
    on_error: Callable[[str], None] | None = None,
    parent: QObject | None = None,
) -> GeneratorWorker:
    """Start a generator worker; handlers run on the GUI thread (queued signals)."""
    w = GeneratorWorker(factory)
    if parent is not None:
        w.signals.setParent(None)
    if on_yield:
        w.signals.yielded.connect(on_yield)
    if on_done:
        w.signals.returned.connect(on_done)
    if on_error:
        w.signals.errored.connect(on_error)
    return start(w)


def run_call(
    fn: Callable[[], object],
    on_done: Callable[[object], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> GeneratorWorker:
    """Run a plain function on a pool thread."""
    return run_generator(lambda _stop: fn(), None, on_done, on_error)


def active_workers() -> int:
    with _active_lock:
        return len(_active)
