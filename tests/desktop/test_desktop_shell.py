"""The main window: navigation, lazy pages, error pages, status bar, profiles and themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.main_window import MainWindow
from desktop.patterns import PATTERNS, Entry, ErrorPage
from desktop.theme import current_theme
from desktop.traces import TraceViewer


@pytest.fixture
def window(qtbot, ctx, tmp_path: Path) -> MainWindow:  # noqa: ANN001
    state = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, initial="traces", window_state=state)
    qtbot.addWidget(win)
    win.show()
    return win


def nav_titles(win: MainWindow) -> list[str]:
    return [win.nav.item(i).text() for i in range(win.nav.count())]


def test_window_lists_every_registered_page(window: MainWindow) -> None:
    assert nav_titles(window) == [e.title for e in PATTERNS]
    assert {"Chat", "Memory", "Traces"} <= set(nav_titles(window))
    assert isinstance(window.current_page(), TraceViewer)


def test_pages_are_created_lazily_and_switch_by_keyboard(qtbot, window: MainWindow) -> None:  # noqa: ANN001
    assert set(window.pages) == {"traces"}
    window.nav.setFocus()
    qtbot.keyClick(window.nav, Qt.Key.Key_Home)
    assert window.current_key() == PATTERNS[0].key
    assert window.current_page() is window.pages[PATTERNS[0].key]
    qtbot.keyClick(window.nav, Qt.Key.Key_Down)
    assert window.current_key() == PATTERNS[1].key
    assert window.show_page("traces") is window.pages["traces"]


def test_a_broken_page_shows_its_error_instead_of_crashing(qtbot, ctx, tmp_path: Path) -> None:  # noqa: ANN001
    entries = [
        Entry("bogus", "Bogus", "no_such_package.page:Nope"),
        Entry("traces", "Traces", "desktop.traces:TraceViewer"),
    ]
    state = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, patterns=entries, initial="bogus", window_state=state)
    qtbot.addWidget(win)
    page = win.current_page()
    assert isinstance(page, ErrorPage)
    assert "No module named 'no_such_package'" in page.error
    win.show_page("traces")
    assert isinstance(win.current_page(), TraceViewer)


def test_status_bar_shows_provider_mode_and_profile(window: MainWindow) -> None:
    bar = window.status
    assert bar.provider_label.text() == "simulator · sim-1"
    assert bar.mode_label.text() == "memory: background"
    assert bar.profile_combo.currentText() == "default"
    assert "memory ready (hash-256)" in bar.memory_label.text()


def test_switching_profile_updates_context_and_settings(qtbot, window: MainWindow, lab) -> None:  # noqa: ANN001
    with qtbot.waitSignal(window.ctx.profile_changed) as sig:
        window.status.switch_profile("alice")
    assert sig.args == ["alice"]
    assert window.ctx.profile == "alice" and lab.settings.profile == "alice"
    items = [window.status.profile_combo.itemText(i) for i in range(window.status.profile_combo.count())]
    assert "alice" in items and items[-1] == "New profile…"


def test_toggle_theme_applies_and_persists(qapp, window: MainWindow, lab, restore_look) -> None:  # noqa: ANN001
    start = current_theme()
    window.toggle_theme()
    assert current_theme() != start
    assert lab.settings.theme == current_theme()
    assert "QListWidget#nav" in qapp.styleSheet() and "@" not in qapp.styleSheet().split("*/", 1)[1]


def test_close_saves_geometry_and_detaches(qtbot, ctx, lab, tmp_path: Path) -> None:  # noqa: ANN001
    state = QSettings(str(tmp_path / "g.ini"), QSettings.Format.IniFormat)
    win = MainWindow(ctx, initial="traces", window_state=state)
    qtbot.addWidget(win)
    win.show()
    win.close()
    assert state.value("geometry") is not None and state.value("page") == "traces"
    assert ctx._on_step not in lab.step_listeners


def test_prefetch_imports_every_page_module_off_the_gui_thread() -> None:
    import sys
    import threading

    from desktop.patterns import prefetch_pages

    thread = prefetch_pages()
    assert thread is not threading.current_thread() and thread.daemon
    thread.join(60)
    assert all(e.target.partition(":")[0] in sys.modules for e in PATTERNS)


def test_prefetch_leaves_a_broken_page_to_its_error_page() -> None:
    from desktop.patterns import prefetch_pages

    prefetch_pages([Entry("bogus", "Bogus", "no_such_package.page:Nope")]).join(10)  # no exception
