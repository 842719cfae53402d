"""ComponentHost: one tool call in the chat stream — title bar, status chip, elapsed time, raw JSON toggle."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agent_core.genui.partial_json import parse_partial_json

from . import _style
from .base import TERMINAL_STATES, ComponentState, ToolComponent
from .cards import FallbackCard
from .components import create_component
from .flow import FlowLayout

CHIP_TEXT = {
    ComponentState.STREAMING: "streaming",
    ComponentState.COMPLETE: "complete",
    ComponentState.WAITING: "waiting for you",
    ComponentState.ANSWERED: "answered",
    ComponentState.ERROR: "error",
    ComponentState.DENIED: "denied",
}


def format_elapsed(seconds: float) -> str:
    """0.42 → '0.4 s', 75 → '1 m 15 s'."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes} m {rest:02d} s"


class ComponentHost(QWidget):
    """Wraps one tool call. Feed it args (`set_args`) or streamed argument text (`set_args_text`).

    `clock` is a seam for tests: elapsed time is `clock() - start`, frozen when the call settles.
    """

    responded = Signal(dict)
    state_changed = Signal(str)

    def __init__(
        self,
        tool_name: str,
        args: object = None,
        *,
        partial: bool = False,
        clock: Callable[[], float] = time.monotonic,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.tool_name = tool_name
        self._clock = clock
        self._start = clock()
        self._stopped_at: float | None = None
        self._raw_text = ""
        self._result: Any = None
        self._component = create_component(tool_name)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(_style.GRID)
        bar_holder = QWidget()
        bar = FlowLayout(bar_holder, spacing=_style.GRID)
        name = _style.label(tool_name, bold=True)
        name.setFont(_style.monospace_font())
        name.setWordWrap(False)
        self._chip = _style.chip("", _style.STATE_COLOURS["streaming"])
        self._elapsed = _style.label("", muted=True)
        self._elapsed.setWordWrap(False)
        toggle = QWidget()
        toggle_layout = QHBoxLayout(toggle)
        toggle_layout.setContentsMargins(0, 0, 0, 0)
        toggle_layout.setSpacing(0)
        self._view_buttons = QButtonGroup(self)
        for index, text in enumerate(("Predefined", "Raw JSON")):
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setChecked(index == 0)
            button.setObjectName("predefinedToggle" if index == 0 else "rawToggle")
            button.setProperty("segment", True)
            self._view_buttons.addButton(button, index)
            toggle_layout.addWidget(button)
        self._view_buttons.idToggled.connect(self._on_view_toggled)
        for widget in (name, self._chip, self._elapsed, toggle):
            bar.addWidget(widget)
        layout.addWidget(bar_holder)

        self._raw = QPlainTextEdit()
        self._raw.setObjectName("rawJson")
        self._raw.setReadOnly(True)
        self._raw.setFont(_style.monospace_font())
        self._raw.setMinimumHeight(15 * _style.GRID)
        self._raw.hide()
        layout.addWidget(self._component)
        layout.addWidget(self._raw)

        self._timer = QTimer(self)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self._refresh)
        self._component.state_changed.connect(self._on_state_changed)
        self._component.responded.connect(self.responded)
        self._on_state_changed(self._component.state().value)
        if args is not None:
            self.set_args(args, partial=partial)

    # -- feeding the call ---------------------------------------------------------------------

    def set_args(self, args: object, partial: bool = False) -> None:
        """Render parsed arguments (partial while streaming)."""
        self._raw_text = _style.pretty_json(args)
        self._component.set_args(args, partial=partial)
        self._after_update()

    def set_args_text(self, text: str, *, complete: bool = False) -> None:
        """Render the argument JSON text streamed so far; with `complete=True` it must parse fully."""
        self._raw_text = text
        if complete:
            try:
                args = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError as exc:
                self._component.set_error(
                    [f"arguments: invalid JSON ({exc.msg} at character {exc.pos})"], text
                )
            else:
                self._component.set_args(args)
        elif (args := parse_partial_json(text)) is not None:
            self._component.set_args(args, partial=True)
        self._after_update()

    def set_result(self, result: object) -> None:
        """Record the tool's result; the fallback card shows it, the raw view always does."""
        self._result = result
        if isinstance(self._component, FallbackCard):
            self._component.set_result(result)
        self._after_update()

    def set_denied(self, reason: str = "") -> None:
        self._component.set_denied(reason)

    # -- reading it back ----------------------------------------------------------------------

    def component(self) -> ToolComponent:
        return self._component

    def state(self) -> ComponentState:
        return self._component.state()

    def elapsed(self) -> float:
        end = self._stopped_at if self._stopped_at is not None else self._clock()
        return max(0.0, end - self._start)

    def chip_text(self) -> str:
        return self._chip.text()

    def elapsed_text(self) -> str:
        return self._elapsed.text()

    def raw_visible(self) -> bool:
        return self._raw.isVisibleTo(self)

    def show_raw(self, raw: bool) -> None:
        """Switch between the predefined widget and the raw JSON of the call."""
        self._view_buttons.button(1 if raw else 0).setChecked(True)

    # -- internals ----------------------------------------------------------------------------

    @Slot(int, bool)
    def _on_view_toggled(self, button_id: int, checked: bool) -> None:
        if checked:
            self._raw.setVisible(button_id == 1)
            self._component.setVisible(button_id == 0)

    @Slot(str)
    def _on_state_changed(self, value: str) -> None:
        state = ComponentState(value)
        self._chip.setText(CHIP_TEXT[state])
        _style.recolour_chip(self._chip, _style.STATE_COLOURS[state.value])
        if state in TERMINAL_STATES:
            if self._stopped_at is None:
                self._stopped_at = self._clock()
            self._timer.stop()
        elif not self._timer.isActive():
            self._stopped_at = None
            self._timer.start()
        self._refresh()
        self.state_changed.emit(value)

    @Slot()
    def _refresh(self) -> None:
        self._elapsed.setText(format_elapsed(self.elapsed()))

    def _after_update(self) -> None:
        """Refresh the raw JSON view and the elapsed time after new data arrived."""
        self._refresh()
        text = self._raw_text
        if self._result is not None:
            text += "\n\n// result\n" + _style.pretty_json(self._result)
        self._raw.setPlainText(text)
