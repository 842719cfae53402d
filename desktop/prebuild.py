"""Build the pages nobody has opened yet while the person is idle, so a first click only shows one.

Building and styling a page costs 13-60 ms of GUI thread (bench/bench_page_open.py): over the
50 ms budget for the heavier pages when it happens at the click. Built hidden in the window's
stack, one page per idle moment (no key, click or wheel for `IDLE_MS`), the same work is spread
where nobody waits for it, and the first open then costs what switching back does (≤ 16 ms).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

IDLE_MS = 1000
POLL_MS = 250
INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseButtonDblClick,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdlePrebuilder(QObject):
    """Calls `build(key)` for each key in turn, one per poll, only when input has been idle and
    `ready()` says so (the page modules are imported)."""

    def __init__(
        self,
        keys: list[str],
        build: Callable[[str], QWidget | None],
        ready: Callable[[], bool] = lambda: True,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._keys, self._build, self._ready = list(keys), build, ready
        self._last_input = time.monotonic()
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._tick)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def start(self) -> None:
        self._timer.start()

    @property
    def pending(self) -> list[str]:
        return list(self._keys)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in INPUT:
            self._last_input = time.monotonic()
        return False

    def _tick(self) -> None:
        if not self._keys:
            self.stop()
            return
        if (time.monotonic() - self._last_input) * 1000 < IDLE_MS or not self._ready():
            return
        self._build(self._keys.pop(0))

    def stop(self) -> None:
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
