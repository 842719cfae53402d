"""GUI workers: results arrive on the GUI thread, and a worker's signals outlive its pool thread."""

from __future__ import annotations

import threading

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from ui_patterns.common import workers
from ui_patterns.common.workers import GeneratorWorker, run_call, wait_for_workers


class LingeringWorker(GeneratorWorker):
    """Stays in its pool thread after `finished` was emitted, as a thread still inside `emit` does."""

    def __init__(self) -> None:
        super().__init__(lambda _stop: "done")
        self.release = threading.Event()

    def run(self) -> None:
        super().run()
        self.release.wait(10)


def test_signals_are_deleted_only_after_the_thread_left_run(qtbot: QtBot) -> None:
    w = LingeringWorker()
    finished: list[bool] = []
    w.signals.finished.connect(lambda: finished.append(True))
    workers.start(w)
    qtbot.waitUntil(lambda: finished == [True], timeout=5_000)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert shiboken6.isValid(w.signals), "deleted while its thread was still in run()"
    w.release.set()
    qtbot.waitUntil(lambda: w.future is not None and w.future.done(), timeout=5_000)

    def deleted() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return not shiboken6.isValid(w.signals)

    qtbot.waitUntil(deleted, timeout=5_000)


def test_many_short_workers_deliver_everything_and_leave_nothing(qtbot: QtBot) -> None:
    got: list[int] = []
    for i in range(400):
        run_call(lambda i=i: i * 2, got.append)
    assert wait_for_workers(20)
    qtbot.waitUntil(lambda: len(got) == 400, timeout=5_000)
    assert sorted(got) == [i * 2 for i in range(400)]

    def no_signals_left() -> bool:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        return not workers.signals_owner().children()

    qtbot.waitUntil(no_signals_left, timeout=5_000)
