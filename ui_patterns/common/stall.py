"""The event-loop stall probe: a timer that measures its own lateness on the GUI thread."""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QEventLoop, QObject, QTimer, Slot


class StallProbe(QObject):
    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)
        self._last = 0.0
        self.samples: list[float] = []

    def start(self) -> None:
        self.samples.clear()
        self._last = time.perf_counter()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def _tick(self) -> None:
        now = time.perf_counter()
        self.samples.append(max(0.0, (now - self._last) * 1000 - self.interval_ms))
        self._last = now

    @property
    def max_stall_ms(self) -> float:
        return max(self.samples, default=0.0)

    def percentile(self, p: float) -> float:
        if not self.samples:
            return 0.0
        s = sorted(self.samples)
        return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


GUI_SWITCH_INTERVAL_S = 0.001


def favour_gui_thread() -> None:
    """Make worker threads hand the GIL back every 1 ms instead of CPython's default 5 ms.

    With several agents busy in Python on worker threads, the GUI thread otherwise queues for
    the GIL behind each of them for a full 5 ms slice; the stall probe shows the difference.
    """
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


def settle_heap() -> None:
    """Move every object alive now out of the cyclic collector's sight (`gc.freeze`, instant).

    After start-up the process holds ~150k long-lived objects (Qt wrappers, SQLAlchemy, openai,
    modules); a full collection walked them all in 90–120 ms with the GIL held, and any thread's
    allocations could trigger one mid-repaint. Frozen, a full collection only walks what came later.
    The app calls this once the window is up and again when the embedder has loaded.
    """
    gc.freeze()


def wait_until(pred: Callable[[], bool], timeout_ms: int = 60_000) -> None:
    """Run the event loop until `pred()` holds or `timeout_ms` passes (benchmarks and probes)."""
    loop = QEventLoop()
    poll = QTimer()
    poll.timeout.connect(lambda: pred() and loop.quit())
    poll.start(5)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
