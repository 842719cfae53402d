"""The ChatPage's handlers for turn actions and for the conversation list, split out by concern.

Mixins over ChatPage's attributes (declared below for type checkers); they hold no state of their own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Slot
from PySide6.QtWidgets import QListView, QMessageBox, QStackedWidget

from agent_core.lab import Lab
from agent_core.runtime.engine import lab_service
from ui_patterns.chat import branches
from ui_patterns.chat.costs import memory_costs
from ui_patterns.chat.transcript import Transcript
from ui_patterns.chat.turn import TurnWidget
from ui_patterns.common import LabContext, when_done

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance

    from ui_patterns.chat.conversation_list import ConversationListModel
    from ui_patterns.chat.runner import ChatRunner

    class _PageState:
        ctx: LabContext
        runner: ChatRunner
        conversations: ConversationListModel
        conversation_view: QListView
        stack: QStackedWidget
        current_conversation_id: str | None
        _transcripts: dict[str, Transcript]
        feedback_done: SignalInstance

        def _new_turn(self, transcript: Transcript, text: str = "") -> TurnWidget: ...
        def _run(self, turn: TurnWidget, cid: str, text: str, **kw: object) -> None: ...
        def _set_versions(self, turn: TurnWidget) -> None: ...
        def send(self, text: str) -> TurnWidget | None: ...
        def delete_conversation(self, conversation_id: str) -> None: ...

else:
    _PageState = object


class TurnActionsMixin(_PageState):
    """Edit, regenerate, retry, version switching and feedback: each refuses while a reply runs."""

    @Slot(object, str)
    def _on_edit(self, turn: TurnWidget, text: str) -> None:
        queued = next((i for i, q in enumerate(self.queue) if q[0] is turn), None)
        if queued is not None:  # not sent yet: just change what will be sent
            self.queue[queued] = (turn, self.queue[queued][1], text)
            turn.user_bubble.set_text(text)
            self._update_controls()
            return
        if self.runner.running or not turn.user_message_id:
            return
        convs = self.ctx.lab.conversations
        msg = convs.deactivate_from(turn.user_message_id)
        cid = msg.conversation_id
        self._rebuild(cid)
        self._run(self._new_turn(self._transcripts[cid]), cid, text, branch_of=branches.root(msg))

    @Slot(object)
    def _on_regenerate(self, turn: TurnWidget) -> None:
        if self.runner.running or not turn.message_id:
            return
        convs = self.ctx.lab.conversations
        old = turn.message_id
        user = convs.get_message(turn.user_message_id)
        convs.deactivate_from(old)
        cid = user.conversation_id
        self._rebuild(cid)
        new = self._transcripts[cid].turns[-1]
        new.regenerated_from = old  # type: ignore[attr-defined]
        self._run(new, cid, user.content, existing_user_message=user.id)

    @Slot(object)
    def _on_retry(self, turn: TurnWidget) -> None:
        if self.runner.running:
            return
        if turn.message_id:
            branches.hide_message(self.ctx.lab.conversations, turn.message_id)
        cid = next(c for c, t in self._transcripts.items() if turn in t.turns)
        kw = {"existing_user_message": turn.user_message_id} if turn.user_message_id else {}
        self._run(turn, cid, turn.user_text, **kw)

    @Slot(str, str)
    def _on_version(self, _current: str, target: str) -> None:
        if self.runner.running:
            return
        convs = self.ctx.lab.conversations
        branches.switch_version(convs, target)
        msg = convs.get_message(target)
        if msg is not None:
            self._rebuild(msg.conversation_id)

    @Slot(object, int, str)
    def _on_feedback(self, turn: TurnWidget, score: int, comment: str) -> None:
        profile, mid = self.ctx.profile, turn.message_id
        turn.show_feedback_result("sending feedback…")

        def done(out: object) -> None:
            out = out if isinstance(out, dict) else {}
            ins = out.get("instructions")
            if out.get("pending"):
                text = "thanks — proposed memory changes are waiting for you in Memory › Feedback"
            elif ins:
                text = f"thanks — instructions updated to v{ins['version']}"
            else:
                text = f"thanks — {'kept as a good example' if score > 0 else 'noted'}"
            turn.show_feedback_result(text)
            self.feedback_done.emit(out)

        def failed(msg: str) -> None:
            turn.show_feedback_result(f"feedback failed: {msg}", error=True)
            self.feedback_done.emit({"error": msg})

        # In the agent engine: its proposal and replay make model calls (engine calls are positional).
        when_done(
            lab_service(self.ctx.engine).call(Lab.feedback, mid, score, comment, "", profile), done, failed
        )


class ConversationsMixin(_PageState):
    """One Transcript per opened conversation, built from the database the first time it is shown."""

    def _show(self, cid: str | None) -> None:
        """Show a conversation's transcript, building it from the database the first time."""
        self.current_conversation_id = cid
        key = cid or ""
        t = self._transcripts.get(key)
        if t is None:
            t = Transcript(cid, self.stack)
            t.empty.example_clicked.connect(self.send)
            self._transcripts[key] = t
            self.stack.addWidget(t)
            if cid:
                self._fill(t)
        self.stack.setCurrentWidget(t)

    def _fill(self, t: Transcript) -> None:
        pairs = branches.pair_turns(self.ctx.lab.conversations.messages(t.conversation_id or ""))
        costs = memory_costs(self.ctx.lab.engine, [r.run_id for _u, r in pairs if r is not None and r.run_id])
        for user, reply in pairs:
            turn = self._new_turn(t, user.content)
            turn.load(user, reply, costs.get(reply.run_id or "") if reply is not None else None)
            self._set_versions(turn)
            turn.set_locked(self.runner.running)
        t.scroll_to_bottom()

    def _rebuild(self, cid: str) -> None:
        t = self._transcripts[cid]
        t.clear()
        self._fill(t)

    def _select(self, cid: str | None) -> None:
        row = self.conversations.row_of(cid) if cid else -1
        sel = self.conversation_view.selectionModel()
        sel.blockSignals(True)
        if row >= 0:
            sel.setCurrentIndex(
                self.conversations.index(row), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        else:
            sel.clear()
        sel.blockSignals(False)

    def _refresh_list(self) -> None:
        self.conversations.refresh()
        self._select(self.current_conversation_id)

    @Slot(QModelIndex, QModelIndex)
    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        cid = self.conversations.id_at(current.row())
        if cid and cid != self.current_conversation_id:
            self._show(cid)

    @Slot()
    def _rename_clicked(self) -> None:
        idx = self.conversation_view.currentIndex()
        if idx.isValid():
            self.conversation_view.edit(idx)

    @Slot()
    def _delete_clicked(self) -> None:
        cid = self.current_conversation_id
        if cid and (
            QMessageBox.question(self, "Delete conversation", "Delete this conversation and its messages?")
            == QMessageBox.StandardButton.Yes
        ):
            self.delete_conversation(cid)
