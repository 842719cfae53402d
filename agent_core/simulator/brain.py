"""The simulator's brain: a request in Chat Completions form in, a reply (text or tool calls) out.

Tasks are recognised by a `[[task:NAME]]` marker in the system prompt; other modules add their
own with `@task("name")`. Without a marker it chats: it calls the memory tool when the user states
facts, answers questions from the memories in its prompt, and otherwise replies from templates.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from agent_core.simulator.facts import extract_facts, is_question, question_slot, read_memory
from memory.prompts import SINGLE_VALUED

_TASK = re.compile(r"\[\[task:([a-z_]+)\]\]")
_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Reply:
    content: str | None = None
    tool_calls: list[dict] = field(default_factory=list)  # {"name": str, "arguments": dict | str}


TaskFn = Callable[[dict, random.Random], Reply]
TASKS: dict[str, TaskFn] = {}
ToolRule = Callable[[dict, str, random.Random], Reply | None]
TOOL_RULES: list[ToolRule] = []


def task(name: str) -> Callable[[TaskFn], TaskFn]:
    def register(fn: TaskFn) -> TaskFn:
        TASKS[name] = fn
        return fn

    return register


def tool_rule(fn: ToolRule) -> ToolRule:
    """Register a rule that may answer a chat turn with a tool call (e.g. generative UI tools)."""
    TOOL_RULES.append(fn)
    return fn


def system_text(req: dict) -> str:
    return "\n".join(_text(m) for m in req.get("messages", []) if m.get("role") in ("system", "developer"))


def last_user(req: dict) -> str:
    for m in reversed(req.get("messages", [])):
        if m.get("role") == "user":
            return _text(m)
    return ""


def _text(m: dict) -> str:
    c = m.get("content")
    if isinstance(c, list):
        return " ".join(p.get("text", "") for p in c if isinstance(p, dict))
    return c or ""


def content_rng(req: dict, seed: int) -> random.Random:
    """Same request, same seed → same reply, whatever else the simulator served before."""
    digest = hashlib.sha256(
        json.dumps(req.get("messages", []), sort_keys=True, default=str).encode()
    ).hexdigest()
    return random.Random(f"{seed}:{digest}")


def respond(req: dict, seed: int = 0) -> Reply:
    rng = content_rng(req, seed)
    m = _TASK.search(system_text(req))
    if m and m.group(1) in TASKS:
        return TASKS[m.group(1)](req, rng)
    return chat(req, rng)


# -- chat --------------------------------------------------------------------------------------
def tool_names(req: dict) -> set[str]:
    return {t.get("function", {}).get("name") for t in req.get("tools") or [] if isinstance(t, dict)}


def memories_in_prompt(req: dict) -> list[str]:
    out, on = [], False
    for line in system_text(req).splitlines():
        if line.startswith("## "):
            on = "remember" in line.lower()
            continue
        if on and line.startswith("- "):
            out.append(line[2:].strip())
    return out


def chat(req: dict, rng: random.Random) -> Reply:
    msgs = req.get("messages", [])
    user = last_user(req)
    after_tool = bool(msgs) and msgs[-1].get("role") == "tool"
    if not after_tool:
        if "save_memory" in tool_names(req):
            facts = extract_facts(user)
            if facts:
                return Reply(
                    tool_calls=[{"name": "save_memory", "arguments": {"facts": [f.as_dict() for f in facts]}}]
                )
        for rule in TOOL_RULES:
            reply = rule(req, user, rng)
            if reply is not None:
                return reply
    text = answer(user, memories_in_prompt(req), rng)
    if "keep answers short" in system_text(req).lower():
        text = re.split(r"(?<=[.!?。！？])\s", text, maxsplit=1)[0]
    return Reply(content=text)


ANSWERS = {
    "location": ("You live in {v}.", "你住在{v}。"),
    "name": ("Your name is {v}.", "你叫{v}。"),
    "job": ("You work as {v}.", "你的职业是{v}。"),
    "employer": ("You work at {v}.", "你在{v}工作。"),
    "partner": ("Your partner is {v}.", "你的伴侣是{v}。"),
    "pet": ("Your pet is called {v}.", "你的宠物叫{v}。"),
    "preference": ("You prefer {v}.", "你更喜欢{v}。"),
    "like": ("You like {v}.", "你喜欢{v}。"),
}
UNKNOWN = {
    "location": "where you live",
    "name": "your name",
    "job": "what you do for a living",
    "employer": "where you work",
    "partner": "your partner's name",
    "pet": "anything about a pet",
    "preference": "your preferences on that",
    "like": "what you like",
}
ACKS = {
    "name": ("Nice to meet you, {v}!", "你好，{v}！"),
    "location": ("{v} — noted, I'll remember that you live there.", "好的，我记住了：你住在{v}。"),
    "job": ("Working as {v} sounds interesting.", "{v}，听起来很有意思。"),
    "employer": ("Got it, you work at {v}.", "好的，你在{v}工作。"),
    "like": ("Good to know you like {v}.", "知道了，你喜欢{v}。"),
    "dislike": ("Noted — no {v} then.", "知道了。"),
    "preference": ("Understood, you prefer {v}.", "明白，你更喜欢{v}。"),
    "note": ("I'll remember that.", "我会记住的。"),
}
_ABOUT_ME = re.compile(
    r"(?i)what do you (?:remember|know) about me|what have you remembered|你记得我什么|你知道我什么"
)
SMALL_TALK = [
    "That's interesting — tell me more about {topic}.",
    "I see. What would you like to do about {topic}?",
    "Thanks for sharing. How can I help with {topic}?",
    "Good question about {topic}. Here is how I'd think about it: start small, then iterate.",
    "Happy to help with {topic}. What matters most to you here?",
    "Let's look at {topic} together. What have you tried so far?",
]
SMALL_TALK_ZH = ["明白了。关于{topic}，你想聊些什么？", "谢谢分享！关于{topic}我能帮你做什么？"]


def answer(user: str, memories: list[str], rng: random.Random) -> str:
    zh = bool(_CJK.search(user))
    if _ABOUT_ME.search(user):
        if not memories:
            return "我还不记得关于你的任何事。" if zh else "I don't remember anything about you yet."
        listed = "；".join(memories[:5]) if zh else "; ".join(m.rstrip(".") for m in memories[:5])
        return f"我记得：{listed}。" if zh else f"Here's what I remember: {listed}."
    if is_question(user):
        slot = question_slot(user)
        if slot:
            for mem in memories:
                read = read_memory(mem)
                if read and read[0] == slot:
                    return ANSWERS[slot][1 if zh else 0].format(v=read[1])
            return (
                "我还不知道。你还没告诉过我。"
                if zh
                else f"I don't know {UNKNOWN[slot]} yet — you haven't told me."
            )
        best = _best_overlap(user, memories)
        if best:
            return f"From what I remember: {best}."
    facts = extract_facts(user)
    if any(f.slot == "retraction" for f in facts):
        return "我弄错了，已经忘掉了。" if zh else "Sorry, my mistake — I've forgotten that."
    if facts:
        moved = re.search(r"(?i)moved|relocated|搬", user)
        parts = []
        for f in facts:
            en, cn = ACKS.get(f.slot, ACKS["note"])
            if f.slot == "location" and moved and not zh:
                en = "Got it, you moved to {v}. I've updated what I know."
            parts.append((cn if zh else en).format(v=f.value))
        return " ".join(parts)
    topic = _topic(user)
    if _LONG_FORM.search(user):
        return long_form(_subject(user) or topic, zh, rng)
    templates = SMALL_TALK_ZH if zh else SMALL_TALK
    return rng.choice(templates).format(topic=topic)


_LONG_FORM = re.compile(
    r"(?i)^\s*(?:please\s+)?(?:explain|how (?:do|can|should) i|write|give me|show me|walk me through)\b"
    r"|step by step|an example|with code|请解释|怎么|如何|举个例子"
)
TIPS = [
    "measure before and after each change, or you are only guessing.",
    "keep the first version small enough to throw away.",
    "write down what you expect to happen before you try it.",
    "ask someone to use it without your help, and watch.",
]


_LEAD = re.compile(
    r"(?i)^\s*(?:please\s+)?(?:explain(?:\s+(?:how\s+to|to\s+me))?|how (?:do|can|should) i|write(?:\s+me)?"
    r"|give me|show me|walk me through)\s+(?:(?:a|an|the|some)\s+)?|^(?:请解释|请问)?(?:如何|怎么)?"
)
_TAIL = re.compile(
    r"(?i)[\s,]*(?:step by step|with code|with an example|please|一步一步|举个例子)?[\s?.!。？！]*$"
)


def _subject(user: str) -> str:
    """What a how-to request is about: "Explain how to plan a launch step by step" → "plan a launch"."""
    subject = _TAIL.sub("", _LEAD.sub("", user.strip(), count=1)).strip()
    return subject[:60]


def long_form(topic: str, zh: bool, rng: random.Random) -> str:
    """A Markdown answer (headings, a list, a code block, a quote) for how-to requests."""
    tip = rng.choice(TIPS)
    name = re.sub(r"\W+", "_", topic.lower()).strip("_") or "task"
    code = (
        "```python\n"
        f"def next_step(goal: str, tried: list[str]) -> str:\n"
        f'    """The smallest untried step towards {topic}."""\n'
        "    options = [step for step in plan(goal) if step not in tried]\n"
        "    return min(options, key=len)\n"
        "\n"
        f'print(next_step("{name}", tried=[]))\n'
        "```"
    )
    if zh:
        return (
            f"关于{topic}，可以这样做：\n\n## 思路\n先明确目标，再从最小的一步开始，然后根据反馈调整。\n\n"
            "## 步骤\n1. **明确目标**：用一句话写下“完成”是什么样子。\n"
            "2. **从小处开始**：先做最简单的版本并衡量效果。\n3. **迭代**：保留有效的，放弃无效的。\n\n"
            f"## 例子\n{code}\n\n> 提示：先写下你的预期，再动手尝试。"
        )
    return (
        f"Here is a short guide to *{topic}*.\n\n"
        "## Overview\nIt comes down to three things: a clear goal, a small first step, and feedback "
        "you can act on.\n\n"
        "## Steps\n"
        "1. **Define the goal.** Write one sentence about what *done* looks like.\n"
        "2. **Start small.** Try the simplest version first and measure it.\n"
        "3. **Iterate.** Keep what works, drop what does not, and note why.\n\n"
        f"## Example\n{code}\n\n"
        f"> Tip: {tip}"
    )


def _best_overlap(question: str, memories: list[str]) -> str | None:
    q = {w for w in re.findall(r"\w{4,}", question.lower())}
    scored = [(len(q & set(re.findall(r"\w{4,}", m.lower()))), m) for m in memories]
    scored = [s for s in scored if s[0] > 0]
    return max(scored)[1].rstrip(".") if scored else None


def _topic(text: str) -> str:
    words = re.findall(r"[A-Za-z][A-Za-z'-]{3,}|[\u4e00-\u9fff]{2,6}", text)
    stop = {
        "what",
        "about",
        "that",
        "this",
        "with",
        "have",
        "would",
        "could",
        "should",
        "there",
        "their",
        "please",
        "think",
    }
    words = [w for w in words if w.lower() not in stop]
    return " ".join(words[-2:]) if words else "that"


# -- memory tasks ------------------------------------------------------------------------------
@task("extract_memories")
def _extract(req: dict, rng: random.Random) -> Reply:
    turn = last_user(req)
    user_lines = [ln.removeprefix("User: ") for ln in turn.splitlines() if not ln.startswith("Assistant: ")]
    facts = extract_facts("\n".join(user_lines))
    return Reply(content=json.dumps({"facts": [f.as_dict() for f in facts]}, ensure_ascii=False))


@task("consolidate")
def _consolidate(req: dict, rng: random.Random) -> Reply:
    body = json.loads(last_user(req))
    existing = body.get("existing", [])
    decisions = []
    for i, fact in enumerate(body.get("new_facts", [])):
        action, target = "ADD", None
        if fact["slot"] == "retraction":  # "I never said …": withdraw the matching memory, add nothing
            hits = [
                e["id"] for e in existing if e["content"].strip().lower() == fact["value"].strip().lower()
            ]
            decisions.append(
                {"fact": i, "action": "DELETE" if hits else "NOOP", "target_id": hits[0] if hits else None}
            )
            continue
        for e in existing:
            if e["content"].strip().lower() == fact["content"].strip().lower():
                action, target = "NOOP", e["id"]
                break
            if (
                fact["slot"] in SINGLE_VALUED
                and e.get("slot") == fact["slot"]
                or {fact["slot"], e.get("slot")} == {"like", "dislike"}
                and _value_of(e["content"]) == fact["value"].lower()
            ):
                action, target = "UPDATE", e["id"]
        decisions.append({"fact": i, "action": action, "target_id": target})
    return Reply(content=json.dumps({"decisions": decisions}))


def _value_of(content: str) -> str:
    read = read_memory(content)
    return read[1].lower() if read else content.lower()


RULES = [
    (re.compile(r"(?i)short|concise|too long|verbose|brief"), "Keep answers short."),
    (re.compile(r"(?i)formal|polite|professional"), "Use a formal, professional tone."),
    (re.compile(r"(?i)casual|friendly|warm"), "Use a warm, casual tone."),
    (re.compile(r"(?i)bullet|list"), "Prefer bullet lists for multi-part answers."),
    (re.compile(r"(?i)source|cite|why"), "Say which memory an answer comes from."),
    (
        re.compile(r"(?i)wrong|incorrect|mistake|not true"),
        "Double-check remembered facts before relying on them.",
    ),
]


@task("optimize_instructions")
def _optimize(req: dict, rng: random.Random) -> Reply:
    body = json.loads(last_user(req))
    text = body.get("instructions", "")
    for fb in body.get("feedback", []):
        comment = str(fb.get("comment") or "")
        rules = [r for rx, r in RULES if rx.search(comment)]
        if not rules and comment and float(fb.get("score", 0)) < 0:
            rules = [f"Avoid this: {comment.strip().rstrip('.')}."]
        for r in rules:
            if r not in text:
                text = text.rstrip() + "\n" + r
    return Reply(content=text)
