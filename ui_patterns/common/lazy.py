"""Tabs that build their widgets when first shown or first touched, not with the inspector.

Opening the Memory page built every tab at once: ~500 widgets polished by the app stylesheet,
a 270-530 ms GUI stall (bench/bench_page_open.py), for tabs most visits never show. A `LazyTab`
keeps its constructor to the cheap part (its services, its signals) and does the rest in
`_build()`: on its first `showEvent`, or on first access to an attribute `_build` creates
(so `tab.apply_button.click()` and `tab.refresh()` work as before, built on demand).
"""

from __future__ import annotations

import functools
from typing import Any

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QWidget


class LazyTab(QWidget):
    """A `refresh()` (the page calls it when the tab is shown) builds first: its results land in
    widgets and state that `_build` would otherwise reset."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        refresh = cls.__dict__.get("refresh")
        if refresh is not None:

            @functools.wraps(refresh)
            def built_first(self: LazyTab, *args: Any, **kw: Any) -> Any:
                self.ensure_built()
                return refresh(self, *args, **kw)

            cls.refresh = built_first  # type: ignore[attr-defined]

    def _build(self) -> None:
        raise NotImplementedError

    @property
    def built(self) -> bool:
        return bool(self.__dict__.get("_lazy_built"))

    def ensure_built(self) -> None:
        if not self.built:
            self.__dict__["_lazy_built"] = True
            self._build()

    def __getattr__(self, name: str) -> Any:
        # only reached for attributes not found: the ones `_build` creates (or real typos)
        if name.startswith("__") or self.built:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        self.ensure_built()
        return getattr(self, name)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        self.ensure_built()
        super().showEvent(event)
