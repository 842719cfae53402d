"""Inline, collapsible steps of a turn: what was recalled (and why), what was saved, which tools ran.

They make memory visible where it happens: a row per step, collapsed to one line, expandable to the
details (score parts of each recalled memory, the write's latency).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QVBoxLayout, QWidget

STEPS_QSS = """
QToolButton#stepToggle { border: none; padding: 0px; color: palette(text); text-align: left; }
QLabel#stepDetail { color: palette(placeholder-text); padding-left: 18px; }
"""


def ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def recalled_title(memories: list[dict], latency_ms: float | None) -> str:
    n = len(memories)
    return f"recalled {n} {'memory' if n == 1 else 'memories'} · {ms(latency_ms)}"


def recalled_details(memories: list[dict]) -> list[str]:
    """One line per memory: the content, its score, and the parts that explain the score."""
    lines = []
    for m in memories:
        p = m.get("parts", {})
        lines.append(
            f"{m.get('content', '')}  —  score {m.get('score', 0):.2f} "
            f"(relevance {p.get('relevance', 0):.2f} · recency {p.get('recency', 0):.2f} · "
            f"importance {p.get('importance', 0):.2f})"
        )
    return lines or ["nothing relevant in long-term memory yet"]


def written_lines(written: dict) -> list[str]:
    lines = [f"saved: {a['content']}" for a in written.get("added", [])]
    lines += [f"updated: {a['content']}" for a in written.get("updated", [])]
    lines += [f"replaced: {a['content']}" for a in written.get("superseded", [])]
    lines += [f"needs approval: {a['content']}" for a in written.get("flagged", [])]
    return lines


class StepRow(QWidget):
    """A one-line summary with an arrow; the details show on click."""

    def __init__(self, title: str, details: list[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.toggle_button = QToolButton(self)
        self.toggle_button.setObjectName("stepToggle")
        self.toggle_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toggle_button.setArrowType(Qt.ArrowType.RightArrow)
        self.toggle_button.setCheckable(True)
        self.toggle_button.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.toggle_button.toggled.connect(self._on_toggled)
        self.detail = QLabel(self)
        self.detail.setObjectName("stepDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.toggle_button)
        lay.addWidget(self.detail)
        self.update_step(title, details)

    def update_step(self, title: str, details: list[str]) -> None:
        self.toggle_button.setText(title)
        self.detail.setText("\n".join(f"• {d}" for d in details))
        self.toggle_button.setEnabled(bool(details))

    def title(self) -> str:
        return self.toggle_button.text()

    def details(self) -> str:
        return self.detail.text()

    def is_expanded(self) -> bool:
        return self.toggle_button.isChecked()

    def set_expanded(self, on: bool) -> None:
        self.toggle_button.setChecked(on)

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        self.toggle_button.setArrowType(Qt.ArrowType.DownArrow if on else Qt.ArrowType.RightArrow)
        self.detail.setVisible(on)


class StepsPanel(QWidget):
    """The steps of one turn, keyed so a later event (a tool finishing) updates its own row."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, StepRow] = {}
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(4, 0, 0, 0)
        self._lay.setSpacing(2)
        self.hide()

    def set_step(self, key: str, title: str, details: list[str] | None = None) -> StepRow:
        row = self.rows.get(key)
        if row is None:
            row = self.rows[key] = StepRow(title, details or [], self)
            self._lay.addWidget(row)
        else:
            row.update_step(title, details or [])
        self.show()
        return row

    def clear(self) -> None:
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        self.rows.clear()
        self.hide()

    def titles(self) -> list[str]:
        return [r.title() for r in self.rows.values()]


class HBox(QHBoxLayout):
    """A tight horizontal row (action bars, footers)."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 4) -> None:
        super().__init__(parent)
        self.setContentsMargins(0, 0, 0, 0)
        self.setSpacing(spacing)
