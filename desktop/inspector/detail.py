"""The detail panel: one memory in full — its text, provenance, history chain and change events."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl, Signal, Slot
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from desktop.inspector.models import fmt_dt
from memory.models import Memory, MemoryEvent

EMPTY_HTML = (
    "<p style='color:#777'>Select a memory to see its full text, where it came from "
    "(run and source turn), the versions it went through and every change made to it.</p>"
)


def _e(text: object) -> str:
    return html.escape(str(text if text is not None else ""))


def _window(m: Memory) -> str:
    end = fmt_dt(m.valid_to) if m.valid_to else "now"
    return f"{fmt_dt(m.valid_from)} → {end}"


def _value(m: Memory) -> str:
    return f" = {_e(m.value)}" if m.value and m.value != m.content else ""


def provenance_html(prov: dict) -> str:
    """The turn a memory came from and the model call that extracted it, with links to their traces."""
    out = []
    user = next((m for m in prov.get("messages", []) if m["role"] == "user"), None)
    if user:
        out.append(f"<p>From the turn: <i>“{_e(user['content'][:200])}”</i></p>")
    if prov.get("run_id"):
        out.append(f"<p><a href='run:{_e(prov['run_id'])}'>Open this turn's trace</a></p>")
    ex = prov.get("extraction")
    if ex:
        out.append(
            f"<p><b>Extraction call</b> ({_e(ex['purpose'])}, {_e(ex['run_kind'])} run): "
            f"{_e(ex['model'] or '—')} · {ex['prompt_tokens']}+{ex['completion_tokens']} tokens · "
            f"{ex['latency_ms']:.0f} ms · <a href='run:{_e(ex['run_id'])}'>open the call</a></p>"
        )
        if ex.get("prompt"):
            out.append(f"<pre style='background:#f4f4f4;white-space:pre-wrap'>{_e(ex['prompt'])}</pre>")
    job = prov.get("job")
    if job:
        out.append(f"<p>Background job <code>{_e(job['id'][:8])}</code> · {_e(job['status'])}</p>")
    return "".join(out)


def detail_html(
    memory: Memory, history: list[Memory], events: list[MemoryEvent], provenance: dict | None = None
) -> str:
    """HTML for one memory; every user-supplied string is escaped."""
    m = memory
    status = "current" if m.current else "superseded (kept as history, no longer recalled)"
    parts = [
        "<table width='100%'><tr><td width='50%' valign='top'>",
        f"<h3 style='margin:0'>{_e(m.kind.title())} memory</h3>",
        f"<p style='font-size:14px'>{_e(m.content)}</p>",
        "<table cellspacing='2'>",
        f"<tr><td><b>Status</b></td><td>{_e(status)}</td></tr>",
        f"<tr><td><b>Valid</b></td><td>{_e(_window(m))}</td></tr>",
        f"<tr><td><b>Slot</b></td><td>{_e(m.slot or '—')}{_value(m)}</td></tr>",
        f"<tr><td><b>Importance</b></td><td>{m.importance:.2f} · confidence {m.confidence:.2f}"
        f"{' · pinned' if m.pinned else ''}</td></tr>",
        f"<tr><td><b>Written</b></td><td>{_e(m.write_mode)} · {m.write_latency_ms:.0f} ms · "
        f"{_e(fmt_dt(m.created_at))}</td></tr>",
    ]
    if m.flagged:
        parts.append(f"<tr><td><b>Flagged</b></td><td style='color:#b00'>{_e(m.flagged)}</td></tr>")
    if m.kind == "episodic":
        parts.append(f"<tr><td><b>Situation</b></td><td>{_e(m.situation or '—')}</td></tr>")
        parts.append(f"<tr><td><b>Outcome</b></td><td>{_e(m.outcome or '—')}</td></tr>")
        parts.append(f"<tr><td><b>Feedback</b></td><td>{m.feedback_score:+.0f}</td></tr>")
    parts.append("</table>")

    parts.append("<h4>Provenance</h4>")
    if m.source_run_id or m.source_text or m.source_message_id:
        parts.append(f"<p>Run <code>{_e(m.source_run_id or '—')}</code>")
        if m.source_message_id:
            parts.append(f" · message <code>{_e(m.source_message_id)}</code>")
        parts.append("</p>")
        if m.source_text:
            parts.append(
                "<blockquote style='color:#444; background:#f4f4f4'>"
                f"{_e(m.source_text).replace(chr(10), '<br>')}</blockquote>"
            )
    else:
        parts.append("<p style='color:#777'>No source recorded (written by hand or imported).</p>")
    if provenance:
        parts.append(provenance_html(provenance))

    parts.append("</td><td width='50%' valign='top' style='padding-left:12px'>")
    parts.append("<h4 style='margin-top:0'>History</h4>")
    if len(history) <= 1:
        parts.append("<p style='color:#777'>Never superseded: this is the only version.</p>")
    else:
        parts.append("<ol>")
        for h in history:
            style = "" if h.current else "color:#8a8a8a"
            mark = " <b>(selected)</b>" if h.id == m.id else ""
            parts.append(
                f"<li style='{style}'>{_e(h.content)}{mark}<br>"
                f"<small>valid {_e(_window(h))} · {_e(h.write_mode)}</small></li>"
            )
        parts.append("</ol>")

    parts.append("<h4>Events</h4>")
    if not events:
        parts.append("<p style='color:#777'>No events.</p>")
    else:
        parts.append("<table cellspacing='3'>")
        for ev in events:
            change = ""
            if ev.old and ev.new:
                change = f"{_e(ev.old)} → {_e(ev.new)}"
            elif ev.new or ev.old:
                change = _e(ev.new or ev.old)
            parts.append(
                f"<tr><td><small>{_e(fmt_dt(ev.at))}</small></td><td><b>{_e(ev.event)}</b></td>"
                f"<td><small>{_e(ev.actor)}</small></td><td>{change}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</td></tr></table>")
    return "".join(parts)


class DetailPanel(QWidget):
    """Shows `detail_html` for the selected memory; `show_memory` is fed by the owning tab."""

    run_requested = Signal(str)  # a provenance link: open this run in the trace viewer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_anchor)
        self.browser.setHtml(EMPTY_HTML)
        self.memory_id: str | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.browser)

    def show_memory(
        self, memory: Memory, history: list[Memory], events: list[MemoryEvent], provenance: dict | None = None
    ) -> None:
        self.memory_id = memory.id
        self.browser.setHtml(detail_html(memory, history, events, provenance))

    @Slot(QUrl)
    def _on_anchor(self, url: QUrl) -> None:
        target = url.toString()
        if target.startswith("run:"):
            self.run_requested.emit(target.removeprefix("run:"))

    def clear(self) -> None:
        self.memory_id = None
        self.browser.setHtml(EMPTY_HTML)

    def text(self) -> str:
        return self.browser.toPlainText()
