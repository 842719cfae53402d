"""Desktop shell fixtures: a LabContext over the real test Lab, and guards against leaks."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from ui_patterns.common import LabContext
from ui_patterns.common.workers import active_workers, wait_for_workers


@pytest.fixture(autouse=True)
def leak_guard(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves visible top-level widgets or running workers behind.

    Requested before qtbot (autouse), so its teardown runs after qtbot has closed its widgets.
    """
    before = {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}
    yield
    wait_for_workers(5)
    leaked = [w for w in QApplication.topLevelWidgets() if w.isVisible() and id(w) not in before]
    for w in leaked:
        w.close()
    assert not leaked, f"leaked top-level widgets: {leaked}"
    assert active_workers() == 0, "workers still running"


@pytest.fixture
def restore_look(qapp: QApplication) -> Iterator[None]:
    """Theme tests change app-wide style; put it back so other tests see stock Qt."""
    sheet, palette, style = qapp.styleSheet(), qapp.palette(), qapp.style().name()
    yield
    qapp.setStyleSheet(sheet)
    qapp.setStyle(style)
    qapp.setPalette(palette)


@pytest.fixture
def ctx(lab) -> Iterator[LabContext]:  # noqa: ANN001 - the core `lab` fixture
    context = LabContext(lab)
    context.ready, context.status = True, f"memory ready ({lab.embedder.name})"  # the fixture warmed up
    yield context
    context.close()
