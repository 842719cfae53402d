"""Prompts for memory work. `[[task:…]]` markers let the offline simulator recognise the task."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol, SupportsFloat, SupportsIndex

SLOTS = "name, location, job, employer, partner, pet, age, preference, like, dislike, hobby, note"
SINGLE_VALUED = frozenset({"name", "location", "job", "employer", "partner", "age"})


@dataclass
class Completion:
    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    latency_ms: float = 0.0
    model: str = ""
    step_id: str | None = None


current_namespace: ContextVar[str | None] = ContextVar("current_namespace", default=None)
"""The profile whose memory work is running (so the model calls it makes are filed under it)."""


class Completer(Protocol):
    """One LLM call (the agent core supplies it, recording a step). Raises on transport errors.

    With `schema` the answer must be a JSON object of that shape: the agent core asks the server
    for structured output the strongest way it supports (see agent_core.runtime.llm.STRUCTURED).
    """

    def __call__(
        self, messages: list[dict], /, *, purpose: str, schema: dict | None = None
    ) -> Completion: ...


class MemoryLLMError(RuntimeError):
    """The model's answer to a memory task could not be used (it is kept in the message)."""


_FACT = {
    "type": "object",
    "properties": {
        "content": {"type": "string"},
        "slot": {"type": "string", "enum": [x.strip() for x in SLOTS.split(",")]},
        "value": {"type": "string"},
        "importance": {"type": "number"},
        "confidence": {"type": "number"},
    },
    "required": ["content", "slot", "value"],
}
EXTRACT_SCHEMA = {
    "type": "object",
    "properties": {"facts": {"type": "array", "items": _FACT}},
    "required": ["facts"],
}
CONSOLIDATE_SCHEMA = {
    "type": "object",
    "properties": {
        "decisions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "fact": {"type": "integer"},
                    "action": {"type": "string", "enum": ["ADD", "UPDATE", "DELETE", "NOOP"]},
                    "target_id": {"type": ["string", "null"]},
                },
                "required": ["fact", "action"],
            },
        }
    },
    "required": ["decisions"],
}

EXTRACT_SYSTEM = f"""[[task:extract_memories]]
You extract durable facts about the user from one conversation turn, for long-term memory.
Return only JSON: {{"facts": [{{"content": "<short third-person fact, e.g. Lives in Paris>",
"slot": "<one of: {SLOTS}>", "value": "<the value>", "importance": <0..1>, "confidence": <0..1>}}]}}.
Only facts the user states about themselves or asks you to remember; keep the user's language.
Corrections ("I moved to Berlin") are facts with the new value. If there is nothing durable, return {{"facts": []}}."""

CONSOLIDATE_SYSTEM = """[[task:consolidate]]
You keep a user's memory consistent. For each new fact, compare it with the existing memories and
decide one action: ADD (new information), UPDATE (it replaces an existing memory: give target_id),
DELETE (an existing memory is no longer true and the new fact adds nothing: give target_id), or
NOOP (already known). A single-valued slot (name, location, job, employer, partner, age) holds one
current value. Return only JSON: {"decisions": [{"fact": <index>, "action": "ADD|UPDATE|DELETE|NOOP",
"target_id": "<id or null>"}]}."""

OPTIMIZE_SYSTEM = """[[task:optimize_instructions]]
You improve an assistant's instructions from user feedback. Keep what works, add or change rules
that the feedback asks for, keep it short. Return only the full new instructions text."""


def extraction_messages(user_text: str, assistant_text: str = "") -> list[dict]:
    turn = f"User: {user_text}"
    if assistant_text:
        turn += f"\nAssistant: {assistant_text}"
    return [{"role": "system", "content": EXTRACT_SYSTEM}, {"role": "user", "content": turn}]


def consolidation_messages(facts: Sequence[dict], existing: Sequence[dict]) -> list[dict]:
    body = json.dumps({"new_facts": list(facts), "existing": list(existing)}, ensure_ascii=False)
    return [{"role": "system", "content": CONSOLIDATE_SYSTEM}, {"role": "user", "content": body}]


def optimize_messages(current: str, feedback: Sequence[dict]) -> list[dict]:
    body = json.dumps({"instructions": current, "feedback": list(feedback)}, ensure_ascii=False)
    return [{"role": "system", "content": OPTIMIZE_SYSTEM}, {"role": "user", "content": body}]


def parse_json_object(raw: str, what: str) -> dict:
    """Parse the first JSON object in a model answer (code fences tolerated); clear error otherwise."""
    cleaned = re.sub(r"^```(?:json)?|```$", "", raw.strip(), flags=re.MULTILINE).strip()
    start = cleaned.find("{")
    if start < 0:
        raise MemoryLLMError(f"{what}: the model returned no JSON object: {raw[:200]!r}")
    try:
        obj, _ = json.JSONDecoder().raw_decode(cleaned[start:])
    except json.JSONDecodeError as exc:
        raise MemoryLLMError(f"{what}: the model returned malformed JSON ({exc.msg}): {raw[:200]!r}") from exc
    if not isinstance(obj, dict):
        raise MemoryLLMError(f"{what}: expected a JSON object, got {type(obj).__name__}")
    return obj


def grounded(fact: dict, said: str) -> bool:
    """Does the fact rest on what was said? A word of its value (else of its content; CJK: a
    character) must occur in the turn: a small model's invented facts are refused ("Lives in
    Paris" from "I live in Lisbon" shares "live", not "Paris")."""
    from memory.lexical import tokens

    claim = tokens(str(fact.get("value") or "")) or tokens(str(fact.get("content") or ""))
    return bool(set(tokens(said)) & set(claim))


def clean_fact(raw: object) -> dict | None:
    """Normalise one fact from a model (or a tool call); None when it is unusable."""
    if not isinstance(raw, dict):
        return None
    content = str(raw.get("content") or "").strip()
    if not content:
        return None

    def unit(x: object, default: float) -> float:
        if not isinstance(x, str | bytes | SupportsFloat | SupportsIndex):  # float() would raise TypeError
            return default
        try:
            return min(1.0, max(0.0, float(x)))
        except (TypeError, ValueError):
            return default

    slot = str(raw.get("slot") or "note").strip().lower() or "note"
    return {
        "content": content[:2000],
        "slot": slot,
        "value": str(raw.get("value") or content)[:500],
        "importance": unit(raw.get("importance"), 0.5),
        "confidence": unit(raw.get("confidence"), 0.8),
    }
