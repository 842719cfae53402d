"""The main window: a navigation list, lazily-built pages, and a status bar that says who and what.

Pages are created on first visit so start-up costs only the window itself; each page's import
failures are contained by the registry (`desktop.patterns.create_page`).
"""

from __future__ import annotations

import copy
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolBar,
    QWidget,
)

from desktop.patterns import PATTERNS, Entry, create_page
from desktop.status_bar import LabStatusBar
from desktop.theme import app_icon, apply_theme, current_theme, icon
from ui_patterns.common import LabContext

EntryRole = Qt.ItemDataRole.UserRole + 1


class MainWindow(QMainWindow):
    def __init__(
        self,
        ctx: LabContext,
        *,
        patterns: list[Entry] | None = None,
        initial: str | None = None,
        window_state: QSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.patterns = list(patterns if patterns is not None else PATTERNS)
        self.pages: dict[str, QWidget] = {}
        self._closed = False
        self.window_state = window_state or QSettings(
            str(Path(ctx.lab.data_dir) / "window.ini"), QSettings.Format.IniFormat
        )
        self.setWindowTitle("Agent UX Lab")
        self.setWindowIcon(app_icon())
        self.resize(1200, 780)

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setAccessibleName("Navigation")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(200)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for entry in self.patterns:
            item = QListWidgetItem(entry.title)
            item.setData(EntryRole, entry.key)
            item.setToolTip(entry.target)
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.status = LabStatusBar(ctx, self)
        self.setStatusBar(self.status)
        self._build_actions()
        self._refresh_icons()
        self.nav.currentRowChanged.connect(self._on_nav)
        self._restore(initial)

    # -- chrome ---------------------------------------------------------------------------------
    def _build_actions(self) -> None:
        self.settings_action = QAction("Settings…", self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.triggered.connect(self.open_settings)
        self.theme_action = QAction("Toggle theme", self)
        self.theme_action.setShortcut(QKeySequence("Ctrl+Shift+T"))
        self.theme_action.triggered.connect(self.toggle_theme)
        self.profile_action = QAction("New profile…", self)
        self.profile_action.triggered.connect(self.status.ask_new_profile)
        quit_action = QAction("Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)

        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        menu.addMenu("&View").addAction(self.theme_action)
        menu.addMenu("&Profile").addAction(self.profile_action)

        bar = QToolBar("Main")
        bar.setObjectName("mainToolbar")
        bar.setMovable(False)
        bar.setIconSize(QSize(18, 18))
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for action in (self.settings_action, self.theme_action, self.profile_action):
            bar.addAction(action)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)

    def _refresh_icons(self) -> None:
        """Icons are recoloured per theme, so they are rebuilt whenever the theme changes."""
        for i in range(self.nav.count()):
            item = self.nav.item(i)
            entry = self._entry(item.data(EntryRole))
            item.setIcon(icon(entry.icon_name if entry else "page"))
        self.settings_action.setIcon(icon("settings"))
        self.theme_action.setIcon(icon("theme"))
        self.profile_action.setIcon(icon("profile"))

    def _entry(self, key: str) -> Entry | None:
        return next((e for e in self.patterns if e.key == key), None)

    # -- pages ----------------------------------------------------------------------------------
    def show_page(self, key: str) -> QWidget | None:
        """Select a page by key (creating it on first use); returns it, or None for an unknown key."""
        for i in range(self.nav.count()):
            if self.nav.item(i).data(EntryRole) == key:
                self.nav.setCurrentRow(i)
                return self.pages.get(key)
        return None

    @Slot(str)
    def show_run(self, run_id: str) -> None:
        traces = self.show_page("traces")
        if traces is not None and hasattr(traces, "select_run"):
            traces.refresh()
            traces.select_run(run_id)

    def current_key(self) -> str | None:
        item = self.nav.currentItem()
        return item.data(EntryRole) if item else None

    @Slot(int)
    def _on_nav(self, row: int) -> None:
        item = self.nav.item(row)
        if item is None:
            return
        key = item.data(EntryRole)
        page = self.pages.get(key)
        if page is None:
            entry = self._entry(key)
            assert entry is not None
            page = create_page(entry, self.ctx, self.stack)
            self.pages[key] = page
            self.stack.addWidget(page)
            if hasattr(page, "open_run"):  # provenance links (memory inspector) open the trace viewer
                page.open_run.connect(self.show_run)
        self.stack.setCurrentWidget(page)

    # -- actions --------------------------------------------------------------------------------
    @Slot()
    def open_settings(self) -> None:
        from desktop.settings_dialog import SettingsDialog

        dlg = SettingsDialog(self.ctx, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()

    @Slot()
    def toggle_theme(self) -> None:
        self.set_theme("dark" if current_theme() == "light" else "light")

    def set_theme(self, name: str) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            name = apply_theme(app, name)
        self._refresh_icons()
        if self.ctx.lab.settings.theme != name:
            s = copy.deepcopy(self.ctx.lab.settings)
            s.theme = name
            self.ctx.apply_settings(s)

    # -- persistence and shutdown ---------------------------------------------------------------
    def _restore(self, initial: str | None) -> None:
        geometry = self.window_state.value("geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        key = initial or self.window_state.value("page")
        if (not key or self.show_page(str(key)) is None) and self.nav.count():
            self.nav.setCurrentRow(0)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Save window state, stop every page's workers, and detach from the Lab (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self.window_state.setValue("geometry", self.saveGeometry())
        if self.current_key():
            self.window_state.setValue("page", self.current_key())
        self.window_state.sync()
        for page in self.pages.values():
            stop = getattr(page, "shutdown", None)
            if callable(stop):
                stop()
        self.status.shutdown()
        self.ctx.close()
