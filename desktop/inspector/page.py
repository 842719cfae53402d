"""MemoryInspector: the "Memory" page — see, search, edit, prune and move what the agent remembers.

It follows the current profile, listens to memory changes from any thread or process (the agent
engine makes them, the inspector's own writes included) and reloads on a worker, debounced, so a
burst of writes costs one reload. Exports read here; an import runs in the agent engine.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from agent_core.chat.proposals import PROPOSAL_EVENT
from agent_core.lab import Lab
from agent_core.runtime.engine import lab_service
from desktop.inspector.jobs import Jobs
from desktop.inspector.memory_tab import REVIEW, MemoryTab
from desktop.inspector.procedural import ProceduralTab
from desktop.inspector.trust import add_trust_tabs
from memory.models import EPISODIC, SEMANTIC
from memory.transfer import export_profile, write_export
from memory.transfer_project import export_project
from ui_patterns.common.context import LabContext
from ui_patterns.common.page import PatternPage

REFRESH_DEBOUNCE_MS = 100


class MemoryInspector(PatternPage):
    """Tabs for semantic facts, episodes, procedural instructions and memories needing review."""

    title = "Memory"
    subtitle = "What the agent remembers, why, and how it changed"

    transfer_done = Signal(str)  # a human-readable outcome
    transfer_failed = Signal(str)
    open_run = Signal(str)  # a provenance link: the shell shows this run in the trace viewer

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.jobs = Jobs()
        self.semantic = MemoryTab(ctx, SEMANTIC, self.jobs, self)
        self.episodic = MemoryTab(ctx, EPISODIC, self.jobs, self)
        self.procedural = ProceduralTab(ctx, self.jobs, self)
        self.review = MemoryTab(ctx, REVIEW, self.jobs, self)
        self.memory_tabs = (self.semantic, self.episodic, self.review)
        self.review.loaded.connect(self._on_review_count)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.semantic, "Semantic")
        self.tabs.addTab(self.episodic, "Episodic")
        self.tabs.addTab(self.procedural, "Procedural")
        self.tabs.addTab(self.review, "Needs review")
        self.trust_tabs = add_trust_tabs(self, ctx)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.profile_label = QLabel(self)
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.export_button = QPushButton("Export…", self)
        self.import_button = QPushButton("Import…", self)
        self.export_button.setToolTip("Save this profile's memories, history and instructions as JSON")
        self.import_button.setToolTip("Merge a memory export into this profile (validated first)")
        self.export_button.clicked.connect(self._export_clicked)
        self.export_all_button = QPushButton("Export project…", self)
        self.export_all_button.setToolTip(
            "Every profile's memories and instructions plus settings (no secrets)"
        )
        self.export_all_button.clicked.connect(self._export_all_clicked)
        self.import_button.clicked.connect(self._import_clicked)

        header = QHBoxLayout()
        header.addWidget(self.profile_label, 1)
        header.addWidget(self.export_button)
        header.addWidget(self.export_all_button)
        header.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(header)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(REFRESH_DEBOUNCE_MS)
        self._refresh_timer.timeout.connect(self.refresh)
        ctx.memory_changed.connect(self._on_memory_changed)
        ctx.job_done.connect(self._on_job_done)
        ctx.profile_changed.connect(self._on_profile_changed)
        self._on_profile_changed(ctx.profile)

    # -- live updates -----------------------------------------------------------------------------
    @Slot()
    def refresh(self) -> None:
        """Reload the memory tabs built so far and the review count (on workers); a tab not yet
        built loads when it is, the procedural tab when shown."""
        self._refresh_timer.stop()
        for tab in self.memory_tabs:
            if tab.built:
                tab.refresh()
        store, ns = self.ctx.lab.store, self.ctx.profile
        count = lambda: sum(1 for m in store.list(ns) if m.flagged)  # noqa: E731
        self.jobs.latest("review-count", count, self._on_review_count)
        if self.tabs.currentWidget() is self.procedural:
            self.procedural.refresh()

    def schedule_refresh(self) -> None:
        self._refresh_timer.start()

    @Slot(str, str, list)
    def _on_memory_changed(self, event: str, namespace: str, _ids: list) -> None:
        if namespace == self.ctx.profile and event != PROPOSAL_EVENT:  # the feedback tab's own
            self.schedule_refresh()

    @Slot(object)
    def _on_job_done(self, outcome: object) -> None:
        if getattr(outcome, "namespace", None) == self.ctx.profile:
            self.schedule_refresh()
            error = getattr(outcome, "error", None)
            if error:
                self._show_banner(f"A background memory job failed: {error}", error=True)

    @Slot(str)
    def _on_profile_changed(self, profile: str) -> None:
        self.profile_label.setText(f"<b>Profile:</b> {profile}")
        for tab in self.memory_tabs:
            if tab.built:
                tab.detail.clear()
        self.banner.setVisible(False)
        self.refresh()
        self.procedural.refresh()

    @Slot(int)
    def _on_tab_changed(self, _index: int) -> None:
        current = self.tabs.currentWidget()
        if current is self.procedural or current in self.trust_tabs.refreshable:
            current.refresh()  # type: ignore[attr-defined]

    @Slot(int)
    def _on_review_count(self, n: object) -> None:
        assert isinstance(n, int)
        self.tabs.setTabText(self.tabs.indexOf(self.review), f"Needs review ({n})" if n else "Needs review")

    # -- export / import --------------------------------------------------------------------------
    @Slot()
    def _export_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export memory", f"{self.ctx.profile}-memory.json", "Memory export (*.json)"
        )
        if path:
            self.export_to(Path(path))

    @Slot()
    def _export_all_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export project", "project-memory.json", "Memory export (*.json)"
        )
        if path:
            self.export_to(Path(path), whole_project=True)

    @Slot()
    def _import_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import memory", "", "Memory export (*.json)")
        if path:
            self.import_from(Path(path))

    def export_to(self, path: Path, *, whole_project: bool = False) -> None:
        lab, ns = self.ctx.lab, self.ctx.profile

        def work() -> str:
            if whole_project:
                data = export_project(lab.store, lab.procedural, settings=lab.settings.to_json())
                write_export(path, data)  # user-only, even over an existing readable file
                return f"Exported {len(data['profiles'])} profiles to {path.name}."
            data = export_profile(lab.store, lab.procedural, ns)
            write_export(path, data)
            return f"Exported {len(data['memories'])} memories of “{ns}” to {path.name}."

        self.jobs.run(work, self._transfer_ok, self._transfer_error)

    def import_from(self, path: Path) -> None:
        """Import in the agent engine (the file is read there); the outcome shows in the banner."""
        ns = self.ctx.profile

        def done(result: object) -> None:
            assert isinstance(result, dict)
            r = result
            text = f"Imported {r['added']} memories into “{ns}” ({r['skipped']} already here"
            text += f", {r['instructions']} instruction versions proposed: accept them in Procedural)."
            if r.get("flagged"):
                text += f" {r['flagged']} looked like planted instructions: approve them under Needs review."
            if r["conflicts"]:
                pairs = "; ".join(f"{c['slot']}: {c['existing']} ≠ {c['imported']}" for c in r["conflicts"])
                text += f" Conflicts to check: {pairs}."
            self._transfer_ok(text)

        def failed(message: str) -> None:
            kind, _, why = message.partition(": ")
            if kind == "ImportFileError":
                message = f"Import failed — {why}. Nothing was changed."
            self._transfer_error(message)

        self.jobs.when_done(lab_service(self.ctx.engine).call(Lab.import_memory, str(path), ns), done, failed)

    def _transfer_ok(self, message: object) -> None:
        self._show_banner(str(message))
        self.refresh()
        self.procedural.refresh()
        self.transfer_done.emit(str(message))

    def _transfer_error(self, message: str) -> None:
        # Workers prefix the exception type; the user needs the sentence, not the class name.
        text = message.split(": ", 1)[1] if message.startswith(("ImportFileError", "OSError")) else message
        self._show_banner(text, error=True)
        self.transfer_failed.emit(text)

    def _show_banner(self, text: str, *, error: bool = False) -> None:
        colour = "background:#fdecea;color:#8a1c1c" if error else "background:#e8f4ea;color:#1d5a2a"
        self.banner.setStyleSheet(f"{colour};padding:6px;border-radius:4px")
        self.banner.setText(("⚠ " if error else "") + text)
        self.banner.setVisible(True)

    def banner_text(self) -> str:
        return "" if self.banner.isHidden() else self.banner.text()

    # -- life cycle --------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Drop late worker results and stop listening to the context (idempotent)."""
        if self.jobs.closed:
            return
        self._refresh_timer.stop()
        self.jobs.shutdown()
        for signal, slot in (
            (self.ctx.memory_changed, self._on_memory_changed),
            (self.ctx.job_done, self._on_job_done),
            (self.ctx.profile_changed, self._on_profile_changed),
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                signal.disconnect(slot)
