"""Replay an AG-UI recording in the chat page: any agent's event stream, played as chat turns.

A designer drops in a recording of their own agent (LangGraph, ADK, … or one exported from the
Traces page) and watches it stream here: the user's messages, the reply word by word, recalled
memories, tool calls and memory writes as the turn's steps. Reading, parsing and filing happen on
a worker (`load_recording`: the recording becomes a conversation, its messages and a traced run,
so it stays, and the agent can carry on from it); the playback is a GUI-thread timer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QPushButton

from agent_core.agui.events import import_events, read_jsonl
from agent_core.agui.turns import ReplayTurn, replay_turns
from agent_core.chat.agent import AgentEvent, TurnResult
from agent_core.chat.conversations import Message
from agent_core.lab import Lab
from ui_patterns.chat.transcript import Transcript
from ui_patterns.chat.turn import TurnWidget
from ui_patterns.common import run_call

TICK_MS = 12
REPLAYED = "replayed from an AG-UI recording"
WORDS = re.compile(r"\S+\s*|\s+")


@dataclass
class Recording:
    conversation_id: str
    run_id: str
    turns: list[ReplayTurn]
    message_ids: list[tuple[str, str]]  # (user message, assistant message) per turn


def load_recording(lab: Lab, profile: str, path: Path) -> Recording:
    """Read and file a recording (worker thread); a clear ValueError when it is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path.name}: {exc}") from exc
    events = read_jsonl(text)
    turns = replay_turns(events)
    if not turns:
        raise ValueError(f"{path.name} holds no chat turns (no messages, tool calls or errors)")
    run_id = import_events(lab.engine, events, profile=profile)
    conv = lab.conversations.create(profile, title=f"Replay: {path.name}"[:60])
    ids = []
    for t in turns:
        user = lab.conversations.add(Message(conversation_id=conv.id, role="user", content=t.user))
        status = "error" if t.error else "complete"
        reply = Message(
            conversation_id=conv.id,
            role="assistant",
            content=t.reply,
            status=status,
            error=t.error,
            run_id=run_id,
        )
        ids.append((user.id, lab.conversations.add(reply).id))
    return Recording(conv.id, run_id, turns, ids)


class ReplayPlayer(QObject):
    """Plays a loaded recording into a transcript, one item per tick, words one by one."""

    finished = Signal()

    def __init__(self, recording: Recording, transcript: Transcript, new_turn: object) -> None:
        super().__init__(transcript)
        self.recording, self.transcript = recording, transcript
        self._new_turn = new_turn  # ChatPage._new_turn: wires the turn's actions like any other
        self._queue: list[tuple[int, str, dict]] = []
        for i, turn in enumerate(recording.turns):
            self._queue.append((i, "begin", {}))
            for kind, data in turn.items:
                if kind == "token":  # streamed word by word, as a live reply would be
                    self._queue += [(i, "token", {"text": w}) for w in WORDS.findall(data["text"])]
                else:
                    self._queue.append((i, kind, data))
            self._queue.append((i, "end", {}))
        self.turns: list[TurnWidget] = []
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        self._timer.start()

    def finish_now(self) -> None:
        """Play what is left at once (the Stop button, or closing the page)."""
        while self._queue:
            self._play(*self._queue.pop(0))
        self._done()

    def _tick(self) -> None:
        if not self._queue:
            self._done()
            return
        self._play(*self._queue.pop(0))

    def _done(self) -> None:
        if self._timer.isActive() or not self._queue:
            self._timer.stop()
            self.finished.emit()

    def _play(self, i: int, kind: str, data: dict) -> None:
        rec = self.recording.turns[i]
        if kind == "begin":
            turn = self._new_turn(self.transcript, rec.user)  # type: ignore[operator]
            turn.run_id, turn.user_message_id = self.recording.run_id, self.recording.message_ids[i][0]
            turn.begin(True)
            self.turns.append(turn)
            self.transcript.scroll_to_bottom()
            return
        turn = self.turns[-1]
        if kind == "tool":
            step = SimpleNamespace(
                id=f"replay-{data['id']}",
                kind="tool_call",
                name=data["name"],
                input_json=data["arguments"],
                output=data.get("result", ""),
                status="done",
                latency_ms=None,
            )
            turn.on_step("finished", step)
        elif kind == "note":
            turn.on_event(AgentEvent("notice", {"text": data.get("text", "")}))
        elif kind == "end":
            user_id, reply_id = self.recording.message_ids[i]
            result = TurnResult(
                reply=rec.reply,
                run_id=self.recording.run_id,
                user_message_id=user_id,
                message_id=reply_id,
                error=rec.error,
            )
            turn.finish(result, "error" if rec.error else "complete")
            turn.footer.setText(REPLAYED)  # a recording carries no timings to show
            self.transcript.scroll_to_bottom()
        else:  # token, recalled, saved: the events a live turn gets
            turn.on_event(AgentEvent(kind, data))
            if kind == "token":
                self.transcript.scroll_to_bottom()


