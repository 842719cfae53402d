"""Procedural memory: the agent's instruction versions, a coloured diff, rollback and a hand editor.

Versions are read here; a commit or rollback runs in the agent engine (its Lab owns the writes).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from agent_core.lab import Lab
from agent_core.runtime.engine import lab_service
from desktop.inspector.jobs import Jobs
from desktop.inspector.models import InstructionListModel
from memory.models import Instruction
from memory.procedural import DEFAULT_INSTRUCTIONS, diff
from ui_patterns.common.context import LabContext
from ui_patterns.common.lazy import LazyTab

AGENT = "assistant"
_DIFF_STYLE = {"+": "color:#11651f;background:#e6f6e6", "-": "color:#a3121a;background:#fbe9ea"}


def diff_html(lines: list[str]) -> str:
    """A unified diff as HTML: added lines green, removed red, hunk headers grey."""
    if not lines:
        return "<p style='color:#777'>No changes from the previous version.</p>"
    out = []
    for line in lines:
        esc = html.escape(line) or "&nbsp;"
        if line.startswith(("+++", "---")):
            style = "color:#555;font-weight:bold"
        elif line.startswith("@@"):
            style = "color:#6a4fb3"
        else:
            style = _DIFF_STYLE.get(line[:1], "color:#333")
        out.append(f"<div style='{style};white-space:pre-wrap'>{esc}</div>")
    return "<div style='font-family:monospace'>" + "".join(out) + "</div>"


class ProceduralTab(LazyTab):
    """Versions on the left; the selected version's text and its diff on the right; an editor below."""

    loaded = Signal(int)
    committed = Signal(int)  # new active version
    failed = Signal(str)

    def __init__(self, ctx: LabContext, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.jobs = jobs

    def _build(self) -> None:  # on first show or touch (LazyTab)
        self.agent = AGENT
        self.model = InstructionListModel(self)
        self.versions_view = QListView(self)
        self.versions_view.setModel(self.model)
        self.versions_view.setAlternatingRowColors(True)
        self.versions_view.selectionModel().selectionChanged.connect(self._on_selection)

        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.text_view = QPlainTextEdit(self)
        self.text_view.setReadOnly(True)
        self.text_view.setFont(mono)
        self.diff_view = QTextBrowser(self)
        self.views = QTabWidget(self)
        self.views.addTab(self.diff_view, "Diff vs previous")
        self.views.addTab(self.text_view, "Full text")

        self.rollback_button = QPushButton("Roll back to this version", self)
        self.rollback_button.clicked.connect(self._rollback_selected)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)

        self.editor = QPlainTextEdit(self)
        self.editor.setFont(mono)
        self.editor.setPlaceholderText("Write new instructions for the agent…")
        self.reason_box = QLineEdit(self)
        self.reason_box.setPlaceholderText("Why this change? (kept with the version)")
        self.commit_button = QPushButton("Commit as new version", self)
        self.commit_button.clicked.connect(self._commit_clicked)
        self.status = QLabel(self)

        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.heading, 1)
        head.addWidget(self.rollback_button)
        rl.addLayout(head)
        rl.addWidget(self.views, 1)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(self.versions_view)
        top.addWidget(right)
        top.setStretchFactor(0, 1)
        top.setStretchFactor(1, 3)

        editor_box = QWidget(self)
        el = QVBoxLayout(editor_box)
        el.setContentsMargins(0, 0, 0, 0)
        el.addWidget(QLabel("<b>Edit by hand</b> — starts from the active version", self))
        el.addWidget(self.editor, 1)
        row = QHBoxLayout()
        row.addWidget(self.reason_box, 1)
        row.addWidget(self.commit_button)
        el.addLayout(row)
        outer = QSplitter(Qt.Orientation.Vertical, self)
        outer.addWidget(top)
        outer.addWidget(editor_box)
        outer.setStretchFactor(0, 3)
        outer.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(outer, 1)
        layout.addWidget(self.status)
        self.rollback_button.setEnabled(False)

    # -- loading --------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        procedural, ns, agent = self.ctx.lab.procedural, self.ctx.profile, self.agent
        self.jobs.latest("procedural", lambda: procedural.versions(ns, agent), self._on_versions, self._error)

    def _on_versions(self, versions: object) -> None:
        assert isinstance(versions, list)
        keep = self.selected_version()
        self.model.set_versions(versions)
        active = next((v for v in versions if v.active), None)
        self.editor.setPlainText(active.text if active else DEFAULT_INSTRUCTIONS)
        if not versions:
            self.heading.setText(
                "<b>The agent uses its default instructions.</b> A version is stored when you commit "
                "one below, or when 👎 feedback with a comment makes the optimizer propose one."
            )
            self.text_view.setPlainText(DEFAULT_INSTRUCTIONS)
            self.diff_view.setHtml("")
        row = self.model.row_of(keep.version if keep else active.version if active else -1)
        if row >= 0:
            self.versions_view.setCurrentIndex(self.model.index(row, 0))
        elif versions:
            self.versions_view.setCurrentIndex(self.model.index(0, 0))
        self.loaded.emit(len(versions))

    # -- selection --------------------------------------------------------------------------------
    def selected_version(self) -> Instruction | None:
        rows = self.versions_view.selectionModel().selectedRows()
        return self.model.version_at(rows[0].row()) if rows else None

    def select_version(self, version: int) -> None:
        row = self.model.row_of(version)
        if row >= 0:
            self.versions_view.setCurrentIndex(self.model.index(row, 0))

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        rows = self.versions_view.selectionModel().selectedRows()
        v = self.model.version_at(rows[0].row()) if rows else None
        self.rollback_button.setEnabled(v is not None and not v.active)
        if v is None:
            return
        prev = self.model.previous_of(rows[0].row())
        state = "active" if v.active else "inactive"
        self.heading.setText(
            f"<b>v{v.version}</b> ({state}) by {html.escape(v.author)} — {html.escape(v.reason or '')}"
        )
        self.text_view.setPlainText(v.text)
        if prev is None:
            self.diff_view.setHtml(diff_html(diff("", v.text, "(empty)", f"v{v.version}")))
        else:
            self.diff_view.setHtml(diff_html(diff(prev.text, v.text, f"v{prev.version}", f"v{v.version}")))

    def diff_text(self) -> str:
        return self.diff_view.toPlainText()

    # -- actions ----------------------------------------------------------------------------------
    @Slot()
    def _rollback_selected(self) -> None:
        v = self.selected_version()
        if v is not None:
            self.rollback(v.version)

    def rollback(self, version: int) -> None:
        self._run(Lab.rollback_instructions, self.ctx.profile, self.agent, version)

    @Slot()
    def _commit_clicked(self) -> None:
        self.commit(self.editor.toPlainText(), self.reason_box.text())

    def commit(self, text: str, reason: str = "") -> None:
        if not text.strip():
            self._error("The instructions are empty: nothing was committed.")
            return
        reason = reason.strip() or "edited by hand"
        self._run(Lab.commit_instructions, self.ctx.profile, self.agent, text, reason)

    def _run(self, method: Callable[..., object], *args: object) -> None:
        """Run a write in the agent engine, then show the new active version."""

        def done(new: object) -> None:
            assert isinstance(new, Instruction)
            self.reason_box.clear()
            self.status.setStyleSheet("color:#555")
            self.status.setText(f"v{new.version} is now active ({new.reason}).")
            self.committed.emit(new.version)
            self.jobs.latest(
                "procedural",
                lambda: self.ctx.lab.procedural.versions(new.namespace, new.agent),
                lambda vs: (self._on_versions(vs), self.select_version(new.version)),
                self._error,
            )

        self.jobs.when_done(lab_service(self.ctx.engine).call(method, *args), done, self._error)

    def _error(self, message: str) -> None:
        self.status.setStyleSheet("color:#b00020")
        self.status.setText(f"⚠ {message}")
        self.failed.emit(message)
