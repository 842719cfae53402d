"""Helpers for the generative-UI tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QLabel, QWidget


def visible_text(widget: QWidget) -> str:
    """All label text visible inside `widget` (wrapping hints removed), in one string."""
    labels = [label for label in widget.findChildren(QLabel) if label.isVisibleTo(widget)]
    return "\n".join(label.text().replace("\u200b", "") for label in labels)


@pytest.fixture
def text_of() -> Callable[[QWidget], str]:
    return visible_text


class FakeClock:
    """A clock seam for elapsed-time tests: advance it by hand, never sleep."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()
