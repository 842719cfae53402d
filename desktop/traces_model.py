"""Helpers, the run tree model and the waterfall delegate behind the trace viewer.

The model is a thin adapter over `agent_core.runtime.runs.Run` rows so the view never touches SQLite;
`load_run_tree` (run on a worker) reads them and files each chat turn's background memory runs
under it. The describe functions turn a step into the text a designer wants to read (why a memory
came back, which mode wrote it) without the view knowing each step kind's payload shape.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from agent_core.runtime.runs import Run, Step, list_runs
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
OffsetRole = Qt.ItemDataRole.UserRole + 3  # a step's start, ms after its run began
LatencyRole = Qt.ItemDataRole.UserRole + 4
KindRole = Qt.ItemDataRole.UserRole + 5
RUN_LIMIT = 200
BACKGROUND_STEP = "background memory"  # the step agent_core.lab files into a turn's run per job

_Index = QModelIndex | QPersistentModelIndex


@cache
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


def aware(ts: datetime) -> datetime:
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts


def run_summary(run: Run, children: int = 0) -> str:
    latency = f"{run.latency_ms:.0f} ms" if run.finished_at else "…"
    text = f"{run.kind} · {run.status} · {latency} · {local_time(run.created_at)} · {run.profile}"
    return text + (f" · +{children} background memory" if children else "")


@dataclass
class RunNode:
    """A run in the list, with the runs it caused (a chat turn's background memory work)."""

    run: Run
    children: list[Run] = field(default_factory=list)


def load_run_tree(engine: Engine, kind: str | None = None, limit: int = RUN_LIMIT) -> list[RunNode]:
    """Runs newest first, each turn's background memory runs nested under it (runs on a worker).

    The link is the step `agent_core.lab` files into the turn's run once its memory job is done
    ("background memory", input `extraction_step_id`): that step's run is the job's extraction
    run. The job's other model calls (consolidation) have runs of their own with no link; jobs run
    one at a time, so they are the memory runs of the same profile created between the extraction
    and the filed step.
    """
    runs = list_runs(engine, kind=kind, limit=limit)
    if kind == "memory" or not runs:
        return [RunNode(r) for r in runs]
    turn_ids = [r.id for r in runs if r.kind != "memory"]
    with Session(engine, expire_on_commit=False) as s:
        filed = list(
            s.exec(
                select(Step.run_id, Step.input_json, Step.started_at).where(
                    col(Step.run_id).in_(turn_ids), Step.kind == "memory_write", Step.name == BACKGROUND_STEP
                )
            )
        )
        extraction_of: dict[str, tuple[str, datetime]] = {}  # extraction step id -> (turn, filed at)
        for turn_id, input_json, filed_at in filed:
            try:
                step_id = (json.loads(input_json) or {}).get("extraction_step_id")
            except (ValueError, AttributeError):
                continue
            if step_id:
                extraction_of[step_id] = (turn_id, aware(filed_at))
        if not extraction_of:
            return [RunNode(r) for r in runs]
        rows = s.exec(select(Step.id, Step.run_id).where(col(Step.id).in_(list(extraction_of))))
        step_runs = {step_id: run_id for step_id, run_id in rows}
        firsts = {r.id: r for r in s.exec(select(Run).where(col(Run.id).in_(list(set(step_runs.values())))))}
        jobs = [
            (turn_id, firsts[step_runs[step_id]], filed_at)
            for step_id, (turn_id, filed_at) in extraction_of.items()
            if step_runs.get(step_id) in firsts
        ]
        if not jobs:
            return [RunNode(r) for r in runs]
        lo = min(aware(first.created_at) for _t, first, _f in jobs)
        hi = max(filed_at for _t, _first, filed_at in jobs)
        others = list(
            s.exec(
                select(Run).where(Run.kind == "memory", col(Run.created_at) >= lo, col(Run.created_at) <= hi)
            )
        )
    children: dict[str, list[Run]] = {}
    taken: set[str] = set()
    for turn_id, first, filed_at in sorted(jobs, key=lambda j: aware(j[1].created_at)):
        start = aware(first.created_at)
        mine = [first] + [
            r
            for r in others
            if r.id != first.id
            and r.id not in taken
            and r.profile == first.profile
            and start <= aware(r.created_at) <= filed_at
        ]
        taken.update(r.id for r in mine)
        children.setdefault(turn_id, []).extend(mine)
    for kids in children.values():
        kids.sort(key=lambda r: aware(r.created_at))
    return [RunNode(r, children.get(r.id, [])) for r in runs if r.id not in taken]


class RunTreeModel(QStandardItemModel):
    """Runs newest first (top level) with their background memory runs as children.

    A QStandardItemModel that overrides nothing: the view paints from C++ data without calling into
    Python. (A Python `data()` cost a GIL hand-off per call while other threads ran Python: 40-170
    ms to paint the first screen of runs.) Replaced wholesale on refresh, built in one pass.
    """

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self._nodes: list[RunNode] = []
        self._runs: dict[str, Run] = {}
        self._items: dict[str, QStandardItem] = {}

    def set_nodes(self, nodes: list[RunNode]) -> None:
        self._nodes = list(nodes)
        self._runs, self._items = {}, {}
        self.clear()  # its own model reset
        items = []
        for node in self._nodes:
            item = self._item(node.run, len(node.children), child=False)
            if node.children:
                item.appendRows([self._item(kid, 0, child=True) for kid in node.children])
            items.append(item)
        if items:  # one rowsInserted for the view, not a signal per row
            self.invisibleRootItem().appendRows(items)

    def _item(self, run: Run, kids: int, *, child: bool) -> QStandardItem:
        item = QStandardItem(dot_icon(color(STATUS_ROLE.get(run.status, "muted"))), "")
        item.setText(f"{run.title or '(untitled run)'}\n{run_summary(run, kids)}")
        why = "\nbackground memory of the turn above" if child else ""
        item.setToolTip(
            f"run {run.id}{why}\narchitecture {run.architecture}, memory {run.memory_mode}"
            + (f"\nerror: {run.error}" if run.error else "")
        )
        item.setData(run.id, RunId)
        item.setEditable(False)
        self._runs[run.id] = run
        self._items[run.id] = item
        return item

    def set_runs(self, runs: list[Run]) -> None:
        """Flat, no nesting (tests, callers that have plain runs)."""
        self.set_nodes([RunNode(r) for r in runs])

    def run_of(self, index: _Index) -> Run | None:
        return self._runs.get(index.data(RunId)) if index.isValid() else None

    def run_at(self, row: int) -> Run | None:
        return self._nodes[row].run if 0 <= row < len(self._nodes) else None

    def children_of(self, run_id: str) -> list[Run]:
        return next((n.children for n in self._nodes if n.run.id == run_id), [])

    def index_of(self, run_id: str) -> QModelIndex:
        item = self._items.get(run_id)
        return item.index() if item is not None else QModelIndex()

    def row_of(self, run_id: str) -> int:
        """The top-level row of a run (-1 when it is not a top-level run)."""
        return next((i for i, n in enumerate(self._nodes) if n.run.id == run_id), -1)

    def ids(self) -> list[str]:
        """Every run shown, children included."""
        return [r.id for n in self._nodes for r in (n.run, *n.children)]


class WaterfallDelegate(QStyledItemDelegate):
    """The step tree's timeline column: one bar per step, from its start offset, as long as it took.

    `span_ms` (the whole run) is set by the viewer; a step that started after the span (the
    background memory step filed once the job is done) is drawn as a marker at the right edge.
    """

    def __init__(self, parent: object = None) -> None:
        super().__init__(parent)
        self.span_ms = 1.0

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        style = option.widget.style() if option.widget else None
        if style is not None:  # the selection / hover background, without any text
            opt = QStyleOptionViewItem(option)
            self.initStyleOption(opt, index)
            opt.text = ""
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)
        offset, latency = index.data(OffsetRole), index.data(LatencyRole)
        if offset is None or latency is None:
            return
        rect = option.rect.adjusted(6, 0, -6, 0)
        span = max(self.span_ms, 1.0)
        x0 = rect.left() + int(rect.width() * min(max(offset, 0.0), span) / span)
        width = max(3, int(rect.width() * min(latency, span) / span))
        width = min(width, rect.right() - x0 + 1)
        bar = QRect(max(rect.left(), min(x0, rect.right() - 2)), rect.center().y() - 4, max(3, width), 9)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(KIND_COLORS.get(str(index.data(KindRole)), "#9e9e9e")))
        if offset > span:  # later than the run itself: an arrow-ish marker at the edge
            painter.drawRoundedRect(QRect(rect.right() - 4, bar.top(), 4, bar.height()), 2, 2)
        else:
            painter.drawRoundedRect(bar, 2, 2)
        painter.restore()


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
