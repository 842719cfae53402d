"""A gallery of every component and state, saved as light and dark screenshots.

Usage: `QT_QPA_PLATFORM=offscreen python -m ui_patterns.genui.gallery OUT_DIR`
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QHBoxLayout, QVBoxLayout, QWidget

from . import _style, samples
from .freeform import SideBySide
from .host import ComponentHost

WIDTH = 1320


def dark_palette() -> QPalette:
    """A plain dark palette, enough to check the cards only rely on palette roles."""
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#2b2c30",
        QPalette.ColorRole.AlternateBase: "#35363a",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#3c4043",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.Mid: "#5f6368",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#202124",
        QPalette.ColorRole.Link: "#8ab4f8",
    }
    for role, colour in roles.items():
        palette.setColor(role, QColor(colour))
    return palette


def _stepping_clock(step: float = 0.7) -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: next(ticks) * step


def _host(tool_name: str, args: object = None, *, partial: bool = False) -> ComponentHost:
    return ComponentHost(tool_name, args, partial=partial, clock=_stepping_clock())


def _hosts() -> list[list[QWidget]]:
    """Three columns of hosts, every component and every state at least once."""
    streaming = _host(
        "show_weather", {"location": "Lisbon", "temperature_c": 21.5, "condition": "Partly"}, partial=True
    )
    malformed = _host(
        "show_weather", {"location": "Oslo", "temperature_c": "hot", "forecast": [{"day": "Mon"}]}
    )
    answered_form = _host("ask_form", samples.FORM)
    answered_form.component().restore_response(  # type: ignore[attr-defined]
        {
            "status": "submitted",
            "values": {"name": "Ada", "guests": 4, "seating": "terrace", "day": "2025-06-01"},
        }
    )
    denied = _host("confirm_action", samples.CONFIRM)
    denied.set_denied("Permission policy: deleting memories needs approval in Settings.")
    unknown = _host("lookup_company", {"domain": "example.com", "fields": ["employees", "founded"]})
    unknown.set_result({"employees": 120, "founded": 2009})
    answered_confirm = _host(
        "confirm_action", {**samples.CONFIRM, "danger": False, "title": "Send the email?"}
    )
    answered_confirm.component().confirm()  # type: ignore[attr-defined]
    streaming_chart = _host(
        "show_chart",
        {"kind": "line", "labels": ["Mon", "Tue", "Wed"], "series": [{"name": "a", "values": [3, 5]}]},
        partial=True,
    )
    return [
        [_host("show_weather", samples.WEATHER), _host("show_chart", samples.CHART), streaming, malformed],
        [_host("show_place", samples.PLACE), _host("ask_form", samples.FORM), answered_form, unknown],
        [
            _host("show_comparison", samples.COMPARISON),
            _host("confirm_action", samples.CONFIRM),
            answered_confirm,
            denied,
            _host("show_chart", samples.LINE_CHART),
            streaming_chart,
        ],
    ]


def build_gallery() -> QWidget:
    """Every component in every state, plus one side-by-side predefined/free-form comparison."""
    gallery = QWidget()
    gallery.setAutoFillBackground(True)
    outer = QVBoxLayout(gallery)
    outer.setContentsMargins(3 * _style.GRID, 3 * _style.GRID, 3 * _style.GRID, 3 * _style.GRID)
    outer.setSpacing(3 * _style.GRID)
    outer.addWidget(_style.label("Generative UI components", bold=True, size=6))
    columns = QHBoxLayout()
    columns.setSpacing(3 * _style.GRID)
    for hosts in _hosts():
        column = QVBoxLayout()
        column.setSpacing(3 * _style.GRID)
        for host in hosts:
            column.addWidget(host)
        column.addStretch(1)
        columns.addLayout(column, 1)
    outer.addLayout(columns)
    side = SideBySide("show_weather", samples.WEATHER)
    side.freeform().setMinimumHeight(40 * _style.GRID)
    outer.addWidget(side)
    return gallery


def save_gallery(out_dir: Path, name: str, palette: QPalette) -> Path:
    """Render the gallery with `palette` and save it as `genui_components_<name>.png`."""
    QApplication.setPalette(palette)
    gallery = build_gallery()
    gallery.setFixedWidth(WIDTH)
    gallery.show()
    gallery.resize(
        WIDTH, gallery.heightForWidth(WIDTH) if gallery.hasHeightForWidth() else gallery.sizeHint().height()
    )
    QApplication.processEvents()
    gallery.adjustSize()
    QApplication.processEvents()
    path = out_dir / f"genui_components_{name}.png"
    gallery.grab().save(str(path))
    gallery.close()
    gallery.deleteLater()
    return path


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0] if args else "assets/screenshots")
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    light = app.style().standardPalette()
    for name, palette in (("light", light), ("dark", dark_palette())):
        print(save_gallery(out_dir, name, palette))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
