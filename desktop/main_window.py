"""The main window: a navigation list, lazily-built pages, and a status bar that says who and what.

Pages are created on first visit so start-up costs only the window itself; each page's import
failures are contained by the registry (`desktop.patterns.create_page`). The shell draws every
page's title and subtitle in one header (pages do not draw their own), and hosts each page in a
`PageHost`, so the window fits a 1024×640 screen whatever a page's minimum size.
"""

from __future__ import annotations

import copy
import re
import traceback
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, SignalInstance, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.patterns import PATTERNS, Entry, ErrorPage, create_page
from desktop.status_bar import LabStatusBar
from desktop.theme import app_icon, apply_theme, current_theme, icon
from desktop.widgets import ElidedLabel, PageHost
from ui_patterns.common import LabContext

EntryRole = Qt.ItemDataRole.UserRole + 1
NAV_WIDTH = 184
_TAGS = re.compile(r"<[^>]+>")


class PageHeader(QWidget):
    """The current page's title and subtitle, with the window's actions on the right.

    The action buttons show their text when there is room for it next to the whole subtitle, and
    only their icons otherwise (a 1024 px window), so the subtitle is not the thing that gets cut.
    """

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pageHeader")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel(self)
        self.title.setProperty("role", "title")
        self.title.setAccessibleName("Page title")
        self.subtitle = ElidedLabel("", self)
        self.subtitle.setProperty("role", "subtitle")
        self.subtitle.setAccessibleName("Page subtitle")
        titles = QVBoxLayout()
        titles.setSpacing(0)
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        row = QHBoxLayout(self)
        row.setContentsMargins(24, 10, 16, 10)
        row.setSpacing(4)
        row.addLayout(titles, 1)
        self.buttons: list[QToolButton] = []
        for action in actions:
            b = QToolButton(self)
            b.setDefaultAction(action)
            b.setIconSize(QSize(18, 18))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self.buttons.append(b)
            row.addWidget(b, 0, Qt.AlignmentFlag.AlignVCenter)

    def set_page(self, title: str, subtitle: str) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        self.subtitle.setVisible(bool(subtitle))
        self._fit_buttons()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        fm = self.subtitle.fontMetrics()
        wanted = max(fm.horizontalAdvance(self.subtitle.text()), self.title.sizeHint().width())
        style = Qt.ToolButtonStyle.ToolButtonTextBesideIcon
        m = self.layout().contentsMargins()
        room = self.width() - m.left() - m.right() - 16
        for b in self.buttons:
            b.setToolButtonStyle(style)
        if wanted + sum(b.sizeHint().width() + 4 for b in self.buttons) > room:
            style = Qt.ToolButtonStyle.ToolButtonIconOnly
        for b in self.buttons:
            b.setToolButtonStyle(style)


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
        self._hosts: dict[str, PageHost] = {}
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
        self.nav.setFixedWidth(NAV_WIDTH)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        for entry in self.patterns:
            item = QListWidgetItem(entry.title)
            item.setData(EntryRole, entry.key)
            item.setToolTip(entry.target)
            self.nav.addItem(item)
        self.stack = QStackedWidget()
        self.status = LabStatusBar(ctx, self)
        self.setStatusBar(self.status)
        self._build_actions()
        self.header = PageHeader([self.settings_action, self.theme_action, self.profile_action])
        column = QVBoxLayout()
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.stack, 1)
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addLayout(column, 1)
        self.setCentralWidget(central)
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

    def build_page(self, key: str) -> QWidget | None:
        """The page for `key`, built (hidden, in the stack) if it was not yet; None if unknown."""
        entry = self._entry(key)
        if entry is None:
            return None
        page = self.pages.get(key)
        if page is None:
            page = create_page(entry, self.ctx, self.stack)
            self.pages[key] = page
            self._hosts[key] = PageHost(page, self.stack)
            self.stack.addWidget(self._hosts[key])
            _hide_own_title(page, self._title_of(page, entry))
            self._link_runs(page)
            page.ensurePolished()  # styled now, so showing it later only lays it out and paints
            for child in page.findChildren(QWidget):
                child.ensurePolished()
        return page

    def current_page(self) -> QWidget | None:
        """The page on screen (the stack holds each page inside its PageHost)."""
        host = self.stack.currentWidget()
        return host.page if isinstance(host, PageHost) else host

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
        entry = self._entry(key)
        assert entry is not None
        page = self.build_page(key)
        assert page is not None
        self.stack.setCurrentWidget(self._hosts[key])
        self.header.set_page(self._title_of(page, entry), str(getattr(page, "subtitle", "") or ""))

    @staticmethod
    def _title_of(page: QWidget, entry: Entry) -> str:
        if isinstance(page, ErrorPage):  # its own text says what failed; the header names the page
            return entry.title
        return str(getattr(page, "title", "") or entry.title)

    def _link_runs(self, page: QWidget) -> None:
        """A page's `open_run` *signal* (provenance links of the memory inspector) opens the trace
        viewer. Only a signal: the Memory Lab has an `open_run(path)` method of its own."""
        signal = getattr(page, "open_run", None)
        if isinstance(signal, SignalInstance):
            try:
                signal.connect(self.show_run)
            except (RuntimeError, TypeError):  # a signal of another signature: not a run link
                traceback.print_exc()

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


def _hide_own_title(page: QWidget, title: str) -> None:
    """Pages that still draw their own title label would show it twice under the shell's header:
    the first label reading exactly the title is hidden (nothing else of the page is touched)."""
    for label in page.findChildren(QLabel):
        if _TAGS.sub("", label.text()).strip() == title:
            label.hide()
            return
