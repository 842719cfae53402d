"""Quality & deletion: write thresholds, the junk review with one-click prune, and the deletion audit.

Thresholds are the `min_importance` / `min_confidence` settings (facts below them are discarded at
write time and counted on the turn). The audit searches the SQLite file and its WAL, Chroma's files
and the traces for a text, so the user can check for themselves that a deleted thing is gone. A prune
runs in the agent engine (its Lab owns the store's writes); the review and the audit only read.
"""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from agent_core.lab import Lab
from agent_core.runtime.engine import lab_service
from desktop.inspector.jobs import Jobs
from memory.audit import AuditReport
from memory.quality import JunkItem, junk_review
from ui_patterns.common.context import LabContext
from ui_patterns.common.lazy import LazyTab


def _spin(value: float, parent: QWidget) -> QDoubleSpinBox:
    box = QDoubleSpinBox(parent)
    box.setRange(0.0, 1.0)
    box.setSingleStep(0.05)
    box.setDecimals(2)
    box.setValue(value)
    return box


class QualityTab(LazyTab):
    pruned = Signal(int)
    audited = Signal(object)  # AuditReport
    failed = Signal(str)

    def __init__(self, ctx: LabContext, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.jobs = ctx, jobs

    def _build(self) -> None:  # on first show or touch (LazyTab)
        ctx = self.ctx
        s = ctx.lab.settings
        self.min_importance = _spin(s.min_importance, self)
        self.min_confidence = _spin(s.min_confidence, self)
        self.auto_accept = QCheckBox("Apply feedback at once (else it waits in the Feedback tab)", self)
        self.auto_accept.setChecked(s.feedback_auto_accept)
        self.apply_button = QPushButton("Apply", self)
        self.apply_button.clicked.connect(self._apply_thresholds)
        thresholds = QGroupBox("Write thresholds (facts below are discarded, and counted per turn)", self)
        form = QVBoxLayout(thresholds)  # one row of fields: the tab fits a 640 px high window
        fields = QHBoxLayout()
        for text, spin in (
            ("Minimum importance", self.min_importance),
            ("Minimum confidence", self.min_confidence),
        ):
            label = QLabel(text, thresholds)
            label.setBuddy(spin)
            fields.addWidget(label)
            fields.addWidget(spin)
            fields.addSpacing(16)
        fields.addStretch(1)
        fields.addWidget(self.apply_button)
        form.addLayout(fields)
        form.addWidget(self.auto_accept)

        self.junk = QListWidget(self)
        self.junk.setMinimumHeight(72)  # a few rows; the box takes the rest of the height
        self.junk_status = QLabel(self)
        self.prune_button = QPushButton("Prune checked", self)
        self.prune_button.clicked.connect(self._prune_clicked)
        junk_box = QGroupBox("Junk review: low-value memories", self)
        jv = QVBoxLayout(junk_box)
        jv.addWidget(self.junk, 1)
        row = QHBoxLayout()
        row.addWidget(self.junk_status, 1)
        row.addWidget(self.prune_button)
        jv.addLayout(row)

        self.audit_text = QLineEdit(self)
        self.audit_text.setPlaceholderText("text you deleted, e.g. a city or a name")
        self.audit_button = QPushButton("Audit", self)
        self.audit_button.clicked.connect(self._audit_clicked)
        self.audit_result = QLabel("Search every file the app keeps for a text you deleted.", self)
        self.audit_result.setWordWrap(True)
        self.audit_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        audit_box = QGroupBox("Deletion audit (SQLite + WAL, Chroma, traces, caches)", self)
        av = QVBoxLayout(audit_box)
        arow = QHBoxLayout()
        arow.addWidget(self.audit_text, 1)
        arow.addWidget(self.audit_button)
        av.addLayout(arow)
        av.addWidget(self.audit_result)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(thresholds)
        lay.addWidget(junk_box, 1)
        lay.addWidget(audit_box)
        self._items: list[JunkItem] = []
        self.last_prune = ""

    # -- thresholds -------------------------------------------------------------------------------
    @Slot()
    def _apply_thresholds(self) -> None:
        s = dataclasses.replace(
            self.ctx.lab.settings,
            min_importance=self.min_importance.value(),
            min_confidence=self.min_confidence.value(),
            feedback_auto_accept=self.auto_accept.isChecked(),
        )
        self.ctx.apply_settings(s)
        self.refresh()

    # -- junk review ------------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        store, ns = self.ctx.lab.store, self.ctx.profile
        imp = max(0.3, self.min_importance.value())
        conf = max(0.5, self.min_confidence.value())
        self.jobs.latest(
            "junk",
            lambda: junk_review(store, ns, min_importance=imp, min_confidence=conf),
            self._on_junk,
            self.failed.emit,
        )

    def _on_junk(self, items: object) -> None:
        assert isinstance(items, list)
        self._items = items
        self.junk.clear()
        for j in items:
            item = QListWidgetItem(f"{j.memory.content}  —  {'; '.join(j.reasons)}")
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.junk.addItem(item)
        text = f"{len(items)} to review" if items else "Nothing looks like junk."
        self.junk_status.setText(f"{self.last_prune} {text}" if self.last_prune else text)
        self.prune_button.setEnabled(bool(items))

    def checked_ids(self) -> list[str]:
        return [
            self._items[i].memory.id
            for i in range(self.junk.count())
            if self.junk.item(i).checkState() == Qt.CheckState.Checked
        ]

    @Slot()
    def _prune_clicked(self) -> None:
        ids = self.checked_ids()
        if ids:
            future = lab_service(self.ctx.engine).call(Lab.delete_memories_verified, ids)
            self.jobs.when_done(future, lambda report: self._on_pruned((len(ids), report)), self.failed.emit)

    def _on_pruned(self, result: object) -> None:
        assert isinstance(result, tuple)
        n, report = result
        self.last_prune = f"Pruned {n} (deletion audit: {report.summary().split(':')[0]})."
        self.junk_status.setText(self.last_prune)
        self.pruned.emit(n)
        self.refresh()

    # -- audit ------------------------------------------------------------------------------------
    @Slot()
    def _audit_clicked(self) -> None:
        text = self.audit_text.text().strip()
        if len(text) < 4:
            self.audit_result.setText("Type at least 4 characters to search for.")
            return
        lab = self.ctx.lab
        self.audit_result.setText("Searching…")
        self.jobs.run(lambda: lab.audit(texts=[text]), self.show_audit, self.failed.emit)

    def show_audit(self, report: object) -> None:
        assert isinstance(report, AuditReport)
        colour = "#11651f" if report.clean else "#a3121a"
        kept = sorted({h.where for h in report.structured if h.scope != "memory"})
        extra = (
            f"<br><small>Still in the conversation or its trace: {', '.join(kept)}</small>" if kept else ""
        )
        self.audit_result.setText(
            f"<span style='color:{colour}'><b>{report.summary()}</b></span>"
            f"<br><small>{report.files_scanned} files, {report.bytes_scanned // 1024} KiB scanned</small>{extra}"
        )
        self.audited.emit(report)
