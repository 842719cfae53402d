"""A2UI in the chat stream: one session per conversation, one `A2UICallView` per `render_a2ui` call.

The session owns the processor (every surface of the conversation) and the views, so a later call can
update or delete a surface an earlier call created; the later call's card then just says so. A call's
messages are applied as they stream: each complete JSONL line (or each finished list item) at once.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QButtonGroup, QHBoxLayout, QPlainTextEdit, QToolButton, QVBoxLayout, QWidget

from agent_core.genui.a2ui import A2UIError, A2UIProcessor, JsonlBuffer
from agent_core.genui.a2ui_catalog import A2UI_TOOL
from agent_core.genui.partial_json import parse_partial_json

from . import _style
from .a2ui_view import SurfaceView


class A2UISession(QObject):
    """The conversation's surfaces. `action_triggered(message, label)` carries a Button's action."""

    action_triggered = Signal(object, str)  # object: keeps the context's key order

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.processor = A2UIProcessor()
        self.views: dict[str, SurfaceView] = {}

    def view(self, surface_id: str) -> SurfaceView | None:
        return self.views.get(surface_id)

    def apply(self, messages: list[object], call: A2UICallView) -> None:
        """Apply messages in order, then redraw each surface they touched once; a new surface gets its
        view in `call`, one created earlier refreshes where it is and `call` notes the update."""
        errors = len(self.processor.errors)
        touched: dict[str, str] = {}
        for message in messages:
            surface_id = self.processor.apply(message)
            if surface_id is not None:
                kind = next((k for k in message if k != "version"), "") if isinstance(message, dict) else ""
                touched[surface_id] = kind
        for error in self.processor.errors[errors:]:
            call.add_error(error)
        for surface_id, kind in touched.items():
            view = self.views.get(surface_id)
            surface = self.processor.surfaces[surface_id]
            if view is None or view.surface is not surface:  # created (or re-created after a delete)
                view = SurfaceView(surface)
                view.action_triggered.connect(self.action_triggered)
                self.views[surface_id] = view
                call.add_surface(view)
                continue
            view.refresh()
            if not call.owns(view):
                call.note_update(surface_id, kind)


class A2UICallView(QWidget):
    """One `render_a2ui` tool call: a title bar, the surfaces it created, and its raw messages."""

    def __init__(self, session: A2UISession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tool_name = A2UI_TOOL
        self._session = session
        self._buffer = JsonlBuffer()
        self._applied = 0  # items of a `messages` list applied so far
        self._surfaces: list[SurfaceView] = []
        self._errors: list[A2UIError] = []
        self._notes: set[str] = set()
        self.done = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(_style.GRID)
        bar = QHBoxLayout()
        bar.setSpacing(_style.GRID)
        name = _style.label(A2UI_TOOL, bold=True)
        name.setFont(_style.monospace_font())
        name.setWordWrap(False)
        self._chip = _style.chip("streaming", _style.STATE_COLOURS["streaming"])
        bar.addWidget(name)
        bar.addWidget(self._chip)
        self._toggle = QButtonGroup(self)
        for index, text in enumerate(("Surface", "Messages")):
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setChecked(index == 0)
            button.setProperty("segment", True)
            self._toggle.addButton(button, index)
            bar.addWidget(button)
        bar.addStretch(1)
        self._toggle.idToggled.connect(self._on_toggle)
        layout.addLayout(bar)
        self._body = QWidget()
        self._body_layout = QVBoxLayout(self._body)
        self._body_layout.setContentsMargins(0, 0, 0, 0)
        self._body_layout.setSpacing(_style.GRID)
        layout.addWidget(self._body)
        self._raw = QPlainTextEdit()
        self._raw.setReadOnly(True)
        self._raw.setFont(_style.monospace_font())
        self._raw.setMaximumHeight(30 * _style.GRID)
        self._raw.hide()
        layout.addWidget(self._raw)

    # -- feeding ------------------------------------------------------------------------------

    def feed(self, arguments_text: str, *, done: bool = False) -> None:
        """The tool call's arguments so far: apply every message that is complete by now."""
        args = _arguments(arguments_text, done)
        if isinstance(args.get("jsonl"), str):
            messages = self._buffer.feed(args["jsonl"], done=done)
            self._raw.setPlainText(args["jsonl"])
        else:
            items = args.get("messages") if isinstance(args.get("messages"), list) else []
            complete = items if done else items[:-1]  # the last item may still be arriving
            messages, self._applied = complete[self._applied :], max(self._applied, len(complete))
            self._raw.setPlainText("\n".join(json.dumps(m, ensure_ascii=False) for m in items))
        if messages:
            self._session.apply(messages, self)
        if done:
            self.done = True
            for line in self._buffer.bad_lines:
                self.add_error(A2UIError("", "/", f"not a JSON message: {line[:60]}"))
            if not args and arguments_text.strip():
                self.add_error(A2UIError("", "/", "arguments are not valid JSON"))
            self._set_chip()

    # -- what the session reports -----------------------------------------------------------------

    def add_surface(self, view: SurfaceView) -> None:
        self._surfaces.append(view)
        self._body_layout.addWidget(view)

    def owns(self, view: SurfaceView) -> bool:
        return view in self._surfaces

    def note_update(self, surface_id: str, kind: str) -> None:
        """A message for a surface shown further up: one muted line instead of a second copy."""
        verb = "removed" if kind == "deleteSurface" else "updated"
        text = f"↻ {verb} the surface “{surface_id}” above"
        if text not in self._notes:
            self._notes.add(text)
            self._body_layout.addWidget(_style.label(text, muted=True, italic=True))

    def add_error(self, error: A2UIError) -> None:
        self._errors.append(error)
        label = _style.label(f"⚠ {error.path}: {error.message}")
        label.setStyleSheet(f"color: {_style.STATE_COLOURS['error']};")
        self._body_layout.addWidget(label)
        self._set_chip()

    def surfaces(self) -> list[SurfaceView]:
        return list(self._surfaces)

    def errors(self) -> list[A2UIError]:
        return list(self._errors)

    def _set_chip(self) -> None:
        state = "error" if self._errors else "complete" if self.done else "streaming"
        self._chip.setText({"error": "error", "complete": "rendered", "streaming": "streaming"}[state])
        _style.recolour_chip(self._chip, _style.STATE_COLOURS[state])

    @Slot(int, bool)
    def _on_toggle(self, index: int, checked: bool) -> None:
        if checked:
            self._body.setVisible(index == 0)
            self._raw.setVisible(index == 1)


def _arguments(text: str, done: bool) -> dict[str, Any]:
    if done:
        try:
            value = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}
    return parse_partial_json(text) or {}
