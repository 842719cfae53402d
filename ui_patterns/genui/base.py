"""The base every predefined component shares: validation, visible states, and re-rendering as args stream."""

from __future__ import annotations

import copy
from enum import StrEnum
from typing import Any, ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QPlainTextEdit, QVBoxLayout, QWidget

from agent_core.genui.schemas import validate

from . import _style


class ComponentState(StrEnum):
    """Where a tool call's component is; shown by the host's status chip."""

    STREAMING = "streaming"  # arguments still arriving: skeletons for missing props
    COMPLETE = "complete"  # rendered from complete, valid arguments
    WAITING = "waiting"  # interactive: the agent waits for the user
    ANSWERED = "answered"  # interactive: the user answered; read-only from now on
    ERROR = "error"  # arguments failed validation: errors + raw JSON, never a crash
    DENIED = "denied"  # the user (or policy) refused the tool call


TERMINAL_STATES = frozenset(
    {ComponentState.COMPLETE, ComponentState.ANSWERED, ComponentState.ERROR, ComponentState.DENIED}
)


class ErrorView(QFrame):
    """Lists validation errors and shows the raw arguments, so a bad schema never renders as nothing."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(_style.GRID)
        self._heading = _style.label("", bold=True, size=1)
        self._heading.setStyleSheet(f"color: {_style.STATE_COLOURS['error']};")
        self._errors = _style.label("")
        self._raw = QPlainTextEdit()
        self._raw.setReadOnly(True)
        self._raw.setFont(_style.monospace_font())
        self._raw.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self._raw.setMaximumHeight(20 * _style.GRID)
        layout.addWidget(self._heading)
        layout.addWidget(self._errors)
        layout.addWidget(_style.label("Raw arguments", muted=True))
        layout.addWidget(self._raw)

    def show_errors(self, tool_name: str, errors: list[str], args: object) -> None:
        self._heading.setText(_style.wrap_text(f"⚠ Could not render {tool_name}"))
        self._errors.setText(_style.wrap_text("\n".join(f"• {error}" for error in errors)))
        self._raw.setPlainText(args if isinstance(args, str) else _style.pretty_json(args))

    def errors_text(self) -> str:
        return self._errors.text().replace("\u200b", "")


class ToolComponent(QFrame):
    """A card rendering one tool call. Subclasses implement `_build(args, partial) -> QWidget`.

    `set_args` may be called many times while arguments stream in; the body is rebuilt only when
    the arguments change, and answered or denied cards are frozen.
    """

    state_changed = Signal(str)
    responded = Signal(dict)

    tool_name: ClassVar[str] = ""
    interactive: ClassVar[bool] = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _style.card_frame(self)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID)
        self._layout.setSpacing(_style.GRID)
        self._body: QWidget = QWidget()
        self._error_view = ErrorView()
        self._denied = _style.label("", bold=True)
        self._denied.setStyleSheet(f"color: {_style.STATE_COLOURS['denied']};")
        for widget in (self._body, self._error_view, self._denied):
            self._layout.addWidget(widget)
            widget.hide()
        self._waiting = _style.skeleton("Waiting for arguments")
        self._layout.addWidget(self._waiting)
        self._state = ComponentState.STREAMING
        _style.set_state_property(self, self._state.value)
        self._args: Any = {}
        self._last: tuple[Any, bool] | None = None
        self._errors: list[str] = []

    # -- public API ---------------------------------------------------------------------------

    def set_args(self, args: object, partial: bool = False) -> None:
        """Render `args`; with `partial=True` missing props show as skeletons."""
        if self._state in (ComponentState.ANSWERED, ComponentState.DENIED):
            return
        self._args = copy.deepcopy(args)
        errors = self.validate(args, partial)
        if errors:
            self.set_error(errors, args)
            return
        self._errors = []
        if self._last != (self._args, partial):
            self._last = (copy.deepcopy(self._args), partial)
            new_body = self._build(args, partial)
            self._layout.replaceWidget(self._body, new_body)
            self._body.hide()
            self._body.deleteLater()
            self._body = new_body
        self._show(self._body)
        if partial:
            self._set_state(ComponentState.STREAMING)
        else:
            self._set_state(ComponentState.WAITING if self.interactive else ComponentState.COMPLETE)

    def set_error(self, errors: list[str], raw: object) -> None:
        """Show the error card: `errors` (one per line, naming the field) and the `raw` arguments."""
        self._errors = list(errors)
        self._last = None
        self._error_view.show_errors(self.display_name(), self._errors, raw)
        self._show(self._error_view)
        self._set_state(ComponentState.ERROR)

    def set_denied(self, reason: str = "") -> None:
        """Show that the tool call was refused; the card stays in this state."""
        text = "✕ Denied — this tool call was not run."
        self._denied.setText(_style.wrap_text(f"{text}\n{reason}" if reason else text))
        self._show(self._denied)
        self._set_state(ComponentState.DENIED)

    def state(self) -> ComponentState:
        return self._state

    def body(self) -> QWidget:
        """The body built from the latest arguments (earlier ones await deletion while streaming)."""
        return self._body

    def errors(self) -> list[str]:
        """Validation errors of the last `set_args` ([] when it rendered)."""
        return list(self._errors)

    def args(self) -> Any:
        return copy.deepcopy(self._args)

    def display_name(self) -> str:
        return self.tool_name

    def validate(self, args: object, partial: bool) -> list[str]:
        return validate(self.tool_name, args, partial=partial)

    # -- for subclasses -----------------------------------------------------------------------

    def _build(self, args: Any, partial: bool) -> QWidget:
        raise NotImplementedError

    def _set_state(self, state: ComponentState) -> None:
        if state != self._state:
            self._state = state
            _style.set_state_property(self, state.value)
            self.state_changed.emit(state.value)

    def _show(self, page: QWidget) -> None:
        for widget in (self._body, self._error_view, self._denied, self._waiting):
            widget.setVisible(widget is page)