class ReplayMixin:
    """The chat page's side: a "Replay AG-UI…" button, loading off the GUI thread, the player.
    The page declares `replay_finished = Signal(object)` (the player, or an error message)."""

    def _init_replay(self, header: QHBoxLayout) -> None:
        self.replay_button = QPushButton("Replay AG-UI…", self)  # type: ignore[arg-type]
        self.replay_button.setToolTip(
            "Play an AG-UI recording (JSONL or an SSE capture) from any agent as a conversation here"
        )
        self.replay_button.clicked.connect(self._replay_clicked)
        header.insertWidget(0, self.replay_button)
        self.replay_note = QLabel(self)  # type: ignore[arg-type]
        self.replay_note.setWordWrap(True)
        self.replay_note.hide()
        self.player: ReplayPlayer | None = None

    def _replay_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,  # type: ignore[arg-type]
            "Replay an AG-UI recording",
            "",
            "AG-UI recordings (*.jsonl *.ndjson *.sse *.txt);;All files (*)",
        )
        if path:
            self.replay_recording(Path(path))

    def replay_recording(self, path: Path) -> None:
        lab, profile = self.ctx.lab, self.ctx.profile  # type: ignore[attr-defined]
        self.replay_button.setEnabled(False)
        self._replay_say(f"Reading {path.name}…")
        run_call(lambda: load_recording(lab, profile, path), self._replay_loaded, self._replay_failed)

    def _replay_loaded(self, recording: object) -> None:
        assert isinstance(recording, Recording)
        if getattr(self, "_closed", False):
            return
        cid = recording.conversation_id
        t = Transcript(cid, self.stack)  # type: ignore[attr-defined]
        t.empty.example_clicked.connect(self.send)  # type: ignore[attr-defined]
        self._transcripts[cid] = t  # type: ignore[attr-defined]  # played, not filled from the db
        self.stack.addWidget(t)  # type: ignore[attr-defined]
        self.conversations.refresh()  # type: ignore[attr-defined]
        self.open_conversation(cid)  # type: ignore[attr-defined]
        n = len(recording.turns)
        self._replay_say(f"Replaying {n} turn{'s' if n != 1 else ''} of the recording…")
        self.player = ReplayPlayer(recording, t, self._new_turn)  # type: ignore[attr-defined]
        self.player.finished.connect(lambda: self._replay_done(n))
        self.stop_button.setEnabled(True)  # type: ignore[attr-defined]
        self.player.start()

    def _replay_done(self, n: int) -> None:
        player, self.player = self.player, None
        self.replay_button.setEnabled(True)
        self.stop_button.setEnabled(self.runner.running)  # type: ignore[attr-defined]
        self._replay_say(f"Replayed {n} turn{'s' if n != 1 else ''}: the recording is this conversation now.")
        self.replay_finished.emit(player)  # type: ignore[attr-defined]

    def _replay_failed(self, message: str) -> None:
        self.replay_button.setEnabled(True)
        self._replay_say(f"Could not replay the recording: {message}", error=True)
        self.replay_finished.emit(message)  # type: ignore[attr-defined]

    def stop_replay(self) -> bool:
        """Stop pressed during a replay: the rest plays at once. True if a replay was playing."""
        if self.player is None:
            return False
        self.player.finish_now()
        return True

    def _replay_say(self, text: str, *, error: bool = False) -> None:
        note = self.replay_note
        note.setProperty("role", "error" if error else "hint")
        note.style().unpolish(note)
        note.style().polish(note)
        note.setText(text)
        note.show()
