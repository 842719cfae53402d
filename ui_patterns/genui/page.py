"""GenUIPage: a chat-like stream where the agent answers with components, rendered as they stream.

Each component tool call becomes a `SideBySide` (predefined widget + sanitized free-form HTML) whose
visible side follows the "Predefined | Free-form | Side by side" switch. Interactive components pause
the run; the composer stays locked until the card is answered, then the answer goes back as a turn.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agent_core.agent import AgentEvent
from agent_core.genui_sim import answer_message
from ui_patterns.common import GeneratorWorker, LabContext, PatternPage, run_generator

from . import _style
from .base import ComponentState
from .freeform import SideBySide, render_freeform_html
from .run import ToolCallEvent, run_genui_turn

EXAMPLES = (
    "What's the weather in Lisbon?",
    "Compare the Pixel and the iPhone",
    "Book a table for 4 at a tapas bar",
    "Plot my weekly steps",
    "Delete my account",
)
MODES = ("Predefined", "Free-form", "Side by side")


def _bubble(text: str, *, user: bool = False, error: bool = False) -> QLabel:
    bubble = _style.label(text)
    bubble.setObjectName("userBubble" if user else "errorBubble" if error else "agentBubble")
    bubble.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    colour = _style.STATE_COLOURS["error"] if error else "palette(text)"
    background = "palette(alternate-base)" if user else "transparent"
    bubble.setStyleSheet(
        f"QLabel {{ background: {background}; color: {colour}; border-radius: 8px; padding: 6px 10px; }}"
    )
    return bubble


class GenUIPage(PatternPage):
    title = "Generative UI"
    subtitle = "The agent answers with components: predefined widgets or sandboxed free-form HTML."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.memory_mode: str | None = None  # None: the lab's setting
        self.chunk_delay = 0.02  # seconds between replayed argument pieces, so props visibly stream
        self.conversation_id: str | None = None
        self._worker: GeneratorWorker | None = None
        self._calls: dict[int, SideBySide] = {}
        self._all_calls: list[SideBySide] = []
        self._reply: QLabel | None = None
        self._queued: list[str] = []
        self._mode = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID, 2 * _style.GRID)
        layout.setSpacing(_style.GRID)
        header = QHBoxLayout()
        header.addWidget(_style.label(self.title, bold=True, size=3), 1)
        self._mode_buttons = QButtonGroup(self)
        for index, text in enumerate(MODES):
            button = QToolButton()
            button.setText(text)
            button.setCheckable(True)
            button.setChecked(index == 0)
            self._mode_buttons.addButton(button, index)
            header.addWidget(button)
        self._mode_buttons.idToggled.connect(self._on_mode_toggled)
        layout.addLayout(header)

        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        holder = QWidget()
        self._stream = QVBoxLayout(holder)
        self._stream.setSpacing(2 * _style.GRID)
        self._empty = _style.label("Ask for something visual — or try one of the examples below.", muted=True)
        self._stream.addWidget(self._empty)
        self._stream.addStretch(1)
        self._scroll.setWidget(holder)
        layout.addWidget(self._scroll, 1)

        examples = QHBoxLayout()
        for text in EXAMPLES:
            button = QPushButton(text)
            button.setFlat(True)
            button.setObjectName("example")
            button.clicked.connect(lambda _checked=False, t=text: self.ask(t))
            examples.addWidget(button)
        examples.addStretch(1)
        layout.addLayout(examples)
        composer = QHBoxLayout()
        self.input = QLineEdit()
        self.input.setPlaceholderText("Ask the agent …")
        self.input.returnPressed.connect(self._on_send)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self._on_send)
        composer.addWidget(self.input, 1)
        composer.addWidget(self.send_button)
        layout.addLayout(composer)
        self._status = _style.label("", muted=True)
        layout.addWidget(self._status)

    # -- public API ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._worker is not None

    def calls(self) -> list[SideBySide]:
        """Every component shown so far, oldest first."""
        return list(self._all_calls)

    def waiting_calls(self) -> list[SideBySide]:
        return [c for c in self._all_calls if c.host().state() == ComponentState.WAITING]

    def transcript(self) -> list[str]:
        """The text bubbles, oldest first (user, agent and error)."""
        labels = self._stream.parentWidget().findChildren(QLabel)
        names = ("userBubble", "agentBubble", "errorBubble")
        return [lb.text().replace("\u200b", "") for lb in labels if lb.objectName() in names]

    def ask(self, text: str) -> bool:
        """Send a user message; refused (False) while a run is going or a card waits for its answer."""
        text = text.strip()
        if not text or self.running or self.waiting_calls():
            return False
        self._add(_bubble(text, user=True))
        self._start(text)
        return True

    def add_tool_call(self, name: str, arguments_text: str) -> SideBySide:
        """Render one tool call from its raw arguments text (used for replays and by the run)."""
        call = self._new_call(name)
        self._finish_call(call, arguments_text)
        return call

    def set_mode(self, index: int) -> None:
        """0 = predefined, 1 = free-form, 2 = side by side."""
        self._mode_buttons.button(index).setChecked(True)

    def shutdown(self) -> None:
        if self._worker is not None:
            self._worker.quit()

    # -- the run ------------------------------------------------------------------------------
    def _start(self, text: str) -> None:
        lab = self.ctx.lab
        if self.conversation_id is None:
            self.conversation_id = lab.conversations.create(self.ctx.profile, "Generative UI").id
        conversation_id, profile, mode, delay = (
            self.conversation_id,
            self.ctx.profile,
            self.memory_mode,
            self.chunk_delay,
        )
        self._calls, self._reply = {}, None

        def factory(should_stop: Callable[[], bool]) -> object:
            return run_genui_turn(
                lab, profile, conversation_id, text, should_stop, memory_mode=mode, chunk_delay=delay
            )

        self._worker = run_generator(factory, self._on_event, self._on_returned, self._on_failed)
        self._refresh_composer()

    def _on_event(self, event: object) -> None:
        if isinstance(event, ToolCallEvent):
            call = self._calls.get(event.index)
            if call is None:
                call = self._calls[event.index] = self._new_call(event.name)
                self._reply = None  # text after a component goes into a new bubble
            if event.done:
                self._finish_call(call, event.text)
            else:
                call.host().set_args_text(event.text)
        elif isinstance(event, AgentEvent):
            if event.kind == "token":
                if self._reply is None:
                    self._reply = _bubble("")
                    self._add(self._reply)
                self._reply.setText(self._reply.text() + str(event.data.get("text", "")))
            elif event.kind == "error":
                self._add(_bubble(f"⚠ {event.data.get('message', 'the run failed')}", error=True))
            elif event.kind == "done":
                result = event.data["result"]
                if self._reply is None and result.reply and not self._calls:
                    self._add(_bubble(result.reply))
            self._scroll_to_end()

    @Slot(object)
    def _on_returned(self, _value: object) -> None:
        self._end()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self._add(_bubble(f"⚠ {message}", error=True))
        self._end()

    def _end(self) -> None:
        self._worker = None
        self._refresh_composer()
        if self._queued:
            self._start(self._queued.pop(0))

    # -- components ---------------------------------------------------------------------------
    def _new_call(self, name: str) -> SideBySide:
        call = SideBySide(name)
        call.setObjectName(f"call_{name}")
        call.host().responded.connect(lambda response, n=name: self._on_answered(n, response))
        call.host().state_changed.connect(lambda _s: self._refresh_composer())
        self._apply_mode(call)
        self._all_calls.append(call)
        self._add(call)
        return call

    def _finish_call(self, call: SideBySide, text: str) -> None:
        try:
            args = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            call.host().set_args_text(text, complete=True)  # error card naming the JSON problem
            call.freeform().set_markup(render_freeform_html(call.tool_name, text))
        else:
            call.set_args(args)
        self._refresh_composer()

    def _on_answered(self, name: str, response: dict) -> None:
        message = answer_message(name, response)
        self._add(_bubble(f"↩ {name}: {json.dumps(response, ensure_ascii=False)}", user=True))
        if self.running:
            self._queued.append(message)
        else:
            self._start(message)

    def _apply_mode(self, call: SideBySide) -> None:
        call.set_sides(predefined=self._mode != 1, freeform=self._mode != 0)

    @Slot(int, bool)
    def _on_mode_toggled(self, index: int, checked: bool) -> None:
        if checked:
            self._mode = index
            for call in self._all_calls:
                self._apply_mode(call)

    # -- helpers ------------------------------------------------------------------------------
    @Slot()
    def _on_send(self) -> None:
        if self.ask(self.input.text()):
            self.input.clear()

    def _add(self, widget: QWidget) -> None:
        self._empty.hide()
        self._stream.insertWidget(self._stream.count() - 1, widget)
        self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        QTimer.singleShot(0, self, self._to_bottom)

    @Slot()
    def _to_bottom(self) -> None:
        bar = self._scroll.verticalScrollBar()
        bar.setValue(bar.maximum())

    def _refresh_composer(self) -> None:
        waiting = bool(self.waiting_calls()) and not self.running
        enabled = not self.running and not waiting
        self.input.setEnabled(enabled)
        self.send_button.setEnabled(enabled)
        if self.running:
            self._status.setText("The agent is working …")
        elif waiting:
            self._status.setText("The agent is paused — answer the card above to continue.")
        else:
            self._status.setText("")
