"""Settings: the chat's agent, provider, memory, simulator pacing and chaos, applied live through the LabContext.

Edits work on a copy of the settings and are validated on every change (Settings.validate), so
the user sees what is wrong next to the field before anything reaches the running Lab. An API key
typed here lives only in memory: Settings.to_json drops it and register_secret scrubs it from traces.
"""

from __future__ import annotations

import copy

from PySide6.QtCore import QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from agent_core.runtime.settings import MEMORY_MODES, Settings
from memory.secrets import register_secret
from ui_patterns.common import LabContext

EMBEDDERS = ("minilm", "hash-256", "openai")
CHAOS = (
    ("error_rate", "Error rate"),
    ("rate_limit_rate", "429 rate"),
    ("timeout_rate", "Timeout rate"),
    ("malformed_tool_rate", "Malformed tool-call rate"),
    ("truncate_rate", "Truncation rate"),
)
WEIGHTS = (("w_relevance", "Relevance"), ("w_recency", "Recency"), ("w_importance", "Importance"))


def _spin(lo: float, hi: float, step: float, decimals: int = 2, suffix: str = "") -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(lo, hi)
    box.setSingleStep(step)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    return box


def local_status() -> str:
    """One line on whether the local model can run here, and how to make it so."""
    from agent_core.runtime.local_model import INSTALL_HINT, default_gguf, server_installed

    if not server_installed():
        return f"The local model is not installed: {INSTALL_HINT}."
    gguf = default_gguf()
    packaged = f"packaged: {gguf.name}" if gguf else "no packaged model: choose a .gguf file"
    return f"Runs on this machine, no network ({packaged}). The first reply waits while it loads."


def _hint(text: str) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", "hint")
    label.setWordWrap(True)
    return label


