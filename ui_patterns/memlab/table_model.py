"""Strategy × metric table (every metric side by side), a thin Qt adapter over a `Summary`."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from agent_core.memlab.results import QuestionRow
from agent_core.memlab.summary import ALL, Metric, Summary

Index = QModelIndex | QPersistentModelIndex
GUI_DIGITS = 2
"""Two decimals in the table (three in the tooltip): ten columns fit beside the settings at 1024 px."""


class ResultsTableModel(QAbstractTableModel):
    """Rows: strategies; columns: recall@k…, F1, contains, exact, latency, tokens, staleness.

    Cells are means over the chosen category (all questions by default), counts in the tooltip.
    Rows arrive in batches during a run; the `Summary` adds each batch in O(batch).
    """

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.category = ALL
        self.summary = Summary()
        self._metrics: list[Metric] = []

    # -- data in ---------------------------------------------------------------------------------
    def set_rows(self, rows: list[QuestionRow]) -> None:
        self.beginResetModel()
        self.summary = Summary(rows)
        self._metrics = self.summary.metrics
        self.endResetModel()

    def add_rows(self, rows: list[QuestionRow]) -> None:
        strategies, ks = list(self.summary.strategies), list(self.summary.ks)
        self.summary.add(rows)
        if self.summary.strategies == strategies and self.summary.ks == ks:
            if self.rowCount() and self.columnCount():  # same shape: only the numbers changed
                last = self.index(self.rowCount() - 1, self.columnCount() - 1)
                roles = [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole]
                self.dataChanged.emit(self.index(0, 0), last, roles)
            return
        self.beginResetModel()
        self._metrics = self.summary.metrics
        self.endResetModel()

    def set_category(self, category: str) -> None:
        self.category = category
        if self.rowCount() and self.columnCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def row_count_total(self) -> int:
        return self.summary.count

    def metric_keys(self) -> list[str]:
        return [m.key for m in self._metrics]

    # -- Qt overrides -----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.summary.strategies)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._metrics)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self.summary.strategies)):
            return None
        if not (0 <= index.column() < len(self._metrics)):
            return None
        metric = self._metrics[index.column()]
        agg = self.summary.get(self.summary.strategies[index.row()], metric.key, self.category)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{agg.mean:.{min(metric.digits, GUI_DIGITS)}f}" if agg else "–"
        if role == Qt.ItemDataRole.ToolTipRole:
            where = f" in {self.category}" if self.category else ""
            if agg is None:
                return "not measured"
            return f"{metric.label} {metric.format(agg.mean)}: mean over {agg.count} questions{where}"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._metrics):
            metric = self._metrics[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return metric.header or metric.label
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{metric.label}: {metric.tip}"
        vertical = orientation == Qt.Orientation.Vertical and 0 <= section < len(self.summary.strategies)
        if vertical and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self.summary.strategies[section]
        return None
