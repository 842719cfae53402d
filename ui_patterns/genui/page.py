"""GenUIPage: a chat-like stream where the agent answers with components, rendered as they stream.

Each component tool call becomes a `SideBySide` (predefined widget + sanitized free-form HTML) whose
visible side follows the "Predefined | Free-form | Side by side" switch. Interactive components pause
the run; the composer stays locked until the card is answered (or skipped), then the answer goes back
as a turn and shows in the stream in words, its JSON in a tooltip. Turns run in the agent engine
(`GenUIRunner`); the GUI thread only renders their events.
"""

from __future__ import annotations

import json

from PySide6.QtCore import QSize, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from agent_core.chat.agent import AgentEvent
from agent_core.genui.a2ui_catalog import A2UI_TOOL
from agent_core.genui.run import ToolCallEvent
from agent_core.genui.sim import a2ui_action_message, answer_message
from ui_patterns.common import LabContext, PatternPage

from . import _style
from .a2ui_host import A2UICallView, A2UISession
from .base import ComponentState
from .bubble import MessageBubble
from .flow import FlowLayout
from .freeform import SideBySide, render_freeform_html
from .interactive import InteractiveComponent
from .runner import GenUIRunner

EXAMPLES = (
    "What's the weather in Lisbon?",
    "Compare the Pixel and the iPhone",
    "Book a table for 4 at a tapas bar",
    "Plot my weekly steps",
    "Delete my account",
    "Book a table for 2 with A2UI",
)
MODES = ("Predefined", "Free-form", "Side by side")
MODE_TIPS = (
    "Components drawn with the app's own widgets",
    "The same calls as the sandboxed HTML an agent would write",
    "Both, next to each other",
)


