"""The page registry: one line per page, imported lazily by dotted path.

Lazy import keeps start-up fast (a page's heavy imports run when it is first shown) and isolates
failures: a page whose module is missing or broken becomes an error page, never a crashed shell.
A new pattern slots in by adding one `Entry` line below.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import threading
import traceback
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ui_patterns.common import LabContext
from ui_patterns.common.workers import warm_pool


@dataclass(frozen=True)
class Entry:
    key: str
    title: str
    target: str  # "package.module:ClassName", constructed as Class(ctx, parent)
    icon: str = ""  # assets/icons/<icon>.svg; defaults to the key

    @property
    def icon_name(self) -> str:
        return self.icon or self.key


PATTERNS: list[Entry] = [
    Entry("chat", "Chat", "ui_patterns.chat.page:ChatPage"),
    Entry("spreadsheet", "Spreadsheet", "ui_patterns.spreadsheet.page:SpreadsheetPage"),
    Entry("ambient", "Ambient", "ui_patterns.ambient.page:AmbientPage"),
    Entry("collab", "Document", "ui_patterns.collab.page:CollabPage"),
    Entry("genui", "Generative UI", "ui_patterns.genui.page:GenUIPage"),
    Entry("memlab", "Memory Lab", "ui_patterns.memlab.page:MemLabPage"),
    Entry("memory", "Memory", "desktop.inspector.page:MemoryInspector"),
    Entry("traces", "Traces", "desktop.traces:TraceViewer"),
]


def find(key: str) -> Entry | None:
    return next((e for e in PATTERNS if e.key == key), None)


class ErrorPage(QWidget):
    """Stands in for a page that failed to import or construct; shows why, so the fix is obvious."""

    title = "Unavailable"

    def __init__(self, entry: Entry, error: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entry = entry
        self.error = error
        lay = QVBoxLayout(self)
        lay.setContentsMargins(32, 32, 32, 32)
        lay.setSpacing(8)
        head = QLabel(f"{entry.title} is not available")
        head.setProperty("role", "title")
        hint = QLabel(
            f"The page <code>{entry.target}</code> could not be loaded. "
            "The rest of the lab keeps working; the details are below."
        )
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.RichText)
        details = QPlainTextEdit(error)
        details.setReadOnly(True)
        details.setProperty("role", "code")
        details.setObjectName("errorDetails")
        lay.addWidget(head)
        lay.addWidget(hint)
        lay.addWidget(details, 1)

    def shutdown(self) -> None:
        """Nothing to stop; present so the window treats every page alike."""


def prefetch_pages(entries: list[Entry] | None = None) -> threading.Thread:
    """Import every page's module on a worker thread, so a first click only builds the page.

    Imported on the GUI thread at the first click, a page's modules cost 90-170 ms of stall each
    (bench/bench_page_open.py); the worker holds the GIL only in slices (the switch interval), so
    the GUI keeps painting meanwhile. Then the UI worker pool's threads are started. Module import locks make a click during the prefetch wait
    for that one module, never import it twice; a failing import is left for `create_page` to show.
    """

    def run() -> None:
        for entry in entries or PATTERNS:
            with contextlib.suppress(Exception):
                importlib.import_module(entry.target.partition(":")[0])
        gc.freeze()  # the new modules' objects are long-lived: out of the collector's sight
        warm_pool()  # a page's first load reuses a started thread

    thread = threading.Thread(target=run, name="prefetch-pages", daemon=True)
    thread.start()
    return thread


def create_page(entry: Entry, ctx: LabContext, parent: QWidget | None = None) -> QWidget:
    """Import and construct a page, or return an ErrorPage carrying the exception text."""
    module_name, _, attr = entry.target.partition(":")
    try:
        cls = getattr(importlib.import_module(module_name), attr)
        return cls(ctx, parent)
    except Exception as exc:  # noqa: BLE001 - any failure in someone else's page must not kill the shell
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        tb = traceback.format_exc(limit=-4)
        return ErrorPage(entry, f"{detail}\n\n{tb}", parent)
