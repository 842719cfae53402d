"""The free-form variant: agent-written restricted HTML, sanitized and shown with no resource loading.

`render_freeform_html` is what a model might write for a tool call (deterministic, simulator-style);
`SideBySide` puts it next to the predefined component so the two approaches can be compared.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from agent_core.genui.sanitizer import sanitize_html

from . import _style
from .cards import fmt_number
from .host import ComponentHost

__all__ = ["FreeformView", "SideBySide", "render_freeform_html", "sanitize_html"]


class _NoLoadDocument(QTextDocument):
    """A document that refuses every external resource (images, style sheets): no network, no files."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []

    def loadResource(self, kind: int, name: QUrl) -> object:
        self.blocked.append(name.toString())
        return None


class FreeformView(QTextBrowser):
    """Read-only view of sanitized HTML; links are reported by `link_clicked`, never opened."""

    link_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = _NoLoadDocument(self)
        self.setDocument(self._document)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.setMinimumHeight(20 * _style.GRID)
        self.anchorClicked.connect(self._on_anchor)
        self._markup = ""

    def set_markup(self, markup: str) -> None:
        """Sanitize `markup` and show it."""
        self._markup = sanitize_html(markup)
        self.setHtml(self._markup)

    def markup(self) -> str:
        """The sanitized HTML currently shown."""
        return self._markup

    def blocked_resources(self) -> list[str]:
        """Every resource the document asked for and did not get."""
        return list(self._document.blocked)

    def loadResource(self, kind: int, name: QUrl) -> object:
        self._document.blocked.append(name.toString())
        return None

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        self.link_clicked.emit(url.toString())


def _e(value: object) -> str:
    return html.escape(fmt_number(value) if isinstance(value, int | float) else str(value))


