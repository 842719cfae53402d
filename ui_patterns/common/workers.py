"""Run core generators and calls on worker threads; results come back through queued signals.

Modelled on superqt's thread_worker: `yielded`, `returned`, `errored`, `finished`, and a
cooperative `quit()` the generator can poll through `should_stop`. The threads are a plain Python
pool, not QThreadPool: PySide kept every QRunnable handed to `QThreadPool.start` alive (the soak
found ~9 workers a second piling up with their signals and closures). Here a worker is an ordinary
object; its signals object belongs to a GUI-thread parent and is deleted there (`deleteLater`)
once `finished` has been delivered *and* the pool thread has left `run` (the thread is still inside
`emit` when the GUI thread can already see `finished`: deleting then crashed QtCore in a soak).
"""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot

MAX_WORKERS = 8
_pool = ThreadPoolExecutor(MAX_WORKERS, thread_name_prefix="ui-worker")
_active: set[GeneratorWorker] = set()
_active_lock = threading.Lock()
_retired: list[GeneratorWorker] = []  # finished delivered; signals deleted once their thread is out
SWEEP_MS = 50


class WorkerSignals(QObject):
    yielded = Signal(object)
    returned = Signal(object)
    errored = Signal(str)
    finished = Signal()


_owner: QObject | None = None


def signals_owner() -> QObject:
    """The GUI-thread parent of every worker's signals (so Python never deletes them elsewhere)."""
    global _owner
    if _owner is None:
        _owner = QObject()
    return _owner


class GeneratorWorker:
    """Iterates `factory(should_stop)` off the GUI thread, emitting each item."""

    def __init__(self, factory: Callable[[Callable[[], bool]], Iterator[object] | object]) -> None:
        self.factory = factory
        self.signals = WorkerSignals(signals_owner())  # made on the GUI thread: slots run there
        self.signals.finished.connect(self._retire)
        self._quit = threading.Event()
        self.future: Future[None] | None = None

    def _retire(self) -> None:
        """On the GUI thread, after the worker's last signal: let it go once its thread has too."""
        with _active_lock:
            _active.discard(self)
        _retired.append(self)
        _sweep()

    @property
    def running(self) -> bool:
        """True until the pool thread has returned from `run` (not just emitted `finished`)."""
        return self.future is None or not self.future.done()

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


def _sweep() -> None:
    """Delete the signals of retired workers whose threads have left `run` (GUI thread); look again
    shortly for any still on their way out."""
    still: list[GeneratorWorker] = []
    for w in _retired:
        if w.running:  # asked once per worker: one that ends meanwhile is deleted next time, not twice
            still.append(w)
        else:
            w.signals.deleteLater()
    _retired[:] = still
    if still:
        _sweeper().start()  # (re)starts the one single-shot timer


_timer: QTimer | None = None


def _sweeper() -> QTimer:
    global _timer
    if _timer is None:
        _timer = QTimer()  # made on the GUI thread, by the first retire
        _timer.setSingleShot(True)
        _timer.setInterval(SWEEP_MS)
        _timer.timeout.connect(_sweep)
    return _timer


def start(worker: GeneratorWorker) -> GeneratorWorker:
    with _active_lock:
        _active.add(worker)
    worker.future = _pool.submit(worker.run)
    return worker


def warm_pool(threads: int = 4) -> None:
    """Start `threads` pool threads now (call it off the GUI thread): a page's first load then
    reuses one instead of waiting on a thread start (~10 ms of GUI stall each)."""
    barrier = threading.Barrier(threads)
    for _ in range(threads):
        _pool.submit(barrier.wait, 2.0)


def run_generator(
    factory: Callable[[Callable[[], bool]], Iterator[object]],
    on_yield: Callable[[object], None] | None = None,
    on_done: Callable[[object], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> GeneratorWorker:
    """Start a generator worker; handlers run on the GUI thread (queued signals)."""
    w = GeneratorWorker(factory)
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


class _FutureRelay(QObject):
    """Hands settled futures to the GUI thread (always queued, even when already settled)."""

    settled = Signal(object)  # (future, on_done, on_error)

    def __init__(self) -> None:
        super().__init__()
        self.settled.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object)
    def _deliver(self, item: tuple) -> None:
        future, on_done, on_error = item
        error = future_error(future)
        if error:
            if on_error is not None:
                on_error(error)
        elif on_done is not None:
            on_done(future.result())


_relay: _FutureRelay | None = None


def when_done(
    future: Future,
    on_done: Callable[[object], None] | None = None,
    on_error: Callable[[str], None] | None = None,
) -> Future:
    """Call `on_done(result)` or `on_error(message)` on the GUI thread once `future` settles (an
    engine call's: no pool thread waits on it). Call it on the GUI thread."""
    global _relay
    if _relay is None:
        _relay = _FutureRelay()  # made on the GUI thread: its slot runs there
    relay = _relay
    future.add_done_callback(lambda f: relay.settled.emit((f, on_done, on_error)))
    return future


def future_error(future: Future, what: str = "call") -> str:
    """A settled future's failure as one line ("" when it returned); `what` names a cancelled one."""
    if future.cancelled():
        return f"the {what} was cancelled"
    exc = future.exception()
    return "" if exc is None else f"{type(exc).__name__}: {exc}"


def active_workers() -> int:
    with _active_lock:
        return len(_active)


def wait_for_workers(timeout_s: float = 10.0) -> bool:
    """Process events until no worker is left (tests, shutdown); True when all finished in time."""
    import time

    from PySide6.QtCore import QCoreApplication

    deadline = time.monotonic() + timeout_s
    while active_workers() and time.monotonic() < deadline:
        QCoreApplication.processEvents()
        time.sleep(0.005)
    return active_workers() == 0
