"""Pages nobody opened yet are built while the person is idle, and never while they type."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from desktop import prebuild
from desktop.app import _prefetch_and_prebuild
from desktop.main_window import MainWindow
from desktop.patterns import PATTERNS


def test_idle_time_builds_every_page_hidden_and_typing_holds_it(
    qtbot, ctx, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    monkeypatch.setattr(prebuild, "IDLE_MS", 300)
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, initial="chat", window_state=state)
    qtbot.addWidget(win, before_close_func=lambda w: w.shutdown())
    win.show()
    builder = _prefetch_and_prebuild(win)  # what the app runs 1.5 s after start-up
    for _ in range(8):  # someone typing: nothing is built meanwhile
        qtbot.keyClick(win.nav, Qt.Key.Key_Shift)
        qtbot.wait(100)
    assert set(win.pages) == {"chat"}
    qtbot.waitUntil(lambda: not builder.pending, timeout=60_000)
    assert set(win.pages) == {e.key for e in PATTERNS}
    assert win.current_key() == "chat" and not win.pages["ambient"].isVisible()
    win.show_page("ambient")  # the first open only shows it
    assert win.current_page() is win.pages["ambient"]
