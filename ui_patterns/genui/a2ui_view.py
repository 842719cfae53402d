"""Draws an A2UI surface with the app's own widgets (no web view) and sends `action`s back.

`SurfaceView` rebuilds its widget tree when the surface's components change (they stream in message by
message; a child that has not arrived yet shows a placeholder) and only re-reads bindings when just the
data model changed, so typing into a bound field never loses focus. Inputs write the data model
immediately (two-way binding); a Button resolves its action context and emits `action_triggered`.
Types outside the catalog render as a generic card naming the type and its props.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from agent_core.genui.a2ui import Surface, action_message, check_errors, join_pointer, resolve
from agent_core.genui.a2ui_catalog import PREDEFINED

from . import _style
from .bubble import markdown_document
from .cards import _hline, fmt_number
from .components import create_component
from .flow import FlowLayout
from .interactive import parse_number

MAX_DEPTH = 24
HEADING_SIZE = {"h1": 6, "h2": 4, "h3": 2, "h4": 1, "h5": 0.5}
ICONS = {"check": "✓", "close": "✕", "mail": "✉", "event": "📅", "calendarToday": "📅", "locationOn": "📍"}
ICONS |= {"person": "👤", "phone": "☎", "star": "★", "warning": "⚠", "info": "ℹ", "search": "🔍", "send": "➤"}
Binder = Callable[[], None]


class SurfaceView(QFrame):
    """One surface. Call `refresh()` after the surface changed; `action_triggered(message, label)`."""

    action_triggered = Signal(object, str)  # object: keeps the context's key order

    def __init__(self, surface: Surface, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _style.card_frame(self)
        self.surface = surface
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID)
        self._tree: QWidget | None = None
        self._binders: list[Binder] = []
        self._signature = ""
        self._generation = 0  # bumped by every rebuild: binders of an old tree stop running
        self.refresh()

    def refresh(self) -> None:
        """Rebuild if the components changed, else re-read the bindings."""
        signature = json.dumps(self.surface.components, sort_keys=True, default=str)
        if self.surface.deleted:
            self._replace(_style.label("This surface was removed by the agent.", italic=True, muted=True))
        elif signature != self._signature or self._tree is None:
            self._signature = signature
            self._generation += 1
            self._binders = []
            root = self.surface.root()
            tree = self._build("root", "", ()) if root else _style.skeleton("Surface arriving")
            self._replace(tree)
        self.rebind()

    def rebind(self) -> None:
        """Re-read every binding (stops early if a binder rebuilt the tree, which rebinds itself)."""
        generation = self._generation
        for binder in list(self._binders):
            if generation != self._generation:
                return
            binder()

    def _replace(self, tree: QWidget) -> None:
        if self._tree is not None:
            self._layout.removeWidget(self._tree)
            self._tree.hide()
            self._tree.setParent(None)  # out of the tree now (a lookup never finds it), freed soon
            self._tree.deleteLater()
        self._tree = tree
        self._layout.addWidget(tree)

    def _data_written(self) -> None:
        """An input wrote the data model: every other binding shows the new state."""
        self.rebind()

    # -- building -----------------------------------------------------------------------------

    def _build(self, component_id: str, scope: str, stack: tuple[str, ...]) -> QWidget:
        component = self.surface.components.get(component_id)
        if component is None:
            return _style.skeleton(component_id.replace("_", " "))
        if component_id in stack or len(stack) > MAX_DEPTH:
            return _style.label(f"⚠ {component_id}: refers to itself", muted=True)
        kind = str(component.get("component"))
        builder = getattr(self, f"_build_{kind}", None)
        if kind in PREDEFINED:
            builder = self._build_predefined
        widget = builder(component, scope, (*stack, component_id)) if builder else self._generic(component)
        widget.setProperty("a2uiId", component_id)  # not the object name: cards style themselves by it
        return widget

    def parts(self, component_id: str) -> list[QWidget]:
        """The widgets drawn for a component (one per template item), current tree only."""
        if self._tree is None:
            return []
        found = [self._tree, *self._tree.findChildren(QWidget)]
        return [w for w in found if w.property("a2uiId") == component_id]

    def part(self, component_id: str) -> QWidget | None:
        parts = self.parts(component_id)
        return parts[0] if parts else None

    def _value(self, value: Any, scope: str) -> Any:
        return resolve(value, self.surface.data, scope)

    def _bind(self, binder: Binder) -> None:
        self._binders.append(binder)
        binder()

    def _children(self, component: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> list[QWidget]:
        children = component.get("children")
        if isinstance(children, Mapping):  # a template: one child per item of the bound array
            base = join_pointer(scope, str(children.get("path", "")))
            items = self.surface.get(base)
            count = len(items) if isinstance(items, list) else 0
            template = str(children.get("componentId", ""))
            return [self._build(template, f"{base.rstrip('/')}/{i}", stack) for i in range(count)]
        return [self._build(str(child), scope, stack) for child in children or [] if isinstance(child, str)]

    def _container(
        self,
        component: Mapping[str, Any],
        scope: str,
        stack: tuple[str, ...],
        direction: QBoxLayout.Direction,
    ) -> QWidget:
        """Row, Column and List; a template container rebuilds its items when the array's length changes."""
        widget = QWidget()
        layout = QBoxLayout(direction, widget)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(_style.GRID)
        horizontal = direction == QBoxLayout.Direction.LeftToRight
        if horizontal and component.get("justify") in ("end", "center", "spaceBetween"):
            layout.addStretch(1)
        for child in self._children(component, scope, stack):
            weight = self.surface.components.get(str(child.property("a2uiId")), {}).get("weight")
            layout.addWidget(child, int(weight) if isinstance(weight, int | float) else 0)
        if horizontal and component.get("justify") in (None, "start", "center"):
            layout.addStretch(1)
        children = component.get("children")
        if isinstance(children, Mapping):
            path = join_pointer(scope, str(children.get("path", "")))
            count = len(self.surface.get(path) or [])

            def recount() -> None:
                if len(self.surface.get(path) or []) != count:
                    self._signature = ""  # the item count changed: rebuild the tree
                    self.refresh()

            self._binders.append(recount)
        return widget

    def _build_Row(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        return self._container(c, scope, stack, QBoxLayout.Direction.LeftToRight)

    def _build_Column(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        return self._container(c, scope, stack, QBoxLayout.Direction.TopToBottom)

    def _build_List(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        horizontal = c.get("direction") == "horizontal"
        direction = QBoxLayout.Direction.LeftToRight if horizontal else QBoxLayout.Direction.TopToBottom
        return self._container(c, scope, stack, direction)

    def _build_Card(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        card = QFrame()
        card.setObjectName("a2uiCard")
        card.setStyleSheet(
            f"QFrame#a2uiCard {{ border: 1px solid palette(mid); border-radius: {_style.RADIUS}px; }}"
        )
        layout = QVBoxLayout(card)
        layout.setContentsMargins(2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID)
        layout.addWidget(self._build(str(c.get("child", "")), scope, stack))
        return card

    def _build_Divider(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        return _hline()

    def _build_Icon(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        icon = QLabel()
        self._bind(lambda: icon.setText(ICONS.get(str(self._value(c.get("name"), scope)), "•")))
        return icon

    def _build_Text(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        text = QLabel()
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        variant = str(c.get("variant") or "body")
        font = text.font()
        font.setPointSizeF(font.pointSizeF() + HEADING_SIZE.get(variant, 0))
        font.setBold(variant in HEADING_SIZE)
        if variant == "caption":  # the app's style sheet colours every label: muted needs saying so
            text.setStyleSheet(f"color: {text.palette().color(QPalette.ColorRole.PlaceholderText).name()};")

        def show() -> None:
            source = _plain(self._value(c.get("text"), scope))
            if text.property("source") != source:
                text.setProperty("source", source)
                doc = markdown_document(source)
                doc.setDefaultFont(font)  # the exported HTML carries the font: the variant's size
                text.setText(doc.toHtml())

        self._bind(show)
        return text

    def _button_label(self, c: Mapping[str, Any], scope: str) -> str:
        child = self.surface.components.get(str(c.get("child", "")), {})
        return _plain(self._value(child.get("text"), scope)) or str(c.get("child", "Button"))

    def _build_Button(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        button = QPushButton()
        button.setProperty("primary", bool(c.get("primary")))
        component_id = stack[-1]

        def show() -> None:
            button.setText(self._button_label(c, scope))
            errors = check_errors(c, self.surface.data, scope)
            button.setEnabled(not errors)
            button.setToolTip("\n".join(errors))

        def clicked() -> None:
            action = c.get("action")
            if isinstance(action, Mapping):
                message = action_message(self.surface, component_id, action, scope)
                self.action_triggered.emit(message, button.text())

        button.clicked.connect(clicked)
        self._bind(show)
        return button

    def _field(self, c: Mapping[str, Any], scope: str, input_widget: QWidget) -> QWidget:
        """A labelled input with its check messages underneath."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(_style.GRID // 2)
        label = _style.label(_plain(self._value(c.get("label"), scope)))
        label.setVisible(bool(label.text()))
        error = _style.label("")
        error.setStyleSheet(f"color: {_style.STATE_COLOURS['error']};")
        layout.addWidget(label)
        layout.addWidget(input_widget)
        layout.addWidget(error)

        def show_errors() -> None:
            touched = bool(input_widget.property("touched"))
            messages = check_errors(c, self.surface.data, scope) if touched else []
            error.setText("\n".join(messages))
            error.setVisible(bool(messages))

        self._bind(show_errors)
        return box

    def _writer(self, c: Mapping[str, Any], scope: str, widget: QWidget) -> Callable[[Any], None]:
        """Writes a user's input to the bound path (a literal `value` has nowhere to go)."""

        def write(value: Any) -> None:
            binding = c.get("value")
            widget.setProperty("touched", True)
            if isinstance(binding, Mapping) and isinstance(binding.get("path"), str):
                self.surface.set(binding["path"], value, scope)
            self._data_written()

        return write

    def _build_TextField(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        line = QLineEdit()
        if c.get("variant") == "obscured":
            line.setEchoMode(QLineEdit.EchoMode.Password)
        write = self._writer(c, scope, line)

        def edited(text: str) -> None:
            if c.get("variant") == "number":
                try:
                    write(parse_number(text))
                    return
                except ValueError:
                    pass
            write(text)

        def show() -> None:
            value = self._value(c.get("value"), scope)
            text = fmt_number(value) if isinstance(value, int | float) else _plain(value)
            if not line.hasFocus() and line.text() != text:
                line.setText(text)

        line.textEdited.connect(edited)
        self._bind(show)
        return self._field(c, scope, line)

    def _build_CheckBox(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        box = QCheckBox(_plain(self._value(c.get("label"), scope)))
        box.toggled.connect(self._writer(c, scope, box))
        self._bind(lambda: box.setChecked(bool(self._value(c.get("value"), scope))))
        return box

    def _build_ChoicePicker(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        options = [o for o in c.get("options") or [] if isinstance(o, Mapping)]
        labels = [_plain(self._value(o.get("label"), scope)) for o in options]
        values = [str(o.get("value", "")) for o in options]
        write = self._writer(c, scope, QWidget())

        def selected() -> list[str]:
            value = self._value(c.get("value"), scope)
            return (
                [str(v) for v in value] if isinstance(value, list) else [] if value is None else [str(value)]
            )

        if c.get("variant") == "multipleSelection":
            holder = QWidget()
            flow = FlowLayout(holder, spacing=_style.GRID)
            boxes = [QCheckBox(text) for text in labels]
            for box in boxes:
                flow.addWidget(box)
                box.toggled.connect(
                    lambda _on: write([v for v, b in zip(values, boxes, strict=True) if b.isChecked()])
                )
            self._bind(lambda: [b.setChecked(v in selected()) for v, b in zip(values, boxes, strict=True)])
            return self._field(c, scope, holder)
        combo = QComboBox()
        combo.addItems(labels)
        combo.setPlaceholderText("Choose …")
        combo.activated.connect(lambda index: write([values[index]]))

        def show() -> None:
            chosen = selected()
            combo.setCurrentIndex(values.index(chosen[0]) if chosen and chosen[0] in values else -1)

        self._bind(show)
        return self._field(c, scope, combo)

    def _build_DateTimeInput(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        date, time = c.get("enableDate", True), bool(c.get("enableTime"))
        edit: QDateTimeEdit = QDateTimeEdit() if date and time else QDateEdit() if date else QTimeEdit()
        edit.setCalendarPopup(bool(date))
        edit.setDisplayFormat(" ".join(f for f, on in (("ddd d MMM yyyy", date), ("HH:mm", time)) if on))
        iso = "yyyy-MM-ddTHH:mm:ss" if date and time else "yyyy-MM-dd" if date else "HH:mm"
        write = self._writer(c, scope, edit)
        edit.dateTimeChanged.connect(lambda value: write(value.toString(iso)))

        def show() -> None:
            text = _plain(self._value(c.get("value"), scope))
            value = (
                QDateTime.fromString(text, iso)
                if date
                else QDateTime(QDate.currentDate(), QTime.fromString(text, iso))
            )
            if not value.isValid():  # nothing chosen yet: what is shown is what is sent
                value = QDateTime.currentDateTime()
                binding = c.get("value")
                if isinstance(binding, Mapping) and isinstance(binding.get("path"), str):
                    self.surface.set(binding["path"], value.toString(iso), scope)
            if edit.dateTime().toString(iso) != value.toString(iso):
                edit.setDateTime(value)

        self._bind(show)
        return self._field(c, scope, edit)

    def _build_Slider(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:  # noqa: N802
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        slider = QSlider(Qt.Orientation.Horizontal)
        slider.setRange(int(c.get("min", 0)), int(c.get("max", 100)))
        shown = _style.label("")
        layout.addWidget(slider, 1)
        layout.addWidget(shown)
        slider.valueChanged.connect(self._writer(c, scope, slider))

        def show() -> None:
            value = self._value(c.get("value"), scope)
            number = int(value) if isinstance(value, int | float) else slider.minimum()
            if slider.value() != number:
                slider.setValue(number)
            shown.setText(str(slider.value()))

        self._bind(show)
        return self._field(c, scope, row)

    def _build_predefined(self, c: Mapping[str, Any], scope: str, stack: tuple[str, ...]) -> QWidget:
        """A catalog entry backed by one of the page's predefined components (Weather, Place, …)."""
        card = create_component(PREDEFINED[str(c["component"])])
        props = {k: v for k, v in c.items() if k not in ("id", "component", "weight")}
        self._bind(
            lambda: card.set_args({k: v for k, v in self._value(props, scope).items() if v is not None})
        )
        return card

    def _generic(self, c: Mapping[str, Any]) -> QWidget:
        """Anything outside the catalog: say what it is and what it carried, never draw nothing."""
        card = QFrame()
        card.setObjectName("a2uiUnknown")
        card.setStyleSheet(
            f"QFrame#a2uiUnknown {{ border: 1px dashed palette(mid); border-radius: {_style.RADIUS}px; }}"
        )
        layout = QVBoxLayout(card)
        layout.setContentsMargins(_style.GRID, _style.GRID, _style.GRID, _style.GRID)
        layout.addWidget(_style.label(f"{c.get('component')} — not in this app's catalog", bold=True))
        props = {k: v for k, v in c.items() if k not in ("id", "component")}
        raw = _style.label(_style.pretty_json(props))
        raw.setFont(_style.monospace_font())
        layout.addWidget(raw)
        return card


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return fmt_number(value)
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
