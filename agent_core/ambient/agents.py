"""The ambient agents: email triage, calendar scheduler, researcher.

Each is a small deterministic program over a `RunCtx`: read memory, ask the model, then ignore,
notify, ask, or propose an action for review. Every effect goes through a recorded step, so a run
can pause, resume, be answered, crash and be replayed, or be forked at any step.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from agent_core.ambient.durable import RunCtx
from agent_core.ambient.events import Event
from agent_core.ambient.inbox import NOTIFY, QUESTION, REVIEW
from agent_core.ambient.learning import lessons_from, rules_in

BASE = {
    "triage": "You triage the user's incoming email. For each email decide: ignore, notify (tell the user), "
    "or respond (draft a reply for the user to approve). Explain your reasoning.\n## Rules\n"
    "- Always ignore spam.",
    "scheduler": "You manage the user's calendar. Propose scheduling for meeting requests; the user "
    "approves every change.\n## Rules",
    "researcher": "You answer customer questions from what you know. When you lack information, ask "
    "the user one clear question instead of guessing.\n## Rules",
}
TASKS = {"triage": "triage", "scheduler": "schedule", "researcher": "research"}
SOURCES = {"triage": "email", "scheduler": "calendar", "researcher": "email"}
MAX_REVISIONS = 3


@dataclass
class AmbientAgent:
    name: str
    kind: str  # triage | scheduler | researcher
    profile: str = "default"
    memory_mode: str = "hot_path"  # agent_core.cli.ambient.AMBIENT_MODES

    def accepts(self, event: Event) -> bool:
        return event.source == SOURCES[self.kind]

    # -- prompt ---------------------------------------------------------------------------------
    def memory(self, ctx: RunCtx) -> dict:
        lab = ctx.hub.lab
        instructions = lab.procedural.current(self.profile, self.name, default=BASE[self.kind]).text
        facts = [m.content for m in lab.store.list(self.profile, "semantic") if not m.flagged][-30:]
        return {"instructions": instructions, "rules": rules_in(instructions), "facts": facts}

    def messages(self, mem: dict, ctx: RunCtx, payload: dict, extra: dict | None = None) -> list[dict]:
        parts = [f"[[task:{TASKS[self.kind]}]]", mem["instructions"], "## Facts you remember"]
        parts += [f"- {f}" for f in mem["facts"]]
        if ctx.corrections:
            parts += ["## Corrections", *[f"- {c}" for c in ctx.corrections]]
        for heading, lines in (extra or {}).items():
            parts += [f"## {heading}", *[f"- {ln}" for ln in lines]]
        system = "\n".join(parts)
        return [
            {"role": "system", "content": system},
            {"role": "user", "content": json.dumps(payload, ensure_ascii=False)},
        ]

    # -- the run ----------------------------------------------------------------------------------
    def run(self, ctx: RunCtx, event: Event) -> str:
        ctx.event = event
        ctx.step("input", f"{event.source}: {event.title}"[:120], None, lambda h: event.as_dict())
        mem = ctx.step("memory_read", "rules+facts", {"profile": self.profile}, lambda h: self.memory(ctx))
        assert isinstance(mem, dict)
        return {"triage": self._triage, "scheduler": self._schedule, "researcher": self._research}[self.kind](
            ctx, event, mem
        )

    def _triage(self, ctx: RunCtx, event: Event, mem: dict) -> str:
        payload = {k: event.data.get(k) for k in ("from", "to", "subject", "body", "received_at")}
        d = ctx.llm("triage", self.messages(mem, ctx, payload))
        decision, why = d.get("decision", "notify"), str(d.get("reasoning", ""))
        cat, prio = d.get("category"), int(d.get("priority", 1))
        if decision == "ignore":
            ctx.output("ignored", {"reason": why})
            return "ignored"
        subject = event.data.get("subject", "")
        if decision != "respond":
            ans = ctx.human(
                NOTIFY,
                f"{event.data.get('from', '')}: {subject}",
                f"**New {cat} email** from {event.data.get('from', '')}: *{subject}*\n\n"
                f"{event.data.get('body', '')}\n\n**Why you see this:** {why}",
                "notify",
                {"email_id": event.id, "category": cat},
                prio,
            )
            ctx.learn(lessons_from(ans, category=cat), str(ans.get("args") or ""))
            ctx.output("notified", {"answer": ans.get("type")})
            return "notified"
        draft = ctx.tool("draft_reply", dict(d.get("draft") or {}))
        args = dict(draft) if isinstance(draft, dict) else {}
        for revision in range(MAX_REVISIONS + 1):
            ans = ctx.human(
                REVIEW,
                f"Reply to {event.data.get('from', '')}: {subject}",
                f"**I drafted a reply** to *{subject}* and need your approval to send it.\n\n**Why:** {why}",
                "send_email",
                args,
                prio,
            )
            kind = ans.get("type")
            if kind in ("accept", "edit"):
                final = dict(ans.get("args") or args) if kind == "edit" else args
                ctx.tool("send_email", final)
                ctx.output("sent", {"edited": kind == "edit"})
                return "sent"
            if kind == "ignore":
                ctx.learn(lessons_from(ans, category=cat), "")
                ctx.output("discarded", {})
                return "discarded"
            feedback = str(ans.get("args") or "")
            ctx.learn(lessons_from(ans), feedback)
            if revision == MAX_REVISIONS:
                break
            d = ctx.llm("revise", self.messages(mem, ctx, payload, {"Reviewer feedback": [feedback]}))
            args = dict(d.get("draft") or args)
        ctx.output("gave up", {"revisions": MAX_REVISIONS})
        return "gave up"

    def _schedule(self, ctx: RunCtx, event: Event, mem: dict) -> str:
        d = ctx.llm("schedule", self.messages(mem, ctx, event.as_dict()))
        decision, why = d.get("decision"), str(d.get("reasoning", ""))
        title = event.data.get("title", "")
        if decision == "ignore":
            ctx.output("ignored", {"reason": why})
            return "ignored"
        if decision == "notify":
            ans = ctx.human(NOTIFY, title, f"**{title}**\n\n{why}", "notify", {"event_id": event.id}, 1)
            ctx.learn(lessons_from(ans), str(ans.get("args") or ""))
            ctx.output("notified", {})
            return "notified"
        action, args = str(d.get("action", "schedule_meeting")), dict(d.get("args") or {})
        ans = ctx.human(
            REVIEW,
            f"{'Decline' if decision == 'decline' else 'Schedule'}: {title}",
            f"**I propose to {action.replace('_', ' ')}** *{title}*.\n\n**Why:** {why}",
            action,
            args,
            int(d.get("priority", 2)),
        )
        kind = ans.get("type")
        if kind in ("accept", "edit"):
            ctx.tool(action, dict(ans.get("args") or args) if kind == "edit" else args)
            ctx.output("scheduled" if action == "schedule_meeting" else "declined", {})
            return "done"
        ctx.learn(lessons_from(ans), str(ans.get("args") or ""))
        ctx.output("not scheduled", {"answer": kind})
        return "not scheduled"

    def _research(self, ctx: RunCtx, event: Event, mem: dict) -> str:
        payload = {k: event.data.get(k) for k in ("from", "subject", "body")}
        d = ctx.llm("research", self.messages(mem, ctx, payload))
        if d.get("decision") == "skip":
            ctx.output("skipped", {"reason": d.get("reasoning")})
            return "skipped"
        if d.get("decision") == "ask":
            topic = str(d.get("topic", ""))
            ans = ctx.human(
                QUESTION,
                f"Question about {topic}",
                f"**{d.get('question')}**\n\nCustomer email: *{event.data.get('subject', '')}*\n\n"
                f"**Why I ask:** {d.get('reasoning', '')}",
                "answer_question",
                {"topic": topic, "email_id": event.id},
                2,
            )
            if ans.get("type") != "response":
                ctx.output("unanswered", {})
                return "unanswered"
            text = str(ans.get("args") or "")
            ctx.learn(lessons_from(ans, topic=topic), text)
            d = ctx.llm("research", self.messages(mem, ctx, payload, {"Human answer": [text]}))
        ctx.tool("save_answer", {"email_id": event.id, "answer": str(d.get("answer", ""))})
        ctx.output("answered", {"answer": d.get("answer")})
        return "answered"