class SettingsDialog(QDialog):
    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("Settings")
        self.setMinimumWidth(520)
        tabs = QTabWidget()
        tabs.addTab(self._provider_tab(), "Provider")
        tabs.addTab(self._memory_tab(), "Memory")
        tabs.addTab(self._simulator_tab(), "Simulator")
        tabs.addTab(self._data_tab(), "Data")
        self.errors = QLabel()
        self.errors.setProperty("role", "error")
        self.errors.setWordWrap(True)
        self.errors.setObjectName("settingsErrors")
        self.errors.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Apply
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.clicked.connect(self._on_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(8)
        lay.addWidget(tabs, 1)
        lay.addWidget(self.errors)
        lay.addWidget(self.buttons)
        self.load(ctx.lab.settings)
        for w in self.findChildren(QLineEdit):
            w.textChanged.connect(self._on_edited)
        for c in self.findChildren(QComboBox):
            c.currentIndexChanged.connect(self._on_edited)
        self._on_edited()

    # -- tabs -----------------------------------------------------------------------------------
    def _form(self) -> tuple[QWidget, QFormLayout]:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(16, 16, 16, 16)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        return page, form

    def _provider_tab(self) -> QWidget:
        page, form = self._form()
        self.source = QComboBox()
        self.source.addItem("The lab's agent (the provider below)", "lab")
        self.source.addItem("An AG-UI agent (its endpoint URL)", "agui")
        self.agui_url = QLineEdit()
        self.agui_url.setPlaceholderText("http://127.0.0.1:8766/")
        form.addRow("Chat agent", self.source)
        form.addRow("AG-UI URL", self.agui_url)
        form.addRow(
            _hint(
                "An agent served over AG-UI (LangGraph, ADK, Mastra, agent-ux-lab serve-agui) answers the "
                "Chat page with its own tools and memory; the other pages and the lab's memory keep the "
                "provider below."
            )
        )
        self.kind = QComboBox()
        self.kind.addItem("Simulator (offline)", "sim")
        self.kind.addItem("OpenAI-compatible", "openai")
        self.kind.addItem("Local model (llama.cpp, offline)", "local")
        self.model_path = QLineEdit()
        self.model_path.setPlaceholderText("SmolLM2-135M-Instruct (packaged)")
        browse = QPushButton("Choose…")
        browse.clicked.connect(self._on_choose_gguf)
        self.local_row = QHBoxLayout()
        self.local_row.setSpacing(8)
        self.local_row.addWidget(self.model_path, 1)
        self.local_row.addWidget(browse)
        self.local_status = _hint(local_status())
        self.base_url = QLineEdit()
        self.base_url.setPlaceholderText("https://api.openai.com/v1")
        self.model = QLineEdit()
        self.key_env = QLineEdit()
        self.key_env.setPlaceholderText("OPENAI_API_KEY")
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("leave empty to use the environment variable")
        form.addRow("Provider", self.kind)
        form.addRow("Local model file", self.local_row)
        form.addRow(self.local_status)
        form.addRow("Base URL", self.base_url)
        form.addRow("Model", self.model)
        form.addRow("API key variable", self.key_env)
        form.addRow("API key", self.api_key)
        form.addRow(_hint("A key typed here is kept in memory only: never saved, scrubbed from traces."))
        return page

    def _memory_tab(self) -> QWidget:
        page, form = self._form()
        self.memory_mode = QComboBox()
        self.memory_mode.addItems(MEMORY_MODES)
        self.recall_k = QSpinBox()
        self.recall_k.setRange(1, 100)
        self.weights = {name: _spin(0, 10, 0.05) for name, _ in WEIGHTS}
        self.embedder = QComboBox()
        self.embedder.addItems(EMBEDDERS)
        form.addRow("Memory mode", self.memory_mode)
        form.addRow("Recall top-k", self.recall_k)
        for name, label in WEIGHTS:
            form.addRow(f"{label} weight", self.weights[name])
        form.addRow("Embedder", self.embedder)
        form.addRow(_hint("Changing the embedder takes effect after a restart, which re-indexes memory."))
        return page

    def _simulator_tab(self) -> QWidget:
        page, form = self._form()
        self.ttft = _spin(0, 10000, 50, 0, " ms")
        self.tps = _spin(0, 1000, 10, 0, " tok/s")
        self.chaos = {name: _spin(0, 1, 0.05) for name, _ in CHAOS}
        form.addRow("Time to first token", self.ttft)
        form.addRow("Speed", self.tps)
        form.addRow(_hint("Speed 0 streams instantly. Chaos rates are probabilities per request."))
        for name, label in CHAOS:
            form.addRow(label, self.chaos[name])
        return page

    def _data_tab(self) -> QWidget:
        page, form = self._form()
        self.data_dir = QLineEdit(str(self.ctx.lab.data_dir))
        self.data_dir.setReadOnly(True)
        open_button = QPushButton("Open folder")
        open_button.clicked.connect(self._on_open_folder)
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.data_dir, 1)
        row.addWidget(open_button)
        form.addRow("Data folder", row)
        form.addRow(_hint("Start with --data-dir to use another folder."))
        return page

    # -- model <-> widgets ----------------------------------------------------------------------
    def load(self, s: Settings) -> None:
        self.source.setCurrentIndex(max(0, self.source.findData(s.agent_source)))
        self.agui_url.setText(s.agui_url)
        self.kind.setCurrentIndex(max(0, self.kind.findData(s.provider.kind)))
        self.base_url.setText(s.provider.base_url)
        self.model_path.setText(s.provider.model_path)
        self.model.setText(s.provider.model)
        self.key_env.setText(s.provider.api_key_env)
        self.api_key.setText(s.provider.api_key)
        self.memory_mode.setCurrentText(s.memory_mode)
        self.recall_k.setValue(s.recall_k)
        for name, box in self.weights.items():
            box.setValue(getattr(s, name))
        if self.embedder.findText(s.embedder) < 0:
            self.embedder.addItem(s.embedder)
        self.embedder.setCurrentText(s.embedder)
        self.ttft.setValue(s.sim.ttft_ms)
        self.tps.setValue(s.sim.tokens_per_s)
        for name, box in self.chaos.items():
            box.setValue(getattr(s.sim, name))

    def edited(self) -> Settings:
        """The settings as edited: a copy, so an invalid edit never touches the running Lab."""
        s = copy.deepcopy(self.ctx.lab.settings)
        s.agent_source = self.source.currentData()
        s.agui_url = self.agui_url.text().strip()
        p = s.provider
        p.kind = self.kind.currentData()
        p.base_url = self.base_url.text().strip()
        p.model_path = self.model_path.text().strip()
        p.model = self.model.text().strip() or p.model
        p.api_key_env = self.key_env.text().strip() or p.api_key_env
        p.api_key = self.api_key.text().strip()
        s.memory_mode = self.memory_mode.currentText()
        s.recall_k = self.recall_k.value()
        for name, box in self.weights.items():
            setattr(s, name, box.value())
        s.embedder = self.embedder.currentText()
        s.sim.ttft_ms = self.ttft.value()
        s.sim.tokens_per_s = self.tps.value()
        for name, box in self.chaos.items():
            setattr(s.sim, name, box.value())
        return s

    def validate(self) -> list[str]:
        """Show errors inline; the offending field gets a red border via the `invalid` property."""
        errs = self.edited().validate()
        for field, name in ((self.base_url, "provider.base_url"), (self.agui_url, "agui_url")):
            field.setProperty("invalid", any(e.startswith(name) for e in errs))
            field.style().unpolish(field)
            field.style().polish(field)
        self.errors.setText("\n".join(errs))
        self.errors.setVisible(bool(errs))
        return errs

    def apply(self) -> bool:
        """Apply live (no restart). Returns False and leaves the Lab untouched when invalid."""
        if self.validate():
            return False
        s = self.edited()
        register_secret(s.provider.api_key)
        self.ctx.apply_settings(s)
        return True

    # -- handlers -------------------------------------------------------------------------------
    @Slot()
    def _on_edited(self) -> None:
        self.agui_url.setEnabled(self.source.currentData() == "agui")
        kind = self.kind.currentData()
        self.base_url.setEnabled(kind == "openai")
        self.model.setEnabled(kind == "openai")
        self.model_path.setEnabled(kind == "local")
        self.validate()

    @Slot()
    def _on_choose_gguf(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Choose a GGUF model", "", "GGUF models (*.gguf)")
        if path:
            self.model_path.setText(path)
            self.kind.setCurrentIndex(self.kind.findData("local"))

    @Slot(QAbstractButton)
    def _on_button(self, button: QAbstractButton) -> None:
        role = self.buttons.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.RejectRole:
            self.reject()
        elif role == QDialogButtonBox.ButtonRole.ApplyRole:
            self.apply()
        elif role == QDialogButtonBox.ButtonRole.AcceptRole and self.apply():
            self.accept()

    @Slot()
    def _on_open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ctx.lab.data_dir)))


__all__ = ["SettingsDialog"]
