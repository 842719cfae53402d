"""Turning a person's answers and corrections into memory: rules become procedural, facts semantic.

"Always ignore newsletters." (or ignoring a newsletter with "always") becomes a rule in the
agent's instructions; "Priya is my manager" becomes a fact in the agent's profile. The inbox gets
quieter because the next prompt carries both.
"""

from __future__ import annotations

import re

_RULE_START = re.compile(r"^(always|never|don't|do not|only)\b", re.I)
_FACT = re.compile(r"\b(is|are|was|has|have)\b|\d", re.I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def plural(word: str) -> str:
    return word if word.endswith("s") else f"{word}s"


def lessons_from(response: dict, *, category: str | None = None, topic: str | None = None) -> dict:
    """Rules and facts in one inbox answer: {"rules": [str], "facts": [fact dict]}."""
    rules: list[str] = []
    facts: list[dict] = []
    rtype = response.get("type")
    text = str(response.get("args") or "") if rtype == "response" else str(response.get("text") or "")
    if rtype == "ignore" and category and (response.get("always") or "always" in text.lower()):
        rules.append(f"Always ignore {plural(category)}.")
        text = ""
    for sentence in (s.strip() for s in _SENTENCE.split(text) if s.strip()):
        clean = sentence if sentence.endswith((".", "!", "?")) else f"{sentence}."
        if _RULE_START.match(sentence):
            rules.append(clean[0].upper() + clean[1:])
        elif topic:
            facts.append(_fact(f"About {topic}: {clean}", "answer", topic))
        elif _FACT.search(sentence):
            facts.append(_fact(clean, "note", sentence))
    return {"rules": rules, "facts": facts}


def _fact(content: str, slot: str, value: str) -> dict:
    return {"content": content, "slot": slot, "value": value, "importance": 0.7, "confidence": 0.9}


def with_rule(instructions: str, rule: str) -> str | None:
    """The instructions with `rule` appended under `## Rules`; None when it is already there."""
    lines = instructions.rstrip().splitlines()
    if any(ln.strip("- ").strip().lower() == rule.lower() for ln in lines):
        return None
    if not any(ln.strip().lower() == "## rules" for ln in lines):
        lines.append("## Rules")
    return "\n".join([*lines, f"- {rule}"])


def rules_in(instructions: str) -> list[str]:
    out, on = [], False
    for ln in instructions.splitlines():
        if ln.startswith("## "):
            on = ln.strip().lower() == "## rules"
        elif on and ln.startswith("- "):
            out.append(ln[2:].strip())
    return out