def _spoken(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(_spoken(v) for v in value)
    return "—" if value in (None, "") else str(value)


class _StreamHolder(QWidget):
    """The transcript's content. Its minimum height is 0 so the scroll area sizes it by
    `heightForWidth`: the sum of word-wrapped labels' minimum heights (measured narrow) is far taller
    than the content, and that surplus was blank space after the last message; after ten turns a
    whole viewport of it, so the transcript scrolled to its end looked empty."""

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(super().minimumSizeHint().width(), 0)


class GenUIPage(PatternPage):
    title = "Generative UI"
    subtitle = "The agent answers with components: predefined widgets or sandboxed free-form HTML."

    def __init__(self, ctx: LabContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        self.memory_mode: str | None = None  # None: the lab's setting
        self.chunk_delay = 0.02  # seconds between replayed argument pieces, so props visibly stream
        self.conversation_id: str | None = None
        self.runner = GenUIRunner(ctx, self)  # the turns run in the agent engine
        self.runner.turn_event.connect(self._on_event)
        self.runner.ended.connect(self._on_ended)
        self._calls: dict[int, SideBySide | A2UICallView] = {}
        self._all_calls: list[SideBySide] = []
        self._a2ui_calls: list[A2UICallView] = []
        self.a2ui = A2UISession(self)  # every A2UI surface of the conversation
        self.a2ui.action_triggered.connect(self._on_a2ui_action)
        self._reply: MessageBubble | None = None
        self._queued: list[str] = []
        self._mode = 0

        layout = QVBoxLayout(self)
        layout.setContentsMargins(2 * _style.GRID, _style.GRID, 2 * _style.GRID, _style.GRID)
        layout.setSpacing(_style.GRID)
        layout.addLayout(self._build_mode_switch())

        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        holder = _StreamHolder()
        self._stream = QVBoxLayout(holder)
        self._stream.setSpacing(2 * _style.GRID)
        self._stream.addWidget(self._build_empty_state())
        self._stream.addStretch(1)
        self._scroll.setWidget(holder)
        self._follow = True  # keep the newest message in view until the user scrolls up
        bar = self._scroll.verticalScrollBar()
        bar.rangeChanged.connect(self._on_range_changed)
        bar.valueChanged.connect(self._on_scrolled)
        layout.addWidget(self._scroll, 1)

        composer = QHBoxLayout()
        self.examples_button = QToolButton()
        self.examples_button.setText("Examples")
        self.examples_button.setToolTip("Ask one of the example questions")
        self.examples_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.examples_button)
        for text in EXAMPLES:
            menu.addAction(text, lambda t=text: self.ask(t))
        self.examples_button.setMenu(menu)
        self.examples_button.hide()  # the empty transcript shows the examples as chips instead
        composer.addWidget(self.examples_button)
        self.input = QLineEdit()
        self.input.setPlaceholderText("Ask the agent …")
        self.input.returnPressed.connect(self._on_send)
        self.send_button = QPushButton("Send")
        self.send_button.clicked.connect(self._on_send)
        composer.addWidget(self.input, 1)
        composer.addWidget(self.send_button)
        layout.addLayout(composer)
        status = QHBoxLayout()
        self._status = _style.label("", muted=True)
        self._status.hide()
        self.skip_button = QPushButton("Skip")
        self.skip_button.setObjectName("skipCard")
        self.skip_button.setToolTip("Dismiss the waiting card without answering; the agent is told.")
        self.skip_button.clicked.connect(self.skip_waiting)
        self.skip_button.hide()
        status.addWidget(self._status, 1)
        status.addWidget(self.skip_button)
        layout.addLayout(status)

    def _build_empty_state(self) -> QWidget:
        """What an empty transcript shows: an invitation and the examples as chips that wrap."""
        self._empty = QWidget()
        column = QVBoxLayout(self._empty)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(_style.GRID)
        column.addWidget(_style.label("Ask for something visual — or try one of these:", muted=True))
        chips = QWidget()
        chips.setObjectName("genuiExamples")
        flow = FlowLayout(chips, spacing=_style.GRID)
        for text in EXAMPLES:
            button = QPushButton(text)
            button.setObjectName("example")
            button.clicked.connect(lambda _checked=False, t=text: self.ask(t))
            flow.addWidget(button)
        column.addWidget(chips)
        return self._empty

    def _build_mode_switch(self) -> QHBoxLayout:
        """The page's only header: the shell draws its title, the page adds the view switch."""
        header = QHBoxLayout()
        header.setSpacing(0)
        header.addWidget(_style.label("Show components as", muted=True))
        header.addSpacing(_style.GRID)
        self._mode_buttons = QButtonGroup(self)
        for index, text in enumerate(MODES):
            button = QToolButton()
            button.setText(text)
            button.setToolTip(MODE_TIPS[index])
            button.setCheckable(True)
            button.setChecked(index == 0)
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            button.setProperty("segment", True)
            self._mode_buttons.addButton(button, index)
            header.addWidget(button)
        header.addStretch(1)
        self._mode_buttons.idToggled.connect(self._on_mode_toggled)
        return header

    # -- public API ---------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.runner.running

    def calls(self) -> list[SideBySide]:
        """Every component shown so far, oldest first."""
        return list(self._all_calls)

    def a2ui_calls(self) -> list[A2UICallView]:
        """Every `render_a2ui` call shown so far, oldest first."""
        return list(self._a2ui_calls)

    def waiting_calls(self) -> list[SideBySide]:
        return [c for c in self._all_calls if c.host().state() == ComponentState.WAITING]

    def bubbles(self) -> list[MessageBubble]:
        """The text bubbles, oldest first (user, agent, error and answers)."""
        return self._stream.parentWidget().findChildren(MessageBubble)

    def transcript(self) -> list[str]:
        """The text of every bubble as written (agent Markdown unrendered), oldest first."""
        return [bubble.source() for bubble in self.bubbles()]

    def ask(self, text: str) -> bool:
        """Send a user message; refused (False) while a run is going or a card waits for its answer."""
        text = text.strip()
        if not text or self.running or self.waiting_calls():
            return False
        self._add(MessageBubble(text, "user"))
        self._start(text)
        return True

    @Slot()
    def skip_waiting(self) -> None:
        """Dismiss every card the agent waits on; each tells the agent it was skipped."""
        for call in self.waiting_calls():
            component = call.host().component()
            if isinstance(component, InteractiveComponent):
                component.skip()

    def add_tool_call(self, name: str, arguments_text: str) -> SideBySide | A2UICallView:
        """Render one tool call from its raw arguments text (used for replays and by the run)."""
        call = self._new_call(name)
        self._finish_call(call, arguments_text)
        return call

    def show_widget(self, widget: QWidget) -> None:
        """Scroll so `widget` (a call, a surface) starts at the top of the transcript."""
        self._scroll.widget().layout().activate()
        top = widget.mapTo(self._scroll.widget(), widget.rect().topLeft()).y()
        self._scroll.verticalScrollBar().setValue(max(0, top - _style.GRID))

    def set_mode(self, index: int) -> None:
        """0 = predefined, 1 = free-form, 2 = side by side."""
        self._mode_buttons.button(index).setChecked(True)

    def stop(self) -> None:
        """Stop the running turn at its next event; what streamed so far stays."""
        self.runner.stop()

    def shutdown(self) -> None:
        self.runner.close()

    # -- the run ------------------------------------------------------------------------------
    def _start(self, text: str) -> None:
        lab = self.ctx.lab
        if self.conversation_id is None:
            self.conversation_id = lab.conversations.create(self.ctx.profile, "Generative UI").id
        self._calls, self._reply = {}, None
        self.runner.start(
            self.conversation_id, text, memory_mode=self.memory_mode, chunk_delay=self.chunk_delay
        )
        self._refresh_composer()

    @Slot(object)
    def _on_event(self, event: object) -> None:
        if isinstance(event, ToolCallEvent):
            call = self._calls.get(event.index)
            if call is None:
                call = self._calls[event.index] = self._new_call(event.name)
                self._reply = None  # text after a component goes into a new bubble
            if event.done:
                self._finish_call(call, event.text)
            elif isinstance(call, A2UICallView):
                call.feed(event.text)  # messages render one by one as their lines complete
            else:
                call.host().set_args_text(event.text)
        elif isinstance(event, AgentEvent):
            if event.kind == "token":
                if self._reply is None:
                    self._reply = MessageBubble("", "agent")
                    self._add(self._reply)
                self._reply.append(str(event.data.get("text", "")))
            elif event.kind == "error":
                self._add(MessageBubble(f"⚠ {event.data.get('message', 'the run failed')}", "error"))
            elif event.kind == "done":
                result = event.data["result"]
                if self._reply is None and result.reply and not self._calls:
                    self._add(MessageBubble(result.reply, "agent"))
            self._scroll_to_end()

    @Slot(str)
    def _on_ended(self, error: str) -> None:
        """The turn's call returned, or failed (the engine stopped): an error bubble says why."""
        if error:
            self._add(MessageBubble(f"⚠ {error}", "error"))
        self._refresh_composer()
        if self._queued:
            self._start(self._queued.pop(0))

    # -- components ---------------------------------------------------------------------------
    def _new_call(self, name: str) -> SideBySide | A2UICallView:
        if name == A2UI_TOOL:
            view = A2UICallView(self.a2ui)
            self._a2ui_calls.append(view)
            self._add(view)
            return view
        call = SideBySide(name)
        call.setObjectName(f"call_{name}")
        call.host().responded.connect(lambda response, c=call: self._on_answered(c, response))
        call.host().state_changed.connect(lambda _s: self._refresh_composer())
        self._apply_mode(call)
        self._all_calls.append(call)
        self._add(call)
        return call

    def _finish_call(self, call: SideBySide | A2UICallView, text: str) -> None:
        if isinstance(call, A2UICallView):
            call.feed(text, done=True)
            return
        try:
            args = json.loads(text) if text.strip() else {}
        except json.JSONDecodeError:
            call.host().set_args_text(text, complete=True)  # error card naming the JSON problem
            call.freeform().set_markup(render_freeform_html(call.tool_name, text))
        else:
            call.set_args(args)
        self._refresh_composer()

    def _on_answered(self, call: SideBySide, response: dict) -> None:
        """Show the answer in words (its JSON in the tooltip) and send it to the agent."""
        component = call.host().component()
        words = component.summary(response) if isinstance(component, InteractiveComponent) else ""
        bubble = MessageBubble(f"↩ {words or call.tool_name}", "answer")
        bubble.setToolTip(f"Sent to the agent ({call.tool_name}):\n{_style.pretty_json(response)}")
        self._add(bubble)
        message = answer_message(call.tool_name, response)
        if self.running:
            self._queued.append(message)
        else:
            self._start(message)

    @Slot(object, str)
    def _on_a2ui_action(self, message: dict, label: str) -> None:
        """A surface's button: show what was sent in words (JSON in the tooltip), tell the agent."""
        context = message.get("action", {}).get("context") or {}
        parts = [f"{key.replace('_', ' ').capitalize()}: {_spoken(value)}" for key, value in context.items()]
        bubble = MessageBubble(f"↩ {label}" + (f" — {' · '.join(parts)}" if parts else ""), "answer")
        bubble.setToolTip(f"A2UI action sent to the agent:\n{_style.pretty_json(message)}")
        self._add(bubble)
        if self.running:
            self._queued.append(a2ui_action_message(message))
        else:
            self._start(a2ui_action_message(message))

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
        self.examples_button.show()
        self._stream.insertWidget(self._stream.count() - 1, widget)
        if isinstance(widget, MessageBubble) and widget.kind in ("user", "answer"):
            self._follow = True  # the user just acted: show what follows
        self._scroll_to_end()

    def _scroll_to_end(self) -> None:
        if self._follow:
            bar = self._scroll.verticalScrollBar()
            bar.setValue(bar.maximum())

    @Slot(int, int)
    def _on_range_changed(self, _minimum: int, _maximum: int) -> None:
        """Content grew (a card streamed in, a reply wrapped onto a new line): stay at the end."""
        self._scroll_to_end()

    @Slot(int)
    def _on_scrolled(self, value: int) -> None:
        self._follow = value >= self._scroll.verticalScrollBar().maximum() - _style.GRID

    def _refresh_composer(self) -> None:
        waiting = bool(self.waiting_calls()) and not self.running
        enabled = not self.running and not waiting
        self.input.setEnabled(enabled)
        self.send_button.setEnabled(enabled)
        self.skip_button.setVisible(waiting)
        if self.running:
            self._status.setText("The agent is working …")
        elif waiting:
            self._status.setText("The agent is paused — answer the card above, or skip it.")
        else:
            self._status.setText("")
        self._status.setVisible(bool(self._status.text()))
