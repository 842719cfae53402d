"""Strategy × category table of one metric, a thin Qt adapter over the run's question rows."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from agent_core.memlab.metrics import mean_by
from agent_core.memlab.results import QuestionRow

Index = QModelIndex | QPersistentModelIndex


class ResultsTableModel(QAbstractTableModel):
    """Rows: strategies; columns: categories then "all"; cells: mean metric (count in the tooltip)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.metric = "f1"
        self._rows: list[QuestionRow] = []
        self._strategies: list[str] = []
        self._categories: list[str] = []
        self._cells: dict[tuple[str, ...], Any] = {}

    # -- data in ---------------------------------------------------------------------------------
    def set_rows(self, rows: list[QuestionRow]) -> None:
        self._rows = list(rows)
        self._recompute()

    def add_rows(self, rows: list[QuestionRow]) -> None:
        self._rows.extend(rows)
        self._recompute()

    def set_metric(self, metric: str) -> None:
        self.metric = metric
        self._recompute()

    def row_count_total(self) -> int:
        return len(self._rows)

    def _recompute(self) -> None:
        self.beginResetModel()
        flat = [row.flat() for row in self._rows]
        cells = mean_by(flat, self.metric)
        overall = mean_by(flat, self.metric, keys=("strategy",))
        self._strategies = list(dict.fromkeys(row.strategy for row in self._rows))
        self._categories = sorted({row.category for row in self._rows})
        self._cells = {**cells, **overall}
        self.endResetModel()

    # -- Qt overrides -----------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._strategies)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._categories) + 1

    def _key(self, index: Index) -> tuple[str, ...] | None:
        if not index.isValid() or not (0 <= index.row() < len(self._strategies)):
            return None
        if not (0 <= index.column() <= len(self._categories)):
            return None
        strategy = self._strategies[index.row()]
        if index.column() == len(self._categories):
            return (strategy,)
        return (strategy, self._categories[index.column()])

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        key = self._key(index)
        if key is None:
            return None
        agg = self._cells.get(key)
        if role == Qt.ItemDataRole.DisplayRole:
            if agg is None:
                return "–"
            return (
                f"{agg.mean:.0f}"
                if self.metric.endswith("_ms") or self.metric == "tokens"
                else f"{agg.mean:.3f}"
            )
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.metric}: mean over {agg.count} questions" if agg else "not measured"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self._categories):
                return self._categories[section]
            return "all" if section == len(self._categories) else None
        return self._strategies[section] if 0 <= section < len(self._strategies) else None
