"""The document agent's model calls: prompts for quick actions (any LLM) and the simulator's answer to them.

`action_messages` builds the Chat Completions messages for an action on a range; with the simulator the
`[[task:collab_action]]` marker routes them to :func:`collab_action`, which answers with
:func:`~agent_core.collab.actions.simulate_action`, so the same streaming path runs offline and online.
`review_comments` is the agent's deterministic read-through that leaves comments.
"""

from __future__ import annotations

import random
import re

from agent_core.collab.actions import ACTIONS, INFORMAL, Action, simulate_action, split_sections
from agent_core.simulator.brain import Reply, last_user, system_text, task

_PARAMS = re.compile(r"action=(\w+)\s+seed=(\d+)")
_WORD = re.compile(r"[A-Za-z']+")
ACTIVITY: dict[str, str] = {
    "rewrite": "rewriting",
    "continue": "continuing",
    "summarise": "summarising",
    "fix_tone": "fixing the tone of",
}
_ASK: dict[str, str] = {
    "rewrite": "Rewrite the text with clearer wording. Return only the rewritten text.",
    "continue": "Continue the text with one or two sentences. Return only the new sentences.",
    "summarise": "Summarise the text in about a third of its length. Return only the summary.",
    "fix_tone": "Make the tone professional; keep the meaning. Return only the corrected text.",
}


def action_messages(
    action: Action, text: str, *, seed: int = 0, rules: list[str] | None = None
) -> list[dict]:
    """Messages asking for ``action`` on ``text``; learned style rules join the instructions."""
    system = [f"You are a writing assistant editing part of a document. {_ASK[action]}"]
    if rules:
        system.append("Follow the author's style rules:\n" + "\n".join(f"- {rule}" for rule in rules))
    system.append(f"[[task:collab_action]] action={action} seed={seed}")
    return [{"role": "system", "content": "\n\n".join(system)}, {"role": "user", "content": text}]


@task("collab_action")
def collab_action(req: dict, rng: random.Random) -> Reply:
    match = _PARAMS.search(system_text(req))
    name, seed = (match.group(1), int(match.group(2))) if match else ("rewrite", 0)
    text = last_user(req)
    action = next((a for a in ACTIONS if a == name), None)  # the prompt's name as an Action
    if action is None:
        return Reply(content=text)
    result = simulate_action(action, text, seed)
    if action == "continue" and result.startswith(text.rstrip()):
        result = result[len(text.rstrip()) :]
    return Reply(content=result)


def review_comments(text: str) -> list[tuple[int, int, str]]:
    """(start, end, remark) for sections worth a comment: informal words or a very long sentence."""
    out: list[tuple[int, int, str]] = []
    for section in split_sections(text, by="paragraph"):
        body = section.text(text)
        informal = sorted({w.lower() for w in _WORD.findall(body) if w.lower() in INFORMAL})
        longest = max((len(s.split()) for s in re.split(r"[.!?]+", body)), default=0)
        if informal:
            words = ", ".join(f"'{w}'" for w in informal[:4])
            out.append((section.start, section.end, f"Informal words ({words}) — try Fix tone?"))
        elif longest > 30:
            out.append((section.start, section.end, f"A {longest}-word sentence; consider splitting it."))
    return out
