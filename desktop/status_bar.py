"""The status bar: what the agent is (provider, model, memory mode, an AG-UI agent the chat talks
to), whose memory it uses, and health.

The stall dot makes GUI-thread blocking visible while designing: if it turns red, something slow
ran on the GUI thread and belongs on a worker.
"""

from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urlsplit

from PySide6.QtCore import QTimer, Slot
from PySide6.QtWidgets import QComboBox, QInputDialog, QLabel, QStatusBar, QWidget

from desktop.theme import color
from desktop.widgets import ElidedLabel
from ui_patterns.common import LabContext, StallProbe

NEW_PROFILE = "New profile…"
STALL_WARN_MS, STALL_BAD_MS = 50.0, 200.0


class LabStatusBar(QStatusBar):
    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setSizeGripEnabled(False)
        # long texts (a base URL, "memory ready (…) · local model …") elide: never widen the window
        self.provider_label = ElidedLabel()
        self.mode_label = QLabel()
        self.mode_label.setToolTip("The memory mode (Settings, or the chat page's Memory box)")
        self.memory_label = ElidedLabel(ctx.status)
        self.stall_label = QLabel("●")
        self.stall_label.setToolTip("GUI responsiveness (worst event-loop delay in the last second)")
        self.profile_combo = QComboBox()
        self.profile_combo.setAccessibleName("Profile")
        self.profile_combo.setToolTip("Memory namespace: nothing of one profile is recalled for another")
        self.profile_combo.setMinimumContentsLength(10)
        self.profile_combo.activated.connect(self._on_profile_activated)
        for w in (self.provider_label, self.mode_label):
            self.addWidget(w)
        self.addWidget(QLabel("Profile"))
        self.addWidget(self.profile_combo)
        self.addPermanentWidget(self.memory_label)
        self.addPermanentWidget(self.stall_label)
        self.probe = StallProbe(50, self)
        self._stall_timer = QTimer(self)
        self._stall_timer.setInterval(1000)
        self._stall_timer.timeout.connect(self._sample_stall)
        self.probe.start()
        self._stall_timer.start()
        self._show_stall(0.0)
        ctx.settings_changed.connect(self.refresh)
        ctx.profile_changed.connect(self._on_profile_changed)
        ctx.ready_changed.connect(self._on_ready)
        self.refresh()

    def note_crash(self, what: str, log: Path) -> QLabel:
        """Say that the previous session died, with a link to its report (stays until clicked)."""
        label = QLabel(f'⚠ The last session crashed ({what}). <a href="{log.as_uri()}">Crash report</a>')
        label.setStyleSheet(f"color: {color('danger')};")
        label.setOpenExternalLinks(True)
        label.setToolTip(str(log))
        label.linkActivated.connect(lambda _link: label.hide())
        self.insertPermanentWidget(0, label)
        self.crash_label = label
        return label

    def note_warning(self, text: str, details: str) -> QLabel:
        """A lasting warning (e.g. settings that fell back to defaults), details on hover."""
        label = QLabel(f"⚠ {text}")
        label.setStyleSheet(f"color: {color('warn')};")
        label.setToolTip(details)
        self.insertPermanentWidget(0, label)
        return label

    @Slot()
    def refresh(self) -> None:
        s = self.ctx.lab.settings
        provider = {"sim": "simulator", "local": "local model"}.get(
            s.provider.kind, s.provider.base_url or "openai"
        )
        model = s.provider.model
        if s.provider.kind == "local":
            model = Path(s.provider.model_path).stem if s.provider.model_path else "SmolLM2-135M-Instruct"
        agent = f"chat: AG-UI agent at {urlsplit(s.agui_url).netloc} · " if s.agent_source == "agui" else ""
        self.provider_label.setText(f"{agent}{provider} · {model}")
        self.mode_label.setText(f"memory: {s.memory_mode}")
        self.memory_label.setText(self.ctx.status)
        self.reload_profiles()

    def profiles(self) -> list[str]:
        names = set(self.ctx.lab.store.namespaces()) | {"default", self.ctx.profile}
        return sorted(names)

    def reload_profiles(self) -> None:
        self.profile_combo.blockSignals(True)
        self.profile_combo.clear()
        self.profile_combo.addItems(self.profiles())
        self.profile_combo.insertSeparator(self.profile_combo.count())
        self.profile_combo.addItem(NEW_PROFILE)
        self.profile_combo.setCurrentText(self.ctx.profile)
        self.profile_combo.blockSignals(False)

    def switch_profile(self, name: str) -> None:
        """Switch and remember the profile (it is a setting, so the next start opens it)."""
        name = name.strip()
        if not name or name == NEW_PROFILE:
            return
        if name != self.ctx.lab.settings.profile:
            s = copy.deepcopy(self.ctx.lab.settings)
            s.profile = name
            self.ctx.apply_settings(s)
        self.ctx.set_profile(name)
        self.reload_profiles()

    def ask_new_profile(self) -> None:
        name, ok = QInputDialog.getText(self, "New profile", "Profile name (a memory namespace):")
        if ok:
            self.switch_profile(name)
        else:
            self.reload_profiles()

    @Slot(int)
    def _on_profile_activated(self, index: int) -> None:
        text = self.profile_combo.itemText(index)
        if text == NEW_PROFILE:
            self.ask_new_profile()
        else:
            self.switch_profile(text)

    @Slot(str)
    def _on_profile_changed(self, _profile: str) -> None:
        self.reload_profiles()

    @Slot(bool, str)
    def _on_ready(self, ok: bool, message: str) -> None:
        self.memory_label.setText(message)
        self.memory_label.setStyleSheet("" if ok else f"color: {color('danger')};")

    @Slot()
    def _sample_stall(self) -> None:
        worst = self.probe.max_stall_ms
        self.probe.samples.clear()
        self._show_stall(worst)

    def _show_stall(self, worst_ms: float) -> None:
        role = "ok" if worst_ms < STALL_WARN_MS else ("warn" if worst_ms < STALL_BAD_MS else "danger")
        self.stall_label.setStyleSheet(f"color: {color(role)};")
        self.stall_label.setToolTip(
            f"GUI responsiveness: worst event-loop delay {worst_ms:.0f} ms in the last second"
        )

    def shutdown(self) -> None:
        self.probe.stop()
        self._stall_timer.stop()
