"""The chat pattern: conversations, streamed replies, inline memory steps, branches and feedback.

The page is wiring: the list model, one Transcript per open conversation (so switching while a reply
streams corrupts neither), a ChatRunner for the live turn and a queue for messages typed meanwhile.
The agent is the lab's, or a remote AG-UI agent (Settings → Chat agent): the header says which.
"""

from __future__ import annotations

import contextlib
import copy

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from agent_core.chat.agent import TurnResult
from agent_core.runtime.provenance import memories_from_message
from agent_core.runtime.settings import MEMORY_MODES
from ui_patterns.chat import branches
from ui_patterns.chat.bubbles import BUBBLE_QSS
from ui_patterns.chat.conversation_list import ConversationListModel
from ui_patterns.chat.page_mixins import ConversationsMixin, TurnActionsMixin
from ui_patterns.chat.replay import ReplayMixin
from ui_patterns.chat.runner import ChatRunner
from ui_patterns.chat.steps import STEPS_QSS
from ui_patterns.chat.transcript import Transcript
from ui_patterns.chat.turn import MUTED_QSS, TurnWidget
from ui_patterns.common import LabContext, PatternPage, run_call

PLACEHOLDER = "Message the agent — Enter sends, Shift+Enter for a new line"
ANSWER = "The agent asked you something: your answer resumes its run — Enter sends"