def _table(columns: list[Any], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{_e('—' if c is None else c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f'<table border="1" cellpadding="4" cellspacing="0"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _weather(args: Mapping[str, Any]) -> str:
    parts = [f"<h3>{_e(args.get('location', '…'))}</h3>"]
    parts.append(f"<p><b>{_e(args.get('temperature_c', '…'))}°C</b>, {_e(args.get('condition', '…'))}</p>")
    if "high_c" in args or "low_c" in args:
        parts.append(f"<p>High {_e(args.get('high_c', '–'))}° · Low {_e(args.get('low_c', '–'))}°</p>")
    days = [d for d in args.get("forecast") or [] if isinstance(d, Mapping)]
    if days:
        rows = [
            [
                d.get("day", ""),
                d.get("condition", ""),
                f"{_e(d.get('high_c', ''))}° / {_e(d.get('low_c', ''))}°",
            ]
            for d in days
        ]
        parts.append(_table(["Day", "Condition", "High / Low"], rows))
    return "".join(parts)


def _place(args: Mapping[str, Any]) -> str:
    parts = [f"<h3>{_e(args.get('name', '…'))}</h3>", f"<p><i>{_e(args.get('address', ''))}</i></p>"]
    if isinstance(rating := args.get("rating"), int | float):
        parts.append(f'<p><span style="color: #e6a700">{"★" * round(rating)}</span> {_e(rating)} / 5</p>')
    if tags := args.get("tags"):
        parts.append("<p>" + " · ".join(f"<code>{_e(t)}</code>" for t in tags) + "</p>")
    if hours := args.get("opening_hours"):
        parts.append("<ul>" + "".join(f"<li>{_e(h)}</li>" for h in hours) + "</ul>")
    return "".join(parts)


def _chart(args: Mapping[str, Any]) -> str:
    labels = list(args.get("labels") or [])
    series = [s for s in args.get("series") or [] if isinstance(s, Mapping)]

    def value(one: Mapping[str, Any], index: int) -> object:
        values = one.get("values") or []
        return values[index] if index < len(values) else None

    rows = [[label, *(value(one, index) for one in series)] for index, label in enumerate(labels)]
    title = f"<h3>{_e(args['title'])}</h3>" if args.get("title") else ""
    caption = f"<p><i>{_e(args.get('kind', 'bar'))} chart, as a table</i></p>"
    return title + caption + _table(["", *(one.get("name", "") for one in series)], rows)


def _comparison(args: Mapping[str, Any]) -> str:
    title = f"<h3>{_e(args['title'])}</h3>" if args.get("title") else ""
    rows = [row for row in args.get("rows") or [] if isinstance(row, list)]
    return title + _table(list(args.get("columns") or []), rows)


def _form(args: Mapping[str, Any]) -> str:
    items = "".join(
        f"<li><b>{_e(f.get('label', f.get('name', '')))}</b> ({_e(f.get('type', 'text'))})"
        f"{' — required' if f.get('required') else ''}</li>"
        for f in args.get("fields") or []
        if isinstance(f, Mapping)
    )
    return (
        f"<h3>{_e(args.get('title', 'Form'))}</h3><ul>{items}</ul>"
        f"<p><i>Free-form HTML cannot collect answers; reply in the chat.</i></p>"
    )


def _confirm(args: Mapping[str, Any]) -> str:
    colour = "#c0392b" if args.get("danger") else "#2f6fde"
    return (
        f'<h3 style="color: {colour}">{_e(args.get("title", ""))}</h3>'
        f"<blockquote>{_e(args.get('message', ''))}</blockquote>"
        f"<p><b>[{_e(args.get('confirm_label', 'Confirm'))}]</b> · [{_e(args.get('cancel_label', 'Cancel'))}]</p>"
    )


_RENDERERS = {
    "show_weather": _weather,
    "show_place": _place,
    "show_comparison": _comparison,
    "show_chart": _chart,
    "ask_form": _form,
    "confirm_action": _confirm,
}


def render_freeform_html(tool_name: str, args: object) -> str:
    """A deterministic free-form HTML rendering of a tool call (what a model might write), sanitized."""
    renderer = _RENDERERS.get(tool_name)
    if renderer is None or not isinstance(args, Mapping):
        markup = f"<h3>{_e(tool_name)}</h3><pre>{_e(_style.pretty_json(args))}</pre>"
    else:
        try:
            markup = renderer(args)
        except (TypeError, AttributeError, KeyError, ValueError):
            markup = f"<p><b>{_e(tool_name)}</b>: arguments do not fit.</p><pre>{_e(_style.pretty_json(args))}</pre>"
    return sanitize_html(markup)


class SideBySide(QWidget):
    """The same tool call as the predefined component (left) and as free-form HTML (right)."""

    def __init__(
        self, tool_name: str, args: object = None, *, partial: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.tool_name = tool_name
        self._host = ComponentHost(tool_name)
        self._view = FreeformView()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2 * _style.GRID)
        for title, widget in (
            ("Predefined component", self._host),
            ("Free-form HTML (sanitized)", self._view),
        ):
            column = QVBoxLayout()
            column.setSpacing(_style.GRID)
            column.addWidget(_style.label(title, bold=True, muted=True))
            column.addWidget(widget, 1 if widget is self._view else 0)
            if widget is self._host:
                column.addStretch(1)
            layout.addLayout(column, 1)
        if args is not None:
            self.set_args(args, partial=partial)

    def set_args(self, args: object, partial: bool = False) -> None:
        self._host.set_args(args, partial=partial)
        self._view.set_markup(render_freeform_html(self.tool_name, args))

    def host(self) -> ComponentHost:
        return self._host

    def set_sides(self, *, predefined: bool, freeform: bool) -> None:
        """Show either column or both (a stream's "Predefined | Free-form | Side by side" switch).

        The column titles only show side by side: alone, a title would just repeat the switch."""
        layout = self.layout()
        for index, visible in enumerate((predefined, freeform)):
            column = layout.itemAt(index).layout() if layout is not None else None
            for row in range(column.count() if column is not None else 0):
                widget = column.itemAt(row).widget()
                if widget is not None:
                    widget.setVisible(visible and (row > 0 or (predefined and freeform)))

    def freeform(self) -> FreeformView:
        return self._view
