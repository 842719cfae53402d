"""Feedback as a preview: a thumbs-down, a correction or an inbox edit *proposes* memory changes.

The proposal lists changes to semantic facts, procedural instructions and episodic examples as a
diff; only the accepted ones are applied, exactly as shown. After applying, recent turns of the
conversation are replayed (answer only, nothing persisted) so the user sees what the agent would
now answer differently.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlmodel import Session, col, select

from memory.models import EPISODIC, SEMANTIC, Memory
from memory.procedural import diff as text_diff
from memory.prompts import SINGLE_VALUED, current_namespace

if TYPE_CHECKING:
    from agent_core.lab import Lab


@dataclass
class Change:
    """One proposed change. `kind`: semantic | procedural | episodic; `action` says what happens."""

    kind: str
    action: str  # add, supersede, invalidate, new_version, score
    before: str | None
    after: str | None
    target_id: str | None = None
    fact: dict | None = None
    reason: str = ""

    def label(self) -> str:
        """One line for a list of changes."""
        if self.kind == "procedural":
            added = [ln[1:] for ln in self.diff_lines() if ln.startswith("+") and not ln.startswith("+++")]
            return f"new instructions version: {'; '.join(added)[:70] or 'reworded'}"
        return f"{self.action}: {(self.after or self.before or '')[:70]}"

    def diff_lines(self) -> list[str]:
        if self.kind == "procedural":
            return text_diff(self.before or "", self.after or "", "instructions now", "proposed")
        head = f"[{self.kind}] {self.action}"
        out = [head]
        if self.before is not None:
            out.append(f"- {self.before}")
        if self.after is not None:
            out.append(f"+ {self.after}")
        return out


@dataclass
class Proposal:
    message_id: str
    profile: str
    agent: str
    score: int
    comment: str = ""
    correction: str = ""
    changes: list[Change] = field(default_factory=list)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: str = "pending"  # pending, applied, rejected
    applied: list[int] = field(default_factory=list)
    replay: list[dict] = field(default_factory=list)

    def diff_lines(self) -> list[str]:
        return [line for i, c in enumerate(self.changes) for line in [f"#{i}", *c.diff_lines()]]


def propose(
    lab: Lab,
    message_id: str,
    score: int,
    comment: str = "",
    *,
    correction: str = "",
    profile: str = "default",
    agent: str = "assistant",
) -> Proposal:
    """Work out what this feedback would change, without changing any memory."""
    p = Proposal(message_id, profile, agent, score, comment, correction)
    with Session(lab.engine, expire_on_commit=False) as s:
        eps = list(
            s.exec(select(Memory).where(Memory.source_message_id == message_id, Memory.kind == EPISODIC))
        )
        current = list(
            s.exec(
                select(Memory).where(
                    Memory.namespace == profile, Memory.kind == SEMANTIC, col(Memory.valid_to).is_(None)
                )
            )
        )
    for ep in eps:
        if ep.feedback_score != float(score):
            p.changes.append(
                Change(
                    "episodic",
                    "score",
                    f"example score {ep.feedback_score:+.0f}: {ep.situation or ep.content[:60]}",
                    f"example score {score:+d}: {ep.situation or ep.content[:60]}",
                    ep.id,
                    reason="good answers become few-shot examples" if score > 0 else "no longer an example",
                )
            )
    said = correction.strip() or comment.strip()  # a comment can carry a correction too
    if said:
        token = current_namespace.set(profile)
        try:
            facts = lab.writer.extract(said).facts
        finally:
            current_namespace.reset(token)
        for f in facts:
            p.changes.append(_semantic_change(f, current))
    if comment.strip() or score < 0:
        before = lab.procedural.current(profile, agent).text
        token = current_namespace.set(profile)
        try:
            proposed = lab.procedural.propose(
                profile, agent, [{"score": score, "comment": comment}], lab.complete_for_memory
            )
        finally:
            current_namespace.reset(token)
        if proposed.strip() != before.strip():
            p.changes.append(
                Change("procedural", "new_version", before, proposed, reason=f"feedback: {comment or score}")
            )
    order = {"semantic": 0, "procedural": 1, "episodic": 2}  # what the user said first, then the rest
    p.changes.sort(key=lambda c: order.get(c.kind, 3))
    return p


def _semantic_change(fact: dict, current: list[Memory]) -> Change:
    if fact["slot"] == "retraction":
        hit = next((m for m in current if m.content.strip().lower() == fact["value"].strip().lower()), None)
        if hit is not None:
            return Change(
                "semantic", "invalidate", hit.content, None, hit.id, fact, "the user says it is wrong"
            )
        return Change("semantic", "add", None, fact["content"], None, fact, "nothing matching to withdraw")
    same = next(
        (m for m in current if fact["slot"] in SINGLE_VALUED and m.slot == fact["slot"]),
        None,
    )
    if same is not None and same.content.strip().lower() != fact["content"].strip().lower():
        return Change("semantic", "supersede", same.content, fact["content"], same.id, fact, "correction")
    return Change("semantic", "add", None, fact["content"], None, fact, "new fact from the correction")


def apply(lab: Lab, proposal: Proposal, accept: list[int] | None = None, *, replay_turns: int = 3) -> dict:
    """Apply the accepted changes (all when `accept` is None) exactly as proposed; report the replay."""
    if proposal.status != "pending":
        raise ValueError(f"proposal {proposal.id} is already {proposal.status}")
    chosen = list(range(len(proposal.changes))) if accept is None else sorted(set(accept))
    before = _answers(lab, proposal, replay_turns) if chosen else []
    instructions = None
    for i in chosen:
        if i in proposal.applied:  # went in on an attempt that failed later: never twice
            continue
        c = proposal.changes[i]
        if c.kind == "procedural":
            new = lab.procedural.commit(
                proposal.profile, proposal.agent, c.after or "", reason=c.reason, author="optimizer"
            )
            instructions = {"version": new.version, "diff": c.diff_lines()}
        elif c.kind == "episodic":
            _set_score(lab, c.target_id or "", float(proposal.score))
        else:
            _apply_semantic(lab, proposal.profile, c)
        proposal.applied.append(i)
    proposal.status, proposal.applied = "applied", sorted(set(chosen) | set(proposal.applied))
    after = _answers(lab, proposal, replay_turns) if chosen else []
    proposal.replay = [
        {"question": q, "before": a, "after": b, "changed": a != b}
        for (q, a), (_q, b) in zip(before, after, strict=True)
    ]
    return {
        "proposal": proposal.id,
        "applied": chosen,
        "episodes": sum(1 for i in chosen if proposal.changes[i].kind == "episodic"),
        "instructions": instructions,
        "replay": proposal.replay,
    }


def _set_score(lab: Lab, memory_id: str, score: float) -> None:
    lab.store.set_feedback(memory_id, score, actor="user")


def _apply_semantic(lab: Lab, profile: str, c: Change) -> None:
    store = lab.store
    with store.session() as s:
        target = s.get(Memory, c.target_id) if c.target_id else None
        new = None
        if c.action in ("add", "supersede") and c.fact:
            new = Memory(
                namespace=profile,
                kind=SEMANTIC,
                content=c.fact["content"],
                slot=c.fact["slot"],
                value=c.fact["value"],
                importance=c.fact["importance"],
                confidence=max(c.fact["confidence"], 0.95),  # the user said so
                write_mode="feedback",
            )
            store.stage_add(s, new, actor="feedback")
        if target is not None and new is not None:
            store.stage_supersede(s, target, new, actor="feedback")
        elif target is not None and c.action == "invalidate":
            store.stage_end(s, target, event="RETRACT", new_text="", actor="feedback")
        s.commit()
    if new is not None:
        store.index_pending([new])
    store.emit("update", profile, [m for m in (c.target_id, new.id if new else None) if m])


def _answers(lab: Lab, proposal: Proposal, n: int) -> list[tuple[str, str]]:
    """Re-answer the last `n` user turns of the conversation (no tools, nothing saved)."""
    from agent_core.chat.agent import ChatAgent

    msg = lab.conversations.get_message(proposal.message_id)
    if msg is None:
        return []
    agent = ChatAgent(lab, proposal.profile, agent=proposal.agent)
    users = [m for m in lab.conversations.messages(msg.conversation_id) if m.role == "user"][-n:]
    out = []
    for u in users:
        recalled = lab.store.recall(proposal.profile, u.content, k=lab.settings.recall_k)
        examples = lab.store.recall(
            proposal.profile, u.content, k=2, kinds=(EPISODIC,), where=lambda m: m.feedback_score > 0
        )
        history = [{"role": m.role, "content": m.content} for m in agent.history(msg.conversation_id, u.id)]
        messages = agent.build_messages(u.content, recalled, examples, history=history)
        out.append((u.content, lab.llm.complete(messages).content))
    return out
