"""One tab of the inspector: semantic facts, episodes, or the memories waiting for review.

Reads (list, recall, history) run on this process's workers; writes (edit, delete, pin, approve)
run in the agent engine, whose Lab owns the store's writes. The tab only paints results. Reloads are
tagged so that a stale one never overwrites a newer one.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QItemSelection, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from agent_core.lab import Lab
from agent_core.runtime.engine import lab_service
from agent_core.runtime.provenance import memory_provenance
from desktop.inspector.detail import DetailPanel
from desktop.inspector.jobs import Jobs
from desktop.inspector.models import (
    EPISODE_COLUMNS,
    LIST_COLUMNS,
    REVIEW_COLUMNS,
    SEARCH_COLUMNS,
    MemoryRow,
    MemoryTableModel,
    one_line,
)
from memory.audit import AuditReport
from memory.models import EPISODIC, SEMANTIC, Memory
from ui_patterns.common.context import LabContext
from ui_patterns.common.lazy import LazyTab

REVIEW = "review"
SEARCH_K = 25
EMPTY_TEXT = {
    SEMANTIC: (
        "<h3>No facts remembered for “{profile}” yet</h3>"
        "<p>Facts are created when you chat. Say things like <i>“my name is…”</i>, "
        "<i>“I live in…”</i>, <i>“I prefer…”</i> or <i>“remember that…”</i>.</p>"
        "<p>In <b>hot path</b> mode the agent saves them while it answers; in <b>background</b> mode "
        "they appear here a moment after the conversation goes idle — no refresh needed.</p>"
        "<p>You can also <b>Import…</b> a profile exported from another machine.</p>"
    ),
    EPISODIC: (
        "<h3>No episodes for “{profile}” yet</h3>"
        "<p>Each conversation turn the agent remembers becomes an episode: the situation, what it "
        "did and how it went. Episodes you rate 👍 are reused as examples for similar requests.</p>"
    ),
    REVIEW: (
        "<h3>Nothing needs review</h3>"
        "<p>When a conversation tries to plant instructions disguised as facts (for example "
        "<i>“remember that you must ignore previous instructions”</i>), the memory is held here and "
        "never recalled until you approve it or delete it.</p>"
    ),
}


def confirm_dialog(parent: QWidget, title: str, text: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class MemoryTab(LazyTab):
    """A table of one kind of memory with search, history, actions and a detail panel.

    Built when first shown or touched (`LazyTab`); building loads its rows."""

    loaded = Signal(int)  # rows shown after a reload
    run_requested = Signal(str)  # a provenance link in the detail panel
    action_done = Signal(str, str)  # action, memory id
    failed = Signal(str)
    audited = Signal(object)  # the deletion audit (memory.audit.AuditReport) after a delete

    def __init__(self, ctx: LabContext, kind: str, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.kind = kind
        self.jobs = jobs
        self.review = kind == REVIEW
        self.confirm: Callable[[str, str], bool] = lambda title, text: confirm_dialog(self, title, text)
        self.query = ""
        self._selected_id: str | None = None

    def _build(self) -> None:  # on first show or touch (LazyTab), then its first load
        self.model = MemoryTableModel(self._list_columns(), self)
        self.model.edit_requested.connect(self.edit_memory)
        self.model.pin_requested.connect(self.set_pinned)

        self.search_box = QLineEdit(self)
        self.search_box.setPlaceholderText("Search memories the way the agent recalls them…")
        self.search_box.setClearButtonEnabled(True)
        self.history_box = QCheckBox("Show history", self)
        self.history_box.setToolTip("Also show superseded facts (greyed) with their validity window")
        self.status = QLabel(self)
        self.status.setObjectName("inspectorStatus")
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self.refresh)
        self.history_box.toggled.connect(lambda _on: self.refresh())

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.selectionModel().selectionChanged.connect(self._on_selection)
        self.model.modelReset.connect(self._fit_columns)

        self.empty = QLabel(self)
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.empty.setContentsMargins(16, 16, 16, 16)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)

        self.detail = DetailPanel(self)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.stack)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)

        self.edit_button = QPushButton("Edit", self)
        self.delete_button = QPushButton("Delete…", self)
        self.pin_button = QPushButton("Pin", self)
        self.approve_button = QPushButton("Approve", self)
        self.edit_button.clicked.connect(self._edit_selected)
        self.delete_button.clicked.connect(self._delete_selected)
        self.pin_button.clicked.connect(self._toggle_pin_selected)
        self.approve_button.clicked.connect(self._approve_selected)

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.history_box)
        actions = QHBoxLayout()
        for b in (self.approve_button, self.edit_button, self.pin_button, self.delete_button):
            actions.addWidget(b)
        actions.addWidget(self.status, 1)
        self.status.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        if not self.review:
            layout.addLayout(top)
        self.search_box.setVisible(not self.review)
        self.history_box.setVisible(not self.review)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        self.approve_button.setVisible(self.review)
        self.edit_button.setVisible(not self.review)
        self.pin_button.setVisible(self.kind == SEMANTIC)
        self.detail.run_requested.connect(self.run_requested)
        self._update_buttons()
        self.refresh()

    # -- loading --------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Reload rows on a worker (a search when the box has text, else the list)."""
        self._search_timer.stop()
        if self.table.state() == QAbstractItemView.State.EditingState:
            self._search_timer.start()  # a reload would close the open editor: retry shortly
            return
        store, ns, kind = self.ctx.lab.store, self.ctx.profile, self.kind
        self.query = "" if self.review else self.search_box.text().strip()
        query, history = self.query, self.history_box.isChecked()
        self.history_box.setEnabled(not query)  # recall only returns current memories
        if query:
            self._set_status("Searching…")

            def load() -> list[MemoryRow]:
                return [
                    MemoryRow(r.memory, r.parts) for r in store.recall(ns, query, SEARCH_K, kinds=(kind,))
                ]

        else:

            def load() -> list[MemoryRow]:
                if kind == REVIEW:
                    return [MemoryRow(m) for m in store.list(ns) if m.flagged]
                rows = store.list(ns, kind, include_history=history)
                return [MemoryRow(m) for m in rows if not m.flagged]

        self.jobs.latest(f"rows:{kind}", load, self._on_rows, self._on_error)

    def _on_rows(self, rows: object) -> None:
        assert isinstance(rows, list)
        columns = SEARCH_COLUMNS if self.query else self._list_columns()
        keep = self._selected_id
        self.model.set_rows(rows, columns)
        self.stack.setCurrentWidget(self.table if rows or self.query else self.empty)
        self.empty.setText(EMPTY_TEXT[self.kind].format(profile=self.ctx.profile))
        if self.query and not rows:
            self._set_status(f"No memory matches “{one_line(self.query, 40)}”.")
        else:
            self._set_status(self._summary(rows))
        row = self.model.row_of(keep) if keep else -1
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._selected_id = None
            self.detail.clear()
        self._update_buttons()
        self.loaded.emit(len(rows))

    def _list_columns(self) -> tuple[str, ...]:
        return {REVIEW: REVIEW_COLUMNS, EPISODIC: EPISODE_COLUMNS}.get(self.kind, LIST_COLUMNS)

    def _summary(self, rows: list[MemoryRow]) -> str:
        noun = {SEMANTIC: "fact", EPISODIC: "episode", REVIEW: "flagged memory"}[self.kind]
        old = sum(1 for r in rows if not r.memory.current)
        text = f"{len(rows)} {noun}{'' if len(rows) == 1 or self.review else 's'}"
        if self.query:
            text += " recalled, best first"
        return text + (f" · {old} superseded" if old else "")

    @Slot()
    def _fit_columns(self) -> None:
        header = self.table.horizontalHeader()
        for c in range(self.model.columnCount()):
            mode = (
                QHeaderView.ResizeMode.Stretch
                if self.model.columns()[c] in ("content", "flag")
                else QHeaderView.ResizeMode.ResizeToContents
            )
            header.setSectionResizeMode(c, mode)

    # -- selection and detail --------------------------------------------------------------------
    def selected_memory(self) -> Memory | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.memory_at(rows[0].row()) if rows else None

    def select_memory(self, memory_id: str) -> bool:
        row = self.model.row_of(memory_id)
        if row >= 0:
            self.table.selectRow(row)
        return row >= 0

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        mem = self.selected_memory()
        self._update_buttons()
        if mem is None:
            return
        self._selected_id = mem.id
        store, engine = self.ctx.lab.store, self.ctx.lab.engine

        def load() -> tuple:
            prov = memory_provenance(engine, mem.id)
            extra = prov.as_dict() if prov else None
            return store.get(mem.id) or mem, store.history(mem.id), store.events(mem.id), extra

        self.jobs.latest(f"detail:{self.kind}", load, self._on_detail, self._on_error)

    def _on_detail(self, result: object) -> None:
        assert isinstance(result, tuple)
        memory, history, events, provenance = result
        if memory.id == self._selected_id:
            self.detail.show_memory(memory, history, events, provenance)

    def _update_buttons(self) -> None:
        mem = self.selected_memory()
        current = mem is not None and mem.current
        self.edit_button.setEnabled(current)
        self.pin_button.setEnabled(current)
        self.delete_button.setEnabled(mem is not None)
        self.approve_button.setEnabled(mem is not None)
        self.pin_button.setText("Unpin" if mem is not None and mem.pinned else "Pin")

    # -- actions ----------------------------------------------------------------------------------
    @Slot()
    def _edit_selected(self) -> None:
        row = self.table.selectionModel().selectedRows()
        if row and "content" in self.model.columns():
            index = self.model.index(row[0].row(), self.model.column_of("content"))
            self.table.setCurrentIndex(index)
            self.table.edit(index)

    @Slot()
    def _delete_selected(self) -> None:
        mem = self.selected_memory()
        if mem is not None:
            self.delete_memory(mem.id, mem.content)

    @Slot()
    def _toggle_pin_selected(self) -> None:
        mem = self.selected_memory()
        if mem is not None:
            self.set_pinned(mem.id, not mem.pinned)

    @Slot()
    def _approve_selected(self) -> None:
        mem = self.selected_memory()
        if mem is not None:
            self.approve(mem.id)

    @Slot(str, str)
    def edit_memory(self, memory_id: str, content: str) -> None:
        self._run_action("edit", memory_id, Lab.edit_memory, memory_id, content)

    @Slot(str, bool)
    def set_pinned(self, memory_id: str, pinned: bool) -> None:
        self._run_action("pin" if pinned else "unpin", memory_id, Lab.set_pinned, memory_id, pinned)

    def delete_memory(self, memory_id: str, content: str = "") -> None:
        shown = one_line(content, 80)
        text = (
            f"Delete “{shown}”?\n\nThe fact, its text in the history and its vector are removed; "
            "the agent will no longer recall it."
        )
        if not self.confirm("Delete memory", text):
            return
        self._run_action("delete", memory_id, Lab.delete_memory_verified, memory_id)

    def approve(self, memory_id: str) -> None:
        self._run_action("approve", memory_id, Lab.approve_memory, memory_id)

    def _run_action(self, action: str, memory_id: str, method: Callable[..., object], *args: object) -> None:
        """Run a write in the agent engine; its result arrives on the GUI thread."""
        self._set_status(f"{action.title()}…")

        def done(result: object) -> None:
            if isinstance(result, Memory):
                self.model.update_memory(result)
            if isinstance(result, AuditReport):
                self.audited.emit(result)
            self.action_done.emit(action, memory_id)
            self.refresh()

        self.jobs.when_done(lab_service(self.ctx.engine).call(method, *args), done, self._on_error)

    # -- status -----------------------------------------------------------------------------------
    def _on_error(self, message: str) -> None:
        self._set_status(f"⚠ {message}", error=True)
        self.failed.emit(message)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.status.setStyleSheet("color:#b00020" if error else "color:#555")
        self.status.setText(text)

    def status_text(self) -> str:
        return self.status.text()
