"""One turn: the user's bubble, the steps memory took, the reply, its footer and its actions.

A turn is the unit people reason about ("what did it remember for *this* answer, and what did that
cost?"), so latency, recall, writes and background memory are all shown on it, not in a side panel.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt, Signal, Slot
from PySide6.QtGui import QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from agent_core.chat.agent import AgentEvent, TurnResult
from agent_core.chat.conversations import Message
from ui_patterns.chat.actions import (
    AssistantActions,
    FeedbackEditor,
    MessageEditor,
    UserActions,
    copy_text,
)
from ui_patterns.chat.bubbles import Bubble
from ui_patterns.chat.steps import HBox, StepsPanel, ms, recalled_details, recalled_title, written_lines

MUTED_QSS = 'QLabel[muted="true"] { color: palette(placeholder-text); }'
ERROR_ICON = Path(__file__).resolve().parents[2] / "assets" / "icons" / "error.svg"
ICON_PX = 16
STOPPED_EMPTY = "stopped before a reply"
STOPPED_PARTIAL = "stopped — partial reply kept"
WAITING = "the agent is waiting for your answer — your next message resumes its run"
HOT_SAVING = "saving to memory (hot path)…"
NOTHING_FOUND = "the model found nothing to remember"  # memory.consolidation.Extraction.notes


def muted(text: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setProperty("muted", True)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def set_tone(label: QLabel, tone: str) -> None:
    """ "muted" (grey notes) or "error": the app stylesheet's QLabel[role="error"], i.e. the theme's
    danger colour (the page's own muted rule would win over it, so muted is switched off)."""
    label.setProperty("muted", tone == "muted")
    label.setProperty("role", "error" if tone == "error" else None)
    label.style().unpolish(label)
    label.style().polish(label)


def error_pixmap(label: QLabel, px: int = ICON_PX) -> QPixmap:
    """assets/icons/error.svg drawn in the label's (polished) text colour, crisp on HiDPI."""
    colour = label.palette().color(QPalette.ColorRole.WindowText).name()
    ratio = label.devicePixelRatioF() or 1.0
    svg = ERROR_ICON.read_text().replace("currentColor", colour) if ERROR_ICON.exists() else ""
    pix = QPixmap(QSize(round(px * ratio), round(px * ratio)))
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    QSvgRenderer(QByteArray(svg.encode())).render(painter)
    painter.end()
    pix.setDevicePixelRatio(ratio)
    return pix


class ToneIcon(QLabel):
    """The icon beside a note that turned into an error (hidden while the note is only muted)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedSize(ICON_PX, ICON_PX)
        self.setAccessibleName("Error")
        self.hide()

    def follow(self, label: QLabel, tone: str) -> None:
        set_tone(label, tone)
        if tone == "error":
            self.setPixmap(error_pixmap(label))
        self.setVisible(tone == "error" and label.isVisibleTo(label.parentWidget()))


def footer_text(
    latency_ms: float,
    ttft_ms: float | None,
    recall_ms: float | None,
    write_ms: float | None,
    memory_ms: float | None = None,
) -> str:
    """ "total · TTFT · recall · hot-path write": recall and the hot-path write are separate costs
    (a first recall that warms the index up is then not mistaken for an expensive save). Without
    step timings (an old message), the stored memory total stands in for both."""
    parts = [f"total {ms(latency_ms)}", f"TTFT {ms(ttft_ms)}"]
    if recall_ms is not None:
        parts.append(f"recall {ms(recall_ms)}")
    if write_ms:
        parts.append(f"hot-path write {ms(write_ms)}")
    if recall_ms is None and not write_ms and memory_ms:
        parts.append(f"memory {ms(memory_ms)}")
    return " · ".join(parts)


def saved_title(written: dict) -> str:
    """The one-line title of a finished hot-path save (from its step's output or the saved event)."""
    lines = written_lines(written) or ["nothing new to save"]
    added = ", ".join(a["content"] for a in written.get("added", []) if a.get("kind") != "episodic")
    replaced = ", ".join(a["content"] for a in written.get("superseded", []))
    what = f"saved to memory: {added}" if added else lines[0]
    if added and replaced:  # a change of fact is not a plain save
        what += f" (replaces {replaced})"
    return f"{what} · {ms(written.get('latency_ms'))} (hot path)"


class TurnWidget(QFrame):
    """Driven by AgentEvents on the GUI thread; its `status` is running/complete/stopped/error/queued."""

    edit_submitted = Signal(object, str)  # turn, new text
    regenerate_requested = Signal(object)
    retry_requested = Signal(object)
    feedback_submitted = Signal(object, int, str)  # turn, score, comment
    version_requested = Signal(str, str)  # current id, target id
    memories_requested = Signal(object)  # turn: show the memories this turn produced (provenance)

    def __init__(self, user_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.user_text = user_text
        self.user_message_id = ""
        self.message_id = ""
        self.run_id = ""
        self.job_id: str | None = None
        self.status = "idle"
        self.result: TurnResult | None = None
        self._pending_since = 0.0
        self._hot_ms = 0.0
        self._recall_ms: float | None = None
        self._hot_keys: list[str] = []  # rows of hot-path saves, in the order their steps started
        self._saved_seen = 0

        self.user_bubble = Bubble("user", user_text, self)
        self.user_actions = UserActions(self)
        self.editor = MessageEditor(self)
        self.steps = StepsPanel(self)
        self.assistant_bubble = Bubble("assistant", "", self)
        self.status_label = muted("", self)
        self.status_icon = ToneIcon(self)
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.hide()
        self.footer = muted("", self)
        self.memory_label = muted("", self)
        self.memory_icon = ToneIcon(self)
        self.assistant_actions = AssistantActions(self)
        self.feedback = FeedbackEditor(self)
        self.feedback_result = muted("", self)
        self.memories_link = muted("<a href='memories'>memories from this turn</a>", self)
        self.memories_link.linkActivated.connect(lambda _href: self.memories_requested.emit(self))
        self.turn_memories = muted("", self)
        self.turn_memories.setWordWrap(True)
        for w in (
            self.status_label,
            self.footer,
            self.memory_label,
            self.feedback_result,
            self.memories_link,
            self.turn_memories,
        ):
            w.hide()

        user_col = QVBoxLayout()
        user_col.setSpacing(2)
        user_col.addWidget(self.user_bubble, 0, Qt.AlignmentFlag.AlignRight)
        user_col.addWidget(self.user_actions)
        user_col.addWidget(self.editor)
        status_row = HBox(None, 8)
        status_row.addWidget(self.status_icon, 0, Qt.AlignmentFlag.AlignTop)
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.retry_button)
        memory_row = HBox(None, 8)
        memory_row.addWidget(self.memory_icon, 0, Qt.AlignmentFlag.AlignTop)
        memory_row.addWidget(self.memory_label, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 4, 0, 12)
        lay.setSpacing(4)
        lay.addLayout(user_col)
        lay.addWidget(self.steps)
        lay.addWidget(self.assistant_bubble, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addLayout(status_row)
        lay.addWidget(self.footer)
        lay.addLayout(memory_row)
        for w in (
            self.assistant_actions,
            self.feedback,
            self.feedback_result,
            self.memories_link,
            self.turn_memories,
        ):
            lay.addWidget(w)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

        ua, aa = self.user_actions, self.assistant_actions
        ua.copy_button.clicked.connect(lambda: copy_text(self.user_bubble.text()))
        ua.edit_button.clicked.connect(self.start_edit)
        aa.copy_button.clicked.connect(lambda: copy_text(self.assistant_bubble.text()))
        aa.regenerate_button.clicked.connect(lambda: self.regenerate_requested.emit(self))
        aa.thumb_up.clicked.connect(lambda: self.feedback.open(1))
        aa.thumb_down.clicked.connect(lambda: self.feedback.open(-1))
        self.retry_button.clicked.connect(lambda: self.retry_requested.emit(self))
        self.editor.submitted.connect(lambda text: self.edit_submitted.emit(self, text))
        self.feedback.submitted.connect(lambda score, c: self.feedback_submitted.emit(self, score, c))
        ua.versions.version_requested.connect(self.version_requested)
        aa.versions.version_requested.connect(self.version_requested)
        self._show_actions(False)

    # -- public state -----------------------------------------------------------------------------
    def assistant_text(self) -> str:
        return self.assistant_bubble.text()

    def set_bubble_width(self, width: int) -> None:
        self.user_bubble.set_max_width(width)
        self.assistant_bubble.set_max_width(width)

    def _show_actions(self, on: bool) -> None:
        self.user_actions.setVisible(on and bool(self.user_message_id))
        self.assistant_actions.setVisible(on and bool(self.message_id) and self.status != "error")
        # no reply (stopped before the first token): nothing to copy or rate, only to regenerate
        has_reply = bool(self.assistant_text().strip())
        aa = self.assistant_actions
        for b in (aa.copy_button, aa.thumb_up, aa.thumb_down):
            b.setVisible(has_reply)
        if not has_reply:
            self.feedback.hide()

    def set_locked(self, locked: bool) -> None:
        """While any run is in progress, nothing may branch or rate: the actions are disabled.

        Disabled, not hidden: hiding them on every turn re-laid out the whole transcript (every
        wrapped label measured again) at the start and end of each reply.
        """
        self.user_actions.setEnabled(not locked or self.status == "queued")
        self.assistant_actions.setEnabled(not locked)
        if not locked and self.status not in ("running", "queued"):
            self._show_actions(True)

    @Slot()
    def start_edit(self) -> None:
        self.editor.save_button.setText("Save" if self.status == "queued" else "Save && regenerate")
        self.editor.open(self.user_bubble.text())

    def _set_status(self, status: str, text: str = "") -> None:
        self.status = status
        self.status_label.setText(text)
        self.status_label.setVisible(bool(text))
        self.status_icon.follow(self.status_label, "error" if status == "error" else "muted")
        self.assistant_bubble.set_state(status)

    def _stopped_text(self) -> str:
        return STOPPED_PARTIAL if self.assistant_text().strip() else STOPPED_EMPTY

    # -- a live run -------------------------------------------------------------------------------
    def set_queued(self) -> None:
        """Waiting for the running reply; the message can still be edited (copy and edit only)."""
        self._set_status("queued", "queued — sends when the current reply finishes; edit it until then")
        self.user_bubble.setEnabled(False)
        self.user_actions.versions.hide()
        self.user_actions.setVisible(True)
        self.user_actions.setEnabled(True)

    def begin(self, streaming: bool) -> None:
        """Reset the reply part (a retry or a regeneration reuses the turn)."""
        self.user_bubble.setEnabled(True)
        self.result, self.message_id, self.job_id = None, "", None
        self.assistant_bubble.set_text("")
        self.steps.clear()
        self.retry_button.hide()
        for w in (self.footer, self.memory_label, self.memory_icon, self.feedback_result):
            w.hide()
        self._hot_ms, self._recall_ms = 0.0, None
        self._hot_keys, self._saved_seen = [], 0
        self._set_status("running", "streaming…" if streaming else "thinking…")
        self._show_actions(False)

    def on_event(self, ev: AgentEvent) -> None:
        d = ev.data
        if ev.kind == "token":
            if self.status_label.text() == "streaming…":
                self.status_label.hide()
            self.assistant_bubble.append(d["text"])
        elif ev.kind == "started":
            self.run_id, self.user_message_id = d["run_id"], d["user_message_id"]
        elif ev.kind == "recalled":
            mems = d.get("memories", [])
            self._recall_ms = d.get("latency_ms")  # None: a remote agent's recall, not timed here
            self.steps.set_step("recalled", recalled_title(mems, self._recall_ms), recalled_details(mems))
        elif ev.kind == "saved":
            self._hot_ms += d.get("latency_ms", 0.0)
            # the live row its step opened ("saving to memory…"), else a row of its own
            i, self._saved_seen = self._saved_seen, self._saved_seen + 1
            key = self._hot_keys[i] if i < len(self._hot_keys) else f"saved{len(self.steps.rows)}"
            self.steps.set_step(key, saved_title(d), written_lines(d) or ["nothing new to save"])
        elif ev.kind == "notice":
            self.steps.set_step("notice", "⚠ " + d["text"], [])
        elif ev.kind == "interrupt":  # an AG-UI agent's run paused to ask the user
            why = [f"{i.get('reason', 'input')} (interrupt {i.get('id', '?')})" for i in d["interrupts"]]
            self.steps.set_step("interrupt", f"the agent asks: {d.get('text', '')}", why)
        elif ev.kind == "memory_note":
            self.steps.set_step("memory_note", "memory · nothing saved on the hot path", [d["text"]])
        elif ev.kind == "pending":
            self.set_memory_pending(d["job_id"])
        elif ev.kind == "error":
            self.message_id = d.get("message_id", "")

    def on_step(self, event: str, step: object) -> None:
        """Tool calls and hot-path saves of this turn's run, live from the run recorder (the chat
        events only report a save once the whole reply is done)."""
        kind = getattr(step, "kind", "")
        if kind == "memory_write" and getattr(step, "name", "") == "save_memory":
            self._on_hot_save(event, step)
            return
        if kind != "tool_call":
            return
        name = getattr(step, "name", "tool")
        if event == "started":
            self.steps.set_step(step.id, f"tool {name} · running…", [arguments_line(step)])
        else:
            out = json.dumps(step.output, ensure_ascii=False, default=str)[:400]
            latency = getattr(step, "latency_ms", None)  # a replayed call has no timing
            state = "error" if step.status == "error" else (ms(latency) if latency is not None else "done")
            self.steps.set_step(step.id, f"tool {name} · {state}", [arguments_line(step), f"→ {out}"])

    def _on_hot_save(self, event: str, step: object) -> None:
        key = f"hot:{step.id}"  # type: ignore[attr-defined]
        if key not in self._hot_keys:
            self._hot_keys.append(key)
        args = [arguments_line(step)]
        if event == "started":
            self.steps.set_step(key, HOT_SAVING, args)
        elif getattr(step, "status", "") == "error":
            error = str(getattr(step, "error", "") or "the write failed")
            self.steps.set_step(key, "⚠ saving to memory failed (hot path)", [error, *args])
        else:
            out = step.output  # type: ignore[attr-defined]
            out = out if isinstance(out, dict) else {}
            self.steps.set_step(key, saved_title(out), written_lines(out) or ["nothing new to save"])

    def finish(self, result: TurnResult, status: str) -> None:
        self.result = result
        self.message_id = result.message_id
        self.assistant_bubble.set_text(result.reply or self.assistant_bubble.text())
        if status == "error":
            self.show_error(result.error or "the model call failed")
            return
        said = {"stopped": self._stopped_text(), "waiting": WAITING}.get(status, "")
        self._set_status(status, said)
        self.footer.setText(
            footer_text(
                result.latency_ms, result.ttft_ms, self._recall_ms, self._hot_ms, result.memory_latency_ms
            )
        )
        self.footer.show()
        self.memories_link.show()
        self._show_actions(True)

    def show_error(self, message: str) -> None:
        """Inline, in the theme's danger colour with an icon, next to a Retry; the user's message
        stays (it was persisted before the call)."""
        self.status_label.show()
        self._set_status("error", message)
        self.retry_button.show()
        self.assistant_bubble.set_text(self.assistant_bubble.text())
        self._show_actions(False)
        self.user_actions.setVisible(bool(self.user_message_id))

    # -- background memory --------------------------------------------------------------------------
    def set_memory_pending(self, job_id: str) -> None:
        self.job_id = job_id
        self._pending_since = time.perf_counter()
        self.memory_label.setText("memory pending…")
        self.memory_label.show()

    def memory_done(
        self, lines: list[str], error: str | None, counts: dict | None = None, notes: list[str] | None = None
    ) -> None:
        after = (time.perf_counter() - self._pending_since) * 1000
        if error:
            text = f"memory failed: {error}"
        elif lines:  # "saved: …; replaced: …": a replaced fact is not reported as saved
            text = f"memory {'; '.join(lines)} (after {after:.0f} ms)"
        elif notes and not all(n.startswith(NOTHING_FOUND) for n in notes):
            text = f"memory: {notes[0]} (after {after:.0f} ms) — the turn itself was kept"
        elif notes:  # an empty answer is not a failure: the raw answer is in the tooltip
            text = f"memory: nothing new to remember (after {after:.0f} ms) — the turn was kept as an episode"
        else:
            text = f"memory: nothing new to save (after {after:.0f} ms)"
        if counts and counts.get("discarded"):
            text += f" · {counts['discarded']} discarded below the quality thresholds"
        self.memory_label.setToolTip(error or "\n".join(notes or []))
        self.memory_label.setText(text)
        self.memory_label.show()
        self.memory_icon.follow(self.memory_label, "error" if error else "muted")

    def show_turn_memories(self, lines: list[str]) -> None:
        """The provenance answer: what this turn wrote to memory (replaced facts marked)."""
        self.turn_memories.setText("\n".join(f"• {x}" for x in lines) or "this turn wrote no memories")
        self.turn_memories.show()

    def show_feedback_result(self, text: str, *, error: bool = False) -> None:
        self.feedback_result.setText(text)
        set_tone(self.feedback_result, "error" if error else "muted")
        self.feedback_result.show()

    # -- a persisted turn ----------------------------------------------------------------------------
    def load(
        self, user: Message, reply: Message | None, costs: tuple[float | None, float] | None = None
    ) -> None:
        """Show a turn from the database. The footer's recall and hot-path write come from the run's
        steps when the caller read them (`costs`), else the stored memory total stands in."""
        self.user_message_id = user.id
        if reply is None:
            self._set_status("error", "no reply was saved for this message")
            self.retry_button.show()
            return
        self.message_id, self.run_id = reply.id, reply.run_id or ""
        self.assistant_bubble.set_text(reply.content)
        if reply.status == "error":
            self.show_error(reply.error or "the model call failed")
            return
        self._set_status(reply.status, self._stopped_text() if reply.status == "stopped" else "")
        recall, write = costs if costs is not None else (None, 0.0)
        self.footer.setText(
            footer_text(reply.latency_ms, reply.ttft_ms, recall, write, reply.memory_latency_ms)
        )
        self.footer.show()
        self.memories_link.show()
        if reply.feedback:
            self.show_feedback_result(f"you rated this {'good' if reply.feedback > 0 else 'bad'}")
        self._show_actions(True)

    def set_versions(self, user_ids: list[str], reply_ids: list[str]) -> None:
        self.user_actions.versions.set_versions(user_ids, self.user_message_id)
        self.assistant_actions.versions.set_versions(reply_ids, self.message_id)


def arguments_line(step: object) -> str:
    """A tool step's arguments as the model sent them: `{"arguments": …}` unwrapped, a JSON string
    (how AG-UI and OpenAI stream them) decoded, so the row reads `arguments: {"guests": 2}`."""
    raw = str(getattr(step, "input_json", "") or "")
    value: object = raw
    with contextlib.suppress(ValueError):
        value = json.loads(raw)
        if isinstance(value, dict) and set(value) == {"arguments"}:
            value = value["arguments"]
        if isinstance(value, str):
            value = json.loads(value)
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return f"arguments: {text}"
