"""Qt-free-ish helpers and the run list model behind the trace viewer.

The model is a thin adapter over `agent_core.runs.Run` rows so the view never touches SQLite; the
describe functions turn a step into the text a designer wants to read (why a memory came back,
which mode wrote it) without the view knowing each step kind's payload shape.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from agent_core.runs import Run, Step
from desktop.theme import color

RUN_KINDS = ("chat", "ambient", "sheet", "collab", "memlab", "memory")
STATUS_ROLE = {"done": "ok", "error": "danger", "running": "warn", "waiting": "warn", "paused": "warn"}
KIND_COLORS = {
    "llm_call": "#4f5bd5",
    "tool_call": "#00897b",
    "memory_read": "#8e44ad",
    "memory_write": "#d35400",
    "human_input": "#607d8b",
    "input": "#607d8b",
    "output": "#607d8b",
    "note": "#9e9e9e",
}
RunId = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def dot_icon(hex_color: str, size: int = 12) -> QIcon:
    """A filled dot: the cheapest glyph that still lets the eye scan kinds and statuses by colour."""
    pix = QPixmap(size * 2, size * 2)
    pix.fill(Qt.GlobalColor.transparent)
    p = QPainter(pix)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(hex_color))
    p.setPen(Qt.PenStyle.NoPen)
    p.drawEllipse(size // 2, size // 2, size, size)
    p.end()
    return QIcon(pix)


def local_time(ts: datetime) -> str:
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)
    return ts.astimezone().strftime("%H:%M:%S")


def run_summary(run: Run) -> str:
    latency = f"{run.latency_ms:.0f} ms" if run.finished_at else "…"
    return f"{run.kind} · {run.status} · {latency} · {local_time(run.created_at)} · {run.profile}"


class RunListModel(QAbstractListModel):
    """Runs, newest first. Replaced wholesale on refresh: runs are few and the query is cheap."""

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._runs: list[Run] = []

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's default argument
        return 0 if parent.isValid() else len(self._runs)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._runs):
            return None
        run = self._runs[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{run.title or '(untitled run)'}\n{run_summary(run)}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"run {run.id}\narchitecture {run.architecture}, memory {run.memory_mode}" + (
                f"\nerror: {run.error}" if run.error else ""
            )
        if role == Qt.ItemDataRole.DecorationRole:
            return dot_icon(color(STATUS_ROLE.get(run.status, "muted")))
        if role == RunId:
            return run.id
        return None

    def set_runs(self, runs: list[Run]) -> None:
        self.beginResetModel()
        self._runs = list(runs)
        self.endResetModel()

    def run_at(self, row: int) -> Run | None:
        return self._runs[row] if 0 <= row < len(self._runs) else None

    def row_of(self, run_id: str) -> int:
        return next((i for i, r in enumerate(self._runs) if r.id == run_id), -1)

    def ids(self) -> list[str]:
        return [r.id for r in self._runs]


def tokens_text(step: Step) -> str:
    total = step.prompt_tokens + step.completion_tokens
    return f"{step.prompt_tokens} + {step.completion_tokens}" if total else ""


def describe(step: Step) -> str:
    """One sentence saying what the step did, above the raw JSON."""
    out = step.output
    if step.kind == "llm_call":
        msgs = step.input.get("messages", []) if isinstance(step.input, dict) else []
        return (
            f"LLM call with {len(msgs)} messages · {step.prompt_tokens} prompt + "
            f"{step.completion_tokens} completion tokens · {step.latency_ms:.0f} ms"
        )
    if step.kind == "memory_read" and isinstance(out, dict):
        mems = out.get("memories", [])
        return f"Recalled {len(mems)} memories (score parts: relevance, recency, importance)"
    if step.kind == "memory_write":
        return f"Memory write · mode {step.mode or 'unknown'} · {step.latency_ms:.0f} ms"
    if step.kind == "tool_call":
        return f"Tool {step.name} · {step.status}"
    return f"{step.kind} · {step.name}"


def details_json(step: Step) -> str:
    """The step as pretty JSON, with the fields a reader wants first and nothing secret (scrubbed at write)."""
    doc: dict[str, object] = {
        "kind": step.kind,
        "name": step.name,
        "status": step.status,
        "latency_ms": round(step.latency_ms, 2),
    }
    if step.mode:
        doc["mode"] = step.mode
    if step.prompt_tokens or step.completion_tokens:
        doc["tokens"] = {"prompt": step.prompt_tokens, "completion": step.completion_tokens}
    if step.error:
        doc["error"] = step.error
    doc["input"] = step.input
    doc["output"] = step.output
    return json.dumps(doc, indent=2, ensure_ascii=False, default=str)