class ChatPage(ReplayMixin, TurnActionsMixin, ConversationsMixin, PatternPage):
    title = "Chat"
    subtitle = "Streaming chat with memory you can see: what was recalled, saved, and what it cost."

    turn_finished = Signal(object)  # TurnResult
    feedback_done = Signal(dict)  # lab.feedback()'s answer, or {"error": ...}
    memory_indicator_changed = Signal(str)  # the background memory text of a turn
    replay_finished = Signal(object)  # ReplayPlayer when a replay has played, or its error (str)
    turn_settled = Signal(object)  # TurnWidget, after its versions and the list order were refreshed

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.setStyleSheet(BUBBLE_QSS + STEPS_QSS + MUTED_QSS)
        convs = ctx.lab.conversations
        self.runner = ChatRunner(ctx, self)
        self.queue: list[tuple[TurnWidget, str, str]] = []  # turn, conversation id, text
        self._transcripts: dict[str, Transcript] = {}
        self._orphan_jobs: dict[str, object] = {}
        self.current_conversation_id: str | None = None
        self._closed = False

        # header (the shell draws the page's title and subtitle above it)
        self.streaming_toggle = QCheckBox("Streaming", self)
        self.streaming_toggle.setChecked(ctx.lab.settings.streaming)
        self.streaming_toggle.setToolTip("Off: the reply arrives as one message after a thinking state")
        # The memory mode is one setting (the status bar and Settings show it too): this box
        # writes it, and follows it when it changes elsewhere.
        self.memory_mode_combo = QComboBox(self)
        self.memory_mode_combo.addItems(list(MEMORY_MODES))
        self.memory_mode_combo.setCurrentText(ctx.lab.settings.memory_mode)
        self.memory_mode_combo.setAccessibleName("Memory mode")
        self.memory_mode_combo.setToolTip(
            "hot_path: a memory tool before answering · background: after the reply · both · off"
        )
        mode_label = QLabel("Memory:", self)
        mode_label.setBuddy(self.memory_mode_combo)
        self.agent_label = QLabel(self)  # which agent answers: shown for a remote AG-UI agent
        self.agent_label.setProperty("muted", True)
        header = QHBoxLayout()
        header.addWidget(self.agent_label)
        header.addStretch(1)
        header.addWidget(self.streaming_toggle)
        header.addSpacing(8)
        header.addWidget(mode_label)
        header.addWidget(self.memory_mode_combo)
        self._init_replay(header)

        # conversation list
        self.conversations = ConversationListModel(convs, ctx.profile, self)
        self.conversation_view = QListView(self)
        self.conversation_view.setModel(self.conversations)
        self.conversation_view.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.conversation_view.setWordWrap(True)
        self.new_button = QPushButton("New conversation", self)
        self.rename_button = QPushButton("Rename", self)
        self.delete_button = QPushButton("Delete", self)
        side = QWidget(self)
        side_lay = QVBoxLayout(side)
        side_lay.setContentsMargins(0, 0, 0, 0)
        side_lay.addWidget(self.new_button)
        side_lay.addWidget(self.conversation_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.rename_button)
        row.addWidget(self.delete_button)
        side_lay.addLayout(row)

        # transcript + composer
        self.stack = QStackedWidget(self)
        self.queue_label = QLabel(self)
        self.queue_label.setProperty("muted", True)
        self.queue_label.hide()
        self.input = QPlainTextEdit(self)
        self.input.setPlaceholderText(PLACEHOLDER)
        self.input.setMaximumHeight(84)
        self.input.installEventFilter(self)
        self.send_button = QPushButton("Send", self)
        self.send_button.setDefault(True)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setEnabled(False)
        composer = QHBoxLayout()
        composer.addWidget(self.input, 1)
        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        composer.addLayout(buttons)
        main = QWidget(self)
        main_lay = QVBoxLayout(main)
        main_lay.setContentsMargins(0, 0, 0, 0)
        main_lay.addWidget(self.stack, 1)
        main_lay.addWidget(self.queue_label)
        main_lay.addLayout(composer)

        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(side)
        splitter.addWidget(main)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([220, 680])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addLayout(header)
        lay.addWidget(self.replay_note)
        lay.addWidget(splitter, 1)

        self.new_button.clicked.connect(self.new_conversation)
        self.rename_button.clicked.connect(self._rename_clicked)
        self.delete_button.clicked.connect(self._delete_clicked)
        self.conversation_view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.send_button.clicked.connect(self._send_clicked)
        self.stop_button.clicked.connect(self.stop)
        self.runner.turn_finished.connect(self.turn_finished)
        self.runner.idle.connect(self._on_idle)
        ctx.job_done.connect(self._on_job_done)
        ctx.step_event.connect(self._on_step)
        ctx.profile_changed.connect(self._on_profile_changed)
        ctx.settings_changed.connect(self._on_settings_changed)
        self.memory_mode_combo.currentTextChanged.connect(self.set_memory_mode)

        self._show_agent()
        first = self.conversations.id_at(0)
        self._show(first)
        self._select(first)

    # -- public hooks ------------------------------------------------------------------------------
    def transcript(self) -> Transcript:
        return self.stack.currentWidget()  # type: ignore[return-value]

    def turns(self) -> list[TurnWidget]:
        return list(self.transcript().turns)

    def last_assistant_text(self) -> str:
        turns = self.turns()
        return turns[-1].assistant_text() if turns else ""

    @Slot()
    def new_conversation(self) -> str:
        """Create and open an empty conversation (memory is recalled, the old transcript is not)."""
        c = self.ctx.lab.conversations.create(self.ctx.profile)
        self.conversations.refresh()
        self._show(c.id)
        self._select(c.id)
        self.input.setFocus()
        return c.id

    def open_conversation(self, conversation_id: str) -> None:
        self._show(conversation_id)
        self._select(conversation_id)

    def rename_conversation(self, conversation_id: str, title: str) -> None:
        self.ctx.lab.conversations.rename(conversation_id, title)
        self._refresh_list()

    def delete_conversation(self, conversation_id: str) -> None:
        if self.runner.running and self.runner.conversation_id == conversation_id:
            return  # deleting under a live reply would orphan it; Stop first
        self.ctx.lab.conversations.delete(conversation_id)
        self.queue = [q for q in self.queue if q[1] != conversation_id]
        t = self._transcripts.pop(conversation_id, None)
        if t is not None:
            self.stack.removeWidget(t)
            t.deleteLater()
        self.conversations.refresh()
        nxt = self.conversations.id_at(0)
        self._show(nxt)
        self._select(nxt)

    def send(self, text: str) -> TurnWidget | None:
        """Send now, or queue it (shown as queued) when a reply is still running."""
        text = text.strip()
        if not text:
            return None
        cid = self.current_conversation_id or self.new_conversation()
        turn = self._new_turn(self._transcripts[cid])
        self._transcripts[cid].scroll_to_bottom()
        if self.runner.running:
            turn.set_queued()
            self.queue.append((turn, cid, text))
            self._update_controls()
            return turn
        self._run(turn, cid, text)
        return turn

    @Slot()
    def stop(self) -> None:
        if not self.stop_replay():
            self.runner.stop()

    @Slot(str)
    def set_memory_mode(self, mode: str) -> None:
        """Make `mode` the memory mode setting (saved, so the status bar and Settings agree)."""
        if mode not in MEMORY_MODES or mode == self.ctx.lab.settings.memory_mode:
            return
        s = copy.deepcopy(self.ctx.lab.settings)
        s.memory_mode = mode
        self.ctx.apply_settings(s)

    def _show_agent(self) -> None:
        s = self.ctx.lab.settings
        remote = s.agent_source == "agui"
        self.agent_label.setText(f"Agent: AG-UI · {s.agui_url}" if remote else "")
        self.agent_label.setToolTip(
            "Turns go to this AG-UI endpoint (POST RunAgentInput, events streamed back); its own tools "
            "and memory answer. The memory mode is forwarded to it. Change it in Settings → Provider."
            if remote
            else ""
        )
        self.agent_label.setVisible(remote)

    @Slot()
    def _on_settings_changed(self) -> None:
        self._show_agent()
        mode = self.ctx.lab.settings.memory_mode
        if self.memory_mode_combo.currentText() != mode:
            self.memory_mode_combo.blockSignals(True)
            self.memory_mode_combo.setCurrentText(mode)
            self.memory_mode_combo.blockSignals(False)

    def shutdown(self) -> None:
        self._closed = True
        self.queue.clear()
        self.runner.close()
        for sig, slot in (
            (self.ctx.job_done, self._on_job_done),
            (self.ctx.step_event, self._on_step),
            (self.ctx.profile_changed, self._on_profile_changed),
            (self.ctx.settings_changed, self._on_settings_changed),
        ):
            with contextlib.suppress(RuntimeError, TypeError):
                sig.disconnect(slot)

    # -- running turns ---------------------------------------------------------------------------------
    def _new_turn(self, transcript: Transcript, text: str = "") -> TurnWidget:
        turn = transcript.add_turn(TurnWidget(text, transcript.widget()))
        turn.edit_submitted.connect(self._on_edit)
        turn.regenerate_requested.connect(self._on_regenerate)
        turn.retry_requested.connect(self._on_retry)
        turn.feedback_submitted.connect(self._on_feedback)
        turn.version_requested.connect(self._on_version)
        turn.memories_requested.connect(self._on_turn_memories)
        return turn

    @Slot(object)
    def _on_turn_memories(self, turn: TurnWidget) -> None:
        """Provenance, chat side: the memories this turn produced (hot path and background)."""
        engine, mid = self.ctx.lab.engine, turn.message_id or turn.user_message_id

        def load() -> list[str]:
            mems = memories_from_message(engine, mid)
            return [
                f"{m.content}{'' if m.valid_to is None else ' (since replaced)'}"
                for m in mems
                if m.kind == "semantic"
            ]

        run_call(load, turn.show_turn_memories, lambda msg: turn.show_turn_memories([f"⚠ {msg}"]))

    def _run(self, turn: TurnWidget, cid: str, text: str, **kw: object) -> None:
        turn.user_text = text
        turn.user_bubble.set_text(text)
        self.runner.start(
            turn,
            cid,
            text,
            stream=self.streaming_toggle.isChecked(),
            memory_mode=self.memory_mode_combo.currentText(),
            then=self._after_turn,
            **kw,  # type: ignore[arg-type]
        )
        self._lock_all(True)

    def _after_turn(self, turn: TurnWidget, result: TurnResult) -> None:
        """Branch links, version counts and the list order need the DB: read them off the GUI thread."""
        if result.job_id and result.job_id in self._orphan_jobs:
            self._apply_job(turn, self._orphan_jobs.pop(result.job_id))
        self.input.setPlaceholderText(ANSWER if turn.status == "waiting" else PLACEHOLDER)
        convs, profile = self.ctx.lab.conversations, self.ctx.profile
        old, turn.regenerated_from = getattr(turn, "regenerated_from", None), None  # type: ignore[attr-defined]
        user_id, reply_id = turn.user_message_id, result.message_id

        def fetch() -> tuple[list[str], list[str], list]:
            if old and reply_id:
                branches.mark_regeneration(convs, reply_id, old)
            return (
                [m.id for m in convs.versions(user_id)] if user_id else [],
                [m.id for m in convs.versions(reply_id)] if reply_id else [],
                convs.list(profile),
            )

        def apply(out: object) -> None:
            if self._closed or not isValid(self):
                return
            users, replies, rows = out  # type: ignore[misc]
            if isValid(turn):
                turn.set_versions(users, replies)
            self.conversations.set_rows(rows)
            self._select(self.current_conversation_id)
            self.turn_settled.emit(turn)

        run_call(fetch, apply)

    def _set_versions(self, turn: TurnWidget) -> None:
        convs = self.ctx.lab.conversations
        users = [m.id for m in convs.versions(turn.user_message_id)] if turn.user_message_id else []
        replies = [m.id for m in convs.versions(turn.message_id)] if turn.message_id else []
        turn.set_versions(users, replies)

    @Slot()
    def _on_idle(self) -> None:
        if self.queue:
            turn, cid, text = self.queue.pop(0)
            self._run(turn, cid, text)
        else:
            self._lock_all(False)
        self._update_controls()

    def _lock_all(self, locked: bool) -> None:
        for t in self._transcripts.values():
            for turn in t.turns:
                if turn is not self.runner.turn:
                    turn.set_locked(locked)
        self._update_controls()

    def _update_controls(self) -> None:
        running = self.runner.running
        self.stop_button.setEnabled(running)
        self.send_button.setText("Queue" if running else "Send")
        if self.queue:
            self.queue_label.setText(
                f"{len(self.queue)} queued: " + " · ".join(f"“{q[2][:40]}”" for q in self.queue)
            )
        self.queue_label.setVisible(bool(self.queue))

    # -- background memory and steps ---------------------------------------------------------------------
    @Slot(object)
    def _on_job_done(self, outcome: object) -> None:
        job_id = getattr(outcome, "job_id", None)
        for t in self._transcripts.values():
            for turn in t.turns:
                if turn.job_id == job_id:
                    self._apply_job(turn, outcome)
                    return
        if job_id:  # the job beat its turn's "pending" event: keep it for _after_turn
            self._orphan_jobs[job_id] = outcome

    def _apply_job(self, turn: TurnWidget, outcome: object) -> None:
        result = getattr(outcome, "result", None)
        turn.memory_done(
            result.summary() if result is not None else [],
            getattr(outcome, "error", None),
            result.counts() if result is not None else None,
            result.notes if result is not None else None,
        )
        self.memory_indicator_changed.emit(turn.memory_label.text())

    @Slot(str, object)
    def _on_step(self, event: str, step: object) -> None:
        turn = self.runner.turn
        if turn is not None and turn.run_id and getattr(step, "run_id", None) == turn.run_id:
            turn.on_step(event, step)

    @Slot(str)
    def _on_profile_changed(self, profile: str) -> None:
        for cid in list(self._transcripts):
            if not (self.runner.running and self.runner.conversation_id == cid):
                self.stack.removeWidget(self._transcripts.pop(cid))
        self.conversations.refresh(profile)
        first = self.conversations.id_at(0)
        self._show(first)
        self._select(first)

    @Slot()
    def _send_clicked(self) -> None:
        text = self.input.toPlainText()
        if text.strip():
            self.input.clear()
            self.send(text)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if (
            watched is self.input
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
        ):
            self._send_clicked()
            return True
        return super().eventFilter(watched, event)
